package pipeline

import (
	"fmt"
	"strings"
	"time"

	"seedling/internal/seedling"
)

// This file holds rules and facts that more than one step, and likely more
// than one version of the rules, share. A rule set refers to them by name in
// its data; the numbers they check come from the RuleSet or the facts.

// monthsPhrase reads a span of months as people say it.
func monthsPhrase(n int) string {
	switch n {
	case 1:
		return "一个月"
	case 6:
		return "半年"
	case 12:
		return "一年"
	}
	return fmt.Sprintf(" %d 个月", n)
}

func factLabel(st *Step, name string) string {
	for _, f := range st.Facts {
		if f.Name == name {
			return f.Label
		}
	}
	return name
}

// factWords is a fact's label in both languages, as a problem quotes it.
func factWords(st *Step, name string) seedling.Words {
	for _, f := range st.Facts {
		if f.Name == name {
			return seedling.Words{Zh: f.Label, En: f.LabelEn}
		}
	}
	return seedling.Words{Zh: name, En: name}
}

// datesBreaking is the refusal of a rule that each date fact of the step
// must keep: the text names every fact at fault with its date, the
// catalog message their labels in either language.
func datesBreaking(e Env, key string, breaks func(time.Time) bool, text func(FactSpec, time.Time) string, pairs ...any) Why {
	var bad, zh, en []string
	for _, f := range e.Step.Facts {
		if d, ok := e.Facts.Date(f.Name); ok && f.Type == TypeDate && breaks(d) {
			bad = append(bad, text(f, d))
			zh, en = append(zh, f.Label), append(en, f.LabelEn)
		}
	}
	if len(bad) == 0 {
		return Why{}
	}
	return because(key, strings.Join(bad, "；"), append(pairs, "Facts", seedling.Words{Zh: strings.Join(zh, "、"), En: strings.Join(en, "; ")})...)
}

// ruleStrikesLeft: the committee reviews every step (一步一审) and the
// Ruzhou plan ends a candidacy at the MaxFailedReviews-th failure. The count
// normally disqualifies at once (AfterReturn); this rule guards the data.
func ruleStrikesLeft() Rule {
	return Rule{
		ID:        "strikes_left",
		Article:   "汝州市育苗计划（一步一审，三次审核不通过取消入党资格）",
		Message:   "审核未通过次数已用完的，不能再提交",
		MessageEn: "No submission once the allowed failed reviews are used up",
		Check: func(e Env) Why {
			limit, used := e.Rules.MaxFailedReviews, e.Rules.Strikes(e.Subject.Returned)
			if limit > 0 && used >= limit {
				return because("reason.strikes_used_up", fmt.Sprintf("审核未通过已达 %d 次（%s），应取消入党资格", used, e.Rules.StrikesLabel(used)), "Used", used, "Max", e.Rules.MaxFailedReviews)
			}
			return Why{}
		},
	}
}

// ruleNotInFuture: every date a branch submits records something that has
// happened (a talk, a decision, a meeting); a date after today is a typo or
// a submission made too early.
func ruleNotInFuture() Rule {
	return Rule{
		ID:        "not_in_future",
		Article:   "系统校验：所报事项须已发生（非细则条文）",
		Message:   "所报日期不能晚于今天",
		MessageEn: "No submitted date may be after today",
		Check: func(e Env) Why {
			return datesBreaking(e, "reason.not_in_future", func(d time.Time) bool { return d.After(e.Today) },
				func(f FactSpec, d time.Time) string {
					return fmt.Sprintf("%s %s 晚于今天 %s", f.Label, fmtDate(d), fmtDate(e.Today))
				}, "Today", fmtDate(e.Today))
		},
	}
}

// ruleAfterStageStart: what a step records happens at the current stage, so
// none of its dates may come before the stage began.
func ruleAfterStageStart() Rule {
	return Rule{
		ID:        "after_stage_start",
		Article:   "系统校验：日期先后（非细则条文）",
		Message:   "所报日期不能早于进入当前阶段的日期",
		MessageEn: "No submitted date may precede the start of the current stage",
		Check: func(e Env) Why {
			since := e.Subject.StageSince
			if since.IsZero() {
				return Why{}
			}
			return datesBreaking(e, "reason.after_stage_start", func(d time.Time) bool { return d.Before(since) },
				func(f FactSpec, d time.Time) string {
					return fmt.Sprintf("%s %s 早于成为%s的日期 %s", f.Label, fmtDate(d), stageName(e.Subject.Stage), fmtDate(since))
				}, "Stage", string(e.Subject.Stage), "Since", fmtDate(since))
		},
	}
}

// factLateReason is asked of every step: a submission whose date lies more
// than LateRecordDays in the past is a late record (补录) and says why.
var factLateReason = FactSpec{Name: "late_reason", Type: TypeText, Max: intp(2000),
	Label: "补录原因", LabelEn: "Why this is recorded late",
	Note:   "所报日期早于今天超过规定天数的，属补录，须说明原因",
	NoteEn: "A date further in the past than the rules allow makes this a late record, which needs a reason"}

// ruleLateRecord: anything recorded long after the date it claims is a late
// record (补录): allowed, marked on the timeline, and only with a reason, so
// that backdating is visible. The number of days is the rule set's.
func ruleLateRecord() Rule {
	return Rule{
		ID:        "late_record",
		Article:   "系统校验：补录须说明原因（非细则条文）",
		Message:   "所报日期早于报送日超过规定天数的属补录，须说明补录原因",
		MessageEn: "A submission dated long before it is made is a late record and needs a reason",
		Check: func(e Env) Why {
			if e.Probe {
				return Why{}
			}
			why := LateBy(e.Facts, e.Step, e.RecordedOn, e.Rules.LateRecordDays)
			if _, given := e.Facts.Text("late_reason"); why > 0 && !given {
				return because("reason.late_record", fmt.Sprintf("%s距报送日 %d 天，超过 %d 天，属补录，须填写补录原因", factLabel(e.Step, e.Step.EffectiveFact), why, e.Rules.LateRecordDays), "Fact", factWords(e.Step, e.Step.EffectiveFact), "Days", why, "Max", e.Rules.LateRecordDays)
			}
			return Why{}
		},
	}
}

// LateBy is how many days the step's date lies before the day it was
// recorded when that is more than lateDays (a late record, 补录), else 0.
func LateBy(f Facts, st *Step, recordedOn time.Time, lateDays int) int {
	d, ok := f.Date(st.EffectiveFact)
	if !ok || lateDays <= 0 {
		return 0
	}
	if n := days(d, recordedOn); n > lateDays {
		return n
	}
	return 0
}

// dateNotBefore builds a rule that one date fact does not precede another.
func dateNotBefore(id, article, later, earlier, msg, msgEn string) Rule {
	return Rule{
		ID: id, Article: article, Message: msg, MessageEn: msgEn,
		Check: func(e Env) Why {
			l, ok1 := e.Facts.Date(later)
			f, ok2 := e.Facts.Date(earlier)
			if ok1 && ok2 && l.Before(f) {
				return because("reason.date_not_before", fmt.Sprintf("%s %s 早于%s %s", factLabel(e.Step, later), fmtDate(l), factLabel(e.Step, earlier), fmtDate(f)), "Later", factWords(e.Step, later), "LaterOn", fmtDate(l), "Earlier", factWords(e.Step, earlier), "EarlierOn", fmtDate(f))
			}
			return Why{}
		},
	}
}

// The general meeting (支部大会) has one electorate: the full members with a
// vote (probationary members have none, 党章 第七条). Quorum (细则 第二十条)
// and majority (第二十一条) are both counted against the same number, the
// full members with a vote who should attend, so that the two counts cannot
// differ. Absent full members who gave their opinion in writing before the
// meeting count in the votes (第二十一条).
var (
	factMeetingOn = FactSpec{Name: "meeting_on", Type: TypeDate, Required: true,
		Label: "支部大会日期", LabelEn: "Date of the branch general meeting"}
	factMembersEntitled = FactSpec{Name: "members_entitled", Type: TypeInt, Required: true, Min: intp(1), Max: intp(10000),
		Label: "应到会有表决权的正式党员人数", LabelEn: "Full members with a vote who should attend",
		Note:   "预备党员没有表决权，不计入",
		NoteEn: "Probationary members have no vote and are not counted"}
	factMembersPresent = FactSpec{Name: "members_present", Type: TypeInt, Required: true, Min: intp(0), Max: intp(10000),
		Label: "实到会有表决权的正式党员人数", LabelEn: "Full members with a vote present"}
	factVotesFor = FactSpec{Name: "votes_for", Type: TypeInt, Required: true, Min: intp(0), Max: intp(10000),
		Label: "到会赞成人数", LabelEn: "Votes in favour at the meeting"}
	factWrittenVotesFor = FactSpec{Name: "written_votes_for", Type: TypeInt, Min: intp(0), Max: intp(10000),
		Label: "会前书面表示赞成的未到会正式党员人数", LabelEn: "Absent full members in favour in writing before the meeting",
		Note:   "因故不能到会的有表决权的正式党员，会前正式向党支部提出书面意见的，统计在票数内",
		NoteEn: "Full members with a vote who cannot attend and gave the branch their opinion in writing before the meeting are counted in the votes"}
)

// meetingFacts are what every general meeting records: its date, who should
// attend and who came, and the votes.
var meetingFacts = []FactSpec{factMeetingOn, factMembersEntitled, factMembersPresent, factVotesFor, factWrittenVotesFor}

// meetingRules are the conditions of a valid, carried general meeting.
func meetingRules(quorumArticle, majorityArticle string) []Rule {
	return []Rule{
		{
			ID: "quorum", Article: quorumArticle,
			Message:   "有表决权的到会人数必须超过应到会有表决权的正式党员人数的半数",
			MessageEn: "More than half of the full members with a vote must attend",
			Check: func(e Env) Why {
				present, ok1 := e.Facts.Int("members_present")
				entitled, ok2 := e.Facts.Int("members_entitled")
				if ok1 && ok2 && present*2 <= entitled {
					return because("reason.quorum", fmt.Sprintf("到会 %d 人未超过应到会有表决权的正式党员 %d 人的半数", present, entitled), "Present", present, "Entitled", entitled)
				}
				return Why{}
			},
		},
		{
			ID: "majority", Article: majorityArticle,
			Message:   "赞成人数须超过应到会有表决权的正式党员的半数",
			MessageEn: "Votes in favour must exceed half of the full members with a vote who should attend",
			Check: func(e Env) Why {
				votes, ok1 := e.Facts.Int("votes_for")
				entitled, ok2 := e.Facts.Int("members_entitled")
				written, _ := e.Facts.Int("written_votes_for")
				if !ok1 || !ok2 || (votes+written)*2 > entitled {
					return Why{}
				}
				if written > 0 {
					return because("reason.majority_written", fmt.Sprintf("赞成 %d 人（含书面意见 %d 人）未超过应到会有表决权的正式党员 %d 人的半数", votes+written, written, entitled), "Votes", votes+written, "Written", written, "Entitled", entitled)
				}
				return because("reason.majority", fmt.Sprintf("赞成 %d 人未超过应到会有表决权的正式党员 %d 人的半数", votes, entitled), "Votes", votes, "Entitled", entitled)
			},
		},
		atMost("present_within_entitled", quorumArticle, "members_present", "members_entitled",
			"到会人数不能多于应到会人数", "Attendance cannot exceed the members who should attend",
			"到会人数 %d 多于应到会人数 %d"),
		atMost("votes_within_present", majorityArticle, "votes_for", "members_present",
			"到会赞成人数不能多于到会人数", "Votes in favour at the meeting cannot exceed attendance",
			"到会赞成 %d 人多于到会人数 %d"),
		{
			ID: "written_within_absent", Article: majorityArticle,
			Message: "书面赞成人数不能多于未到会人数", MessageEn: "Written votes cannot exceed the members absent",
			Check: func(e Env) Why {
				written, ok1 := e.Facts.Int("written_votes_for")
				present, ok2 := e.Facts.Int("members_present")
				entitled, ok3 := e.Facts.Int("members_entitled")
				if ok1 && ok2 && ok3 && written > max(entitled-present, 0) {
					return because("reason.written_within_absent", fmt.Sprintf("书面赞成 %d 人多于未到会人数 %d", written, max(entitled-present, 0)), "Written", written, "Absent", max(entitled-present, 0))
				}
				return Why{}
			},
		},
	}
}

// atMost is a consistency rule between two counts of a meeting: fact may not
// exceed limit. why formats the refusal with both numbers; the catalog
// words it as "reason.<id>" with N and Max.
func atMost(id, article, fact, limit, message, messageEn, why string) Rule {
	return Rule{
		ID: id, Article: article, Message: message, MessageEn: messageEn,
		Check: func(e Env) Why {
			n, ok1 := e.Facts.Int(fact)
			m, ok2 := e.Facts.Int(limit)
			if ok1 && ok2 && n > m {
				return because("reason."+id, fmt.Sprintf(why, n, m), "N", n, "Max", m)
			}
			return Why{}
		},
	}
}

// concat joins lists of facts or rules inside the data literals.
func concat[T any](parts ...[]T) []T {
	var out []T
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// withdrawStep lets the branch record that a candidate withdraws at any stage
// before the end (入党自愿原则, 细则 第三条).
func withdrawStep(from seedling.Stage) Step {
	return Step{
		From: from, To: seedling.StageWithdrawn, Kind: KindWithdraw,
		Label: "本人撤回入党申请", LabelEn: "Withdraw at own request",
		EffectiveFact: "requested_on",
		Facts: []FactSpec{
			{Name: "requested_on", Type: TypeDate, Required: true, Label: "本人提出撤回日期", LabelEn: "Date of the request"},
			{Name: "reason", Type: TypeText, Required: true, Max: intp(2000), Label: "撤回原因", LabelEn: "Reason"},
		},
	}
}
