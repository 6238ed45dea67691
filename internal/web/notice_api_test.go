package web

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"seedling/internal/pipeline"
)

// withNoticeRules gives the server a rule set, in force since 2020, that
// asks for the pre-admission notice, loaded from a rules directory as a
// province's own version is.
func withNoticeRules(t *testing.T, app *testApp) {
	t.Helper()
	shipped, err := os.ReadFile("../../policies/rules/2014-ruzhou-1.json")
	if err != nil {
		t.Fatal(err)
	}
	own := strings.Replace(strings.Replace(string(shipped), `"2014-ruzhou-1"`, `"2020-notice-1"`, 1), `"2014-06-10"`, `"2020-01-01"`, 1)
	own = strings.Replace(own, `"pre_admission_notice": false`, `"pre_admission_notice": true`, 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notice.json"), []byte(own), 0o600); err != nil {
		t.Fatal(err)
	}
	reg, err := pipeline.LoadRegistry(dir)
	if err != nil {
		t.Fatal(err)
	}
	app.srv.registry = reg
}

// notice_completed through the API: without a notice the step to
// development target is refused; the secretary publishes the notice, a
// member objects during the window, the step is refused while the objection
// is open, the branch rejects it (no ledger correction) and the step goes
// through once the window has closed.
func TestNoticeCompletedBeforeTargetThroughTheAPI(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	withNoticeRules(t, app)
	sec, member, com, sec2 := app.login("secretary"), app.login("member"), app.login("committee"), app.login("secretary2")
	cand := eligibleActivists(t, app, "branch-a", 1)[0].id
	facts := map[string]any{"decided_on": day(1), "opinions_heard": true}

	r := submit(t, app, sec, cand, "target", facts)
	if r.Status != 422 || !strings.Contains(string(r.Body), "notice_completed") {
		t.Fatalf("without a notice: %d %s", r.Status, r.Body)
	}

	notices := fmt.Sprintf("/api/v1/candidates/%d/notices", cand)
	app.clockAt(day(30)) // the notice ran a month ago
	expectStatus(t, app.call("POST", notices, member, map[string]any{"step": "target"}), 403)
	expectStatus(t, app.call("POST", notices, sec2, map[string]any{"step": "target"}), 404)
	r = app.call("POST", notices, sec, map[string]any{"step": "target"})
	expectStatus(t, r, 201)
	n := r.JSON(t)
	nid := int64(n["id"].(float64))
	if n["open"] != true || n["step"] != "target" {
		t.Fatalf("notice: %s", r.Body)
	}
	expectStatus(t, app.call("POST", notices, sec, map[string]any{"step": "target"}), 409) // one runs already
	expectStatus(t, app.call("GET", fmt.Sprintf("/api/v1/notices/%d", nid), member, nil), 200)
	expectStatus(t, app.call("GET", fmt.Sprintf("/api/v1/notices/%d", nid), sec2, nil), 404)

	obj := fmt.Sprintf("/api/v1/notices/%d/objections", nid)
	r = app.call("POST", obj, member, map[string]any{"text": "该同志近期曾有违反工作纪律的情况"})
	expectStatus(t, r, 201)
	o := r.JSON(t)
	oid := int64(o["id"].(float64))
	if o["notice_id"] != float64(nid) || o["candidate_id"] != float64(cand) || o["display_id"] != nil {
		t.Fatalf("objection: %s", r.Body)
	}

	app.srv.db.Now = time.Now
	r = submit(t, app, sec, cand, "target", facts)
	if r.Status != 422 || !strings.Contains(string(r.Body), "尚未处理") {
		t.Fatalf("with an open objection: %d %s", r.Status, r.Body)
	}
	res := fmt.Sprintf("/api/v1/objections/%d/resolution", oid)
	expectStatus(t, app.call("POST", res, com, map[string]any{"decision": "reject", "reason": "经核实不属实"}), 403)
	expectStatus(t, app.call("POST", res, sec2, map[string]any{"decision": "reject", "reason": "经核实不属实"}), 404)
	expectStatus(t, app.call("POST", res, sec, map[string]any{"decision": "reject", "reason": "经核实不属实",
		"correction": map[string]any{"category": "task_completion", "points": 3, "occurred_on": day(2), "description": "x"}}), 400)
	r = app.call("POST", res, sec, map[string]any{"decision": "reject", "reason": "经核实不属实"})
	expectStatus(t, r, 200)
	if r.JSON(t)["state"] != "rejected" {
		t.Fatalf("resolution: %s", r.Body)
	}
	expectStatus(t, app.call("POST", res, sec, map[string]any{"decision": "reject", "reason": "再次"}), 409)

	expectStatus(t, submit(t, app, sec, cand, "target", facts), 201)

	// The notice is frozen in the database, even for the owner.
	if _, err := app.db.Exec(`UPDATE notices SET closes_on = closes_on + 30 WHERE id = $1`, nid); err == nil {
		t.Fatal("a published notice could be changed")
	}
	if _, err := app.db.Exec(`INSERT INTO objections (display_id, notice_id, candidate_id, text, channel, raised_by_name, raised_on, due_on)
		VALUES (NULL, NULL, $1, 'x', 'online', 'x', now(), now())`, cand); err == nil {
		t.Fatal("an objection about nothing was stored")
	}
	var audits int
	app.db.Get(&audits, `SELECT count(*) FROM audit_events WHERE target = $1`, fmt.Sprintf("notice:%d", nid))
	if audits != 2 { // the objection and its answer
		t.Fatalf("audit rows: %d", audits)
	}
}

// Bad input of the notice routes: a clear error in the fixed shape and
// nothing written.
func TestNoticeBadInput(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec, member := app.login("secretary"), app.login("member")
	notices := fmt.Sprintf("/api/v1/candidates/%d/notices", f.candA)
	for name, tc := range map[string]struct {
		body any
		want int
		code string
	}{
		"unknown step":       {map[string]any{"step": "full"}, 400, "invalid"},
		"no step":            {map[string]any{}, 400, "invalid"},
		"wrong stage":        {map[string]any{"step": "admission"}, 422, "rule_violated"},
		"step is not a text": {map[string]any{"step": 3}, 400, "invalid"},
		"unknown field":      {map[string]any{"step": "target", "x": 1}, 400, "invalid"},
	} {
		r := app.call("POST", notices, sec, tc.body)
		if r.Status != tc.want || r.errorCode() != tc.code {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	expectStatus(t, app.call("POST", "/api/v1/candidates/999999/notices", sec, map[string]any{"step": "target"}), 404)
	r := app.call("POST", notices, sec, map[string]any{"step": "target"})
	expectStatus(t, r, 201)
	obj := fmt.Sprintf("/api/v1/notices/%d/objections", id(t, r))
	for name, body := range map[string]any{
		"empty text":      map[string]any{"text": "  "},
		"unknown channel": map[string]any{"text": "x", "channel": "fax"},
	} {
		if r := app.call("POST", obj, member, body); r.Status != 400 || r.errorCode() != "invalid" {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	// Only the branch records objections received on paper.
	expectStatus(t, app.call("POST", obj, member, map[string]any{"text": "纸质", "channel": "paper", "from": "张三"}), 403)
	expectStatus(t, app.call("GET", "/api/v1/notices/999999", sec, nil), 404)
	var n int
	app.db.Get(&n, `SELECT count(*) FROM objections WHERE notice_id IS NOT NULL`)
	if n != 0 {
		t.Fatalf("%d objections written", n)
	}
	// After the window: 422.
	app.clockAt(time.Now().AddDate(0, 0, 30).Format("2006-01-02"))
	if r := app.call("POST", obj, member, map[string]any{"text": "晚了"}); r.Status != 422 {
		t.Fatalf("after the window: %d %s", r.Status, r.Body)
	}
}

// The notice page: the secretary publishes from it, a member reads and
// objects on it, the secretary answers there, in both languages' words.
func TestNoticePageRound(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec, member := app.login("secretary"), app.login("member")
	page := fmt.Sprintf("/candidates/%d/notices", f.candA2)
	r := app.form("POST", page, sec, "step=target")
	expectStatus(t, r, 303)
	var nid int64
	app.db.Get(&nid, `SELECT id FROM notices WHERE candidate_id = $1`, f.candA2)
	r = app.call("GET", page, member, nil)
	expectStatus(t, r, 200)
	if !strings.Contains(string(r.Body), "拟列为发展对象公示") || !strings.Contains(string(r.Body), fmt.Sprintf(`action="/notices/%d/objections"`, nid)) {
		t.Fatalf("member's page: %s", r.Body)
	}
	expectStatus(t, app.form("POST", fmt.Sprintf("/notices/%d/objections", nid), member, "text=对公示对象有异议"), 303)
	var oid int64
	app.db.Get(&oid, `SELECT id FROM objections WHERE notice_id = $1`, nid)
	r = app.form("POST", fmt.Sprintf("/objections/%d/resolution", oid), sec, "decision=reject&reason=经核实不属实")
	expectStatus(t, r, 303)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, page) {
		t.Fatalf("after the answer: %s", loc)
	}
	if body := string(app.call("GET", page, member, nil).Body); !strings.Contains(body, "经核实不属实") {
		t.Fatalf("outcome not shown: %s", body)
	}
	// A second notice while one runs is refused on the page, in its shape.
	if r := app.form("POST", page, sec, "step=target"); r.Status != 409 || !strings.Contains(string(r.Body), "notice-error") {
		t.Fatalf("second notice: %d %s", r.Status, r.Body)
	}
}
