package pipeline

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// Item 9: a proposal missing facts and breaking rules gets one 422 that
// lists both; a malformed value is still a 400.
func TestOneRefusalListsMissingFactsAndBrokenRules_Art13(t *testing.T) {
	s := activist
	s.Score = 70
	facts := merge(toTargetFacts, map[string]any{"opinions_heard": nil}) // missing
	_, err := Rules2014.Check(s, seedling.StageTarget, "", facts, today)
	e := asError(t, err)
	if e.Code != seedling.ERule {
		t.Fatalf("code %s, want %s (%v)", e.Code, seedling.ERule, e.Fields)
	}
	for _, f := range []string{"facts.opinions_heard", "score_threshold"} {
		if e.Fields[f] == "" {
			t.Errorf("no %s in %v", f, e.Fields)
		}
	}
	// Blank required text and null are missing too, not malformed.
	_, err = Rules2014.Check(applicant, seedling.StageWithdrawn, "", merge(withdrawFacts, map[string]any{"reason": "  "}), today)
	if e := asError(t, err); e.Code != seedling.ERule || e.Fields["facts.reason"] == "" {
		t.Errorf("blank reason: %v %v", e.Code, e.Fields)
	}
	// A date that is not a date stays 400, even beside a broken rule.
	_, err = Rules2014.Check(s, seedling.StageTarget, "", merge(facts, map[string]any{"decided_on": "2027/03/05"}), today)
	if e := asError(t, err); e.Code != seedling.EInvalid || e.Fields["facts.decided_on"] == "" {
		t.Errorf("malformed: %v %v", e.Code, e.Fields)
	}
}

// Item 1: the decision re-runs the rules of the step — here the score
// (Ruzhou 育壮苗) and the quota — under the version the submission was
// checked with.
func TestApprovalRechecksScoreAndQuota_Art13(t *testing.T) {
	sub := Pending{State: StatePending, SubmittedBy: 1, RulesVersion: Rules2014.Version,
		From: seedling.StageActivist, To: seedling.StageTarget, Facts: toTargetFacts}
	s := activist
	s.Score = 82
	if _, err := Rules2014.Recheck(s, sub, nil, today); err != nil {
		t.Fatalf("82 points: %v", err)
	}
	s.Score = 72 // 10 points reversed after the submission
	e := asError(t, second(Rules2014.Recheck(s, sub, nil, today)))
	if e.Code != seedling.ERule || !strings.Contains(e.Fields["score_threshold"], "还差 8 分") {
		t.Errorf("72 points: %v %v", e.Code, e.Fields)
	}
	s.Score = 90
	s.Quotas = []Quota{{OrgName: "城关镇党委", Year: 2027, Amount: 2, Used: 2}}
	if e := asError(t, second(Rules2014.Recheck(s, sub, nil, today))); e.Fields["quota"] == "" {
		t.Errorf("quota: %v", e.Fields)
	}
	s.Quotas = nil
	s.Stage = seedling.StageTarget
	if e := asError(t, second(Rules2014.Recheck(s, sub, nil, today))); e.Code != seedling.EConflict {
		t.Errorf("moved on: %v", e.Code)
	}
}

// Separation of duties for the committee's decision (一步一审).
func TestCanDecideKeepsDutiesApart(t *testing.T) {
	me := int64(7)
	a := seedling.Actor{UserID: &me}
	sub := Pending{State: StatePending, SubmittedBy: 3}
	if err := CanDecide(sub, a, []int64{4, 5}); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		sub       Pending
		recorders []int64
		code      string
	}{
		"decided":   {Pending{State: StateApproved, SubmittedBy: 3}, nil, seedling.EConflict},
		"submitter": {Pending{State: StatePending, SubmittedBy: 7}, nil, seedling.EForbidden},
		"recorder":  {sub, []int64{7}, seedling.EForbidden},
	}
	for name, tc := range cases {
		if e := asError(t, CanDecide(tc.sub, a, tc.recorders)); e.Code != tc.code || len(e.Fields) == 0 {
			t.Errorf("%s: %v %v", name, e.Code, e.Fields)
		}
	}
}

// Item 2: the ledger's door and the pipeline's rules are one source with
// one date arithmetic. An activist named on 29 February 2024 completes "one
// year" on 28 February 2025 (民法典 第二百零三条: no corresponding day, the
// month's last day): both the ledger's eligibility and the training rule say
// so on that day, and neither on the day before.
func TestOneYearFrom29FebruaryIsTheSameEverywhere_Art13(t *testing.T) {
	since := day("2024-02-29")
	s := Subject{Stage: seedling.StageActivist, AppliedOn: day("2023-09-01"), ActivistSince: &since, StageSince: since, Score: 90,
		Assessments: []time.Time{day("2024-08-29"), day("2025-02-20")}}
	for _, tc := range []struct {
		on   string
		want bool
	}{{"2025-02-27", false}, {"2025-02-28", true}, {"2025-03-01", true}} {
		on := day(tc.on)
		_, err := Rules2014.Check(s, seedling.StageTarget, "", merge(toTargetFacts, map[string]any{"decided_on": tc.on}), on)
		rule := err == nil
		el := ledger.Assess(90, ledger.Subject{Stage: seedling.StageActivist, ActivistSince: &since}, on, Rules2014.Door())
		if rule != tc.want || el.Eligible != tc.want {
			t.Errorf("%s: rule %v, ledger %v, want %v (%v)", tc.on, rule, el.Eligible, tc.want, err)
		}
	}
	if d := Rules2014.Door(); d.MinScore != Rules2014.MinScore || d.TrainingMonths != Rules2014.TrainingMonths {
		t.Errorf("door %+v", d)
	}
}

// Rules as data: a province's own file with a later date overrides the
// numbers from then on; a file with a bad value stops the start.
func TestRulesDirectoryAddsAProvinceVersion(t *testing.T) {
	shipped, err := os.ReadFile("../../policies/rules/2014-ruzhou-1.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	own := strings.Replace(strings.Replace(string(shipped), `"2014-ruzhou-1"`, `"2030-henan-1"`, 1), `"2014-06-10"`, `"2030-01-01"`, 1)
	own = strings.Replace(own, `"min_score": 80`, `"min_score": 85`, 1)
	if err := os.WriteFile(filepath.Join(dir, "henan.json"), []byte(own), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := LoadRegistry(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.InForce(day("2030-01-01")); got == nil || got.Version != "2030-henan-1" || got.MinScore != 85 || len(got.Steps) == 0 {
		t.Fatalf("province version: %+v", got)
	}
	if r.InForce(day("2029-12-31")).MinScore != 80 {
		t.Error("the shipped version before 2030")
	}
	for name, bad := range map[string]string{
		"unknown field": strings.Replace(own, `"min_score": 85`, `"min_scor": 85`, 1),
		"out of range":  strings.Replace(own, `"min_score": 85`, `"min_score": 185`, 1),
		"bad date":      strings.Replace(own, `"2030-01-01"`, `"2030-02-30"`, 1),
		"no checks":     strings.Replace(own, `"checks": "2014"`, `"checks": "2099"`, 1),
		"no English":    regexp.MustCompile(`"source_en": "[^"]*",`).ReplaceAllString(own, ""),
	} {
		if err := os.WriteFile(filepath.Join(dir, "henan.json"), []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadRegistry(dir); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if !slices.ContainsFunc(DefaultRegistry().All(), func(rs *RuleSet) bool { return rs == Rules2014 }) {
		t.Error("Rules2014 is not the shipped version")
	}
}

// Item 10: a date derived from a timestamp is China's (UTC+8). A submission
// sent at 00:30 on 15 March in Ruzhou (16:30 UTC on the 14th) is due for a
// decision three months later, on 15 June (细则 第四章 党委审批时限).
func TestPendingSinceIsAChinaDate_UTC8(t *testing.T) {
	sent := time.Date(2027, 3, 14, 16, 30, 0, 0, time.UTC)
	var due *DueItem
	for _, it := range Rules2014.Due(activist, &sent, today) {
		if it.Kind == DueDecisionOverdue {
			due = &it
		}
	}
	if due == nil || fmtDate(due.DueOn) != "2027-06-15" || due.Status != StatusToday {
		t.Fatalf("decision due: %+v", due)
	}
}

// Item 4: only failed reviews of stage steps are strikes (汝州市育苗计划:
// 一步一审，三次审核不通过取消入党资格). A returned withdrawal or extension
// request is an answer, not a failed review; a submission voided by the end
// of the candidacy was never reviewed; a probationary member's failures count
// only where the rule set says so.
func TestOnlyFailedStageReviewsAreStrikes_Ruzhou(t *testing.T) {
	returned := []Review{
		{Kind: KindAdvance, From: seedling.StageActivist},
		{Kind: KindWithdraw, From: seedling.StageActivist},
		{Kind: KindExtend, From: seedling.StageProbationary},
		{Kind: KindAdvance, From: seedling.StageActivist, Voided: true},
		{Kind: KindAdvance, From: seedling.StageProbationary},
	}
	if n := Rules2014.Strikes(returned); n != 1 {
		t.Errorf("strikes %d, want 1", n)
	}
	if Rules2014.StrikesApply(seedling.StageProbationary) || !Rules2014.StrikesApply(seedling.StageActivist) {
		t.Error("the shipped rules count strikes of activists, not of probationary members")
	}
	strict := *Rules2014
	strict.StrikesApplyToProbationary = true
	if n := strict.Strikes(returned); n != 2 {
		t.Errorf("strikes with probationary members counted: %d, want 2", n)
	}
}

// Item 5: political review belongs to development targets (细则 第十五条),
// and the admission step reads the committee's record, not a box ticked by
// the branch.
func TestPoliticalReviewBelongsToTargets_Art15(t *testing.T) {
	for _, st := range []seedling.Stage{seedling.StageApplicant, seedling.StageActivist, seedling.StageProbationary} {
		if e := asError(t, CanRecordPoliticalReview(st)); e.Code != seedling.ERule {
			t.Errorf("%s: %s", st, e.Code)
		}
	}
	if err := CanRecordPoliticalReview(seedling.StageTarget); err != nil {
		t.Error(err)
	}
	s := target
	s.PoliticalReview = nil
	_, err := Rules2014.Check(s, seedling.StageProbationary, "", toProbationaryFacts, today)
	if e := asError(t, err); !strings.Contains(e.Fields["political_review"], "尚未记录") {
		t.Errorf("no recorded review: %v", e.Fields)
	}
	s.PoliticalReview = &PoliticalReview{Passed: true, On: day("2026-05-21")} // after the meeting
	_, err = Rules2014.Check(s, seedling.StageProbationary, "", toProbationaryFacts, today)
	if e := asError(t, err); !strings.Contains(e.Fields["political_review"], "晚于支部大会") {
		t.Errorf("review after the meeting: %v", e.Fields)
	}
	if _, err := Rules2014.Check(target, seedling.StageProbationary, "", merge(toProbationaryFacts, map[string]any{"political_review_passed": true}), today); err == nil {
		t.Error("the branch still ticks a political-review box")
	}
}

// Item 6: one electorate. Quorum and majority are counted against the same
// number of full members entitled to vote (细则 第二十条、第二十一条): 6 of 20
// is neither a quorum nor a majority.
func TestGeneralMeetingHasOneElectorate_Art20_21(t *testing.T) {
	facts := merge(toProbationaryFacts, map[string]any{"members_entitled": float64(20), "members_present": float64(6), "votes_for": float64(6)})
	_, err := Rules2014.Check(target, seedling.StageProbationary, "", facts, today)
	e := asError(t, err)
	if e.Fields["quorum"] == "" || e.Fields["majority"] == "" {
		t.Errorf("6 of 20: %v", e.Fields)
	}
	// 11 of 20 present, 9 for plus 2 in writing: carried.
	facts = merge(facts, map[string]any{"members_present": float64(11), "votes_for": float64(9), "written_votes_for": float64(2)})
	if _, err := Rules2014.Check(target, seedling.StageProbationary, "", facts, today); err != nil {
		t.Errorf("11 present, 9 + 2 written of 20: %v", err)
	}
	for _, f := range Rules2014.Steps[2].Facts {
		if f.Name == "full_members_entitled" {
			t.Error("a second electorate count is still asked for")
		}
	}
}

// Item 7: full membership dates from the end of probation (细则 第三十二条:
// 党龄从预备期满转为正式党员之日算起), not from the conversion meeting; an
// extension is decided when probation ends, once, by 6 to 12 months; and a
// probationary membership can be cancelled as a reviewed step.
func TestProbationEndsAndExtends_Art32(t *testing.T) {
	p, err := Rules2014.Check(probationary, seedling.StageFull, "", merge(toFullFacts, map[string]any{"meeting_on": "2027-06-10"}), today)
	if err != nil {
		t.Fatal(err)
	}
	if fmtDate(p.EffectiveOn) != "2027-05-20" {
		t.Errorf("full membership from %s, want the end of probation 2027-05-20", fmtDate(p.EffectiveOn))
	}
	// Extension: only around the end of probation, once, 6 to 12 months.
	_, err = Rules2014.Check(probationary, seedling.StageProbationary, KindExtend, merge(extendFacts, map[string]any{"meeting_on": "2027-01-10"}), today)
	if e := asError(t, err); e.Fields["extend_at_probation_end"] == "" {
		t.Errorf("an extension half-way through probation: %v", e.Fields)
	}
	if _, err := Rules2014.Check(probationary, seedling.StageProbationary, KindExtend, extendFacts, today); err != nil {
		t.Errorf("an extension at the end of probation: %v", err)
	}
	for _, months := range []float64{5, 13} {
		_, err := Rules2014.Check(probationary, seedling.StageProbationary, KindExtend, merge(extendFacts, map[string]any{"extend_months": months}), today)
		if e := asError(t, err); e.Fields["facts.extend_months"] == "" {
			t.Errorf("%v months: %v", months, e.Fields)
		}
	}
	// 取消预备党员资格: a general meeting's decision, reviewed like any step.
	cancel := map[string]any{"meeting_on": "2027-05-25", "members_entitled": float64(12), "members_present": float64(10),
		"votes_for": float64(9), "reason": "预备期内多次无故不参加组织生活，不具备党员条件。"}
	p, err = Rules2014.Check(probationary, seedling.StageDisqualified, KindCancel, cancel, today)
	if err != nil || p.To != seedling.StageDisqualified || p.Kind != KindCancel {
		t.Fatalf("cancel: %+v %v", p, err)
	}
	if Rules2014.Strikes([]Review{{Kind: KindCancel, From: seedling.StageProbationary}}) != 0 {
		t.Error("a returned cancellation counted as a strike")
	}
}

// Item 8: a submission dated more than LateRecordDays before the day it is
// recorded is a late record (补录) and needs a reason; the re-check at the
// decision judges lateness by the day of recording, not of the decision.
// Dates may not precede what they depend on (application ≤ talk ≤ decision).
func TestLateRecordNeedsAReason_Art7_8(t *testing.T) {
	facts := merge(toTargetFacts, map[string]any{"late_reason": nil, "decided_on": "2027-05-10"}) // 36 days before today
	_, err := Rules2014.Check(activist, seedling.StageTarget, "", facts, today)
	if e := asError(t, err); !strings.Contains(e.Fields["late_record"], "补录") {
		t.Fatalf("late without a reason: %v", e.Fields)
	}
	if _, err := Rules2014.Check(activist, seedling.StageTarget, "", merge(facts, map[string]any{"late_reason": "会议记录迟交"}), today); err != nil {
		t.Errorf("late with a reason: %v", err)
	}
	onTime := merge(facts, map[string]any{"decided_on": "2027-06-01"})
	sub := Pending{State: StatePending, SubmittedOn: day("2027-06-02"), From: seedling.StageActivist, To: seedling.StageTarget, Facts: onTime}
	if _, err := Rules2014.Recheck(activist, sub, nil, day("2027-08-01")); err != nil {
		t.Errorf("a timely submission decided two months later: %v", err)
	}
	// Backdating against what a fact depends on.
	_, err = Rules2014.Check(applicant, seedling.StageActivist, "", merge(toActivistFacts, map[string]any{"talked_on": "2027-05-10", "decided_on": "2027-05-09"}), today)
	e := asError(t, err)
	for _, f := range []string{"talk_after_application", "decided_after_talk"} {
		if e.Fields[f] == "" {
			t.Errorf("no %s in %v", f, e.Fields)
		}
	}
}

// The admission's missing steps: the application form (入党志愿书) is issued
// after the pre-review and filled in before the meeting (细则 第十九条、第二十条);
// the conversion needs the written application and the opinions of the
// party group and the masses (第三十三条); admissions are filed one level
// higher than namings (第二十四条).
func TestAdmissionFormAndConversionOpinions_Art19_20_33(t *testing.T) {
	_, err := Rules2014.Check(target, seedling.StageProbationary, "", merge(toProbationaryFacts, map[string]any{"form_issued_on": "2026-04-28"}), today)
	if e := asError(t, err); e.Fields["reviewed_and_prereviewed"] == "" {
		t.Errorf("form before the pre-review: %v", e.Fields)
	}
	unreviewed := target
	unreviewed.PrereviewOn = nil
	_, err = Rules2014.Check(unreviewed, seedling.StageProbationary, "", toProbationaryFacts, today)
	if e := asError(t, err); !strings.Contains(e.Fields["reviewed_and_prereviewed"], "预审") {
		t.Errorf("no pre-review recorded by the committee: %v", e.Fields)
	}
	// The pre-review is the committee's record, after the branch committee's review.
	if !RecordedByCommittee(RecordPrereview) || RecordedByCommittee(RecordBranchReview) {
		t.Error("who records the reviews")
	}
	noBranch := target
	noBranch.BranchReviewOn = nil
	if _, err := CheckRecord(BranchRecord{Kind: RecordPrereview, On: day("2026-05-01"), By: "组织委员", Conclusion: "预审合格"}, noBranch, today); err == nil {
		t.Error("a pre-review before the branch committee's review")
	}
	_, err = Rules2014.Check(probationary, seedling.StageFull, "", merge(toFullFacts, map[string]any{"group_opinion": nil, "applied_on": "2027-05-21"}), today)
	if e := asError(t, err); e.Fields["facts.group_opinion"] == "" || e.Fields["meeting_after_application"] == "" {
		t.Errorf("conversion without the group's opinion, meeting before the application: %v", e.Fields)
	}
	if l, ok := FiledWith(seedling.StageProbationary); !ok || l != 1 {
		t.Error("admissions are not filed with the committee above")
	}
	if l, ok := FiledWith(seedling.StageTarget); !ok || l != 0 {
		t.Error("targets are not filed with the committee above the branch")
	}
}

// Half-year assessments (每半年考察, 细则 第十一条、第三十一条) are recorded by
// the branch for activists and probationary members; the step to development
// target needs those of the training period; the oath (第二十六条) follows
// admission, once.
func TestHalfYearAssessmentsAndOath_Art11_26(t *testing.T) {
	rec := BranchRecord{Kind: RecordAssessment, On: day("2027-06-01"), By: "张三", Conclusion: "表现良好"}
	if _, err := CheckRecord(rec, activist, today); err != nil {
		t.Errorf("assessment of an activist: %v", err)
	}
	if e := asError(t, func() error { _, err := CheckRecord(rec, target, today); return err }()); e.Code != seedling.ERule {
		t.Errorf("assessment of a target: %v", e.Code)
	}
	oath := BranchRecord{Kind: RecordOath, On: day("2026-06-01"), By: "李书记", Conclusion: "面向党旗宣誓"}
	if _, err := CheckRecord(oath, probationary, today); err != nil {
		t.Errorf("oath of a probationary member: %v", err)
	}
	twice := probationary
	twice.OathOn = dayp("2026-06-01")
	if _, err := CheckRecord(oath, twice, today); err == nil {
		t.Error("a second oath")
	}
	if _, err := CheckRecord(BranchRecord{Kind: "x", By: "", Conclusion: ""}, activist, today); seedling.ErrorCode(err) != seedling.EInvalid {
		t.Errorf("malformed: %v", err)
	}
	one := activist
	one.Assessments = one.Assessments[:1]
	_, err := Rules2014.Check(one, seedling.StageTarget, "", toTargetFacts, today)
	if e := asError(t, err); !strings.Contains(e.Fields["assessed_in_training"], "应有 2 次") {
		t.Errorf("one assessment in the training year: %v", e.Fields)
	}
}

func second[T any](_ T, err error) error { return err }

// The committee's own part of an admission (细则 第二十三条、第二十四条): its
// talk with the person after the general meeting, and its collective vote,
// both recorded with the approval and checked with the step's rules.
func TestCommitteeTalkAndVoteOnAdmission_Art23_24(t *testing.T) {
	sub := Pending{State: StatePending, SubmittedOn: today, From: seedling.StageTarget, To: seedling.StageProbationary, Facts: toProbationaryFacts}
	e := asError(t, second(Rules2014.Recheck(target, sub, nil, today)))
	if e.Code != seedling.ERule || e.Fields["facts.committee_talked_on"] == "" || e.Fields["facts.committee_for"] == "" {
		t.Fatalf("approval without the committee's talk and vote: %v", e.Fields)
	}
	vote := map[string]any{"committee_talked_on": "2026-05-25", "committee_members": float64(7), "committee_present": float64(5), "committee_for": float64(3)}
	e = asError(t, second(Rules2014.Recheck(target, sub, vote, today)))
	if !strings.Contains(e.Fields["committee_vote"], "赞成 3 人未超过应到会委员 7 人的半数") {
		t.Errorf("3 of 7: %v", e.Fields)
	}
	vote["committee_for"], vote["committee_talked_on"] = float64(4), "2026-05-10" // before the general meeting
	e = asError(t, second(Rules2014.Recheck(target, sub, vote, today)))
	if e.Fields["committee_talk_after_meeting"] == "" {
		t.Errorf("talk before the meeting: %v", e.Fields)
	}
	vote["committee_talked_on"] = "2026-05-25"
	if _, err := Rules2014.Recheck(target, sub, vote, today); err != nil {
		t.Errorf("4 of 7 after a talk: %v", err)
	}
}
