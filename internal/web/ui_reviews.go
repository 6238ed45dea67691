package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/ledger"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

type reviewsPage struct {
	Pending []postgres.Submission
	Filings []postgres.Filing
}

// reviewsPage is the committee's queue: submissions waiting, oldest first,
// and the filings (备案) received.
func (s *Server) reviewsPage(c *fiber.Ctx) error {
	if _, err := s.authorizeRole(c, authz.Submission, authz.Decide); err != nil {
		return err
	}
	roots := s.roots(c, authz.Submission, authz.Decide)
	pending, err := s.db.Pipeline().Submissions(c.UserContext(), postgres.SubmissionFilter{Roots: roots, State: "pending"})
	if err != nil {
		return err
	}
	filings, err := s.db.Pipeline().Filings(c.UserContext(), roots)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "reviews", "reviews.title", reviewsPage{Pending: pending, Filings: filings})
}

type reviewPage struct {
	Submission postgres.Submission
	Candidate  seedling.Candidate
	Facts      []factLine
	Score      int
	Threshold  int
	Failed     int
	MaxFailed  int
	Entries    []ledger.Entry
	Timeline   []timelineRow
	// DecisionFacts are what the committee records with an approval of this
	// step (an admission: its talk and its vote).
	DecisionFacts []pipeline.FactSpec
}

type factLine struct {
	Label string
	Value any
}

// reviewPage puts everything a decision needs on one screen: the facts as
// submitted, the candidate's ledger and score, the full record so far, the
// strikes used, and the approve and return forms.
func (s *Server) reviewPage(c *fiber.Ctx) error {
	return s.renderReview(c, fiber.StatusOK, nil)
}

func (s *Server) renderReview(c *fiber.Ctx, status int, formErr *seedling.Error) error {
	ctx := c.UserContext()
	sub, _, err := s.loadSubmission(c, authz.Read)
	if err != nil {
		return err
	}
	cand, err := s.db.Candidates().ByID(ctx, sub.CandidateID)
	if err != nil {
		return err
	}
	subj, err := s.pipelineSubject(ctx, cand)
	if err != nil {
		return err
	}
	entries, err := s.db.Ledger().Entries(ctx, cand.ID)
	if err != nil {
		return err
	}
	sealed := !s.mayReadConclusions(c, cand.OrgPath, cand.ID)
	events, err := s.db.Pipeline().Timeline(ctx, cand.ID, !sealed)
	if err != nil {
		return err
	}
	if sealed {
		postgres.SealConclusion(&sub)
	}
	rs, _ := s.rules()
	data := reviewPage{Submission: sub, Candidate: cand, Score: subj.Score, Threshold: rs.MinScore, Failed: rs.Strikes(subj.Returned),
		MaxFailed: rs.MaxFailedReviews, Entries: entries, Facts: factLines(rs, sub, pickLanguage(c) == "en"),
		Timeline: timelineRows(s.localizer(c), events)}
	if rs := s.registry.Version(sub.RulesVersion); rs != nil {
		if st, ok := rs.Find(sub.FromStage, sub.ToStage, sub.Kind); ok {
			data.DecisionFacts = st.DecisionFacts
		}
	}
	return s.renderForm(c, status, "review", "reviews.title", data, formErr)
}

// factLines labels the submitted facts with the step's own labels.
func factLines(rs *pipeline.RuleSet, sub postgres.Submission, english bool) []factLine {
	step, ok := rs.Find(sub.FromStage, sub.ToStage, sub.Kind)
	if !ok {
		var out []factLine
		for k, v := range sub.Facts {
			out = append(out, factLine{Label: k, Value: v})
		}
		return out
	}
	var out []factLine
	for _, f := range step.Facts {
		v, ok := sub.Facts[f.Name]
		if !ok {
			continue
		}
		label := f.Label
		if english && f.LabelEn != "" {
			label = f.LabelEn
		}
		out = append(out, factLine{Label: label, Value: v})
	}
	return out
}

// reviewDecide takes the decision form.
func (s *Server) reviewDecide(c *fiber.Ctx) error {
	sub, a, err := s.loadSubmission(c, authz.Decide)
	if err != nil {
		return err
	}
	req := decisionRequest{Decision: c.FormValue("decision"), Reasons: c.FormValue("reasons"), Facts: map[string]any{}}
	if rs := s.registry.Version(sub.RulesVersion); rs != nil && req.Decision == "approve" {
		if st, ok := rs.Find(sub.FromStage, sub.ToStage, sub.Kind); ok {
			for _, f := range st.DecisionFacts {
				req.Facts[f.Name] = formFact(f, c.FormValue("d_"+f.Name))
			}
		}
	}
	d, err := req.validate(seedling.Today(s.db.Now()))
	if err == nil {
		_, err = s.db.Pipeline().Decide(c.UserContext(), a, sub.ID, d, s.registry)
	}
	if err != nil {
		switch seedling.ErrorCode(err) {
		case seedling.EInvalid, seedling.ERule, seedling.EConflict, seedling.EForbidden:
			return s.renderReview(c, statusOf[seedling.ErrorCode(err)], asDomain(err))
		}
		return err
	}
	return c.Redirect(fmt.Sprintf("/reviews/%d", sub.ID), fiber.StatusSeeOther)
}

// reviewAcknowledge takes the acknowledge button of the filings list.
func (s *Server) reviewAcknowledge(c *fiber.Ctx) error {
	if err := s.acknowledgeFiling(c); err != nil && seedling.ErrorCode(err) != seedling.EConflict {
		return err
	}
	return c.Redirect("/reviews", fiber.StatusSeeOther)
}

// formFact turns a form value into what the JSON API would carry: nothing
// for a blank field, a number for a whole-number field that reads as one
// (anything else stays text and is refused as malformed by the rules).
func formFact(f pipeline.FactSpec, v string) any {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	if f.Type == pipeline.TypeInt {
		if n, err := strconv.Atoi(v); err == nil {
			return float64(n)
		}
	}
	return v
}
