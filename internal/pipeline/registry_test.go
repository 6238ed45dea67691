package pipeline

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"seedling/internal/seedling"
)

func TestShippedRulesAreValid(t *testing.T) {
	if err := Rules2014.Validate(); err != nil {
		t.Fatal(err)
	}
	r := DefaultRegistry()
	if got := r.InForce(day("2026-01-01")); got != Rules2014 {
		t.Fatalf("in force: %v", got)
	}
	if r.InForce(day("2014-06-09")) != nil {
		t.Error("a rule set is in force before 2014-06-10")
	}
	if r.Version(Rules2014.Version) != Rules2014 || r.Version("nope") != nil {
		t.Error("Version lookup")
	}
	for _, st := range Rules2014.Steps {
		for _, r := range st.Rules {
			if r.Message == "" || r.MessageEn == "" {
				t.Errorf("%s: rule %s lacks a message", st.Label, r.ID)
			}
		}
		for _, f := range st.Facts {
			if f.LabelEn == "" {
				t.Errorf("%s: fact %s lacks an English label", st.Label, f.Name)
			}
		}
	}
}

func TestRegistryPicksRuleSetInForce(t *testing.T) {
	later := *Rules2014
	later.Version = "2030-test"
	later.EffectiveFrom = time.Date(2030, 7, 1, 0, 0, 0, 0, time.UTC)
	later.MinScore = 85
	// Registered out of order on purpose.
	r, err := NewRegistry(&later, Rules2014)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		on   string
		want string // version, "" for none
	}{
		{"2010-01-01", ""},
		{"2014-06-10", Rules2014.Version},
		{"2030-06-30", Rules2014.Version},
		{"2030-07-01", "2030-test"},
		{"2031-01-01", "2030-test"},
	}
	for _, tc := range cases {
		got := r.InForce(day(tc.on))
		v := ""
		if got != nil {
			v = got.Version
		}
		if v != tc.want {
			t.Errorf("InForce(%s) = %q, want %q", tc.on, v, tc.want)
		}
	}
	// A clock time late on the eve does not bring the new rules in early.
	if got := r.InForce(time.Date(2030, 6, 30, 23, 59, 0, 0, time.UTC)); got.Version != Rules2014.Version {
		t.Errorf("eve: %s", got.Version)
	}
	// The later set's parameters apply from its date.
	s := activist
	s.Score = 82
	if _, err := r.InForce(day("2030-06-30")).Check(s, seedling.StageTarget, "", toTargetFacts, day("2030-06-30")); err != nil {
		t.Errorf("old rules: %v", err)
	}
	_, err = r.InForce(day("2030-07-01")).Check(s, seedling.StageTarget, "", toTargetFacts, day("2030-07-01"))
	if e := asError(t, err); e.Fields["score_threshold"] == "" {
		t.Errorf("new rules: %v", e.Fields)
	}
	if all := r.All(); len(all) != 2 || all[0] != Rules2014 {
		t.Errorf("All: %v", all)
	}
}

func TestRegistryRefusesBadSets(t *testing.T) {
	same := *Rules2014
	same.Version = "other"
	dup := *Rules2014
	noVersion := *Rules2014
	noVersion.Version = ""
	badStep := *Rules2014
	badStep.Version = "bad-step"
	badStep.EffectiveFrom = day("2040-01-01")
	badStep.Steps = []Step{{From: seedling.StageApplicant, To: seedling.StageActivist, Kind: KindAdvance, EffectiveFact: "missing"}}
	cases := map[string][]*RuleSet{
		"same date":          {Rules2014, &same},
		"same version":       {Rules2014, &dup},
		"no version":         {&noVersion},
		"bad effective fact": {&badStep},
		"nil":                {nil},
	}
	for name, sets := range cases {
		if _, err := NewRegistry(sets...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestStrikes(t *testing.T) {
	cases := []struct {
		before, after int
		disqualify    bool
		label         string
	}{
		{0, 1, false, "已用 1 / 3 次"},
		{1, 2, false, "已用 2 / 3 次"},
		{2, 3, true, "已用 3 / 3 次"},
		{5, 6, true, "已用 6 / 3 次"},
	}
	for _, tc := range cases {
		after, dq := Rules2014.AfterReturn(tc.before)
		if after != tc.after || dq != tc.disqualify {
			t.Errorf("AfterReturn(%d) = %d, %v; want %d, %v", tc.before, after, dq, tc.after, tc.disqualify)
		}
		if got := Rules2014.StrikesLabel(after); got != tc.label {
			t.Errorf("StrikesLabel(%d) = %q, want %q", after, got, tc.label)
		}
	}
	if Rules2014.StrikesLabel(0) != "已用 0 / 3 次" {
		t.Error(Rules2014.StrikesLabel(0))
	}
	if !Rules2014.AfterPoliticalReview(false) || Rules2014.AfterPoliticalReview(true) {
		t.Error("a failed political review disqualifies at once, a passed one does not")
	}
	lenient := *Rules2014
	lenient.MaxFailedReviews = 0
	if _, dq := lenient.AfterReturn(10); dq {
		t.Error("no limit still disqualifies")
	}
}

func TestDue(t *testing.T) {
	on := day("2027-06-15")
	recent := []time.Time{day("2027-05-01")} // an assessment a month and a half ago
	cases := []struct {
		name    string
		subject Subject
		pending *time.Time
		want    []string // kind status due_on
	}{
		{"talk due soon", Subject{Stage: seedling.StageApplicant, AppliedOn: day("2027-05-20")}, nil,
			[]string{"talk_due soon 2027-06-20"}},
		{"talk due today", Subject{Stage: seedling.StageApplicant, AppliedOn: day("2027-05-15")}, nil,
			[]string{"talk_due today 2027-06-15"}},
		{"talk overdue", Subject{Stage: seedling.StageApplicant, AppliedOn: day("2027-05-14")}, nil,
			[]string{"talk_due overdue 2027-06-14"}},
		{"talk far out", Subject{Stage: seedling.StageApplicant, AppliedOn: day("2027-06-10")}, nil, nil},
		{"talk done", Subject{Stage: seedling.StageApplicant, AppliedOn: day("2027-05-14"), TalkedOn: dayp("2027-05-30")}, nil, nil},
		{"talk in a pending submission", Subject{Stage: seedling.StageApplicant, AppliedOn: day("2027-05-14")}, dayp("2027-06-01"), nil},
		{"assessment soon", Subject{Stage: seedling.StageActivist, ActivistSince: dayp("2026-12-20")}, nil,
			[]string{"assessment_due soon 2027-06-20"}},
		{"assessment, second mark", Subject{Stage: seedling.StageActivist, ActivistSince: dayp("2026-06-25"), Assessments: []time.Time{day("2026-12-25")}}, nil,
			[]string{"assessment_due soon 2027-06-25"}},
		{"assessment not recorded: overdue", Subject{Stage: seedling.StageActivist, ActivistSince: dayp("2026-06-25")}, nil,
			[]string{"assessment_due overdue 2026-12-25"}},
		{"assessment today", Subject{Stage: seedling.StageActivist, ActivistSince: dayp("2026-12-15")}, nil,
			[]string{"assessment_due today 2027-06-15"}},
		{"assessment far", Subject{Stage: seedling.StageActivist, ActivistSince: dayp("2027-03-01")}, nil, nil},
		{"probation ends in 30 days", Subject{Stage: seedling.StageProbationary, ProbationSince: dayp("2026-07-15"), Assessments: recent}, nil,
			[]string{"probation_ending soon 2027-07-15"}},
		{"probation ends in 31 days", Subject{Stage: seedling.StageProbationary, ProbationSince: dayp("2026-07-16"), Assessments: recent}, nil, nil},
		{"probation over", Subject{Stage: seedling.StageProbationary, ProbationSince: dayp("2026-05-20"), Assessments: recent}, nil,
			[]string{"probation_ending overdue 2027-05-20"}},
		{"probation extended", Subject{Stage: seedling.StageProbationary, ProbationSince: dayp("2026-05-20"), ProbationExtendedMonths: 6, Assessments: recent}, nil, nil},
		{"decision overdue", Subject{Stage: seedling.StageProbationary, ProbationSince: dayp("2026-01-10"), Assessments: recent}, dayp("2027-03-01"),
			[]string{"decision_overdue overdue 2027-06-01"}},
		{"decision due soon", Subject{Stage: seedling.StageTarget}, dayp("2027-03-20"),
			[]string{"decision_overdue soon 2027-06-20"}},
		{"decision in time", Subject{Stage: seedling.StageTarget}, dayp("2027-05-01"), nil},
		{"both, earliest first", Subject{Stage: seedling.StageActivist, ActivistSince: dayp("2026-12-20")}, dayp("2027-03-10"),
			[]string{"decision_overdue overdue 2027-06-10", "assessment_due soon 2027-06-20"}},
		{"finished", Subject{Stage: seedling.StageFull, ProbationSince: dayp("2020-01-01")}, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			items := Rules2014.Due(tc.subject, tc.pending, on)
			var got []string
			for _, it := range items {
				got = append(got, it.Kind+" "+it.Status+" "+fmtDate(it.DueOn))
				if it.Message == "" || it.Article == "" {
					t.Errorf("%s: no message or article", it.Kind)
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("due %v, want %v", got, tc.want)
			}
		})
	}
	raw, _ := json.Marshal(Rules2014.Due(Subject{Stage: seedling.StageApplicant, AppliedOn: day("2027-05-20")}, nil, on))
	if !strings.Contains(string(raw), `"due_on":"2027-06-20"`) || !strings.Contains(string(raw), `"status":"soon"`) {
		t.Errorf("json %s", raw)
	}
}

func TestAddMonths(t *testing.T) {
	cases := []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-01", 12, "2027-03-01"},
		{"2027-01-31", 1, "2027-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2026-08-31", 6, "2027-02-28"},
		{"2026-12-15", 1, "2027-01-15"},
		{"2026-05-20", 18, "2027-11-20"},
	}
	for _, tc := range cases {
		if got := fmtDate(seedling.AddMonths(day(tc.from), tc.n)); got != tc.want {
			t.Errorf("addMonths(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
}
