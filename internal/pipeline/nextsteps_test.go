package pipeline

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"seedling/internal/seedling"
)

func stepTo(t *testing.T, steps []NextStep, to seedling.Stage, kind string) NextStep {
	t.Helper()
	for _, s := range steps {
		if s.ToStage == to && s.Kind == kind {
			return s
		}
	}
	t.Fatalf("no step to %s (%s) in %+v", to, kind, steps)
	return NextStep{}
}

func blockers(n NextStep) map[string]string {
	out := map[string]string{}
	for _, b := range n.BlockedBy {
		out[b.Rule] = b.Message
	}
	return out
}

// The API contract fixes the facts of the first step: other tools fill them.
// The only other fact is the optional reason of a late record (补录), which
// every step takes.
func TestApplicantToActivistFactNamesMatchContract(t *testing.T) {
	steps := Rules2014.NextSteps(applicant, today)
	n := stepTo(t, steps, seedling.StageActivist, KindAdvance)
	var names []string
	for _, f := range n.Facts {
		names = append(names, f.Name)
	}
	if want := []string{"talked_on", "recommended_by", "decided_on", "contacts", "late_reason"}; !slices.Equal(names, want) || n.Facts[4].Required {
		t.Fatalf("facts %v, want %v with the last optional", names, want)
	}
	n.Facts = n.Facts[:4]
	types := map[string]string{}
	for _, f := range n.Facts {
		types[f.Name] = f.Type
		if !f.Required {
			t.Errorf("%s is not required", f.Name)
		}
	}
	if types["talked_on"] != TypeDate || types["decided_on"] != TypeDate || types["recommended_by"] != TypeChoice || types["contacts"] != TypeNames {
		t.Errorf("types %v", types)
	}
	if f := n.Facts[1]; !slices.Equal(f.Choices, []string{"members", "mass_org"}) {
		t.Errorf("choices %v", f.Choices)
	}
	if f := n.Facts[3]; *f.Min != 1 || *f.Max != 2 {
		t.Errorf("contacts bounds %d..%d", *f.Min, *f.Max)
	}
	if len(n.BlockedBy) != 0 || n.EarliestOn != nil {
		t.Errorf("applicant step blocked %v, earliest %v", n.BlockedBy, n.EarliestOn)
	}

	// The wire shape: {"to_stage","facts":[{"name","type","required","label"}],"blocked_by":[],"earliest_on":null}.
	raw, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m["to_stage"] != "activist" || m["earliest_on"] != nil {
		t.Errorf("json %s", raw)
	}
	if b, ok := m["blocked_by"].([]any); !ok || len(b) != 0 {
		t.Errorf("blocked_by %s", raw)
	}
	f0 := m["facts"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "type", "required", "label"} {
		if _, ok := f0[k]; !ok {
			t.Errorf("fact lacks %q: %v", k, f0)
		}
	}
	if _, ok := f0["min"]; ok {
		t.Errorf("unset min is written: %v", f0)
	}
	c := m["facts"].([]any)[3].(map[string]any)
	if c["min"] != float64(1) || c["max"] != float64(2) {
		t.Errorf("contacts json %v", c)
	}
}

func TestNextStepsEarliestAndBlockers(t *testing.T) {
	early := activist
	early.Score = 74
	cases := []struct {
		name     string
		subject  Subject
		on       string
		to       seedling.Stage
		kind     string
		earliest string // "" for none
		blocked  map[string]string
	}{
		{"training year not over, score short", early, "2026-09-01", seedling.StageTarget, KindAdvance, "2027-03-01",
			map[string]string{"training_one_year": "培养期未满一年：2027-03-01 届满", "score_threshold": "还差 6 分", "assessed_in_training": "现有 1 次"}},
		{"eve of the year", activist, "2027-02-28", seedling.StageTarget, KindAdvance, "2027-03-01",
			map[string]string{"training_one_year": "2027-03-01 届满"}},
		{"year over", activist, "2027-03-01", seedling.StageTarget, KindAdvance, "2027-03-01", map[string]string{}},
		{"year over, score short", early, "2027-06-15", seedling.StageTarget, KindAdvance, "2027-03-01",
			map[string]string{"score_threshold": "积分 74 分，未达到 80 分，还差 6 分"}},
		{"strikes used up", func() Subject { s := activist; s.Returned = threeReturns; return s }(), "2027-06-15", seedling.StageTarget, KindAdvance, "2027-03-01",
			map[string]string{"strikes_left": "已用 3 / 3 次"}},
		{"target: nothing known yet blocks", target, "2027-06-15", seedling.StageProbationary, KindAdvance, "", map[string]string{}},
		{"probation running", probationary, "2027-01-15", seedling.StageFull, KindAdvance, "2027-05-20",
			map[string]string{"probation_one_year": "预备期未满：2027-05-20 届满"}},
		{"probation over", probationary, "2027-05-20", seedling.StageFull, KindAdvance, "2027-05-20", map[string]string{}},
		{"probation extended", func() Subject { s := probationary; s.ProbationExtendedMonths = 12; return s }(), "2027-06-15", seedling.StageFull, KindAdvance, "2028-05-20",
			map[string]string{"probation_one_year": "2028-05-20 届满"}},
		{"extension open", probationary, "2027-05-20", seedling.StageProbationary, KindExtend, "2027-04-20", map[string]string{}},
		{"extension too early", probationary, "2027-01-15", seedling.StageProbationary, KindExtend, "2027-04-20",
			map[string]string{"extend_at_probation_end": "不在预备期届满 2027-05-20 前后 30 天内"}},
		{"extension used", func() Subject { s := probationary; s.ProbationExtendedMonths = 6; return s }(), "2027-06-15", seedling.StageProbationary, KindExtend, "2027-04-20",
			map[string]string{"extend_once": "只能延长一次"}},
		{"withdraw", activist, "2027-06-15", seedling.StageWithdrawn, KindWithdraw, "", map[string]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := stepTo(t, Rules2014.NextSteps(tc.subject, day(tc.on)), tc.to, tc.kind)
			got := ""
			if n.EarliestOn != nil {
				got = fmtDate(*n.EarliestOn)
			}
			if got != tc.earliest {
				t.Errorf("earliest %q, want %q", got, tc.earliest)
			}
			b := blockers(n)
			if len(b) != len(tc.blocked) {
				t.Errorf("blocked by %v, want %v", b, tc.blocked)
			}
			for rule, want := range tc.blocked {
				if !strings.Contains(b[rule], want) {
					t.Errorf("%s: %q does not contain %q", rule, b[rule], want)
				}
			}
		})
	}
}

func TestNextStepsPerStage(t *testing.T) {
	cases := []struct {
		subject Subject
		want    []string
	}{
		{applicant, []string{"activist/advance", "withdrawn/withdraw"}},
		{activist, []string{"target/advance", "withdrawn/withdraw"}},
		{target, []string{"probationary/advance", "withdrawn/withdraw"}},
		{probationary, []string{"full/advance", "probationary/extend", "disqualified/cancel", "withdrawn/withdraw"}},
		{Subject{Stage: seedling.StageFull}, nil},
		{Subject{Stage: seedling.StageDisqualified}, nil},
		{Subject{Stage: seedling.StageWithdrawn}, nil},
		{func() Subject { s := activist; s.Disqualified = true; return s }(), nil},
	}
	for _, tc := range cases {
		steps := Rules2014.NextSteps(tc.subject, today)
		if steps == nil {
			t.Errorf("%s: nil slice (JSON null)", tc.subject.Stage)
		}
		var got []string
		for _, s := range steps {
			got = append(got, string(s.ToStage)+"/"+s.Kind)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: steps %v, want %v", tc.subject.Stage, got, tc.want)
		}
	}
}

func TestNextStepJSONEarliest(t *testing.T) {
	n := stepTo(t, Rules2014.NextSteps(activist, day("2026-09-01")), seedling.StageTarget, KindAdvance)
	raw, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"earliest_on":"2027-03-01"`) || !strings.Contains(string(raw), `"rule":"training_one_year"`) {
		t.Errorf("json %s", raw)
	}
}
