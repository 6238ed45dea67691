package pipeline

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"seedling/internal/seedling"
)

func TestCheckHappyPaths(t *testing.T) {
	rs := Rules2014
	cases := []struct {
		name      string
		subject   Subject
		to        seedling.Stage
		kind      string
		facts     map[string]any
		kindWant  string
		effective string
	}{
		{"applicant to activist", applicant, seedling.StageActivist, "", toActivistFacts, KindAdvance, "2027-06-10"},
		{"one contact is enough", applicant, seedling.StageActivist, "", merge(toActivistFacts, map[string]any{"contacts": []any{"张三"}, "recommended_by": "mass_org"}), KindAdvance, "2027-06-10"},
		{"activist to target", activist, seedling.StageTarget, "", toTargetFacts, KindAdvance, "2027-03-05"},
		{"activist to target on the first day", activist, seedling.StageTarget, KindAdvance, merge(toTargetFacts, map[string]any{"decided_on": "2027-03-01", "opinions_summary": nil}), KindAdvance, "2027-03-01"},
		{"target to probationary", target, seedling.StageProbationary, "", toProbationaryFacts, KindAdvance, "2026-05-20"},
		{"training by hours", target, seedling.StageProbationary, "", merge(toProbationaryFacts, map[string]any{"training_days": nil, "training_hours": float64(24)}), KindAdvance, "2026-05-20"},
		{"written votes count", target, seedling.StageProbationary, "", merge(toProbationaryFacts, map[string]any{"votes_for": float64(5), "written_votes_for": float64(2)}), KindAdvance, "2026-05-20"},
		{"probationary to full", probationary, seedling.StageFull, "", toFullFacts, KindAdvance, "2027-05-20"},
		{"extend probation, kind implied", probationary, seedling.StageProbationary, "", extendFacts, KindExtend, "2027-05-20"},
		{"extend probation, kind named", probationary, seedling.StageProbationary, KindExtend, merge(extendFacts, map[string]any{"extend_months": float64(12)}), KindExtend, "2027-05-20"},
		{"withdraw as applicant", applicant, seedling.StageWithdrawn, "", withdrawFacts, KindWithdraw, "2027-06-01"},
		{"withdraw as probationary", probationary, seedling.StageWithdrawn, KindWithdraw, withdrawFacts, KindWithdraw, "2027-06-01"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := rs.Check(tc.subject, tc.to, tc.kind, tc.facts, today)
			if err != nil {
				t.Fatalf("Check: %v (fields %v)", err, asError(t, err).Fields)
			}
			if p.To != tc.to || p.From != tc.subject.Stage || p.Kind != tc.kindWant || p.RuleSet != rs.Version {
				t.Errorf("proposal %+v", p)
			}
			if got := fmtDate(p.EffectiveOn); got != tc.effective {
				t.Errorf("EffectiveOn = %s, want %s", got, tc.effective)
			}
		})
	}
}

func TestProposalFactsAreTyped(t *testing.T) {
	p, err := Rules2014.Check(applicant, seedling.StageActivist, "", toActivistFacts, today)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := p.Facts.Date("talked_on"); !ok || !d.Equal(day("2027-06-01")) {
		t.Errorf("talked_on = %v", p.Facts["talked_on"])
	}
	if n, ok := p.Facts.Names("contacts"); !ok || !slices.Equal(n, []string{"张三", "李四"}) {
		t.Errorf("contacts = %v", p.Facts["contacts"])
	}
	if s, _ := p.Facts.Text("recommended_by"); s != "members" {
		t.Errorf("recommended_by = %v", s)
	}
	j := p.FactsJSON()
	if j["talked_on"] != "2027-06-01" || j["decided_on"] != "2027-06-10" {
		t.Errorf("FactsJSON dates: %v", j)
	}
	if _, err := json.Marshal(j); err != nil {
		t.Error(err)
	}

	p, err = Rules2014.Check(target, seedling.StageProbationary, "", toProbationaryFacts, today)
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := p.Facts.Int("members_entitled"); !ok || n != 12 {
		t.Errorf("members_entitled = %#v", p.Facts["members_entitled"])
	}
}

func TestCheckListsEveryBrokenRule(t *testing.T) {
	cases := []struct {
		name     string
		subject  Subject
		to       seedling.Stage
		kind     string
		facts    map[string]any
		fields   []string
		messages map[string]string // rule → substring of its reason
	}{
		{
			name: "quorum, majority and training", subject: target, to: seedling.StageProbationary,
			facts: merge(toProbationaryFacts, map[string]any{
				"members_present": float64(5), "votes_for": float64(5),
				"training_days": float64(2), "training_hours": float64(16),
			}),
			fields: []string{"central_training", "majority", "quorum"},
			messages: map[string]string{
				"quorum":           "到会 5 人未超过应到会有表决权的正式党员 12 人的半数",
				"majority":         "赞成 5 人未超过应到会有表决权的正式党员 12 人的半数",
				"central_training": "集中培训 2 天、16 学时，不足 3 天或 24 学时",
			},
		},
		{
			name: "exactly half is not more than half", subject: target, to: seedling.StageProbationary,
			facts:  merge(toProbationaryFacts, map[string]any{"members_present": float64(6), "votes_for": float64(6)}),
			fields: []string{"majority", "quorum"},
		},
		{
			name: "no training at all, failed review, meeting before pre-review", subject: func() Subject {
				s := target
				s.PoliticalReview = &PoliticalReview{Passed: false, On: day("2026-04-10")}
				return s
			}(), to: seedling.StageProbationary,
			facts: merge(toProbationaryFacts, map[string]any{
				"training_days": nil, "meeting_on": "2026-04-20",
			}),
			fields: []string{"central_training", "meeting_after_form", "political_review"},
			messages: map[string]string{
				"central_training":   "未填写集中培训天数或学时",
				"meeting_after_form": "支部大会日期 2026-04-20 早于本人填写入党志愿书日期 2026-05-08",
			},
		},
		{
			name: "impossible counts", subject: target, to: seedling.StageProbationary,
			facts: merge(toProbationaryFacts, map[string]any{
				"members_present": float64(13), "votes_for": float64(14),
				"written_votes_for": float64(1),
			}),
			fields: []string{"present_within_entitled", "votes_within_present", "written_within_absent"},
		},
		{
			name: "activist: year, score and opinions", subject: func() Subject { s := activist; s.Score = 74; return s }(),
			to:     seedling.StageTarget,
			facts:  merge(toTargetFacts, map[string]any{"decided_on": "2027-02-28", "opinions_heard": false}),
			fields: []string{"opinions_heard", "score_threshold", "training_one_year"},
			messages: map[string]string{
				"training_one_year": "培养期未满一年：2027-03-01 届满",
				"score_threshold":   "还差 6 分",
			},
		},
		{
			name: "talk late and decision before talk", subject: applicant, to: seedling.StageActivist,
			facts:  merge(toActivistFacts, map[string]any{"talked_on": "2027-06-14", "decided_on": "2027-06-12"}),
			fields: []string{"decided_after_talk"},
		},
		{
			name: "talk more than a month after applying, and dates in the future", subject: applicant, to: seedling.StageActivist,
			facts:  merge(toActivistFacts, map[string]any{"talked_on": "2027-06-21", "decided_on": "2027-06-22"}),
			fields: []string{"not_in_future", "talk_within_month"},
			messages: map[string]string{
				"talk_within_month": "谈话日期 2027-06-21 超过申请后一个月（申请 2027-05-20，应不晚于 2027-06-20）",
				"not_in_future":     "支部委员会研究决定日期 2027-06-22 晚于今天 2027-06-15",
			},
		},
		{
			name: "talk before the application", subject: applicant, to: seedling.StageActivist,
			facts:  merge(toActivistFacts, map[string]any{"talked_on": "2027-05-10"}),
			fields: []string{"after_stage_start", "talk_after_application"},
		},
		{
			name: "probation not over", subject: probationary, to: seedling.StageFull,
			facts:    merge(toFullFacts, map[string]any{"meeting_on": "2027-05-19"}),
			fields:   []string{"probation_one_year"},
			messages: map[string]string{"probation_one_year": "预备期未满：2027-05-20 届满"},
		},
		{
			name: "probation extended, not over", subject: func() Subject { s := probationary; s.ProbationExtendedMonths = 6; return s }(),
			to:       seedling.StageFull,
			facts:    toFullFacts,
			fields:   []string{"probation_one_year"},
			messages: map[string]string{"probation_one_year": "预备期（含延长 6 个月）未满：2027-11-20 届满"},
		},
		{
			name: "extended twice", subject: func() Subject { s := probationary; s.ProbationExtendedMonths = 6; return s }(),
			to: seedling.StageProbationary, kind: KindExtend, facts: extendFacts,
			fields: []string{"extend_once"},
		},
		{
			name: "strikes used up", subject: func() Subject { s := activist; s.Returned = threeReturns; return s }(),
			to: seedling.StageTarget, facts: toTargetFacts,
			fields:   []string{"strikes_left"},
			messages: map[string]string{"strikes_left": "已用 3 / 3 次"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Rules2014.Check(tc.subject, tc.to, tc.kind, tc.facts, today)
			if err == nil {
				t.Fatal("Check passed")
			}
			e := asError(t, err)
			if e.Code != seedling.ERule {
				t.Fatalf("code %s, want %s: %v", e.Code, seedling.ERule, e.Fields)
			}
			if got := fieldNames(e); !slices.Equal(got, tc.fields) {
				t.Fatalf("fields %v, want %v (%v)", got, tc.fields, e.Fields)
			}
			for rule, want := range tc.messages {
				if !strings.Contains(e.Fields[rule], want) {
					t.Errorf("%s: %q does not contain %q", rule, e.Fields[rule], want)
				}
			}
		})
	}
}

func TestCheckStageProblems(t *testing.T) {
	full := Subject{Stage: seedling.StageFull, AppliedOn: day("2020-01-01"), StageSince: day("2023-01-01")}
	disq := activist
	disq.Disqualified = true
	cases := []struct {
		name    string
		subject Subject
		to      seedling.Stage
		kind    string
		code    string
		field   string
		want    string
	}{
		{"skip a stage", applicant, seedling.StageTarget, "", seedling.ERule, "to_stage", "下一步只能是“入党积极分子”"},
		{"skip to the end", activist, seedling.StageFull, "", seedling.ERule, "to_stage", "下一步只能是“发展对象”"},
		{"backwards", target, seedling.StageActivist, "", seedling.ERule, "to_stage", "不能从“发展对象”到“入党积极分子”"},
		{"from full", full, seedling.StageWithdrawn, "", seedling.ERule, "to_stage", "流程已结束"},
		{"from withdrawn", Subject{Stage: seedling.StageWithdrawn}, seedling.StageActivist, "", seedling.ERule, "to_stage", "流程已结束"},
		{"from disqualified", Subject{Stage: seedling.StageDisqualified}, seedling.StageActivist, "", seedling.ERule, "to_stage", "流程已结束"},
		{"disqualified flag", disq, seedling.StageTarget, "", seedling.ERule, "to_stage", "已取消入党资格"},
		{"straight to disqualified", activist, seedling.StageDisqualified, "", seedling.ERule, "to_stage", ""},
		{"extend from the wrong stage", target, seedling.StageTarget, KindExtend, seedling.ERule, "to_stage", ""},
		{"kind does not match", probationary, seedling.StageFull, KindExtend, seedling.ERule, "to_stage", ""},
		{"unknown stage", applicant, "member", "", seedling.EInvalid, "to_stage", "未知阶段"},
		{"unknown kind", applicant, seedling.StageActivist, "jump", seedling.EInvalid, "kind", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Rules2014.Check(tc.subject, tc.to, tc.kind, toActivistFacts, today)
			e := asError(t, err)
			if e.Code != tc.code {
				t.Fatalf("code %s, want %s", e.Code, tc.code)
			}
			if got := fieldNames(e); !slices.Equal(got, []string{tc.field}) {
				t.Fatalf("fields %v, want [%s]", got, tc.field)
			}
			if !strings.Contains(e.Fields[tc.field], tc.want) {
				t.Errorf("%q does not contain %q", e.Fields[tc.field], tc.want)
			}
			if k := e.FieldKeys[tc.field].Key; k == "" || k != e.Key {
				t.Errorf("the refusal is not coded for the reader's language: key %q, field key %q", e.Key, k)
			}
		})
	}
}

func TestCheckBadFacts(t *testing.T) {
	cases := []struct {
		name    string
		subject Subject
		to      seedling.Stage
		facts   map[string]any
		fields  []string
	}{
		{"string where int", target, seedling.StageProbationary,
			merge(toProbationaryFacts, map[string]any{"members_present": "9"}), []string{"facts.members_present"}},
		{"fraction where int", target, seedling.StageProbationary,
			merge(toProbationaryFacts, map[string]any{"votes_for": 7.5}), []string{"facts.votes_for"}},
		{"int below min", target, seedling.StageProbationary,
			merge(toProbationaryFacts, map[string]any{"members_entitled": float64(0)}), []string{"facts.members_entitled"}},
		{"malformed date", applicant, seedling.StageActivist,
			merge(toActivistFacts, map[string]any{"talked_on": "2027/06/01"}), []string{"facts.talked_on"}},
		{"impossible date", applicant, seedling.StageActivist,
			merge(toActivistFacts, map[string]any{"decided_on": "2027-02-30"}), []string{"facts.decided_on"}},
		{"number where date", applicant, seedling.StageActivist,
			merge(toActivistFacts, map[string]any{"decided_on": float64(20270610)}), []string{"facts.decided_on"}},
		{"three contacts", applicant, seedling.StageActivist,
			merge(toActivistFacts, map[string]any{"contacts": []any{"甲", "乙", "丙"}}), []string{"facts.contacts"}},
		{"no contacts", applicant, seedling.StageActivist,
			merge(toActivistFacts, map[string]any{"contacts": []any{}}), []string{"facts.contacts"}},
		{"contacts not a list", applicant, seedling.StageActivist,
			merge(toActivistFacts, map[string]any{"contacts": "张三"}), []string{"facts.contacts"}},
		{"same contact twice", applicant, seedling.StageActivist,
			merge(toActivistFacts, map[string]any{"contacts": []any{"张三", " 张三 "}}), []string{"facts.contacts"}},
		{"bad choice", applicant, seedling.StageActivist,
			merge(toActivistFacts, map[string]any{"recommended_by": "self"}), []string{"facts.recommended_by"}},
		{"unknown fact", applicant, seedling.StageActivist,
			merge(toActivistFacts, map[string]any{"score": float64(99)}), []string{"facts.score"}},
		{"one introducer", target, seedling.StageProbationary,
			merge(toProbationaryFacts, map[string]any{"introducers": []any{"王五"}}), []string{"facts.introducers"}},
		{"short conclusion", target, seedling.StageProbationary,
			merge(toProbationaryFacts, map[string]any{"political_review_conclusion": "合格"}), []string{"facts.political_review_conclusion"}},
		{"string where bool", activist, seedling.StageTarget,
			merge(toTargetFacts, map[string]any{"opinions_heard": "yes"}), []string{"facts.opinions_heard"}},
		{"extension too short", probationary, seedling.StageProbationary,
			merge(extendFacts, map[string]any{"extend_months": float64(3)}), []string{"facts.extend_months"}},
		{"several at once", target, seedling.StageProbationary,
			merge(toProbationaryFacts, map[string]any{"members_present": "9", "meeting_on": "20 May", "introducers": []any{"王五", float64(1)}}),
			[]string{"facts.introducers", "facts.meeting_on", "facts.members_present"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Rules2014.Check(tc.subject, tc.to, "", tc.facts, today)
			e := asError(t, err)
			if e.Code != seedling.EInvalid {
				t.Fatalf("code %s, want %s (%v)", e.Code, seedling.EInvalid, e.Fields)
			}
			if got := fieldNames(e); !slices.Equal(got, tc.fields) {
				t.Fatalf("fields %v, want %v (%v)", got, tc.fields, e.Fields)
			}
			for f, why := range e.Fields {
				if why == "" {
					t.Errorf("%s: empty reason", f)
				}
			}
		})
	}
}

// The month after 31 January ends on the last day of February.
func TestTalkWithinMonthAtMonthEnd(t *testing.T) {
	s := Subject{Stage: seedling.StageApplicant, AppliedOn: day("2027-01-31"), StageSince: day("2027-01-31")}
	facts := func(talk string) map[string]any {
		return merge(toActivistFacts, map[string]any{"talked_on": talk, "decided_on": "2027-03-10", "late_reason": "按档案补录"})
	}
	if _, err := Rules2014.Check(s, seedling.StageActivist, "", facts("2027-02-28"), today); err != nil {
		t.Fatalf("talk on the last day: %v", err)
	}
	_, err := Rules2014.Check(s, seedling.StageActivist, "", facts("2027-03-01"), today)
	if e := asError(t, err); e.Fields["talk_within_month"] == "" {
		t.Fatalf("talk a day late passed: %v", e.Fields)
	}
}

func TestCheckIgnoresClockAndZone(t *testing.T) {
	s := activist
	s.ActivistSince = func() *time.Time { t := time.Date(2026, 3, 1, 23, 30, 0, 0, time.FixedZone("X", -3600)); return &t }()
	now := time.Date(2027, 6, 15, 17, 0, 0, 0, time.UTC)
	if _, err := Rules2014.Check(s, seedling.StageTarget, "", merge(toTargetFacts, map[string]any{"decided_on": "2027-03-01"}), now); err != nil {
		t.Fatal(err)
	}
}

// Check holds for rule sets other than the shipped one: the local numbers are
// parameters.
func TestLocalParameters(t *testing.T) {
	rs := *Rules2014
	rs.MinScore = 90
	_, err := rs.Check(activist, seedling.StageTarget, "", toTargetFacts, today)
	if e := asError(t, err); !strings.Contains(e.Fields["score_threshold"], "积分 85 分，未达到 90 分，还差 5 分") {
		t.Fatalf("fields %v", e.Fields)
	}
	rs.MinScore = 0
	if _, err := rs.Check(activist, seedling.StageTarget, "", toTargetFacts, today); err != nil {
		t.Fatal(err)
	}
}
