package pipeline

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"seedling/internal/seedling"
)

// MaxReasonsRunes bounds the committee's written reasons for a decision.
const MaxReasonsRunes = defaultTextMaxRunes

// CheckDecision reads the committee's verdict on a submission (细则 一步一审):
// it approves or returns, and a return states its reasons, so that the
// branch learns what to fix before it submits again: a return counts
// against the candidate, and one without reasons could not be answered.
// It returns whether the submission is approved and the reasons trimmed.
func CheckDecision(decision, reasons string) (approve bool, why string, err error) {
	why = strings.TrimSpace(reasons)
	switch decision {
	case "approve":
		approve = true
	case "return":
		if why == "" {
			return false, why, seedling.FieldProblem(seedling.EInvalid, "reasons", "problem.reasons_required",
				"a returned submission needs the reasons, so the branch can fix it")
		}
	default:
		return false, why, seedling.FieldProblem(seedling.EInvalid, "decision", "problem.decision_kind", `decision is "approve" or "return"`)
	}
	if utf8.RuneCountInString(why) > MaxReasonsRunes {
		return false, why, seedling.FieldProblem(seedling.EInvalid, "reasons", "problem.too_long",
			fmt.Sprintf("reasons are longer than %d characters", MaxReasonsRunes), "Max", MaxReasonsRunes)
	}
	return approve, why, nil
}

// Bounds of a political review's written conclusion: a sentence at least,
// a page at most.
const (
	MinConclusionRunes = 10
	MaxConclusionRunes = defaultTextMaxRunes
)

// ReadPoliticalReview reads the committee's political review (政治审查,
// 细则 第十五条): passed or not, a written conclusion, and the date it was
// done, which is not in the future. Every fault is listed at once.
func ReadPoliticalReview(passed *bool, conclusion, reviewedOn string, today time.Time) (PoliticalReview, string, error) {
	p := seedling.NewProblems(seedling.EInvalid)
	if passed == nil {
		p.AddKey("passed", "problem.required", "passed is required (true or false)")
	}
	conclusion = strings.TrimSpace(conclusion)
	if n := utf8.RuneCountInString(conclusion); n < MinConclusionRunes || n > MaxConclusionRunes {
		p.AddKey("conclusion", "problem.conclusion_length", fmt.Sprintf("the written conclusion takes %d to %d characters", MinConclusionRunes, MaxConclusionRunes),
			"Min", MinConclusionRunes, "Max", MaxConclusionRunes)
	}
	on, err := seedling.ParseDate(reviewedOn)
	switch {
	case err != nil:
		p.AddKey("reviewed_on", "problem.date_format", "reviewed_on must be a date YYYY-MM-DD")
	case on.After(today):
		p.AddKey("reviewed_on", "problem.date_future", "reviewed_on is in the future")
	}
	if err := p.Err(); err != nil {
		return PoliticalReview{}, "", err
	}
	return PoliticalReview{Passed: *passed, On: on}, conclusion, nil
}
