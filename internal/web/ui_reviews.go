package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"

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
	filings, err := s.db.Pipeline().Filings(c.UserContext(), roots, nil)
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
	Entries    []reviewEntry
	// CanEvidence links each entry's evidence for download; without it
	// the file names are shown.
	CanEvidence bool
	Timeline    []timelineRow
	// ReturnStrike is the failed review a return would be (2 for "the 2nd
	// of 3"), 0 when a return of this step counts none; ReturnEnds says it
	// would end the candidacy. The return button states it before it acts.
	ReturnStrike int
	ReturnEnds   bool
	// DecisionFacts are what the committee records with an approval of this
	// step (an admission: its talk and its vote).
	DecisionFacts []pipeline.FactSpec
}

// reviewEntry is one ledger line on the review page, its category named
// in the reader's language.
type reviewEntry struct {
	ledger.Entry
	CategoryName string
}

type factLine struct {
	Label string
	Value string
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
	entries, err := s.reviewEntries(c, cand.ID)
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
		MaxFailed: rs.MaxFailedReviews, Entries: entries, CanEvidence: s.may(c, cand, authz.Evidence, authz.Read), Facts: factLines(s.localizer(c), rs, sub, pickLanguage(c) == "en"),
		Timeline: timelineRows(s.localizer(c), events)}
	if sub.Kind == pipeline.KindAdvance && rs.StrikesApply(sub.FromStage) {
		data.ReturnStrike, data.ReturnEnds = rs.AfterReturn(data.Failed)
	}
	if rs := s.registry.Version(sub.RulesVersion); rs != nil {
		if st, ok := rs.Find(sub.FromStage, sub.ToStage, sub.Kind); ok {
			data.DecisionFacts = st.DecisionFacts
		}
	}
	return s.renderForm(c, status, "review", "reviews.title", data, formErr)
}

// reviewEntries is the candidate's ledger, newest first, each entry with
// its category's name from the rubric in force in the entry's quarter.
func (s *Server) reviewEntries(c *fiber.Ctx, candidateID int64) ([]reviewEntry, error) {
	entries, err := s.db.Ledger().Entries(c.UserContext(), candidateID)
	if err != nil {
		return nil, err
	}
	rubrics, err := s.db.Rubric().Versions(c.UserContext())
	if err != nil {
		return nil, err
	}
	en := langEn(c)
	out := make([]reviewEntry, 0, len(entries))
	for i := len(entries) - 1; i >= 0; i-- {
		e := reviewEntry{Entry: entries[i]}
		if cat, _, ok := categoryOf(rubrics, e.Entry); ok {
			e.CategoryName = pickName(en, cat.NameZh, cat.NameEn)
		}
		out = append(out, e)
	}
	return out, nil
}

// factLines labels the submitted facts with the step's own labels and
// words their values: 是/否 rather than true, a choice's label rather than
// its code, names as a list.
func factLines(l *i18n.Localizer, rs *pipeline.RuleSet, sub postgres.Submission, english bool) []factLine {
	step, ok := rs.Find(sub.FromStage, sub.ToStage, sub.Kind)
	if !ok {
		// A step the rules no longer know: its facts under their own names,
		// the values still worded.
		var out []factLine
		for k, v := range sub.Facts {
			out = append(out, factLine{Label: k, Value: factWord(l, pipeline.FactSpec{Name: k}, v, english)})
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
		out = append(out, factLine{Label: label, Value: factWord(l, f, v, english)})
	}
	return out
}

// factWord is one submitted fact's value as a person reads it. Facts come
// back from JSON: names as a list of any, numbers as float64.
func factWord(l *i18n.Localizer, f pipeline.FactSpec, v any, english bool) string {
	switch v := v.(type) {
	case bool:
		if v {
			return translate(l, "facts.yes")
		}
		return translate(l, "facts.no")
	case []any:
		names := make([]string, len(v))
		for i, n := range v {
			names[i] = fmt.Sprint(n)
		}
		return strings.Join(names, translate(l, "facts.list_sep"))
	case []string:
		return strings.Join(v, translate(l, "facts.list_sep"))
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		if f.Type == pipeline.TypeChoice {
			return choiceWord(l, f, v, english)
		}
		return v
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// choiceWord labels a choice: the catalog's words for it, else the rule
// set's own (Chinese) label, else the choice as stored.
func choiceWord(l *i18n.Localizer, f pipeline.FactSpec, v string, english bool) string {
	key := "facts.choice." + f.Name + "." + v
	if w := translate(l, key); w != key {
		return w
	}
	if i := slices.Index(f.Choices, v); i >= 0 && i < len(f.ChoiceLabels) && !english {
		return f.ChoiceLabels[i]
	}
	return v
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
			return s.renderReview(c, statusOf[seedling.ErrorCode(err)], s.shown(c, err))
		}
		return err
	}
	return s.redirectWith(c, fmt.Sprintf("/reviews/%d", sub.ID), "flash.decided_"+req.Decision, "Link", s.nextInQueue(c, sub.ID))
}

// nextInQueue is the oldest submission still waiting for this committee
// other than the one just decided, or "" when the queue is empty.
func (s *Server) nextInQueue(c *fiber.Ctx, done int64) string {
	pending, err := s.db.Pipeline().Submissions(c.UserContext(), postgres.SubmissionFilter{Roots: s.roots(c, authz.Submission, authz.Decide), State: "pending"})
	if err != nil {
		return "" // the decision stands; only the shortcut is missing
	}
	for _, p := range pending {
		if p.ID != done {
			return fmt.Sprintf("/reviews/%d", p.ID)
		}
	}
	return ""
}

// reviewAcknowledge takes the acknowledge button of the filings list.
func (s *Server) reviewAcknowledge(c *fiber.Ctx) error {
	if err := s.acknowledgeFiling(c); err != nil && seedling.ErrorCode(err) != seedling.EConflict {
		return err
	}
	return s.redirectWith(c, "/reviews", "flash.acknowledged")
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
