package pipeline

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"seedling/internal/seedling"
)

// Submission states.
const (
	StatePending  = "pending"
	StateApproved = "approved"
	StateReturned = "returned"
)

// Pending is what a decision needs to know about a submission: its state,
// who made it, the step and the facts as stored, and the version of the
// rules it was checked under.
type Pending struct {
	State        string
	SubmittedBy  int64
	SubmittedOn  time.Time // the civil date in China of the submission
	RulesVersion string
	From, To     seedling.Stage
	Kind         string
	// Facts are as stored (decoded JSON: dates as "YYYY-MM-DD", numbers as
	// float64); Recheck normalises them again.
	Facts map[string]any
}

// CanDecide keeps the committee's decision honest: only a pending
// submission is decided, and never by whoever submitted it or recorded
// points in the candidate's ledger (separation of duties: 一步一审 means a
// second pair of eyes). recorders are the users who recorded the
// candidate's ledger entries.
func CanDecide(sub Pending, actor seedling.Actor, recorders []int64) error {
	if sub.State != StatePending {
		return (&seedling.Error{Code: seedling.EConflict, Message: fmt.Sprintf("this submission was already decided (%s)", sub.State),
			Fields: map[string]string{"state": sub.State}}).Keyed("problem.already_decided", "State", sub.State).
			KeyedField("state", "problem.already_decided", "State", sub.State)
	}
	if actor.UserID == nil {
		return nil // the system itself (demo data, maintenance)
	}
	if sub.SubmittedBy == *actor.UserID {
		return (&seedling.Error{Code: seedling.EForbidden, Message: "you submitted this; another committee member must decide it",
			Fields: map[string]string{"decided_by": "submitter"}}).Keyed("problem.decider_submitted").
			KeyedField("decided_by", "problem.decider_submitted")
	}
	if slices.Contains(recorders, *actor.UserID) {
		return (&seedling.Error{Code: seedling.EForbidden, Message: "you recorded points for this candidate; another committee member must decide",
			Fields: map[string]string{"decided_by": "recorder"}}).Keyed("problem.decider_recorded").
			KeyedField("decided_by", "problem.decider_recorded")
	}
	return nil
}

// Recheck re-runs every rule of a pending submission's step as of the
// decision (细则: 一步一审; the committee approves what holds on the day it
// decides): the candidate as they are now, the score as of the date of the
// act, quotas, time rules and the facts as submitted, under the rule set the
// submission was checked with. A step that no longer holds is an ERule
// listing every reason; a candidate who has moved on is a conflict.
//
// decision holds the committee's own facts (Step.DecisionFacts: its talk
// with the person, its vote); missing or broken ones are listed in the same
// 422 as the step's rules. It returns the decision facts, typed.
func (rs *RuleSet) Recheck(c Subject, sub Pending, decision map[string]any, today time.Time) (Facts, error) {
	if c.Stage != sub.From {
		return nil, (&seedling.Error{Code: seedling.EConflict, Message: fmt.Sprintf("the candidate is no longer at stage %s", sub.From),
			Fields: map[string]string{"from_stage": string(c.Stage)}}).Keyed("problem.stage_moved", "Stage", string(sub.From)).
			KeyedField("from_stage", "problem.stage_moved", "Stage", string(sub.From))
	}
	recorded := sub.SubmittedOn
	if recorded.IsZero() {
		recorded = today
	}
	prop, err := rs.check(c, sub.To, sub.Kind, sub.Facts, today, recorded)
	problems := seedling.NewProblems(seedling.ERule)
	if err != nil {
		if seedling.ErrorCode(err) != seedling.ERule {
			return nil, err
		}
		for f, why := range asFields(err) {
			problems.Add(f, why)
		}
	}
	step, ok := rs.Find(sub.From, sub.To, sub.Kind)
	if !ok || len(step.DecisionFacts) == 0 {
		return nil, problems.Err()
	}
	df, missing, derr := normalise(step.DecisionFacts, decision)
	if derr != nil {
		return nil, derr
	}
	for _, m := range missing {
		problems.AddProblem(m.Field, m.Why.Problem, m.Why.Text)
	}
	all := Facts{}
	for k, v := range prop.Facts {
		all[k] = v
	}
	for k, v := range df {
		all[k] = v
	}
	env := Env{Subject: c.normalised(), Facts: all, Today: dateOf(today), RecordedOn: dateOf(today), Rules: rs, Step: step}
	if err == nil {
		for _, r := range step.DecisionRules {
			if why := r.Check(env); why.Broken() {
				problems.AddProblem(r.ID, why.Problem, why.Text)
			}
		}
	}
	return df, problems.Err()
}

func asFields(err error) map[string]string {
	var e *seedling.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// committeeDecision: before approving an admission the committee sends one
// of its members or an organiser to talk with the person (细则 第二十三条)
// and decides by a collective vote of its members (第二十四条).
var committeeDecisionFacts = []FactSpec{
	{Name: "committee_talked_on", Type: TypeDate, Required: true,
		Label: "党委委员或组织员谈话日期", LabelEn: "Date of the committee's talk with the person",
		Note:   "党委审批前，应当指派党委委员或组织员同发展对象谈话（细则 第二十三条）",
		NoteEn: "Before approving, the committee sends a member or an organiser to talk with the development target (Rules (2014), Art. 23)"},
	{Name: "committee_members", Type: TypeInt, Required: true, Min: intp(1), Max: intp(100),
		Label: "应到会党委委员人数", LabelEn: "Committee members who should attend"},
	{Name: "committee_present", Type: TypeInt, Required: true, Min: intp(0), Max: intp(100),
		Label: "实到会党委委员人数", LabelEn: "Committee members present"},
	{Name: "committee_for", Type: TypeInt, Required: true, Min: intp(0), Max: intp(100),
		Label: "表决赞成人数", LabelEn: "Committee members in favour"},
}

func committeeDecisionRules() []Rule {
	return []Rule{
		dateNotBefore("committee_talk_after_meeting", "细则 第二十三条", "committee_talked_on", "meeting_on",
			"党委谈话在支部大会通过之后、审批之前", "The committee's talk follows the general meeting"),
		{
			ID: "committee_talk_before_decision", Article: "细则 第二十三条",
			Message: "党委谈话须在审批之前", MessageEn: "The committee's talk precedes its decision",
			Check: func(e Env) Why {
				if d, ok := e.Facts.Date("committee_talked_on"); ok && d.After(e.Today) {
					return because("reason.committee_talk_after", fmt.Sprintf("谈话日期 %s 晚于审批日期 %s", fmtDate(d), fmtDate(e.Today)), "Talked", fmtDate(d), "Today", fmtDate(e.Today))
				}
				return Why{}
			},
		},
		{
			ID: "committee_vote", Article: "细则 第二十四条",
			Message:   "党委审批须集体讨论，到会委员和赞成票均须超过应到会委员的半数",
			MessageEn: "The committee decides by a collective vote: more than half present and in favour",
			Check: func(e Env) Why {
				members, ok1 := e.Facts.Int("committee_members")
				present, ok2 := e.Facts.Int("committee_present")
				votes, ok3 := e.Facts.Int("committee_for")
				switch {
				case !ok1 || !ok2 || !ok3:
					return Why{}
				case present > members || votes > present:
					return because("reason.committee_counts", fmt.Sprintf("人数不一致：应到 %d、实到 %d、赞成 %d", members, present, votes), "Members", members, "Present", present, "Votes", votes)
				case present*2 <= members:
					return because("reason.committee_quorum", fmt.Sprintf("到会委员 %d 人未超过应到会委员 %d 人的半数", present, members), "Present", present, "Members", members)
				case votes*2 <= members:
					return because("reason.committee_majority", fmt.Sprintf("赞成 %d 人未超过应到会委员 %d 人的半数", votes, members), "Votes", votes, "Members", members)
				}
				return Why{}
			},
		},
	}
}

// Quota is one yearly development quota (发展党员年度计划) of a node above
// the candidate, with the places already taken.
type Quota struct {
	OrgName      string
	Year         int
	Amount, Used int
}

// ruleQuotaLeft: a development target takes one place of the year's quota
// of every node above the candidate that has one.
func ruleQuotaLeft() Rule {
	return Rule{
		ID:        "quota",
		Article:   "细则 第一章（发展党员工作规划和年度计划）",
		Message:   "发展对象须在本年度发展名额之内",
		MessageEn: "A development target takes a place of the year's quota",
		Check: func(e Env) Why {
			for _, q := range e.Subject.Quotas {
				if q.Used >= q.Amount {
					return because("reason.quota_used", fmt.Sprintf("%s %d 年发展名额 %d 名，已确定 %d 名，名额已用完", q.OrgName, q.Year, q.Amount, q.Used), "Org", q.OrgName, "Year", q.Year, "Amount", q.Amount, "Used", q.Used)
				}
			}
			return Why{}
		},
	}
}

// FiledWith says whether an approved step is filed (备案) and how many
// committees above the branch's own it goes to: naming an activist (细则
// 第八条) or a development target (第十三条) is filed with the committee
// above the branch (level 0); an admission (第二十四条) with the committee
// above that one (level 1).
func FiledWith(to seedling.Stage) (level int, filed bool) {
	switch to {
	case seedling.StageActivist, seedling.StageTarget:
		return 0, true
	case seedling.StageProbationary:
		return 1, true
	}
	return 0, false
}
