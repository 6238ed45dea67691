package web

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/display"
	"seedling/internal/ledger"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// todoCount is one line of a start page's to-do block: a count, what it
// counts in the reader's language, and where to act on it.
type todoCount struct {
	ID    string
	Count int
	Text  string
	Href  string
	Warn  bool // overdue: shown as a warning
}

// queueItem is a pending submission on the committee's start page, marked
// with where its decision deadline stands (pipeline.DueDecisionOverdue).
type queueItem struct {
	postgres.Submission
	DueStatus string // overdue, today, soon or ""
	DueOn     time.Time
}

// newsItem is one change in an activist's own record since the last visit.
type newsItem struct {
	Text string
	Href string
}

// startTodo fills the section's to-do block for its role: the secretary's
// decisions since the last visit, overdue items and displays to publish;
// the committee's queue with its overdue decisions; a group leader's people
// with their scores and the group's display; a member's displays open for
// objections.
func (s *Server) startTodo(c *fiber.Ctx, sec *startSection, since time.Time, shown displayStart) error {
	ctx := c.UserContext()
	l := s.localizer(c)
	g := sec.Grant
	roots := []string{g.OrgPath}
	add := func(id string, n int, key, href string, warn bool) {
		sec.Todo = append(sec.Todo, todoCount{ID: fmt.Sprintf("%s-%d", id, g.OrgID), Count: n, Text: translate(l, key, "Count", n), Href: href, Warn: warn && n > 0})
	}
	overdue := 0
	for _, d := range sec.Due {
		if d.Status == pipeline.StatusOverdue {
			overdue++
		}
	}
	switch g.Role {
	case seedling.RoleSecretary:
		decided, err := s.db.Pipeline().Submissions(ctx, postgres.SubmissionFilter{Roots: roots, DecidedSince: &since})
		if err != nil {
			return err
		}
		var approved, returned int
		for _, d := range decided {
			switch d.State {
			case "approved":
				approved++
			case "returned":
				returned++
			default:
				continue
			}
			sec.Decided = append(sec.Decided, d)
		}
		drafts, err := s.drafts(c, g)
		if err != nil {
			return err
		}
		for _, d := range sec.Due {
			if d.Kind == pipeline.DueDisplay {
				drafts++
			}
		}
		decidedAt := fmt.Sprintf("#decided-%d", g.OrgID)
		add("returned", returned, "home.todo.returned", decidedAt, returned > 0)
		add("approved", approved, "home.todo.approved", decidedAt, false)
		add("overdue", overdue, "home.todo.overdue", fmt.Sprintf("#due-%d", g.OrgID), true)
		add("publish", drafts, "home.todo.publish", "/displays", false)
	case seedling.RoleCommittee:
		if !s.authz.RoleMay(g.Role, authz.Submission, authz.Decide) {
			return nil
		}
		pending, err := s.db.Pipeline().Submissions(ctx, postgres.SubmissionFilter{Roots: roots, State: "pending"})
		if err != nil {
			return err
		}
		deadline := map[int64]postgres.DueEntry{}
		for _, d := range sec.Due {
			if d.Kind == pipeline.DueDecisionOverdue {
				deadline[d.CandidateID] = d
			}
		}
		late := 0
		for _, p := range pending {
			q := queueItem{Submission: p}
			if d, ok := deadline[p.CandidateID]; ok {
				q.DueStatus, q.DueOn = d.Status, d.DueOn
				if d.Status == pipeline.StatusOverdue {
					late++
				}
			}
			sec.Queue = append(sec.Queue, q)
		}
		add("queue", len(pending), "home.todo.queue", "/reviews", false)
		add("queue-overdue", late, "home.todo.queue_overdue", "/reviews", true)
		add("overdue", overdue, "home.todo.overdue", fmt.Sprintf("#due-%d", g.OrgID), true)
	case seedling.RoleMember:
		add("displays", len(shown.Open), "home.todo.displays_open", "#start-displays", false)
	case seedling.RoleOrgAdmin:
		add("overdue", overdue, "home.todo.overdue", fmt.Sprintf("#due-%d", g.OrgID), true)
	case seedling.RoleGroupLeader:
		list, _, err := s.scored(ctx, postgres.StandingFilter{Under: g.OrgPath, Stages: ledgerStages})
		if err != nil {
			return err
		}
		eligible := 0
		scored := make(map[int64]bool, len(list))
		for _, x := range list {
			sec.People = append(sec.People, rosterLine{ID: x.ID, Name: x.Name, Stage: x.Stage, OrgName: x.OrgName, Total: x.Score.Total,
				Eligible: x.Eligibility.Eligible, Reasons: reasonTexts(l, x.Eligibility), PastStage: x.Eligibility.PastStage()})
			scored[x.ID] = true
			if x.Eligibility.Eligible {
				eligible++
			}
		}
		// The list below the scores names only the others of the group
		// (applicants, members, those who left): the scored are above.
		others := sec.Candidates[:0:0]
		for _, c := range sec.Candidates {
			if !scored[c.ID] {
				others = append(others, c)
			}
		}
		sec.Candidates = others
		// A group that has published no display of its own has its people
		// on its branch's, which the leader reads (parent_display): the
		// newest of either is the one that shows them.
		one := &seedling.Principal{Grants: []seedling.Grant{g}}
		ds, err := s.db.Displays().List(ctx, postgres.DisplayFilter{Roots: roots, Nodes: s.authz.Nodes(one, authz.Display, authz.Read),
			DraftRoots: s.publishRoots(g), Limit: 1})
		if err != nil {
			return err
		}
		if len(ds) > 0 {
			sec.Display = &ds[0]
		}
		people := fmt.Sprintf("#people-%d", g.OrgID)
		add("people", len(list), "home.todo.people", people, false)
		add("eligible", eligible, "home.todo.eligible", people, false)
		add("overdue", overdue, "home.todo.overdue", fmt.Sprintf("#due-%d", g.OrgID), true)
	}
	return nil
}

// publishRoots is the grant's node when its role may publish displays
// there: drafts are shown only to those who may publish them.
func (s *Server) publishRoots(g seedling.Grant) []string {
	if s.authz.RoleMay(g.Role, authz.Display, authz.Publish) {
		return []string{g.OrgPath}
	}
	return nil
}

// drafts counts the display drafts under the grant's node waiting to be
// checked and published.
func (s *Server) drafts(c *fiber.Ctx, g seedling.Grant) (int, error) {
	roots := s.publishRoots(g)
	if roots == nil {
		return 0, nil
	}
	list, err := s.db.Displays().List(c.UserContext(), postgres.DisplayFilter{Roots: roots, DraftRoots: roots, Limit: 100})
	n := 0
	for _, d := range list {
		if d.State == display.StateDraft {
			n++
		}
	}
	return n, err
}

// myNews is what changed in an activist's own record since the last
// visit: points recorded or reversed, decisions on their submissions, a new
// stage.
func (s *Server) myNews(c *fiber.Ctx, me seedling.Candidate, since time.Time) ([]newsItem, error) {
	ctx := c.UserContext()
	l := s.localizer(c)
	var out []newsItem
	if !me.StageSince.Before(seedling.Today(since)) {
		out = append(out, newsItem{Text: translate(l, "home.news.stage", "Stage", translate(l, "stage."+string(me.Stage)), "On", formatDate(me.StageSince)),
			Href: fmt.Sprintf("/candidates/%d/timeline", me.ID)})
	}
	decided, err := s.db.Pipeline().Submissions(ctx, postgres.SubmissionFilter{Roots: []string{me.OrgPath}, CandidateID: me.ID, DecidedSince: &since})
	if err != nil {
		return nil, err
	}
	for _, d := range decided {
		if d.State != "approved" && d.State != "returned" {
			continue
		}
		out = append(out, newsItem{Text: translate(l, "home.news.decided_"+d.State, "To", translate(l, "stage."+string(d.ToStage))), Href: "/me"})
	}
	entries, err := s.db.Ledger().Entries(ctx, me.ID)
	if err != nil {
		return nil, err
	}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if !e.RecordedAt.After(since) || e.Kind == ledger.KindEvidence {
			continue
		}
		key := "home.news.entry"
		if e.Kind == ledger.KindReversal {
			key = "home.news.reversal"
		}
		out = append(out, newsItem{Text: translate(l, key, "Points", e.Points, "On", formatDate(e.OccurredOn)), Href: "/me/score"})
	}
	return out, nil
}
