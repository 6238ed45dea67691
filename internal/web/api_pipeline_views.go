package web

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// candidateTimeline loads the candidate named in the path, checks the
// caller may read them, and gathers their full record.
func (s *Server) candidateTimeline(c *fiber.Ctx) (seedling.Candidate, []postgres.TimelineEvent, error) {
	cand, _, err := s.loadCandidate(c, authz.Candidate, authz.Read)
	if err != nil {
		return cand, nil, err
	}
	events, err := s.db.Pipeline().Timeline(c.UserContext(), cand.ID, s.mayReadConclusions(c, cand.OrgPath, cand.ID))
	return cand, events, err
}

// apiTimeline is a candidate's full record (全程纪实), oldest first.
func (s *Server) apiTimeline(c *fiber.Ctx) error {
	cand, events, err := s.candidateTimeline(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"candidate_id": cand.ID, "events": events})
}

// apiTimelineXLSX exports the same record as a spreadsheet. Every cell is a
// string cell, and text that starts like a formula is neutralised as in the
// ledger exports.
func (s *Server) apiTimelineXLSX(c *fiber.Ctx) error {
	cand, events, err := s.candidateTimeline(c)
	if err != nil {
		return err
	}
	l := s.localizer(c)
	header := []string{translate(l, "timeline.on"), translate(l, "timeline.what"), translate(l, "timeline.text"), translate(l, "timeline.who"), translate(l, "timeline.at")}
	rows := make([][]string, len(events))
	for i, e := range events {
		rows[i] = []string{formatDate(e.On), timelineLine(l, e), e.Text, e.Who, e.At.Format("2006-01-02 15:04:05Z")}
	}
	return s.sendSheet(c, fmt.Sprintf("全程纪实-%s.xlsx", cand.Name), header, rows)
}

// apiDue is the due list of the caller's scope, or of one node in it.
func (s *Server) apiDue(c *fiber.Ctx) error {
	roots, err := s.scopedRoots(c, authz.Candidate, authz.Read)
	if err != nil {
		return err
	}
	rs, today := s.rules()
	items, err := s.db.Pipeline().Due(c.UserContext(), roots, rs, today)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": wordDue(s.localizer(c), items)})
}

// apiStats are the committee's figures: by stage, priority group and branch,
// the pass rate of reviews and the average time in each stage.
func (s *Server) apiStats(c *fiber.Ctx) error {
	st, err := s.stats(c)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// stats computes the figures of the caller's scope, or of ?org_id= in it.
func (s *Server) stats(c *fiber.Ctx) (postgres.Stats, error) {
	if _, err := s.authorizeRole(c, authz.Stats, authz.Read); err != nil {
		return postgres.Stats{}, err
	}
	roots, err := s.scopedRoots(c, authz.Stats, authz.Read)
	if err != nil {
		return postgres.Stats{}, err
	}
	return s.db.Pipeline().Stats(c.UserContext(), roots)
}

// scopedRoots is the caller's scope for obj/act, narrowed to ?org_id= when
// given; a node outside the scope is not found.
func (s *Server) scopedRoots(c *fiber.Ctx, obj, act string) ([]string, error) {
	roots := s.roots(c, obj, act)
	id, err := queryID(c, "org_id")
	if err != nil {
		return nil, err
	}
	if id == 0 {
		return roots, nil
	}
	org, err := s.db.Orgs().ByID(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	if !anyContains(roots, org.Path) {
		return nil, seedling.NotFound()
	}
	return []string{org.Path}, nil
}
