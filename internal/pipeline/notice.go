package pipeline

import (
	"fmt"
	"time"

	"seedling/internal/seedling"
)

// NoticeState is what the store knows of the latest pre-admission notice
// (公示) of a person for one step: when its window closed and how its
// objections stand.
type NoticeState struct {
	ClosesOn time.Time
	// Open counts objections not yet answered; Upheld those the branch
	// found to be right.
	Open, Upheld int
}

// noticeArticle is where the notice comes from: the 细则 asks for 公示 of
// the development target before the pre-review (第十九条) and the
// provinces' rules require at least five working days before naming a
// development target and before admission.
const noticeArticle = "细则 第十九条（发展对象公示）；各省发展党员工作实施细则（列为发展对象前、接收预备党员前公示不少于 5 个工作日）"

// ruleNoticeCompleted: a step that names a development target or admits a
// probationary member needs a notice of the person whose window closed
// before the step's date, with no objection unanswered and none upheld (an
// upheld objection stands against the person: a new notice is needed).
// Switched on by the rule set's PreAdmissionNotice.
func ruleNoticeCompleted() Rule {
	return Rule{
		ID:        "notice_completed",
		Article:   noticeArticle,
		Message:   "列为发展对象和接收预备党员前，须对本人公示期满且无未解决的异议",
		MessageEn: "Before being named a target and before admission, the person's public notice must have run its course with no unresolved objection",
		Check: func(e Env) Why {
			n, ok := e.Subject.Notices[e.Step.To]
			if !ok {
				return because("reason.notice_missing", fmt.Sprintf("尚未对本人进行%s前公示（不少于 %d 个工作日）", e.Step.Label, e.Rules.NoticeWorkingDays), "Step", seedling.Words{Zh: e.Step.Label, En: e.Step.LabelEn}, "Days", e.Rules.NoticeWorkingDays)
			}
			on, _ := e.Facts.Date(e.Step.EffectiveFact)
			if on.IsZero() {
				on = e.Today
			}
			closes := dateOf(n.ClosesOn)
			switch {
			case !closes.Before(on):
				return because("reason.notice_open", fmt.Sprintf("公示期至 %s 结束，%s须在公示期满之后", fmtDate(closes), factLabel(e.Step, e.Step.EffectiveFact)), "Closes", fmtDate(closes), "Fact", factWords(e.Step, e.Step.EffectiveFact))
			case n.Open > 0:
				return because("reason.notice_objections_open", fmt.Sprintf("公示期间的 %d 条异议尚未处理", n.Open), "Count", n.Open)
			case n.Upheld > 0:
				return because("reason.notice_objections_upheld", fmt.Sprintf("公示期间有 %d 条异议经核实成立，须重新公示", n.Upheld), "Count", n.Upheld)
			}
			return Why{}
		},
	}
}

// withNoticeRule adds the notice rule to the steps to development target
// and to probationary member, when the rule set asks for notices.
func withNoticeRule(rs *RuleSet) {
	if !rs.PreAdmissionNotice {
		return
	}
	for i := range rs.Steps {
		st := &rs.Steps[i]
		if st.Kind == KindAdvance && (st.To == seedling.StageTarget || st.To == seedling.StageProbationary) {
			st.Rules = append(st.Rules, ruleNoticeCompleted())
		}
	}
}
