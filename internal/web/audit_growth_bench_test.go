package web

import (
	"fmt"
	"testing"
	"time"

	"seedling/internal/seedling"
)

// auditSize is the audit trail's rows and bytes (heap, indexes, TOAST).
func auditSize(b *testing.B, app *testApp) (rows, bytes int64) {
	b.Helper()
	if _, err := app.db.Exec(`VACUUM audit_events`); err != nil {
		b.Fatal(err)
	}
	if err := app.db.QueryRow(`SELECT count(*), pg_total_relation_size('audit_events') FROM audit_events`).Scan(&rows, &bytes); err != nil {
		b.Fatal(err)
	}
	return rows, bytes
}

// BenchmarkAuditGrowthPerWrite reports what one ledger entry adds to the
// audit trail (audit_rows/op, audit_bytes/op), the growth an operator plans
// disk for: run with -benchtime 500x so page granularity averages out.
func BenchmarkAuditGrowthPerWrite(b *testing.B) {
	app := newTestApp(b)
	cand, err := app.db.Candidates().ByCode(b.Context(), "branch-a-02")
	if err != nil {
		b.Fatal(err)
	}
	tok := app.login("secretary")
	today := seedling.Today(time.Now()).Format(seedling.DateLayout)
	rows0, bytes0 := auditSize(b, app)
	i := 0
	for b.Loop() {
		i++
		r := app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", cand.ID), tok,
			map[string]any{"category": "task_completion", "points": 1, "occurred_on": today, "description": "参加志愿服务活动，表现积极"},
			"Idempotency-Key", fmt.Sprintf("growth-%d", i))
		if r.Status != 201 {
			b.Fatalf("record: %d %s", r.Status, r.Body)
		}
	}
	rows1, bytes1 := auditSize(b, app)
	b.ReportMetric(float64(rows1-rows0)/float64(b.N), "audit_rows/op")
	b.ReportMetric(float64(bytes1-bytes0)/float64(b.N), "audit_bytes/op")
}

// BenchmarkAuditGrowthPerAnonymousFailure reports what one failed login of
// an unknown username adds to the audit trail once the sweep has folded
// the window: one row per address, however many failures.
func BenchmarkAuditGrowthPerAnonymousFailure(b *testing.B) {
	app := newTestApp(b)
	rows0, bytes0 := auditSize(b, app)
	i := 0
	for b.Loop() {
		i++
		r := app.call("POST", "/api/v1/login", "", map[string]any{"username": fmt.Sprintf("nobody%d", i), "password": "whatever it is"})
		if r.Status != 401 && r.Status != 429 {
			b.Fatalf("login: %d %s", r.Status, r.Body)
		}
	}
	if _, err := app.db.Exec(`UPDATE login_failures SET at = at - interval '1 hour'`); err != nil {
		b.Fatal(err)
	}
	if err := app.db.Sessions().Sweep(b.Context()); err != nil {
		b.Fatal(err)
	}
	rows1, bytes1 := auditSize(b, app)
	b.ReportMetric(float64(rows1-rows0)/float64(b.N), "audit_rows/op")
	b.ReportMetric(float64(bytes1-bytes0)/float64(b.N), "audit_bytes/op")
}
