package web

import (
	"fmt"
	"testing"
	"time"

	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

// eventually polls until ok holds, failing once the deadline passes: what
// one instance does must hold on the other within that time.
func eventually(t *testing.T, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not seen within %s", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Two instances on one database, each with its own pool and change
// listener, as two `seedling serve` behind a load balancer: a session made
// on one works on the other, a rubric version added or a grant revoked on
// one holds on the other within a second, and a retried write carrying the
// same idempotency key lands once whichever instance it reaches.
func TestTwoInstancesShareOneDatabase(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	a, b := newTestAppOn(t, db), newTestAppOn(t, db)
	for _, app := range []*testApp{a, b} {
		if err := app.srv.db.ListenForChanges(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
	}
	f := newFixture(t, a)

	// Sessions live in PostgreSQL: made on A, used on B.
	admin, sec := a.login("admin"), a.login("secretary")
	expectStatus(t, b.call("GET", "/api/v1/me", admin, nil), 200)

	// B reads (and caches) the rubric; A adds a version; B sees it.
	versions := func(app *testApp) int {
		r := app.call("GET", "/api/v1/rubric/versions", admin, nil)
		expectStatus(t, r, 200)
		return len(r.JSON(t)["versions"].([]any))
	}
	before := versions(b)
	v1 := a.call("GET", "/api/v1/rubric", admin, nil).JSON(t)
	today := seedling.Today(time.Now())
	next := time.Date(today.Year(), time.Month((int(today.Month())-1)/3*3+4), 1, 0, 0, 0, 0, time.UTC)
	draft := map[string]any{"effective_from": next.Format(seedling.DateLayout), "note": "两实例",
		"dimensions": v1["dimensions"], "categories": v1["categories"]}
	expectStatus(t, a.call("POST", "/api/v1/rubric", admin, draft), 201)
	eventually(t, time.Second, "rubric version added on A, read on B", func() bool { return versions(b) == before+1 })

	// Idempotency holds across both: the same key on A then on B is one entry.
	entry := map[string]any{"category": "study_attendance", "points": 1, "occurred_on": today.Format(seedling.DateLayout), "description": "两实例"}
	path := fmt.Sprintf("/api/v1/candidates/%d/ledger", f.candA)
	ra := a.call("POST", path, sec, entry, "Idempotency-Key", "two-instances-1")
	rb := b.call("POST", path, sec, entry, "Idempotency-Key", "two-instances-1")
	if ra.Status != 201 || rb.Status/100 != 2 || fmt.Sprint(ra.JSON(t)["id"]) != fmt.Sprint(rb.JSON(t)["id"]) {
		t.Fatalf("same key on two instances: %d %s / %d %s", ra.Status, ra.Body, rb.Status, rb.Body)
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM ledger_entries WHERE candidate_id = $1 AND idempotency_key = 'two-instances-1'`, f.candA); err != nil || n != 1 {
		t.Fatalf("%d entries for one key (%v)", n, err)
	}

	// A grant revoked on A holds on B.
	roster := fmt.Sprintf("/api/v1/orgs/%d/roster", f.orgA)
	expectStatus(t, b.call("GET", roster, sec, nil), 200)
	expectStatus(t, a.call("POST", "/api/v1/users/secretary/grants/revoke", admin, map[string]any{"role": "secretary", "org_id": f.orgA}), 204)
	eventually(t, time.Second, "grant revoked on A, refused on B", func() bool { return b.call("GET", roster, sec, nil).Status/100 == 4 })
}

// Each instance serves the sessions it has seen from memory
// (postgres/session_cache.go), and whatever ends or narrows a session on
// one instance holds on the other within a second, whether the application
// did it or an administrator in psql: a logout, a password reset, a
// disabled account, a renamed node, a revoked grant, a new display name.
func TestSessionChangesOnOneInstanceHoldOnTheOther(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	a, b := newTestAppOn(t, db), newTestAppOn(t, db)
	b.srv.db.SetMaxOpenConns(1) // so that testdb.RanNothing can watch B
	for _, app := range []*testApp{a, b} {
		if err := app.srv.db.ListenForChanges(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
	}
	admin := a.login("admin")
	tokens := map[string]string{}
	me := func(u string) response { return b.call("GET", "/api/v1/me", tokens[u], nil) }
	for _, u := range []string{"leader", "member", "secretary2", "committee", "activist"} {
		tokens[u] = a.login(u)
		expectStatus(t, me(u), 200)
	}
	if !testdb.RanNothing(t, b.srv.db, func() {
		for u := range tokens {
			expectStatus(t, me(u), 200)
		}
	}) {
		t.Fatal("B read sessions it had just read from the database again")
	}
	refused := func(u string) func() bool { return func() bool { return me(u).Status == 401 } }

	expectStatus(t, a.call("POST", "/api/v1/logout", tokens["leader"], nil), 204)
	eventually(t, time.Second, "logout on A, refused on B", refused("leader"))
	expectStatus(t, a.call("POST", "/api/v1/users/member/password", admin, map[string]any{"password": "a brand new passphrase"}), 204)
	eventually(t, time.Second, "password reset on A, refused on B", refused("member"))
	expectStatus(t, a.call("POST", "/api/v1/users/secretary2/disable", admin, nil), 204)
	eventually(t, time.Second, "disabled on A, refused on B", refused("secretary2"))

	roles := func() []any { r := me("committee"); expectStatus(t, r, 200); return r.JSON(t)["roles"].([]any) }
	held := roles()
	grant := held[0].(map[string]any)
	mustExec(t, a, fmt.Sprintf(`UPDATE orgs SET name = '改名的委员会' WHERE id = %v`, grant["org_id"]))
	eventually(t, time.Second, "node renamed in psql, read on B", func() bool {
		return roles()[0].(map[string]any)["org_name"] == "改名的委员会"
	})
	expectStatus(t, a.call("POST", "/api/v1/users/committee/grants/revoke", admin, map[string]any{"role": grant["role"], "org_id": grant["org_id"]}), 204)
	eventually(t, time.Second, "grant revoked on A, gone on B", func() bool { return len(roles()) == len(held)-1 })

	mustExec(t, a, `UPDATE users SET display_name = '新名字' WHERE username = 'activist'`)
	eventually(t, time.Second, "display name changed in psql, read on B", func() bool {
		r := me("activist")
		return r.Status == 200 && r.JSON(t)["user"].(map[string]any)["display_name"] == "新名字"
	})
}
