package pipeline

import (
	"fmt"
	"slices"
	"time"

	"seedling/internal/seedling"
)

// Horizons of the due list: how far ahead an item shows as "soon".
const (
	soonDays          = 14
	probationSoonDays = 30 // the branch prepares the conversion meeting a month ahead
)

// Due lists the deadlines of one candidate that are overdue, due today or due
// soon, earliest first; items further out are left off. pendingSince is when
// the candidate's submission went to the committee (a timestamp, read as a
// date in China, UTC+8), if one is pending.
//
//   - talk_due: the branch talks with an applicant within TalkMonths of the
//     application (细则 第七条). Silenced once the talk is known or a
//     submission is pending (the talk is among its facts).
//   - assessment_due: the branch assesses an activist (细则 第十一条) or a
//     probationary member (第三十一条) every AssessmentMonths: due that long
//     after the last recorded assessment of the stage (or the stage's start),
//     overdue once that day has passed.
//   - probation_ending: probation ends one year (plus any extension) after the
//     general meeting and the branch must then discuss conversion promptly
//     (细则 第三十二条); shown within 30 days and after the end until a
//     submission is made.
//   - decision_overdue: the committee decides within DecisionMonths of the
//     submission (细则 第四章 党委审批; 第五章 转正审批).
func (rs *RuleSet) Due(c Subject, pendingSince *time.Time, today time.Time) []DueItem {
	c = c.normalised()
	today = dateOf(today)
	var pending *time.Time // the civil date in China of the submission's timestamp
	if pendingSince != nil && !pendingSince.IsZero() {
		d := seedling.Today(*pendingSince)
		pending = &d
	}
	out := []DueItem{}
	if c.Disqualified || c.Stage.Final() {
		return out
	}
	add := func(kind, key string, due time.Time, horizon int, article, msg string, pairs ...any) {
		st, ok := dueStatus(due, today, horizon)
		if ok {
			out = append(out, DueItem{Kind: kind, DueOn: due, Status: st, Article: article, Message: msg,
				Key: key, Params: seedling.Params(pairs...)})
		}
	}
	talkMonths := orDefault(rs.TalkMonths, 1)
	decisionMonths := orDefault(rs.DecisionMonths, 3)
	assessMonths := orDefault(rs.AssessmentMonths, 6)

	switch c.Stage {
	case seedling.StageApplicant:
		if c.TalkedOn == nil && pending == nil && !c.AppliedOn.IsZero() {
			due := seedling.AddMonths(c.AppliedOn, talkMonths)
			add(DueTalk, "due.item."+DueTalk, due, soonDays, "细则 第七条",
				fmt.Sprintf("申请日期 %s，须在 %s 前派人谈话", fmtDate(c.AppliedOn), fmtDate(due)),
				"Applied", fmtDate(c.AppliedOn), "Due", fmtDate(due))
		}
	case seedling.StageActivist:
		if since, ok := activistSince(c); ok {
			add(DueAssessment, "due.item."+DueAssessment, nextAssessment(c, since, assessMonths), soonDays, "细则 第十一条",
				fmt.Sprintf("半年考察 %s 到期（确定为入党积极分子：%s，已记录 %d 次）", fmtDate(nextAssessment(c, since, assessMonths)), fmtDate(since), len(c.Assessments)),
				"Due", fmtDate(nextAssessment(c, since, assessMonths)), "Since", fmtDate(since), "Count", len(c.Assessments))
		}
	case seedling.StageProbationary:
		if since, ok := probationSince(c); ok {
			add(DueAssessment, "due.item.probation_assessment", nextAssessment(c, since, assessMonths), soonDays, "细则 第三十一条",
				fmt.Sprintf("预备期半年考察 %s 到期（已记录 %d 次）", fmtDate(nextAssessment(c, since, assessMonths)), len(c.Assessments)),
				"Due", fmtDate(nextAssessment(c, since, assessMonths)), "Count", len(c.Assessments))
		}
		if pending == nil {
			if end, ok := rs.probationEnd(c); ok {
				add(DueProbationEnding, "due.item."+DueProbationEnding, end, probationSoonDays, "细则 第三十二条",
					fmt.Sprintf("预备期 %s 届满，支部应及时讨论能否转为正式党员", fmtDate(end)),
					"Due", fmtDate(end))
			}
		}
	}
	if pending != nil {
		due := seedling.AddMonths(*pending, decisionMonths)
		add(DueDecisionOverdue, "due.item."+DueDecisionOverdue, due, soonDays, "细则 第四章、第五章（党委审批时限）",
			fmt.Sprintf("%s 报送的申请，上级党委应在 %d 个月内（%s 前）审批", fmtDate(*pending), decisionMonths, fmtDate(due)),
			"Submitted", fmtDate(*pending), "Months", decisionMonths, "Due", fmtDate(due))
	}
	slices.SortStableFunc(out, func(a, b DueItem) int { return a.DueOn.Compare(b.DueOn) })
	return out
}

// dueStatus places a due date relative to today; ok is false when it lies
// beyond the horizon.
func dueStatus(due, today time.Time, horizon int) (string, bool) {
	switch d := days(today, due); {
	case d < 0:
		return StatusOverdue, true
	case d == 0:
		return StatusToday, true
	case d <= horizon:
		return StatusSoon, true
	}
	return "", false
}

func orDefault(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// DisplayDue reminds a branch of its public display (公示) of points: every
// quarter, and every half-year at the end of June and December (留精苗:
// 每季度、每半年公示). It falls due on the last day of the period. Displays
// are not recorded yet, so, like the assessments, this shows the coming
// deadline ("today" or "soon") and never an overdue one.
func (rs *RuleSet) DisplayDue(today time.Time) (DueItem, bool) {
	today = dateOf(today)
	q := (int(today.Month())-1)/3 + 1
	end := time.Date(today.Year(), time.Month(q*3)+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	status, ok := dueStatus(end, today, soonDays)
	if !ok || status == StatusOverdue {
		return DueItem{}, false
	}
	period := fmt.Sprintf("%dQ%d", today.Year(), q)
	msg := fmt.Sprintf("%s 季度积分公示应于 %s 前发布", period, fmtDate(end))
	key, params := "due.item.display", seedling.Params("Period", period, "Due", fmtDate(end))
	if q%2 == 0 {
		half := fmt.Sprintf("%dH%d", today.Year(), q/2)
		msg = fmt.Sprintf("%s 季度及 %s 半年积分公示应于 %s 前发布", period, half, fmtDate(end))
		key, params["Half"] = "due.item.display_half", half
	}
	return DueItem{Kind: DueDisplay, DueOn: end, Status: status, Article: "汝州市育苗计划（留精苗：每季度、每半年公示）", Message: msg,
		Key: key, Params: params}, true
}

// nextAssessment is when the next half-year assessment falls due: the
// interval after the latest recorded one at this stage, or after the stage
// began.
func nextAssessment(c Subject, since time.Time, months int) time.Time {
	last := since
	for _, d := range c.Assessments {
		if d.After(last) {
			last = d
		}
	}
	return seedling.AddMonths(last, months)
}

// DueDisplayLate is a node's display of the last ended period not
// published by its due day (internal/display decides when that is).
const DueDisplayLate = "display_late"

// DisplayLate is the due-list item of a display that is daysLate calendar
// days past dueBy.
func DisplayLate(period string, dueBy time.Time, daysLate int) DueItem {
	return DueItem{Kind: DueDisplayLate, DueOn: dueBy, Status: StatusOverdue, Article: "汝州市育苗计划（留精苗：每季度、每半年公示）",
		Message: fmt.Sprintf("%s 积分公示应于 %s 前发布，已逾期 %d 天", period, fmtDate(dueBy), daysLate),
		Key:     "due.item." + DueDisplayLate, Params: seedling.Params("Period", period, "Due", fmtDate(dueBy), "Days", daysLate)}
}

// DueObjectionOverdue is an objection to a display (公示异议) still open
// after its deadline in working days (internal/display): the plan asks
// that objections be verified and corrected promptly (及时核实、纠正).
const DueObjectionOverdue = "objection_overdue"

// ObjectionDue is the due-list item of an objection still open on today;
// it shows only once the deadline has passed.
func ObjectionDue(dueOn, today time.Time, period, name string) (DueItem, bool) {
	today = dateOf(today)
	if !today.After(dueOn) {
		return DueItem{}, false
	}
	return DueItem{Kind: DueObjectionOverdue, DueOn: dueOn, Status: StatusOverdue, Article: "汝州市育苗计划（对有异议的及时核实、纠正）",
		Message: fmt.Sprintf("%s 积分公示中关于 %s 的异议应于 %s 前答复", period, name, fmtDate(dueOn)),
		Key:     "due.item." + DueObjectionOverdue, Params: seedling.Params("Period", period, "Name", name, "Due", fmtDate(dueOn))}, true
}
