package pipeline

import (
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
		return &seedling.Error{Code: seedling.EConflict, Message: fmt.Sprintf("this submission was already decided (%s)", sub.State),
			Fields: map[string]string{"state": sub.State}}
	}
	if actor.UserID == nil {
		return nil // the system itself (demo data, maintenance)
	}
	if sub.SubmittedBy == *actor.UserID {
		return &seedling.Error{Code: seedling.EForbidden, Message: "you submitted this; another committee member must decide it",
			Fields: map[string]string{"decided_by": "submitter"}}
	}
	if slices.Contains(recorders, *actor.UserID) {
		return &seedling.Error{Code: seedling.EForbidden, Message: "you recorded points for this candidate; another committee member must decide",
			Fields: map[string]string{"decided_by": "recorder"}}
	}
	return nil
}

// Recheck re-runs every rule of a pending submission's step as of the
// decision (细则: 一步一审; the committee approves what holds on the day it
// decides): the candidate as they are now, the score as of the date of the
// act, quotas, time rules and the facts as submitted, under the rule set the
// submission was checked with. A step that no longer holds is an ERule
// listing every reason; a candidate who has moved on is a conflict.
func (rs *RuleSet) Recheck(c Subject, sub Pending, today time.Time) error {
	if c.Stage != sub.From {
		return &seedling.Error{Code: seedling.EConflict, Message: fmt.Sprintf("the candidate is no longer at stage %s", sub.From),
			Fields: map[string]string{"from_stage": string(c.Stage)}}
	}
	recorded := sub.SubmittedOn
	if recorded.IsZero() {
		recorded = today
	}
	_, err := rs.check(c, sub.To, sub.Kind, sub.Facts, today, recorded)
	return err
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
		Check: func(e Env) string {
			for _, q := range e.Subject.Quotas {
				if q.Used >= q.Amount {
					return fmt.Sprintf("%s %d 年发展名额 %d 名，已确定 %d 名，名额已用完", q.OrgName, q.Year, q.Amount, q.Used)
				}
			}
			return ""
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
