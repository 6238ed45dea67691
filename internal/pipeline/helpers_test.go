package pipeline

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"seedling/internal/seedling"
)

func day(s string) time.Time {
	t, err := seedling.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func dayp(s string) *time.Time {
	t := day(s)
	return &t
}

// asError returns the *seedling.Error behind err, failing the test otherwise.
func asError(t *testing.T, err error) *seedling.Error {
	t.Helper()
	var e *seedling.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *seedling.Error, got %T %v", err, err)
	}
	return e
}

func fieldNames(e *seedling.Error) []string {
	return slices.Sorted(maps.Keys(e.Fields))
}

// merge copies base and applies changes; a nil value deletes the key.
func merge(base map[string]any, changes map[string]any) map[string]any {
	out := maps.Clone(base)
	for k, v := range changes {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// Subjects at each stage, with the facts of a valid submission from there.
// "today" throughout is 2027-06-15.
var today = day("2027-06-15")

var (
	applicant = Subject{Stage: seedling.StageApplicant, AppliedOn: day("2027-05-20"), StageSince: day("2027-05-20")}
	activist  = Subject{Stage: seedling.StageActivist, AppliedOn: day("2025-09-01"), ActivistSince: dayp("2026-03-01"),
		StageSince: day("2026-03-01"), Score: 85, Assessments: []time.Time{day("2026-09-01"), day("2027-02-26")}}
	target = Subject{Stage: seedling.StageTarget, AppliedOn: day("2025-01-10"), ActivistSince: dayp("2025-03-01"),
		StageSince: day("2026-04-01"), Score: 90, PoliticalReview: &PoliticalReview{Passed: true, On: day("2026-04-20")},
		BranchReviewOn: dayp("2026-04-25"), PrereviewOn: dayp("2026-05-01")}
	probationary = Subject{Stage: seedling.StageProbationary, AppliedOn: day("2024-01-10"), ActivistSince: dayp("2024-03-01"),
		StageSince: day("2026-05-20"), ProbationSince: dayp("2026-05-20"), Score: 90}
)

var (
	toActivistFacts = map[string]any{
		"talked_on":      "2027-06-01",
		"recommended_by": "members",
		"decided_on":     "2027-06-10",
		"contacts":       []any{"张三", "李四"},
	}
	toTargetFacts = map[string]any{
		"late_reason":      "测试数据按历史档案补录",
		"decided_on":       "2027-03-05",
		"opinions_heard":   true,
		"opinions_summary": "党小组和群众一致认为表现突出",
	}
	toProbationaryFacts = map[string]any{
		"late_reason":      "测试数据按历史档案补录",
		"introducers":      []any{"王五", "赵六"},
		"training_days":    float64(3),
		"form_issued_on":   "2026-05-05",
		"form_filled_on":   "2026-05-08",
		"meeting_on":       "2026-05-20",
		"members_entitled": float64(12),
		"members_present":  float64(9),
		"votes_for":        float64(8),
	}
	toFullFacts = map[string]any{
		"late_reason":      "测试数据按历史档案补录",
		"meeting_on":       "2027-05-20",
		"members_entitled": float64(12),
		"members_present":  float64(10),
		"votes_for":        float64(10),
		"assessment":       "预备期表现良好，按期转正。",
		"applied_on":       "2027-05-10",
		"group_opinion":    "党小组同意按期转正",
		"masses_opinion":   "党员群众评议满意",
	}
	extendFacts = map[string]any{
		"late_reason":      "测试数据按历史档案补录",
		"extend_months":    float64(6),
		"meeting_on":       "2027-05-20",
		"members_entitled": float64(12),
		"members_present":  float64(9),
		"votes_for":        float64(8),
		"reason":           "理论学习尚需加强",
	}
	withdrawFacts = map[string]any{
		"requested_on": "2027-06-01",
		"reason":       "本人工作调动，申请撤回",
	}
)

// threeReturns are three failed reviews of stage steps.
var threeReturns = []Review{
	{Kind: KindAdvance, From: seedling.StageApplicant},
	{Kind: KindAdvance, From: seedling.StageActivist},
	{Kind: KindAdvance, From: seedling.StageActivist},
}
