package display

import (
	"time"

	"seedling/internal/calendar"
	"seedling/internal/seedling"
)

// LastEndedPeriods are the periods whose displays are owed after the last
// quarter that has ended on today: that quarter and, when it closes a
// half-year (June, December), the half-year too (每季度、每半年公示).
func LastEndedPeriods(today time.Time) []Period {
	q := LastEnded(today)
	if q.Quarter%2 == 0 {
		return []Period{q, {Year: q.Year, Half: q.Quarter / 2}}
	}
	return []Period{q}
}

// Owing is what the store knows of one node for one period: enough to say
// whether the node owes the period's display and has published it.
type Owing struct {
	Kind seedling.OrgKind
	// HasPeople: activists or probationary members (Stages) live in the
	// node's subtree now, so there is someone to display.
	HasPeople bool
	// HoldsDisplays: the node has published a display of its own for
	// another period.
	HoldsDisplays bool
	// Published: a display of the node for the period has been published.
	Published bool
}

// Owes reports whether the node owes the period's display. A branch with
// people owes every period; a party group owes it only once it holds
// displays of its own, since otherwise its people are on the branch's
// display (a branch's snapshot covers its groups).
func (o Owing) Owes() bool {
	if !o.HasPeople {
		return false
	}
	switch o.Kind {
	case seedling.KindBranch:
		return true
	case seedling.KindGroup:
		return o.HoldsDisplays
	}
	return false
}

// DaysLate says how many calendar days past its due day (DueBy) the node's
// display for p is on today: late is true only for a node that owes the
// display, has not published it, and whose due day has passed. A display
// published late is no longer outstanding; the committee's overview still
// counts it late (OverviewCell.Judge).
func DaysLate(cal *calendar.Calendar, p Period, o Owing, today time.Time) (dueBy time.Time, days int, late bool) {
	dueBy = DueBy(cal, p)
	y, m, d := today.Date()
	today = time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // a date, as DueBy's
	if !o.Owes() || o.Published || !today.After(dueBy) {
		return dueBy, 0, false
	}
	return dueBy, int(today.Sub(dueBy).Hours()) / 24, true
}
