package web

import (
	"fmt"
	"strings"
	"testing"
)

// Every state change leaves one audit row with who, which role at which node,
// the request id and the client IP; a denied attempt leaves one too.
func TestAuditTrailRecordsChangesAndDenials(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	admin, sec := app.login("admin"), app.login("secretary")
	r := app.call("POST", "/api/v1/candidates", sec, map[string]any{"name": "审计测试", "org_id": f.orgA, "applied_on": "2026-11-02"})
	expectStatus(t, r, 201)
	reqID := r.Header.Get("X-Request-ID")
	created := fmt.Sprintf("candidate:%d", idOf(t, r))
	expectStatus(t, app.call("GET", fmt.Sprintf("/api/v1/candidates/%d", f.candB), sec, nil), 404)

	var ev struct {
		Actor, Role, Action, Target, RequestID, IP, Summary string
		OrgID                                               int64
	}
	err := app.db.Get(&ev, `SELECT actor, role, action, target, request_id AS requestid, ip, summary, org_id AS orgid
		FROM audit_events WHERE action = 'candidate.add' AND request_id = $1`, reqID)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Actor != "secretary" || ev.Role != "secretary" || ev.OrgID != f.orgA || ev.RequestID != reqID || ev.IP == "" || !strings.Contains(ev.Summary, "审计测试") {
		t.Fatalf("audit row incomplete: %+v (request id %s)", ev, reqID)
	}
	var denied int
	app.db.Get(&denied, `SELECT count(*) FROM audit_events WHERE action = 'denied' AND actor = 'secretary' AND target = 'candidate:read'`)
	if denied != 1 {
		t.Fatalf("%d denial rows, want 1", denied)
	}

	// The committee of branch A's township sees the row; the other
	// township's secretary is refused; the admin sees logins too.
	events := func(token, query string) []any {
		r := app.call("GET", "/api/v1/audit"+query, token, nil)
		expectStatus(t, r, 200)
		return r.JSON(t)["events"].([]any)
	}
	com := app.login("committee")
	if !hasTarget(events(com, ""), created) {
		t.Fatal("committee does not see a change in its subtree")
	}
	if hasAction(events(com, ""), "login") {
		t.Fatal("committee sees logins, which belong to no node")
	}
	if !hasAction(events(admin, ""), "login") {
		t.Fatal("the organisation department does not see logins")
	}
	if hasTarget(events(admin, fmt.Sprintf("?org_id=%d", f.orgB)), created) {
		t.Fatal("filtering by branch B still shows branch A's change")
	}
}

func hasTarget(events []any, target string) bool {
	for _, e := range events {
		if e.(map[string]any)["target"] == target {
			return true
		}
	}
	return false
}

func hasAction(events []any, action string) bool {
	for _, e := range events {
		if e.(map[string]any)["action"] == action {
			return true
		}
	}
	return false
}

// History cannot be rewritten: the application role lacks the privilege,
// and even the owner is stopped by the trigger. That holds for the audit
// trail, the ledger, the rubric and the stage history.
func TestHistoryCannotBeChanged(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.login("admin")
	for _, q := range []string{`UPDATE audit_events SET actor = 'someone else'`, `DELETE FROM audit_events`, `TRUNCATE audit_events`,
		`UPDATE ledger_entries SET points = 25`, `DELETE FROM ledger_entries`, `UPDATE stage_changes SET to_stage = 'full'`,
		`DELETE FROM political_reviews`, `UPDATE rubric_dimensions SET cap = 50`} {
		if _, err := app.srv.db.Exec(q); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("app role: %s: got %v, want permission denied", q, err)
		}
		if _, err := app.db.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("owner: %s: got %v, want the append-only trigger", q, err)
		}
	}
}
