package calendar

import (
	"testing"
	"time"

	"seedling/internal/seedling"
)

func day(s string) time.Time {
	d, err := seedling.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func dates(ds []time.Time) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Format(seedling.DateLayout)
	}
	return out
}

// The 2026 Spring Festival: 15–23 February off, Saturday 14 and Saturday
// 28 February worked instead (State Council notice of 2025).
func TestSpringFestival2026(t *testing.T) {
	var c *Calendar
	for _, tc := range []struct {
		day  string
		work bool
	}{
		{"2026-02-13", true},  // Friday
		{"2026-02-14", true},  // Saturday, make-up working day
		{"2026-02-15", false}, // Sunday, festival
		{"2026-02-16", false}, // Monday, festival
		{"2026-02-23", false}, // Monday, last day off
		{"2026-02-24", true},  // Tuesday, back at work
		{"2026-02-28", true},  // Saturday, make-up working day
		{"2026-03-01", false}, // ordinary Sunday
		{"2026-10-01", false}, // National Day
		{"2026-10-10", true},  // Saturday, make-up working day
	} {
		if got := c.IsWorkday(day(tc.day)); got != tc.work {
			t.Errorf("%s: workday = %v, want %v", tc.day, got, tc.work)
		}
	}
}

func TestWorkdaysAcrossTheFestival(t *testing.T) {
	var c *Calendar
	got, err := c.Workdays(day("2026-02-12"), 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-02-12", "2026-02-13", "2026-02-14", "2026-02-24", "2026-02-25"}
	if g := dates(got); len(g) != len(want) || g[0] != want[0] || g[2] != want[2] || g[3] != want[3] || g[4] != want[4] {
		t.Fatalf("workdays = %v, want %v", g, want)
	}
	// From a day off, counting starts at the next working day.
	got, _ = c.Workdays(day("2026-02-15"), 1)
	if g := dates(got); g[0] != "2026-02-24" {
		t.Fatalf("first workday after 2026-02-15 = %v, want 2026-02-24", g)
	}
}

func TestOverridesWinOverTheOfficialCalendar(t *testing.T) {
	c := New([]Override{
		{Day: day("2026-02-24"), Workday: false, Note: "本地放假"},
		{Day: day("2026-03-01"), Workday: true, Note: "补班"},
	})
	if c.IsWorkday(day("2026-02-24")) || !c.IsWorkday(day("2026-03-01")) {
		t.Fatal("overrides ignored")
	}
	w, err := c.WindowFrom(day("2026-02-20"), 2)
	if err != nil {
		t.Fatal(err)
	}
	if w.Opens != day("2026-02-25") || w.Closes != day("2026-02-26") {
		t.Fatalf("window = %v – %v", w.Opens, w.Closes)
	}
	if !w.Contains(day("2026-02-26")) || w.Contains(day("2026-02-27")) {
		t.Fatal("Contains is wrong at the edge")
	}
}

func TestBadInput(t *testing.T) {
	var c *Calendar
	for _, n := range []int{0, -1, MaxDays + 1} {
		if _, err := c.Workdays(day("2026-01-05"), n); seedling.ErrorCode(err) != seedling.EInvalid {
			t.Errorf("days=%d: %v, want invalid", n, err)
		}
	}
	for _, s := range []string{"2026-02-30", "2026-13-01", "26-01-01", "", "1900-01-01"} {
		if _, err := ParseDay("from", s); seedling.ErrorCode(err) != seedling.EInvalid {
			t.Errorf("%q: %v, want invalid", s, err)
		}
	}
	// A calendar overridden into nothing but holidays ends, with a rule error.
	var all []Override
	for d := day("2026-01-01"); d.Year() < 2030; d = d.AddDate(0, 0, 1) {
		all = append(all, Override{Day: d})
	}
	if _, err := New(all).Workdays(day("2026-01-01"), 5); seedling.ErrorCode(err) != seedling.ERule {
		t.Fatalf("all holidays: %v", err)
	}
	if !Known(2026) || Known(2090) {
		t.Fatal("Known is wrong")
	}
}
