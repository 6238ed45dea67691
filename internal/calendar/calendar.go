// Package calendar knows China's working days: weekends, the official public
// holidays and the make-up working days (调休上班) the State Council publishes
// each year, and the dates the organisation department adds or overrides for
// a year the library does not know yet. Display windows, objection deadlines
// and pre-admission notices all count working days here, so they agree.
//
// Days are civil dates in China (UTC+8), held as midnight UTC like every date
// of the domain (see seedling.ParseDate and seedling.Today).
package calendar

import (
	"fmt"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"

	"seedling/internal/seedling"
)

// MaxDays bounds a count of working days: a year's worth is more than any
// window of the process needs, and it bounds the work one request can ask for.
const MaxDays = 250

// Override is one date the organisation department set: a working day or a
// day off, whatever the library and the weekday say.
type Override struct {
	Day     time.Time `json:"day"`
	Workday bool      `json:"workday"`
	Note    string    `json:"note"`
}

// Calendar answers which days are working days. The zero value knows the
// official calendar and no overrides.
type Calendar struct {
	overrides map[time.Time]bool
}

// New builds a calendar with the department's overrides on top of the
// official calendar; a later override of the same day wins.
func New(overrides []Override) *Calendar {
	c := &Calendar{overrides: make(map[time.Time]bool, len(overrides))}
	for _, o := range overrides {
		c.overrides[civil(o.Day)] = o.Workday
	}
	return c
}

// Official says what the State Council's calendar says of a day: whether it
// is a working day, and the holiday's name when the day is a public holiday
// or a make-up working day ("" for an ordinary weekday or weekend).
func Official(day time.Time) (workday bool, holiday string) {
	d := civil(day)
	if h := HolidayUtil.GetHolidayByYmd(d.Year(), int(d.Month()), d.Day()); h != nil {
		return h.IsWork(), h.GetName()
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday, ""
}

// Known reports whether the library carries the official holidays of a
// year; for other years only weekends and overrides count, and the
// department should enter that year's dates.
func Known(year int) bool { return HolidayUtil.GetHolidaysByYear(year).Len() > 0 }

// IsWorkday reports whether day is a working day.
func (c *Calendar) IsWorkday(day time.Time) bool {
	d := civil(day)
	if c != nil {
		if w, ok := c.overrides[d]; ok {
			return w
		}
	}
	w, _ := Official(d)
	return w
}

// Workdays returns the n working days counted from from: from itself when
// it is a working day, else the next one.
func (c *Calendar) Workdays(from time.Time, n int) ([]time.Time, error) {
	if n < 1 || n > MaxDays {
		return nil, seedling.FieldProblem(seedling.EInvalid, "days", "problem.days_range", fmt.Sprintf("days must be between 1 and %d", MaxDays), "Max", MaxDays)
	}
	out := make([]time.Time, 0, n)
	// No year has more than a few weeks without a working day; the bound
	// only stops a calendar overridden into all holidays from looping.
	for d, tries := civil(from), 0; len(out) < n && tries < 4*MaxDays+60; d, tries = d.AddDate(0, 0, 1), tries+1 {
		if c.IsWorkday(d) {
			out = append(out, d)
		}
	}
	if len(out) < n {
		return nil, seedling.Errorf(seedling.ERule, "the calendar has too few working days after this date").Keyed("problem.calendar_too_few_workdays")
	}
	return out, nil
}

// Window is a span of n working days from a date: a display's publication
// window, an objection's time to answer, a notice's period.
type Window struct {
	Opens  time.Time
	Closes time.Time // the last working day, inclusive
}

// WindowFrom returns the window of n working days counted from from.
func (c *Calendar) WindowFrom(from time.Time, n int) (Window, error) {
	days, err := c.Workdays(from, n)
	if err != nil {
		return Window{}, err
	}
	return Window{Opens: days[0], Closes: days[len(days)-1]}, nil
}

// Contains reports whether day falls inside the window.
func (w Window) Contains(day time.Time) bool {
	d := civil(day)
	return !d.Before(w.Opens) && !d.After(w.Closes)
}

// ParseDay reads a YYYY-MM-DD date and refuses one that does not exist
// (2026-02-30), naming the field at fault.
func ParseDay(field, s string) (time.Time, error) {
	d, err := seedling.ParseDate(s)
	if err != nil {
		return time.Time{}, seedling.FieldProblem(seedling.EInvalid, field, "problem.date_format", field+" must be an existing date written YYYY-MM-DD")
	}
	if d.Year() < 2000 || d.Year() > 2100 {
		return time.Time{}, seedling.FieldProblem(seedling.EInvalid, field, "problem.year_range", field+" must lie between 2000 and 2100", "Min", 2000, "Max", 2100)
	}
	return d, nil
}

func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
