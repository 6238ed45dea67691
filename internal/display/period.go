// Package display holds the rules of the public display (公示) of points:
// which periods may be displayed, what a snapshot row holds and how its hash
// and verification code are made, the publication window, objections and
// their deadlines, who may object, name masking and what a reissue changed.
// It imports neither HTTP nor SQL; internal/postgres loads the facts and
// asks these functions.
package display

import (
	"fmt"
	"strconv"
	"time"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// Period is a quarter (2026Q3) or a half-year (2026H2) of China's calendar.
type Period struct {
	Year    int
	Quarter int // 1..4, or 0 for a half-year
	Half    int // 1..2, or 0 for a quarter
}

// ParsePeriod reads "2026Q3" or "2026H2"; anything else is invalid input.
func ParsePeriod(s string) (Period, error) {
	bad := seedling.FieldProblem(seedling.EInvalid, "period", "problem.period_format", "period must be a quarter (2026Q3) or a half-year (2026H2)")
	if len(s) != 6 {
		return Period{}, bad
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || y < 2000 || y > 2100 {
		return Period{}, bad
	}
	n := int(s[5] - '0')
	switch {
	case s[4] == 'Q' && n >= 1 && n <= 4:
		return Period{Year: y, Quarter: n}, nil
	case s[4] == 'H' && n >= 1 && n <= 2:
		return Period{Year: y, Half: n}, nil
	}
	return Period{}, bad
}

func (p Period) String() string {
	if p.Half > 0 {
		return fmt.Sprintf("%dH%d", p.Year, p.Half)
	}
	return fmt.Sprintf("%dQ%d", p.Year, p.Quarter)
}

// First and Last are the period's first and last days.
func (p Period) First() time.Time {
	m := 3*(p.Quarter-1) + 1
	if p.Half > 0 {
		m = 6*(p.Half-1) + 1
	}
	return time.Date(p.Year, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
}

func (p Period) Last() time.Time {
	months := 3
	if p.Half > 0 {
		months = 6
	}
	return p.First().AddDate(0, months, -1)
}

// LastQuarter is the ledger quarter the period ends with: the standing at
// the period's end counts every quarter up to it and scores under the
// rubric in force for it.
func (p Period) LastQuarter() ledger.Period { return ledger.PeriodOf(p.Last()) }

// CheckEnded refuses a period that has not ended on today, China's date: a
// display shows standings at the period's end.
func (p Period) CheckEnded(today time.Time) error {
	if !today.After(p.Last()) {
		return &seedling.Error{Code: seedling.ERule, Message: "the period " + p.String() + " has not ended yet",
			Fields: map[string]string{"period": "has not ended"}}
	}
	return nil
}

// LastEnded is the most recent quarter that has ended on today.
func LastEnded(today time.Time) Period {
	q := ledger.PeriodOf(today)
	q.Quarter--
	if q.Quarter == 0 {
		q.Year, q.Quarter = q.Year-1, 4
	}
	return Period{Year: q.Year, Quarter: q.Quarter}
}

// CheckNode refuses a node that is neither a branch nor a party group: the
// plan has 党小组、党支部 display their people's points.
func CheckNode(kind seedling.OrgKind) error {
	if kind != seedling.KindBranch && kind != seedling.KindGroup {
		return seedling.FieldProblem(seedling.EInvalid, "org_id", "problem.display_node", "a display is made for a party branch or a party group")
	}
	return nil
}
