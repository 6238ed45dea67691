package seedling

import (
	"testing"
	"time"
)

// A start page's "since last visit": a first visit looks a month back; a
// reload within a sitting keeps the mark; a visit after a break counts from
// the last look of the sitting before.
func TestVisitNext(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	v := Visit{}.Next(t0)
	if !v.Since.Equal(t0.AddDate(0, 0, -FirstVisitDays)) || !v.Seen.Equal(t0) {
		t.Fatalf("first visit: %v %v", v.Since, v.Seen)
	}
	first := *v.Since
	v = v.Next(t0.Add(10 * time.Minute))
	v = v.Next(t0.Add(35 * time.Minute))
	if !v.Since.Equal(first) || !v.Seen.Equal(t0.Add(35*time.Minute)) {
		t.Fatalf("reloads within a sitting moved the mark: %v %v", v.Since, v.Seen)
	}
	next := t0.Add(35*time.Minute + SittingGap + time.Second)
	v = v.Next(next)
	if !v.Since.Equal(t0.Add(35*time.Minute)) || !v.Seen.Equal(next) {
		t.Fatalf("a new sitting: since %v, want the last look %v", v.Since, t0.Add(35*time.Minute))
	}
}
