package web

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/ledger"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

type branchesView struct {
	Branches []postgres.LedgerBranch
}

// branchesPage lists the branches whose ledgers the caller may read: a
// committee's or the department's way into any ledger below them.
func (s *Server) branchesPage(c *fiber.Ctx) error {
	list, err := s.db.Scores().Branches(c.UserContext(), s.roots(c, authz.Ledger, authz.Read), ledgerStages)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "roster_index", "roster.index_title", branchesView{Branches: list})
}

type rosterLine struct {
	ID        int64
	Name      string
	Stage     seedling.Stage
	OrgName   string
	Total     int
	Dims      []int
	Eligible  bool
	Reasons   []string
	PastStage bool // a target or beyond: the door is behind them
}

type rosterView struct {
	Query     rosterQuery
	Next      string // the next page's address with the same filters, "" on the last
	Whole     bool   // the lines are the whole roster: no filter, no other page
	Stages    []seedling.Stage
	Groups    []seedling.PriorityGroup
	Org       seedling.Org
	Keeper    *postgres.Keeper
	Choices   []seedling.User
	CanWrite  bool
	DimNames  []string
	Lines     []rosterLine
	Eligible  int
	Done      string
	Error     string
	Threshold int
}

// loadRosterOrg loads the branch or party group of a roster page.
func (s *Server) loadRosterOrg(c *fiber.Ctx, act string) (seedling.Org, seedling.Actor, error) {
	org, a, err := s.loadOrg(c, authz.Ledger, act)
	if err != nil {
		return org, a, err
	}
	if !ledger.HasRoster(org.Kind) {
		return org, a, seedling.Errorf(seedling.ENotFound, "a roster is kept by a branch or a party group").Keyed("error.roster_scope")
	}
	return org, a, nil
}

// rosterPageSize keeps a roster page short enough to read on a phone.
const rosterPageSize = 50

func (s *Server) rosterView(c *fiber.Ctx, org seedling.Org) (*rosterView, error) {
	ctx := c.UserContext()
	limit, err := queryInt(c, "limit", rosterPageSize, 1, postgres.MaxPageLimit)
	if err != nil {
		return nil, err
	}
	page := &postgres.Page{Limit: int(limit), Cursor: c.Query("cursor")}
	q, err := readRosterQuery(c, org, page)
	if err != nil {
		return nil, err
	}
	list, rubrics, err := s.scoredRoster(ctx, q)
	if err != nil {
		return nil, err
	}
	k, err := s.keeper(ctx, org.Path)
	if err != nil {
		return nil, err
	}
	l := s.localizer(c)
	en := langEn(c)
	rs, _ := s.rules()
	v := &rosterView{Org: org, Keeper: k, Threshold: rs.MinScore, Query: q, Next: q.nextURL(org, page.Next),
		Whole: !q.Filtered() && page.Cursor == "" && page.Next == "", Stages: ledgerStages, Groups: seedling.PriorityGroups}
	sess := currentSession(c)
	if _, err := s.authz.Check(sess.Principal, authz.Target{Path: org.Path}, authz.Ledger, authz.Write); err == nil && ledger.KeepsLedgers(org.Kind) {
		v.CanWrite = true
		if v.Choices, err = s.db.Ledger().KeeperChoices(ctx, org.ID); err != nil {
			return nil, err
		}
	}
	if r, ok := rubrics.InForce(currentPeriod(s)); ok {
		for _, d := range r.Dimensions {
			v.DimNames = append(v.DimNames, fmt.Sprintf("%s (%d)", pickName(en, d.NameZh, d.NameEn), d.Cap))
		}
	}
	for _, x := range list {
		line := rosterLine{ID: x.ID, Name: x.Name, Stage: x.Stage, OrgName: x.OrgName, Total: x.Score.Total,
			Eligible: x.Eligibility.Eligible, Reasons: reasonTexts(l, x.Eligibility)}
		for _, d := range x.Score.Dimensions {
			line.Dims = append(line.Dims, d.Points)
		}
		if line.Eligible {
			v.Eligible++
		}
		v.Lines = append(v.Lines, line)
	}
	return v, nil
}

// rosterPage shows the people of a branch with their scores, points per
// dimension and whether the door to development target is open, a page of
// fifty at a time, searched and filtered by the query (readRosterQuery).
func (s *Server) rosterPage(c *fiber.Ctx) error {
	org, _, err := s.loadRosterOrg(c, authz.Read)
	if err != nil {
		return err
	}
	v, err := s.rosterView(c, org)
	if err != nil {
		return err
	}
	if c.Query("keeper") != "" {
		v.Done = translate(s.localizer(c), "roster.keeper_named")
	}
	return s.render(c, fiber.StatusOK, "roster", "roster.title", v)
}

// keeperSubmit names the person responsible for the branch's ledger.
func (s *Server) keeperSubmit(c *fiber.Ctx) error {
	org, a, err := s.loadRosterOrg(c, authz.Write)
	if err != nil {
		return err
	}
	id, err := formID(c, "user_id")
	if err == nil {
		err = s.db.Ledger().NameKeeper(c.UserContext(), a, org.ID, id)
	}
	if err != nil {
		de := s.shown(c, err)
		if de.Code == seedling.EInternal {
			return err
		}
		v, verr := s.rosterView(c, org)
		if verr != nil {
			return verr
		}
		v.Error = translate(s.localizer(c), "roster.keeper_invalid")
		return s.renderForm(c, statusOf[de.Code], "roster", "roster.title", v, de)
	}
	return c.Redirect(fmt.Sprintf("/branches/%d/roster?keeper=1", org.ID), fiber.StatusSeeOther)
}
