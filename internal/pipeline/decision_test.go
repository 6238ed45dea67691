package pipeline

import (
	"strings"
	"testing"

	"seedling/internal/seedling"
)

// A committee approves or returns (细则 一步一审), and a return carries the
// reasons so that the branch can fix what was wrong.
func TestReturnedSubmissionNeedsTheReasons(t *testing.T) {
	cases := []struct {
		decision, reasons string
		approve           bool
		field, key        string
	}{
		{"approve", "", true, "", ""},
		{"return", "入党动机不够端正，请再谈一次", false, "", ""},
		{"return", " \t", false, "reasons", "problem.reasons_required"},
		{"reject", "不同意", false, "decision", "problem.decision_kind"},
		{"approve", strings.Repeat("好", MaxReasonsRunes+1), false, "reasons", "problem.too_long"},
	}
	for _, tc := range cases {
		approve, _, err := CheckDecision(tc.decision, tc.reasons)
		if _, key := problemOf(t, err, tc.field); key != tc.key || err == nil && approve != tc.approve {
			t.Errorf("%s %q: approve %v, %v; want %q", tc.decision, tc.reasons, approve, err, tc.key)
		}
	}
}

// A political review (细则 第十五条) records passed or not, a written
// conclusion and a date that is not in the future; every fault at once.
func TestPoliticalReviewNeedsAVerdictAConclusionAndAPastDate(t *testing.T) {
	yes := true
	if r, text, err := ReadPoliticalReview(&yes, "  经审查，本人政治历史清楚  ", "2026-03-01", today); err != nil || !r.Passed || text != "经审查，本人政治历史清楚" {
		t.Fatalf("a sound review: %v %q %v", r, text, err)
	}
	_, _, err := ReadPoliticalReview(nil, "太短", today.AddDate(0, 0, 1).Format(seedling.DateLayout), today)
	e := asError(t, err)
	want := map[string]string{"passed": "problem.required", "conclusion": "problem.conclusion_length", "reviewed_on": "problem.date_future"}
	for f, key := range want {
		if e.FieldKeys[f].Key != key {
			t.Errorf("%s: %q, want %q (%v)", f, e.FieldKeys[f].Key, key, e)
		}
	}
	if _, _, err := ReadPoliticalReview(&yes, "经审查，本人政治历史清楚", "yesterday", today); asError(t, err).FieldKeys["reviewed_on"].Key != "problem.date_format" {
		t.Errorf("a date that is not one: %v", err)
	}
}

// The steps of the process are the rule set's: a form asking for a step
// the stage does not allow gets the pipeline's own coded refusal.
func TestStepFromTheCurrentStageOnly(t *testing.T) {
	cases := []struct {
		from, to seedling.Stage
		kind     string
		code     string
		field    string
		key      string
	}{
		{seedling.StageApplicant, seedling.StageActivist, "", "", "", ""},
		{seedling.StageApplicant, seedling.StageTarget, "", seedling.ERule, "to_stage", "problem.step_next"},
		{seedling.StageFull, seedling.StageWithdrawn, "", seedling.ERule, "to_stage", "problem.step_final"},
		{seedling.StageApplicant, "member", "", seedling.EInvalid, "to_stage", "problem.stage_unknown"},
		{seedling.StageApplicant, seedling.StageActivist, "jump", seedling.EInvalid, "kind", "problem.step_kind_unknown"},
	}
	for _, tc := range cases {
		step, err := Rules2014.StepFrom(tc.from, tc.to, tc.kind)
		code, key := problemOf(t, err, tc.field)
		if code != tc.code || key != tc.key || err == nil && step.To != tc.to {
			t.Errorf("%s → %s %q: %v, want %s %s", tc.from, tc.to, tc.kind, err, tc.code, tc.key)
		}
	}
}
