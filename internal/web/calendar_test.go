package web

import (
	"fmt"
	"strings"
	"testing"
)

// The 2026 Spring Festival: five working days from 12 February run over the
// make-up Saturday of the 14th and skip the festival to the 25th.
func TestWorkdaysAPI(t *testing.T) {
	app := newTestApp(t)
	tok := app.login("secretary")
	r := app.call("GET", "/api/v1/calendar/workdays?from=2026-02-12&days=5", tok, nil)
	expectStatus(t, r, 200)
	got := r.JSON(t)
	if fmt.Sprint(got["dates"]) != "[2026-02-12 2026-02-13 2026-02-14 2026-02-24 2026-02-25]" || got["until"] != "2026-02-25" ||
		got["from"] != "2026-02-12" || got["days"] != float64(5) {
		t.Fatalf("answer: %s", r.Body)
	}
	// From a day off the count starts at the next working day.
	r = app.call("GET", "/api/v1/calendar/workdays?from=2026-10-01&days=1", tok, nil)
	if fmt.Sprint(r.JSON(t)["dates"]) != "[2026-10-08]" {
		t.Fatalf("after National Day: %s", r.Body)
	}
}

func TestWorkdaysBadInput(t *testing.T) {
	app := newTestApp(t)
	tok := app.login("secretary")
	for _, q := range []string{"from=2026-02-30&days=5", "from=2026-13-01&days=5", "from=&days=5", "from=2026-02-12&days=0",
		"from=2026-02-12&days=251", "from=2026-02-12&days=-3", "from=2026-02-12&days=abc", "from=2026-02-12&days=99999999999999999999"} {
		r := app.call("GET", "/api/v1/calendar/workdays?"+q, tok, nil)
		if r.Status != 400 || r.errorCode() != "invalid" || !strings.Contains(string(r.Body), `"fields"`) {
			t.Errorf("%s: %d %s", q, r.Status, r.Body)
		}
	}
}

// The organisation department sets a day through the API; the answer and
// the audit trail follow, and nobody else may.
func TestCalendarOverride(t *testing.T) {
	app := newTestApp(t)
	admin, sec := app.login("admin"), app.login("secretary")
	r := app.call("POST", "/api/v1/calendar/overrides", sec, map[string]any{"day": "2026-02-24", "workday": false})
	expectStatus(t, r, 403)
	r = app.call("POST", "/api/v1/calendar/overrides", admin, map[string]any{"day": "2026-02-30", "workday": false})
	expectStatus(t, r, 400)
	r = app.call("POST", "/api/v1/calendar/overrides", admin, map[string]any{"day": "2026-02-24", "workday": false, "note": "本地调整"})
	expectStatus(t, r, 200)
	r = app.call("GET", "/api/v1/calendar/workdays?from=2026-02-24&days=1", sec, nil)
	if fmt.Sprint(r.JSON(t)["dates"]) != "[2026-02-25]" {
		t.Fatalf("override ignored: %s", r.Body)
	}
	var n int
	app.db.Get(&n, `SELECT count(*) FROM audit_events WHERE action = 'calendar.set' AND target = 'day:2026-02-24'`)
	if n != 1 {
		t.Fatalf("audit rows: %d", n)
	}
	// Back to the official calendar.
	r = app.call("POST", "/api/v1/calendar/overrides", admin, map[string]any{"day": "2026-02-24", "workday": nil})
	expectStatus(t, r, 200)
	r = app.call("GET", "/api/v1/calendar/workdays?from=2026-02-24&days=1", sec, nil)
	if fmt.Sprint(r.JSON(t)["dates"]) != "[2026-02-24]" {
		t.Fatalf("reset ignored: %s", r.Body)
	}
	r = app.form("POST", "/calendar", admin, "day=2027-02-30&choice=holiday")
	expectStatus(t, r, 400)
}
