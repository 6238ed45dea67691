package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"seedling/internal/seedling"
)

// newTownshipAdmin opens an account holding org_admin at branch A's
// township and returns its token.
func newTownshipAdmin(t *testing.T, app *testApp, f *fixture) string {
	t.Helper()
	admin := app.login("admin")
	expectStatus(t, app.call("POST", "/api/v1/users", admin, map[string]any{"username": "twadmin", "password": "township admin password"}), 201)
	expectStatus(t, app.call("POST", "/api/v1/users/twadmin/grants", admin, map[string]any{"role": "org_admin", "org_id": f.comA}), 204)
	r := app.call("POST", "/api/v1/login", "", map[string]string{"username": "twadmin", "password": "township admin password"})
	expectStatus(t, r, 200)
	return r.JSON(t)["token"].(string)
}

// A township's administrator manages only the accounts that lie wholly
// inside the township: the city's administrator and another township's
// secretary do not exist for it.
func TestAccountAdministrationIsScoped(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	tw := newTownshipAdmin(t, app, f)

	for _, path := range []string{"/api/v1/users/admin/password", "/api/v1/users/secretary2/password"} {
		r := app.call("POST", path, tw, map[string]any{"password": "a takeover password"})
		expectStatus(t, r, 404)
	}
	expectStatus(t, app.call("POST", "/api/v1/users/secretary2/disable", tw, nil), 404)
	expectStatus(t, app.call("POST", "/api/v1/users/admin/disable", tw, nil), 404)
	// The committee's account sits at the township itself: inside.
	expectStatus(t, app.call("POST", "/api/v1/users/secretary/password", tw, map[string]any{"password": "a fresh secretary password"}), 204)
	// Granting inside its subtree to an account reaching outside is hidden too.
	expectStatus(t, app.call("POST", "/api/v1/users/secretary2/grants", tw, map[string]any{"role": "group_leader", "org_id": f.groupA}), 404)
	expectStatus(t, app.call("POST", "/api/v1/users/admin/grants/revoke", tw, map[string]any{"role": "org_admin", "org_id": f.comA}), 404)

	// A fresh account with no grant yet belongs to where it was opened.
	admin := app.login("admin")
	expectStatus(t, app.call("POST", "/api/v1/users", admin, map[string]any{"username": "fresh", "password": "fresh account password"}), 201)
	expectStatus(t, app.call("POST", "/api/v1/users/fresh/password", tw, map[string]any{"password": "a takeover password"}), 404)
	expectStatus(t, app.call("POST", "/api/v1/users", tw, map[string]any{"username": "local", "password": "local account password"}), 201)
	expectStatus(t, app.call("POST", "/api/v1/users/local/password", tw, map[string]any{"password": "a new local password"}), 204)
	expectStatus(t, app.call("POST", "/api/v1/users/local/grants", tw, map[string]any{"role": "secretary", "org_id": f.orgA}), 204)
	expectStatus(t, app.call("POST", "/api/v1/users/fresh/password", admin, map[string]any{"password": "the city's new password"}), 204)

	r := app.call("GET", "/api/v1/users", tw, nil)
	expectStatus(t, r, 200)
	seen := map[string]bool{}
	for _, u := range r.JSON(t)["users"].([]any) {
		seen[u.(map[string]any)["username"].(string)] = true
	}
	if seen["admin"] || seen["secretary2"] || seen["fresh"] || !seen["secretary"] || !seen["twadmin"] || !seen["local"] {
		t.Fatalf("township administrator sees %v", seen)
	}
	page := app.form("GET", "/admin/users", tw, "")
	expectStatus(t, page, 200)
	if strings.Contains(string(page.Body), "<td>secretary2</td>") || !strings.Contains(string(page.Body), "<td>secretary</td>") {
		t.Fatalf("account page lists accounts outside the township")
	}
}

// An account linked to a candidate cannot be given a role over its own
// candidacy, and nobody scores, proposes or reviews themselves even when
// such a grant exists from before the rule.
func TestNobodyActsOnTheirOwnCandidacy(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	admin := app.login("admin")
	for _, org := range []int64{f.orgA, f.comA} {
		r := app.call("POST", "/api/v1/users/activist/grants", admin, map[string]any{"role": "secretary", "org_id": org})
		expectStatus(t, r, 422)
		if r.errorCode() != "rule_violated" || !strings.Contains(string(r.Body), "grant_over_own_candidacy") {
			t.Fatalf("grant over own candidacy: %s", r.Body)
		}
	}
	// A role elsewhere is fine.
	expectStatus(t, app.call("POST", "/api/v1/users/activist/grants", admin, map[string]any{"role": "group_leader", "org_id": f.groupB}), 204)

	// A grant written before the rule (behind the application's back).
	if _, err := app.db.Exec(`INSERT INTO grants (user_id, role, org_id) SELECT id, 'secretary', $1 FROM users WHERE username = 'activist'`, f.orgA); err != nil {
		t.Fatal(err)
	}
	if _, err := app.db.Exec(`INSERT INTO grants (user_id, role, org_id) SELECT id, 'committee', $1 FROM users WHERE username = 'activist'`, f.comA); err != nil {
		t.Fatal(err)
	}
	tok := app.login("activist")
	today := seedling.Today(time.Now()).Format(seedling.DateLayout)
	r := app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", f.candA), tok,
		map[string]any{"category": "task_completion", "points": 25, "occurred_on": today, "description": "给自己加分"}, "Idempotency-Key", "self-1")
	expectStatus(t, r, 403)
	if !strings.Contains(string(r.Body), "own_candidacy") {
		t.Fatalf("self points: %s", r.Body)
	}
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/submissions", f.candA), tok, map[string]any{"to_stage": "target", "facts": map[string]any{}}), 403)
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/political-review", f.candA), tok,
		map[string]any{"passed": true, "conclusion": "本人审查本人", "reviewed_on": today}), 403)
	// The same account still works on another candidate of the branch.
	r = app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", f.candA2), tok,
		map[string]any{"category": "task_completion", "points": 2, "occurred_on": today, "description": "协助走访"}, "Idempotency-Key", "other-1")
	expectStatus(t, r, 201)
}

// The last administrator of the root is never revoked or disabled; an
// administrator switching themselves off must confirm.
func TestAdministratorCannotLockThemselvesOut(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	newFixture(t, app)
	admin := app.login("admin")
	var city int64
	if err := app.db.Get(&city, `SELECT id FROM orgs WHERE parent_id IS NULL`); err != nil {
		t.Fatal(err)
	}
	r := app.call("POST", "/api/v1/users/admin/grants/revoke", admin, map[string]any{"role": "org_admin", "org_id": city})
	expectStatus(t, r, 422)
	if !strings.Contains(string(r.Body), "last_root_admin") {
		t.Fatalf("revoke last root admin: %s", r.Body)
	}
	expectStatus(t, app.call("POST", "/api/v1/users/admin/disable?confirm=true", admin, nil), 422)

	// With a second city administrator, giving oneself up needs a confirmation.
	expectStatus(t, app.call("POST", "/api/v1/users", admin, map[string]any{"username": "admin2", "password": "second admin password"}), 201)
	expectStatus(t, app.call("POST", "/api/v1/users/admin2/grants", admin, map[string]any{"role": "org_admin", "org_id": city}), 204)
	r = app.call("POST", "/api/v1/users/admin/disable", admin, nil)
	expectStatus(t, r, 422)
	if !strings.Contains(string(r.Body), "confirm_required") {
		t.Fatalf("self disable: %s", r.Body)
	}
	page := app.form("POST", "/admin/users/grants", admin, fmt.Sprintf("username=admin&role=org_admin&org_id=%d&revoke=1", city))
	expectStatus(t, page, 422)
	if !strings.Contains(string(page.Body), `id="confirm-form"`) || !strings.Contains(string(page.Body), `name="confirm" value="true"`) ||
		!strings.Contains(string(page.Body), "放弃本人管理权限需要确认") {
		t.Fatalf("the page offers no confirmation:\n%s", page.Body)
	}
	page = app.form("POST", "/admin/users/grants", admin, fmt.Sprintf("username=admin&role=org_admin&org_id=%d&revoke=1&confirm=true", city))
	expectStatus(t, page, 303)
	// admin2 is now the last one at the root.
	admin2 := app.call("POST", "/api/v1/login", "", map[string]string{"username": "admin2", "password": "second admin password"}).JSON(t)["token"].(string)
	expectStatus(t, app.call("POST", "/api/v1/users/admin2/disable?confirm=true", admin2, nil), 422)
}
