package seedling

import "time"

// Visit is what an account's start page remembers of its visits, so that it
// can lead with what changed since the person last looked.
type Visit struct {
	Since *time.Time // what "since your last visit" means in this sitting
	Seen  *time.Time // the latest look at the start page
}

// SittingGap is how long a start page may stay unvisited before the next
// visit begins a new sitting. Within a sitting a reload keeps Since, so the
// counts a person is working through do not vanish when they come back to
// the start page after each action.
const SittingGap = 30 * time.Minute

// FirstVisitDays is how far back a first visit looks, with no earlier visit
// to count from.
const FirstVisitDays = 30

// Next is the visit after a look at now. A look more than SittingGap after
// the last begins a sitting whose news is what happened since that last
// look; a first look counts from FirstVisitDays ago.
func (v Visit) Next(now time.Time) Visit {
	since := v.Since
	switch {
	case v.Seen == nil:
		s := now.AddDate(0, 0, -FirstVisitDays)
		since = &s
	case now.Sub(*v.Seen) > SittingGap || since == nil:
		s := *v.Seen
		since = &s
	}
	return Visit{Since: since, Seen: &now}
}
