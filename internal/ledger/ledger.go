// Package ledger holds the points ledger of the seedling plan (平时积分台账):
// the rubric as versioned data, the rules a new entry must pass, the hash
// chain that makes a changed or removed row visible, and the 100-point score
// with the 80-point door to being named a development target.
//
// The package is pure: no SQL, no HTTP, no clock. Callers pass "today" (see
// seedling.Today) so that every rule can be tested on any date.
package ledger

import (
	"fmt"
	"strconv"
	"time"
)

// Kinds of chain rows. An entry awards or deducts points; a reversal cancels
// one entry and says why; an evidence row records that a file with a given
// SHA-256 was attached to an entry, so that a swapped or removed file breaks
// the chain like a changed entry would.
const (
	KindEntry    = "entry"
	KindReversal = "reversal"
	KindEvidence = "evidence"
)

// Entry is one row of a candidate's ledger as people see it: an entry or a
// reversal, with the evidence attached to it.
type Entry struct {
	ID             int64
	CandidateID    int64
	Seq            int
	Kind           string
	Category       string
	Points         int
	OccurredOn     time.Time
	Period         string
	Description    string
	Reverses       *int64 // the entry this one reverses
	ReversesSeq    int
	ReversedBy     *int64 // the reversal that cancels this entry, if any
	ReversedSeq    int
	Reason         string
	LateReason     string // why a late record (补录) comes late; "" when it is not one
	RecordedBy     string // the username at the time of writing
	RecordedByID   *int64
	RecordedByName string // the display name, for pages
	RecordedAt     time.Time
	Hash           []byte
	Evidence       []Evidence
	ObjectionID    *int64 // the upheld objection this entry or reversal corrects
}

// Late reports whether the entry was recorded as a late record (补录):
// ledger.CheckEntry keeps a reason for those and only those.
func (e Entry) Late() bool { return e.LateReason != "" }

// Reversed reports whether a later reversal cancels this entry.
func (e Entry) Reversed() bool { return e.ReversedBy != nil }

// Standing is the points an entry still brings, before any cap: a reversed
// entry and its reversal cancel out, so both bring nothing, and evidence
// rows carry no points.
func (e Entry) Standing() int {
	if e.Kind != KindEntry || e.Reversed() {
		return 0
	}
	return e.Points
}

// Evidence is one file attached to an entry (佐证材料). The file itself lives
// in content-addressed storage under SHA256.
type Evidence struct {
	ID          int64
	EntryID     int64
	SHA256      string
	Name        string
	Size        int64
	ContentType string
	StoredAt    time.Time
}

// Period is a calendar quarter: points are displayed quarterly (季度公示) and
// a rubric version applies to whole quarters.
type Period struct{ Year, Quarter int }

// PeriodOf returns the quarter a date falls in.
func PeriodOf(d time.Time) Period { return Period{Year: d.Year(), Quarter: (int(d.Month())-1)/3 + 1} }

// ParsePeriod reads "2026Q3".
func ParsePeriod(s string) (Period, error) {
	if len(s) != 6 || s[4] != 'Q' || s[5] < '1' || s[5] > '4' {
		return Period{}, fmt.Errorf("period %q is not of the form 2026Q3", s)
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || y < 1900 {
		return Period{}, fmt.Errorf("period %q is not of the form 2026Q3", s)
	}
	return Period{Year: y, Quarter: int(s[5] - '0')}, nil
}

func (p Period) String() string { return fmt.Sprintf("%04dQ%d", p.Year, p.Quarter) }

// Start is the first day of the quarter.
func (p Period) Start() time.Time {
	return time.Date(p.Year, time.Month((p.Quarter-1)*3+1), 1, 0, 0, 0, 0, time.UTC)
}

// End is the last day of the quarter.
func (p Period) End() time.Time { return p.Next().Start().AddDate(0, 0, -1) }

// Next is the quarter after p.
func (p Period) Next() Period {
	if p.Quarter == 4 {
		return Period{Year: p.Year + 1, Quarter: 1}
	}
	return Period{Year: p.Year, Quarter: p.Quarter + 1}
}

// Prev is the quarter before p.
func (p Period) Prev() Period {
	if p.Quarter == 1 {
		return Period{Year: p.Year - 1, Quarter: 4}
	}
	return Period{Year: p.Year, Quarter: p.Quarter - 1}
}

// Contains reports whether the date d falls in p.
func (p Period) Contains(d time.Time) bool { return PeriodOf(d) == p }

// IsQuarterStart reports whether d is the first day of a quarter.
func IsQuarterStart(d time.Time) bool { return PeriodOf(d).Start().Equal(d) }
