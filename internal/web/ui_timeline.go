package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"seedling/internal/authz"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// mayReadConclusions is the one decision on who reads a political review's
// conclusion: a grant holding political_review:read over the candidate's
// node (the committee that holds the candidate, the organisation
// department). Everyone else, the candidate included, learns that a review
// happened and how it ended. It asks authz directly: a sealed text is not a
// denied attempt, so nothing is audited.
func (s *Server) mayReadConclusions(c *fiber.Ctx, orgPath string, candidateID int64) bool {
	sess := currentSession(c)
	if sess == nil {
		return false
	}
	_, err := s.authz.Check(sess.Principal, authz.Target{Path: orgPath, CandidateID: candidateID}, authz.PoliticalReview, authz.Read)
	return err == nil
}

// timelineLine words one event in the reader's language.
func timelineLine(l *i18n.Localizer, e postgres.TimelineEvent) string {
	stage := func(s string) string {
		if s == "" {
			return ""
		}
		return translate(l, "stage."+s)
	}
	return translate(l, "timeline.kind."+e.Kind, "From", stage(e.FromStage), "To", stage(e.ToStage), "Points", e.Points, "Reason", e.LateReason)
}

type timelinePage struct {
	Candidate seedling.Candidate
	Events    []timelineRow
	Strikes   string
}

type timelineRow struct {
	postgres.TimelineEvent
	Line string
}

// timelinePage shows a candidate's full record as one printable page.
func (s *Server) timelinePage(c *fiber.Ctx) error {
	cand, events, err := s.candidateTimeline(c)
	if err != nil {
		return err
	}
	rs, _ := s.rules()
	failed, err := s.db.Pipeline().FailedReviews(c.UserContext(), cand.ID, rs)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "timeline", "timeline.title",
		timelinePage{Candidate: cand, Events: timelineRows(s.localizer(c), events), Strikes: translateProblem(s.localizer(c), rs.StrikesUsed(failed))})
}

// timelineRows words each event for a page.
func timelineRows(l *i18n.Localizer, events []postgres.TimelineEvent) []timelineRow {
	rows := make([]timelineRow, len(events))
	for i, e := range events {
		rows[i] = timelineRow{TimelineEvent: e, Line: timelineLine(l, e)}
	}
	return rows
}
