package pipeline

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"seedling/internal/seedling"
)

// Kinds of branch records: what the branch records about a person between
// steps.
const (
	// RecordAssessment is the half-year assessment (每半年考察) of an activist
	// (细则 第十一条) or a probationary member (第三十一条).
	RecordAssessment = "assessment"
	// RecordOath is the oath taken after admission (入党宣誓, 第二十六条).
	RecordOath = "oath"
	// RecordBranchReview is the branch committee's review of a development
	// target (支委会审查, 细则 第十八条).
	RecordBranchReview = "branch_review"
	// RecordPrereview is the upper committee's pre-review (预审, 细则 第十九条),
	// recorded by the committee itself, before the application form is issued.
	RecordPrereview = "prereview"
)

// RecordedByCommittee says whether a kind of record is the upper
// committee's to make (the pre-review) rather than the branch's.
func RecordedByCommittee(kind string) bool { return kind == RecordPrereview }

// BranchRecord is one such record as the branch enters it.
type BranchRecord struct {
	Kind       string
	On         time.Time
	By         string // who assessed, or who led the oath
	Conclusion string
}

// CheckRecord validates a branch record against the person it is about:
// an assessment is of an activist or a probationary member, an oath of a
// probationary member, once; neither is dated in the future or before the
// stage began. Malformed input is EInvalid; a rule saying no is ERule.
func CheckRecord(r BranchRecord, c Subject, today time.Time) (BranchRecord, error) {
	c = c.normalised()
	today = dateOf(today)
	r.By, r.Conclusion = strings.TrimSpace(r.By), strings.TrimSpace(r.Conclusion)
	bad := seedling.NewProblems(seedling.EInvalid)
	switch r.Kind {
	case RecordAssessment, RecordOath, RecordBranchReview, RecordPrereview:
	default:
		bad.Add("kind", `kind is "assessment", "oath", "branch_review" or "prereview"`)
	}
	if r.On.IsZero() {
		bad.Add("on", "on must be a date YYYY-MM-DD")
	}
	if n := utf8.RuneCountInString(r.By); n == 0 || n > maxNameRunes || strings.ContainsAny(r.By, "\x00\r\n") {
		bad.Add("by", fmt.Sprintf("by is a name of 1 to %d characters on one line", maxNameRunes))
	}
	if n := utf8.RuneCountInString(r.Conclusion); n < 2 || n > defaultTextMaxRunes || strings.ContainsRune(r.Conclusion, 0) {
		bad.Add("conclusion", fmt.Sprintf("the conclusion takes 2 to %d characters", defaultTextMaxRunes))
	}
	if err := bad.Err(); err != nil {
		return r, err
	}
	r.On = dateOf(r.On)
	p := seedling.NewProblems(seedling.ERule)
	switch {
	case r.Kind == RecordAssessment && c.Stage != seedling.StageActivist && c.Stage != seedling.StageProbationary:
		p.AddKey("kind", "reason.record_assessment_stage", fmt.Sprintf("每半年考察的对象是入党积极分子和预备党员，当前为“%s”（细则 第十一条、第三十一条）", stageName(c.Stage)), "Stage", string(c.Stage))
	case r.Kind == RecordOath && c.Stage != seedling.StageProbationary:
		p.AddKey("kind", "reason.record_oath_stage", fmt.Sprintf("入党宣誓在接收为预备党员之后，当前为“%s”（细则 第二十六条）", stageName(c.Stage)), "Stage", string(c.Stage))
	case r.Kind == RecordOath && c.OathOn != nil:
		p.AddKey("kind", "reason.record_oath_once", "已记录入党宣誓（"+fmtDate(*c.OathOn)+"），只宣誓一次", "On", fmtDate(*c.OathOn))
	case (r.Kind == RecordBranchReview || r.Kind == RecordPrereview) && c.Stage != seedling.StageTarget:
		p.AddKey("kind", "reason.record_review_stage", fmt.Sprintf("支委会审查和党委预审的对象是发展对象，当前为“%s”（细则 第十八条、第十九条）", stageName(c.Stage)), "Stage", string(c.Stage))
	case r.Kind == RecordPrereview && (c.BranchReviewOn == nil || r.On.Before(*c.BranchReviewOn)):
		p.AddKey("kind", "reason.record_prereview_order", "党委预审在支部委员会审查之后（细则 第十九条）：尚未记录支委会审查，或预审日期早于审查")
	}
	if r.On.After(today) {
		p.AddKey("on", "reason.record_future", fmt.Sprintf("日期 %s 晚于今天 %s", fmtDate(r.On), fmtDate(today)), "On", fmtDate(r.On), "Today", fmtDate(today))
	} else if !c.StageSince.IsZero() && r.On.Before(c.StageSince) {
		p.AddKey("on", "reason.record_before_stage", fmt.Sprintf("日期 %s 早于成为%s的日期 %s", fmtDate(r.On), stageName(c.Stage), fmtDate(c.StageSince)),
			"On", fmtDate(r.On), "Stage", string(c.Stage), "Since", fmtDate(c.StageSince))
	}
	return r, p.Err()
}

// assessmentsBetween counts the assessments dated in [from, to].
func assessmentsBetween(list []time.Time, from, to time.Time) int {
	n := 0
	for _, d := range list {
		if !d.Before(from) && !d.After(to) {
			n++
		}
	}
	return n
}

// ruleAssessedInTraining: the step to development target requires the
// half-year assessments of the training period (细则 第十一条: 每半年考察一次;
// 第十三条: 经过一年以上培养教育和考察) — TrainingMonths / AssessmentMonths
// of them, dated between becoming an activist and the branch's decision.
func ruleAssessedInTraining() Rule {
	return Rule{
		ID:        "assessed_in_training",
		Article:   "细则 第十一条、第十三条",
		Message:   "培养期内每半年考察一次，考察记录齐全方可列为发展对象",
		MessageEn: "The half-year assessments of the training period must be recorded",
		Check: func(e Env) Why {
			since, ok := activistSince(e.Subject)
			d, ok2 := e.Facts.Date("decided_on")
			if !ok || !ok2 {
				return Why{}
			}
			need := orDefault(e.Rules.TrainingMonths, 12) / orDefault(e.Rules.AssessmentMonths, 6)
			if got := assessmentsBetween(e.Subject.Assessments, since, d); got < need {
				return because("reason.assessed_in_training", fmt.Sprintf("培养期内应有 %d 次半年考察记录，现有 %d 次", need, got), "Need", need, "Got", got)
			}
			return Why{}
		},
	}
}
