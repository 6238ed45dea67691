package web

import (
	"testing"
	"time"
)

// A page shows an instant on China's clock with no zone letter: 19:30 UTC on
// 22 November is 03:30 on the 23rd in Ruzhou, which is the day a secretary
// means when she says when she recorded it.
func TestPagesShowChinaTime(t *testing.T) {
	at := time.Date(2026, 11, 22, 19, 30, 5, 0, time.UTC)
	if got := formatClock(at, "2006-01-02 15:04"); got != "2026-11-23 03:30" {
		t.Errorf("formatClock = %q, want 2026-11-23 03:30", got)
	}
	if got := formatClock(time.Time{}, "2006-01-02"); got != "" {
		t.Errorf("zero instant = %q, want nothing", got)
	}
}
