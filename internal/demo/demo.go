// Package demo loads the demonstration data of seeds/ and the demo accounts
// that `seedling serve --demo` prints. Tests start from the same state, so
// what a newcomer sees is what the tests prove.
package demo

import (
	"context"
	"fmt"

	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/seeds"
)

// Password is the password of every demo account; it exists only with --demo.
const Password = "seedling-demo"

// Account is one demo account, at a node named by its seed code. ParentOf
// means "the node above that one".
type Account struct {
	Username, Display string
	Role              seedling.Role
	OrgCode           string
	ParentOf          bool
	CandidateCode     string
}

// Accounts are the demo logins: one per role, and a second secretary in a
// different township to show that scopes do not leak.
var Accounts = []Account{
	{Username: "admin", Display: "组织部 王主任", Role: seedling.RoleOrgAdmin, OrgCode: "ruzhou"},
	{Username: "committee", Display: "党工委 李委员", Role: seedling.RoleCommittee, OrgCode: "branch-a", ParentOf: true},
	{Username: "secretary", Display: "支部书记 张书记", Role: seedling.RoleSecretary, OrgCode: "branch-a"},
	{Username: "secretary2", Display: "支部书记 刘书记", Role: seedling.RoleSecretary, OrgCode: "branch-b"},
	{Username: "leader", Display: "党小组长 陈组长", Role: seedling.RoleGroupLeader, OrgCode: "branch-a-g1"},
	{Username: "activist", Role: seedling.RoleCandidate, OrgCode: "branch-a", CandidateCode: "activist-a"},
	{Username: "member", Display: "党员 赵党员", Role: seedling.RoleMember, OrgCode: "branch-a"},
}

// Load loads the demo tree and candidates, then the demo accounts.
// Everything is keyed by stable codes, so loading twice changes nothing.
func Load(ctx context.Context, db *postgres.DB, actor seedling.Actor) error {
	d, err := seeds.Demo(seedling.Today(db.Now()))
	if err != nil {
		return err
	}
	if err := LoadTree(ctx, db, d); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	for _, a := range Accounts {
		if err := loadAccount(ctx, db, actor, a); err != nil {
			return fmt.Errorf("demo account %s: %w", a.Username, err)
		}
	}
	// Ledgers last: they are recorded by the branches' secretaries.
	lp, err := LedgerSeed()
	if err != nil {
		return err
	}
	if err := loadLedgers(ctx, db, actor, d, lp); err != nil {
		return fmt.Errorf("demo ledgers: %w", err)
	}
	pp, err := seeds.DemoPipeline()
	if err != nil {
		return err
	}
	if err := loadPipeline(ctx, db, d, pp); err != nil {
		return fmt.Errorf("demo review history: %w", err)
	}
	if err := loadDisplays(ctx, db); err != nil {
		return fmt.Errorf("demo displays: %w", err)
	}
	return nil
}

func loadAccount(ctx context.Context, db *postgres.DB, actor seedling.Actor, a Account) error {
	if _, err := db.Users().ByUsername(ctx, a.Username); err == nil {
		return nil
	}
	org, err := db.Orgs().ByCode(ctx, a.OrgCode)
	if err != nil {
		return fmt.Errorf("node %s: %w", a.OrgCode, err)
	}
	if a.ParentOf {
		if org, err = db.Orgs().ByID(ctx, *org.ParentID); err != nil {
			return err
		}
	}
	n := postgres.NewUser{Username: a.Username, DisplayName: a.Display, Password: Password}
	if a.CandidateCode != "" {
		cand, err := db.Candidates().ByCode(ctx, a.CandidateCode)
		if err != nil {
			return fmt.Errorf("candidate %s: %w", a.CandidateCode, err)
		}
		n.CandidateID, n.DisplayName = &cand.ID, cand.Name
	}
	if _, err := db.Users().Create(ctx, actor, n); err != nil {
		return err
	}
	return db.Users().Grant(ctx, seedling.Administrator{Actor: actor, Everywhere: true}, a.Username, a.Role, org.ID)
}
