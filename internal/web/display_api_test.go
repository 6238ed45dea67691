package web

import (
	"fmt"
	"testing"
	"time"
)

// clockAt moves the server's clock (the business date every rule reads) to
// 10:00 China time on a date.
func (a *testApp) clockAt(day string) {
	t, err := time.Parse("2006-01-02 15:04", day+" 02:00")
	if err != nil {
		a.t.Fatal(err)
	}
	a.srv.db.Now = func() time.Time { return t }
}

// publishedQ3 has branch A's secretary take and publish its 2026Q3 display
// on 12 October 2026, inside the display's window; it returns the
// secretary's session, the display's id and its first row's candidate.
func publishedQ3(t *testing.T, app *testApp, f *fixture) (sec string, did, cand int64) {
	t.Helper()
	app.clockAt("2026-10-12")
	sec = app.login("secretary")
	r := app.call("POST", "/api/v1/displays", sec, map[string]any{"org_id": f.orgA, "period": "2026Q3"})
	expectStatus(t, r, 201)
	did = id(t, r)
	cand = int64(r.JSON(t)["rows"].([]any)[0].(map[string]any)["candidate_id"].(float64))
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/displays/%d/publish", did), sec, nil), 200)
	return sec, did, cand
}

func id(t testing.TB, r response) int64 {
	t.Helper()
	return int64(r.JSON(t)["id"].(float64))
}

// The whole round: the secretary takes and publishes branch A's 2026Q3
// display, a member objects, the secretary upholds with a correcting entry
// in the same transaction, the ledger shows the entry linked to the
// objection, a second answer is refused, and the reissue shows the change.
func TestDisplayRound(t *testing.T) {
	app := newTestApp(t)
	f := newFixture(t, app)
	app.clockAt("2026-10-12") // Monday after National Day
	sec, member, com, sec2 := app.login("secretary"), app.login("member"), app.login("committee"), app.login("secretary2")

	r := app.call("POST", "/api/v1/displays", sec, map[string]any{"org_id": f.orgA, "period": "2026Q3"})
	expectStatus(t, r, 201)
	d := r.JSON(t)
	did := int64(d["id"].(float64))
	rows := d["rows"].([]any)
	if d["state"] != "draft" || len(rows) == 0 {
		t.Fatalf("draft: %s", r.Body)
	}
	row := rows[0].(map[string]any)
	cand := int64(row["candidate_id"].(float64))
	before := row["points"].(float64)

	expectStatus(t, app.call("POST", "/api/v1/displays", sec, map[string]any{"org_id": f.orgA, "period": "2026Q3"}), 409)
	expectStatus(t, app.call("GET", fmt.Sprintf("/api/v1/displays/%d", did), member, nil), 404) // a draft is not out yet

	r = app.call("POST", fmt.Sprintf("/api/v1/displays/%d/publish", did), sec, nil)
	expectStatus(t, r, 200)
	if p := r.JSON(t); p["state"] != "published" || p["opens_on"] != "2026-10-12" || p["closes_on"] != "2026-10-16" {
		t.Fatalf("publish: %s", r.Body)
	}
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/displays/%d/publish", did), sec, nil), 409)
	expectStatus(t, app.call("GET", fmt.Sprintf("/api/v1/displays/%d", did), member, nil), 200)
	expectStatus(t, app.call("GET", fmt.Sprintf("/api/v1/displays/%d", did), sec2, nil), 404)

	obj := fmt.Sprintf("/api/v1/displays/%d/objections", did)
	r = app.call("POST", obj, member, map[string]any{"candidate_id": cand, "text": "第三季度的志愿服务没有记分"})
	expectStatus(t, r, 201)
	o := r.JSON(t)
	if o["state"] != "open" || o["due_on"] != "2026-10-16" {
		t.Fatalf("objection: %s", r.Body)
	}
	oid := int64(o["id"].(float64))
	res := fmt.Sprintf("/api/v1/objections/%d/resolution", oid)
	uphold := map[string]any{"decision": "uphold", "reason": "经核实属实，补记",
		"correction": map[string]any{"category": "task_completion", "points": 3, "occurred_on": "2026-09-20", "description": "补记志愿服务（异议核实）"}}
	expectStatus(t, app.call("POST", res, com, uphold), 403)
	expectStatus(t, app.call("POST", res, sec2, uphold), 404)
	r = app.call("POST", res, sec, uphold)
	expectStatus(t, r, 200)
	if x := r.JSON(t); x["state"] != "upheld" || len(x["entry_ids"].([]any)) != 1 {
		t.Fatalf("resolution: %s", r.Body)
	}
	expectStatus(t, app.call("POST", res, sec, map[string]any{"decision": "reject", "reason": "再次"}), 409)

	r = app.call("GET", fmt.Sprintf("/api/v1/candidates/%d/ledger", cand), sec, nil)
	linked := 0
	for _, e := range r.JSON(t)["entries"].([]any) {
		if e.(map[string]any)["objection_id"] == float64(oid) {
			linked++
		}
	}
	if linked != 1 {
		t.Fatalf("the ledger has %d entries linked to the objection: %s", linked, r.Body)
	}

	r = app.call("POST", fmt.Sprintf("/api/v1/displays/%d/reissue", did), sec, nil)
	expectStatus(t, r, 201)
	re := r.JSON(t)
	ch := re["changes"].([]any)
	if re["previous_id"] != float64(did) || re["version"] != float64(2) || len(ch) != 1 {
		t.Fatalf("reissue: %s", r.Body)
	}
	c0 := ch[0].(map[string]any)
	if c0["candidate_id"] != float64(cand) || c0["before"].(map[string]any)["points"] != before {
		t.Fatalf("change: %v", c0)
	}
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/displays/%d/reissue", did), sec, nil), 409)
	// Both versions stay readable.
	expectStatus(t, app.call("GET", fmt.Sprintf("/api/v1/displays/%d", did), sec, nil), 200)

	// After the window closes: 422.
	app.clockAt("2026-10-19")
	r = app.call("POST", obj, member, map[string]any{"candidate_id": cand, "text": "晚了"})
	if r.Status != 422 || r.errorCode() != "rule_violated" {
		t.Fatalf("after the window: %d %s", r.Status, r.Body)
	}
	// Published rows are frozen in the database too, even for the owner.
	if _, err := app.db.Exec(`UPDATE display_rows SET points = points + 1 WHERE display_id = $1`, did); err == nil {
		t.Fatal("a published display's rows could be changed")
	}
	if _, err := app.db.Exec(`UPDATE displays SET hash = hash WHERE id = $1`, did); err == nil {
		t.Fatal("a published display could be changed")
	}
	var n int
	app.db.Get(&n, `SELECT count(*) FROM audit_events WHERE target = $1`, fmt.Sprintf("display:%d", did))
	if n != 4 { // create, publish, the objection, its answer
		t.Fatalf("audit rows: %d", n)
	}
}

// Every case of the "Bad input": a clear error in the fixed shape
// and nothing written.
func TestDisplayBadInput(t *testing.T) {
	app := newTestApp(t)
	f := newFixture(t, app)
	app.clockAt("2026-10-12")
	sec, member := app.login("secretary"), app.login("member")
	for name, tc := range map[string]struct {
		body   map[string]any
		status int
	}{
		"not a quarter or half-year": {map[string]any{"org_id": f.orgA, "period": "2026Q5"}, 400},
		"a month":                    {map[string]any{"org_id": f.orgA, "period": "2026-09"}, 400},
		"not ended":                  {map[string]any{"org_id": f.orgA, "period": "2026Q4"}, 422},
		"half-year not ended":        {map[string]any{"org_id": f.orgA, "period": "2026H2"}, 422},
		"a node outside the scope":   {map[string]any{"org_id": f.orgB, "period": "2026Q3"}, 404},
		"no node":                    {map[string]any{"period": "2026Q3"}, 400},
	} {
		r := app.call("POST", "/api/v1/displays", sec, tc.body)
		if r.Status != tc.status || r.errorCode() == "" {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	// A committee is neither a branch nor a party group: its committee is
	// told so.
	r := app.call("POST", "/api/v1/displays", app.login("committee"), map[string]any{"org_id": f.comA, "period": "2026Q3"})
	if r.Status != 400 || r.errorCode() != "invalid" {
		t.Errorf("a committee: %d %s", r.Status, r.Body)
	}
	var n, before int
	app.db.Get(&before, `SELECT count(*) FROM objections`)
	app.db.Get(&n, `SELECT count(*) FROM displays WHERE period IN ('2026Q3', '2026Q4', '2026H2')`)
	if n != 0 {
		t.Fatalf("%d displays written by bad input", n)
	}

	r = app.call("POST", "/api/v1/displays", sec, map[string]any{"org_id": f.orgA, "period": "2026Q3"})
	expectStatus(t, r, 201)
	did := id(t, r)
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/displays/%d/publish", did), sec, nil), 200)
	obj := fmt.Sprintf("/api/v1/displays/%d/objections", did)
	for name, body := range map[string]map[string]any{
		"empty text":         {"candidate_id": f.candA, "text": "   "},
		"row not in display": {"candidate_id": f.candB, "text": "不在本支部"},
		"paper by a member":  {"candidate_id": f.candA, "text": "x", "channel": "paper", "from": "王"},
	} {
		r := app.call("POST", obj, member, body)
		if r.Status != 400 && r.Status != 403 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	app.db.Get(&n, `SELECT count(*) FROM objections`)
	if n != before {
		t.Fatalf("%d objections written by bad input", n-before)
	}
	r = app.call("POST", obj, sec, map[string]any{"candidate_id": f.candA, "text": "电话反映分数偏低", "channel": "phone", "from": "群众王某"})
	expectStatus(t, r, 201)
	res := fmt.Sprintf("/api/v1/objections/%d/resolution", id(t, r))
	for name, body := range map[string]map[string]any{
		"uphold without a correction": {"decision": "uphold", "reason": "属实"},
		"no reason":                   {"decision": "reject", "reason": ""},
		"unknown decision":            {"decision": "maybe", "reason": "x"},
		"bad correction":              {"decision": "uphold", "reason": "属实", "correction": map[string]any{"category": "nope", "points": 1, "occurred_on": "2026-09-01", "description": "x"}},
		"reversal of another's entry": {"decision": "uphold", "reason": "属实", "reverse_entry_id": f.freshEntry(f.candB)},
	} {
		r := app.call("POST", res, sec, body)
		if r.Status != 400 && r.Status != 422 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	app.db.Get(&n, `SELECT count(*) FROM objection_resolutions r JOIN objections o ON o.id = r.objection_id WHERE o.display_id = $1`, did)
	if n != 0 {
		t.Fatalf("%d resolutions written by bad input", n)
	}
	expectStatus(t, app.call("POST", res, app.login("secretary2"), map[string]any{"decision": "reject", "reason": "x"}), 404)
	expectStatus(t, app.call("POST", res, member, map[string]any{"decision": "reject", "reason": "x"}), 403)
}
