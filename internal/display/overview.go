package display

import (
	"time"

	"seedling/internal/calendar"
)

// LateAfterDays is how many working days after a period's end its display
// may be published before it counts as late. The plan says only 每季度、
// 每半年公示; we chose two working weeks for the branch to check the
// ledgers first (docs/decisions.md, "Display and calendar").
const LateAfterDays = 10

// DueBy is the last day a period's display is on time.
func DueBy(cal *calendar.Calendar, p Period) time.Time {
	w, err := cal.WindowFrom(p.Last().AddDate(0, 0, 1), LateAfterDays)
	if err != nil {
		return p.Last()
	}
	return w.Closes
}

// Periods lists the quarters and half-years of a year that have ended on
// today, in order: the columns of the committee's overview.
func Periods(year int, today time.Time) []Period {
	var out []Period
	for _, p := range []Period{{Year: year, Quarter: 1}, {Year: year, Quarter: 2}, {Year: year, Half: 1},
		{Year: year, Quarter: 3}, {Year: year, Quarter: 4}, {Year: year, Half: 2}} {
		if today.After(p.Last()) {
			out = append(out, p)
		}
	}
	return out
}

// OverviewCell is one node and period of the committee's overview.
type OverviewCell struct {
	OrgID       int64
	OrgName     string
	Period      string
	DisplayID   *int64
	PublishedOn *time.Time
	DueBy       time.Time
	Late        bool
	Raised      int
	Upheld      int
	Rejected    int
	Open        int
	AvgDays     float64 // mean calendar days from raising to answer, over answered ones
}

// Judge fills in whether the cell is late on today: published after its
// due day, or not published and past it.
func (c *OverviewCell) Judge(dueBy, today time.Time) {
	c.DueBy = dueBy
	switch {
	case c.PublishedOn != nil:
		c.Late = c.PublishedOn.After(dueBy)
	default:
		c.Late = today.After(dueBy)
	}
}
