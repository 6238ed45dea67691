package web

import (
	"fmt"
	"strings"
	"testing"
)

// A branch that has not published its display of the last ended quarter by
// display.DueBy is overdue in the due list of its secretary and of every
// committee above, with the period and the days late; a branch that
// published on time is not. The start page shows the late item.
func TestLateDisplayInTheDueList(t *testing.T) {
	app := newTestApp(t)
	f := newFixture(t, app)
	var published int
	app.db.Get(&published, `SELECT count(*) FROM displays WHERE org_id IN ($1, $2) AND period = '2026Q3'`, f.orgA, f.orgB)
	if published != 0 {
		t.Fatalf("the demo already holds %d displays of 2026Q3 for branches A and B", published)
	}
	app.clockAt("2026-10-12")
	sec := app.login("secretary")
	r := app.call("POST", "/api/v1/displays", sec, map[string]any{"org_id": f.orgA, "period": "2026Q3"})
	expectStatus(t, r, 201)
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/displays/%d/publish", id(t, r)), sec, nil), 200)

	// 2026Q3 was due by 20 October (ten working days after the National Day week).
	app.clockAt("2026-11-02")
	late := func(token string) map[int64]map[string]any {
		t.Helper()
		r := app.call("GET", "/api/v1/due", token, nil)
		expectStatus(t, r, 200)
		out := map[int64]map[string]any{}
		for _, it := range r.JSON(t)["items"].([]any) {
			m := it.(map[string]any)
			if m["kind"] == "display_late" {
				out[int64(m["org_id"].(float64))] = m
			}
		}
		return out
	}
	admin := late(app.login("admin"))
	b, ok := admin[f.orgB]
	if !ok {
		t.Fatalf("the city's due list lacks branch B's late display: %v", admin)
	}
	if b["status"] != "overdue" || b["due_on"] != "2026-10-20" {
		t.Errorf("branch B's late display: %v", b)
	}
	if msg, _ := b["message"].(string); !strings.Contains(msg, "2026Q3") || !strings.Contains(msg, "13") {
		t.Errorf("branch B's late display does not say the period and the days: %q", msg)
	}
	if _, ok := admin[f.orgA]; ok {
		t.Errorf("branch A published on time and is late: %v", admin[f.orgA])
	}
	if _, ok := late(app.login("committee"))[f.orgA]; ok {
		t.Error("branch A is late in its committee's due list")
	}
	sec2 := app.login("secretary2")
	if _, ok := late(sec2)[f.orgB]; !ok {
		t.Error("branch B's secretary does not see the late display")
	}
	r = app.form("GET", "/", sec2, "")
	expectStatus(t, r, 200)
	if !strings.Contains(string(r.Body), "2026Q3 积分公示应于 2026-10-20 前发布，已逾期 13 天") {
		t.Errorf("branch B's start page lacks the late display")
	}
}
