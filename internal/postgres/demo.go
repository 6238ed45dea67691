package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"

	"seedling/internal/seedling"
	"seedling/seeds"
)

// LoadDemo writes the demo tree and candidates in one transaction. Rows are
// matched by code and never overwritten, so a second load, or a load over a
// database where someone has since renamed or moved a demo node, changes
// nothing that is already there.
func (db *DB) LoadDemo(ctx context.Context, d *seeds.Dataset) error {
	// The tree is written with plain INSERTs, past the kind checks that
	// OrgStore.Create makes, so the dataset has to prove them first.
	if err := d.Validate(); err != nil {
		return seedling.Errorf(seedling.EInvalid, "%s", err.Error()).Keyed("problem.demo_invalid")
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		ids := make(map[string]int64, len(d.Orgs))
		for _, o := range d.Orgs {
			id, err := loadDemoOrg(ctx, tx, o, ids)
			if err != nil {
				return err
			}
			ids[o.Code] = id
		}
		for _, c := range d.Candidates {
			if err := loadDemoCandidate(ctx, tx, c, ids[c.Org]); err != nil {
				return err
			}
		}
		return nil
	})
}

func loadDemoOrg(ctx context.Context, tx *sqlx.Tx, o seeds.Org, ids map[string]int64) (int64, error) {
	var parentID *int64
	if o.Parent != "" {
		id := ids[o.Parent]
		parentID = &id
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO orgs (parent_id, kind, name, code) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO NOTHING`, parentID, o.Kind, o.Name, o.Code); err != nil {
		return 0, err
	}
	// A separate statement rather than RETURNING: on a conflict RETURNING
	// yields nothing, and a row committed by a concurrent load is visible
	// only to a statement that starts after it.
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT id FROM orgs WHERE code = $1`, o.Code)
	return id, err
}

func loadDemoCandidate(ctx context.Context, tx *sqlx.Tx, c seeds.Candidate, orgID int64) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO candidates (org_id, code, name, gender, birth_date, occupation, priority_group,
			reserve_pool, front_line, stage, applied_on, activist_since, stage_since)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (code) DO NOTHING`,
		orgID, c.Code, c.Name, c.Gender, demoNullable(c.BirthDate), c.Occupation, demoNullable(c.PriorityGroup),
		c.ReservePool, c.FrontLine, c.Stage, c.AppliedOn, demoNullable(c.ActivistSince), c.StageSince)
	return err
}

// demoNullable maps the dataset's "not known" (an empty string) to SQL NULL:
// "" is not a date, and the CHECK on priority_group admits NULL but not "".
func demoNullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
