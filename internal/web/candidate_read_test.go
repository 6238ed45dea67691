package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// A candidate's page is read in one statement, prepared once and kept on
// its connection: on a pool of one connection, after two reads the server
// holds exactly one prepared statement touching the ledger or the
// submissions, and it is the one that also reads the candidate.
func TestCandidateReadIsOnePreparedStatement(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	db := f.app.srv.db
	db.SetMaxOpenConns(1)
	path := fmt.Sprintf("/api/v1/candidates/%d", f.a)
	for range 2 {
		expectStatus(t, f.app.call("GET", path, f.sec, nil), 200)
	}
	var stmts []string
	if err := db.SelectContext(t.Context(), &stmts, `
		SELECT statement FROM pg_prepared_statements
		WHERE statement LIKE '%ledger_entries%' OR statement LIKE '%submissions%'`); err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 1 {
		t.Fatalf("%d prepared statements read the ledger or the submissions, want the one candidate read: %q", len(stmts), stmts)
	}
	for _, part := range []string{"FROM candidates c", "FROM ledger_entries e", "FROM submissions x"} {
		if !strings.Contains(stmts[0], part) {
			t.Fatalf("the candidate read does not read %q: %s", part, stmts[0])
		}
	}
}

// The candidate's page scores every person exactly as the standings do
// (GET …/score sums the ledger per dimension in SQL; the page maps
// category sums onto dimensions in Go), and counts the same strikes as the
// pipeline's next steps.
func TestCandidateReadScoresAsTheStandings(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	var ids []int64
	if err := f.app.db.SelectContext(t.Context(), &ids, `SELECT id FROM candidates ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	compact := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	for _, id := range ids {
		page := f.app.call("GET", fmt.Sprintf("/api/v1/candidates/%d", id), f.admin, nil)
		expectStatus(t, page, 200)
		score := f.app.call("GET", fmt.Sprintf("/api/v1/candidates/%d/score", id), f.admin, nil)
		expectStatus(t, score, 200)
		p, s := page.JSON(t), score.JSON(t)
		ps, ss := p["score"].(map[string]any), s["score"].(map[string]any)
		if compact(ps["total"]) != compact(ss["total"]) || compact(ps["dimensions"]) != compact(ss["dimensions"]) ||
			compact(p["eligibility"]) != compact(s["eligibility"]) {
			t.Fatalf("candidate %d: page %s %s, standings %s %s", id, compact(ps), compact(p["eligibility"]), compact(ss), compact(s["eligibility"]))
		}
		next := f.app.call("GET", fmt.Sprintf("/api/v1/candidates/%d/next-steps", id), f.admin, nil)
		if next.Status == 200 && compact(next.JSON(t)["failed_reviews"]) != compact(p["failed_reviews"]) {
			t.Fatalf("candidate %d: page counts %v strikes, next steps %v", id, p["failed_reviews"], next.JSON(t)["failed_reviews"])
		}
	}
}
