package display

import (
	"time"

	"seedling/internal/calendar"
	"seedling/internal/seedling"
)

// Steps a pre-admission notice (公示) comes before: naming a development
// target and admission as a probationary member.
const (
	NoticeTarget    = "target"
	NoticeAdmission = "admission"
)

// NoticeStage is the stage a person must be at for a notice of a step: a
// target is named from the activists, an admission is of a target.
func NoticeStage(step string) (seedling.Stage, bool) {
	switch step {
	case NoticeTarget:
		return seedling.StageActivist, true
	case NoticeAdmission:
		return seedling.StageTarget, true
	}
	return "", false
}

// NoticeLeadsTo is the stage the step of a notice leads to.
func NoticeLeadsTo(step string) (seedling.Stage, bool) {
	switch step {
	case NoticeTarget:
		return seedling.StageTarget, true
	case NoticeAdmission:
		return seedling.StageProbationary, true
	}
	return "", false
}

// Notice is one published pre-admission notice of a person.
type Notice struct {
	ID            int64
	CandidateID   int64
	CandidateName string
	OrgPath       string
	Step          string
	Window        calendar.Window
	ObjectionDays int
	PublishedBy   string
	PublishedAt   time.Time
}

// CheckNotice validates a notice as asked for: a known step and a person at
// the stage the step starts from. The window opens on the day of
// publication (or the next working day) and lasts days working days.
// running says a notice of the person for the step is still open: a second
// one at the same time is a conflict.
func CheckNotice(step string, stage seedling.Stage, running bool, today time.Time, cal *calendar.Calendar, days int) (calendar.Window, error) {
	want, ok := NoticeStage(step)
	if !ok {
		return calendar.Window{}, seedling.FieldProblem(seedling.EInvalid, "step", "problem.notice_step", "step must be target or admission")
	}
	if running {
		return calendar.Window{}, seedling.Errorf(seedling.EConflict, "a notice of this person for this step is still running").Keyed("problem.notice_running")
	}
	if stage != want {
		return calendar.Window{}, &seedling.Error{Code: seedling.ERule, Message: "this notice is for a person at stage " + string(want) + "; the person is at stage " + string(stage),
			Fields: map[string]string{"step": "wrong_stage"}}
	}
	return cal.WindowFrom(today, max(days, 1))
}

// CheckRaiseOn validates an objection to the notice: it is about the
// person of the notice and raised while the window is open.
func (n Notice) CheckRaiseOn(r Raise, today time.Time, recorder bool, cal *calendar.Calendar) (Raise, time.Time, error) {
	r.CandidateID = n.CandidateID
	w := n.Window
	return CheckRaise(r, true, &w, today, recorder, cal, max(n.ObjectionDays, 1))
}
