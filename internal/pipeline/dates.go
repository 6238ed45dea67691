package pipeline

import (
	"time"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// dateOf drops the clock: every date in this domain is a civil date.
func dateOf(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func datePtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	d := dateOf(*t)
	return &d
}

func fmtDate(t time.Time) string { return t.Format(seedling.DateLayout) }

// days is the whole number of days from a to b (negative if b is before a).
func days(a, b time.Time) int {
	return int(dateOf(b).Sub(dateOf(a)).Hours() / 24)
}

// activistSince is when the subject became an activist: the recorded date, or
// the start of the current stage while they still are one.
func activistSince(c Subject) (time.Time, bool) {
	if c.ActivistSince != nil {
		return *c.ActivistSince, true
	}
	if c.Stage == seedling.StageActivist && !c.StageSince.IsZero() {
		return c.StageSince, true
	}
	return time.Time{}, false
}

// probationSince is when probation began: the recorded date, or the start of
// the current stage while the subject is probationary.
func probationSince(c Subject) (time.Time, bool) {
	if c.ProbationSince != nil {
		return *c.ProbationSince, true
	}
	if c.Stage == seedling.StageProbationary && !c.StageSince.IsZero() {
		return c.StageSince, true
	}
	return time.Time{}, false
}

// trainingEnd is the first day the subject may be named a development target.
func (rs *RuleSet) trainingEnd(c Subject) (time.Time, bool) {
	since, ok := activistSince(c)
	if !ok {
		return time.Time{}, false
	}
	return rs.Door().TrainingEnd(since), true
}

// Door is the score and training period that open the way to being named a
// development target, as the ledger's pages read them: the same numbers and
// the same date arithmetic as the training_one_year and score_threshold rules.
func (rs *RuleSet) Door() ledger.Door {
	return ledger.Door{MinScore: rs.MinScore, TrainingMonths: orDefault(rs.TrainingMonths, 12)}
}

// Late is the backdating bound of ledger entries: the same late_record_days
// that makes a submission a late record (补录) makes an entry one.
func (rs *RuleSet) Late() ledger.LateRule { return ledger.LateRule{Days: rs.LateRecordDays} }

// probationEnd is the first day the general meeting may discuss conversion:
// the probation plus any extension already granted.
func (rs *RuleSet) probationEnd(c Subject) (time.Time, bool) {
	since, ok := probationSince(c)
	if !ok {
		return time.Time{}, false
	}
	return seedling.AddMonths(since, orDefault(rs.ProbationMonths, 12)+max(c.ProbationExtendedMonths, 0)), true
}

// probationEndBeforeExtension is the end of the probation as first set: the
// day an extension is discussed (细则 第三十二条: 预备期满时).
func (rs *RuleSet) probationEndBeforeExtension(c Subject) (time.Time, bool) {
	since, ok := probationSince(c)
	if !ok {
		return time.Time{}, false
	}
	return seedling.AddMonths(since, orDefault(rs.ProbationMonths, 12)), true
}
