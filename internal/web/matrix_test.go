package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"seedling/internal/demo"
)

// The authorisation matrix, as data. Each line is one route with one target:
//
//	a  — an object in branch A: the secretary's own node, below the committee
//	     and the admin, the activist's own record where it is a candidate's;
//	a2 — another candidate of branch A (not the activist's own record);
//	b  — an object in branch B, under another township: outside the scope of
//	     the committee, the secretary, the group leader and the activist;
//	-  — no particular object.
//
// want gives the status for each caller: anon (no session), admin
// (org_admin at the city), committee (at branch A's township), secretary (of
// branch A), leader (group_leader of branch A's first group), activist (the
// candidate of branch A viewing themselves).
var matrix = []struct {
	route  string // METHOD pattern, as in routes.go
	target string
	want   string
}{
	{"GET /healthz", "-", "anon=200 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"GET /readyz", "-", "anon=200 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"GET /metrics", "-", "anon=200 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"GET /api/v1/openapi.json", "-", "anon=200 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"POST /api/v1/login", "-", "anon=200 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"POST /api/v1/logout", "-", "anon=401 admin=204 committee=204 secretary=204 leader=204 activist=204"},
	{"GET /api/v1/me", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"POST /api/v1/me/password", "-", "anon=401 admin=400 committee=400 secretary=400 leader=400 activist=400"},

	{"GET /api/v1/users", "-", "anon=401 admin=200 committee=403 secretary=403 leader=403 activist=403"},
	{"POST /api/v1/users", "-", "anon=401 admin=201 committee=403 secretary=403 leader=403 activist=403"},
	{"POST /api/v1/users/:username/grants", "a", "anon=401 admin=204 committee=403 secretary=403 leader=403 activist=403"},
	{"POST /api/v1/users/:username/grants", "b", "anon=401 admin=204 committee=403 secretary=403 leader=403 activist=403"},
	{"POST /api/v1/users/:username/grants/revoke", "a", "anon=401 admin=204 committee=403 secretary=403 leader=403 activist=403"},
	{"POST /api/v1/users/:username/password", "-", "anon=401 admin=204 committee=403 secretary=403 leader=403 activist=403"},
	{"POST /api/v1/users/:username/disable", "-", "anon=401 admin=204 committee=403 secretary=403 leader=403 activist=403"},
	{"POST /api/v1/users/:username/enable", "-", "anon=401 admin=204 committee=403 secretary=403 leader=403 activist=403"},

	{"GET /api/v1/orgs", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"POST /api/v1/orgs", "a", "anon=401 admin=201 committee=403 secretary=400 leader=400 activist=400"},
	{"POST /api/v1/orgs", "b", "anon=401 admin=201 committee=400 secretary=400 leader=400 activist=400"},
	{"POST /api/v1/orgs/:id/move", "a", "anon=401 admin=200 committee=403 secretary=403 leader=403 activist=403"},
	{"POST /api/v1/orgs/:id/move", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404"},

	{"GET /api/v1/candidates", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"GET /api/v1/candidates", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=200"},
	{"GET /api/v1/candidates", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /api/v1/candidates", "a", "anon=401 admin=403 committee=403 secretary=201 leader=400 activist=400"},
	{"POST /api/v1/candidates", "b", "anon=401 admin=403 committee=400 secretary=400 leader=400 activist=400"},
	{"GET /api/v1/candidates/:id", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=200"},
	{"GET /api/v1/candidates/:id", "a2", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=404"},
	{"GET /api/v1/candidates/:id", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404"},

	{"GET /api/v1/candidates/:id/next-steps", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=200"},
	{"GET /api/v1/candidates/:id/next-steps", "a2", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=404"},
	{"GET /api/v1/candidates/:id/next-steps", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /api/v1/candidates/:id/submissions", "a", "anon=401 admin=403 committee=403 secretary=422 leader=404 activist=403"},
	{"POST /api/v1/candidates/:id/submissions", "a2", "anon=401 admin=403 committee=403 secretary=422 leader=404 activist=404"},
	{"POST /api/v1/candidates/:id/submissions", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /api/v1/candidates/:id/records", "a", "anon=401 admin=403 committee=403 secretary=201 leader=404 activist=403"},
	{"POST /api/v1/candidates/:id/records", "a2", "anon=401 admin=403 committee=403 secretary=201 leader=404 activist=404"},
	{"POST /api/v1/candidates/:id/records", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	// a: the activist's own record, not a target: the rule says no (422).
	{"POST /api/v1/candidates/:id/political-review", "a", "anon=401 admin=403 committee=422 secretary=403 leader=404 activist=403"},
	{"POST /api/v1/candidates/:id/political-review", "a2", "anon=401 admin=403 committee=201 secretary=403 leader=404 activist=404"},
	{"POST /api/v1/candidates/:id/political-review", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /api/v1/submissions", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"POST /api/v1/submissions/:id/decision", "a", "anon=401 admin=403 committee=400 secretary=403 leader=404 activist=404"},
	{"POST /api/v1/submissions/:id/decision", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /api/v1/filings", "-", "anon=401 admin=200 committee=200 secretary=200 leader=403 activist=403"},
	{"POST /api/v1/filings/:id/acknowledge", "a", "anon=401 admin=403 committee=409 secretary=404 leader=404 activist=404"},
	{"POST /api/v1/filings/:id/acknowledge", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /filings/:id/acknowledge", "a", "anon=401 admin=403 committee=303 secretary=404 leader=404 activist=404"},
	{"GET /api/v1/quotas", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"POST /api/v1/quotas", "a", "anon=401 admin=204 committee=403 secretary=400 leader=400 activist=400"},
	{"POST /api/v1/quotas", "b", "anon=401 admin=403 committee=204 secretary=403 leader=400 activist=400"},

	{"GET /api/v1/candidates/:id/timeline", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=200"},
	{"GET /api/v1/candidates/:id/timeline", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /api/v1/candidates/:id/timeline.xlsx", "a2", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=404"},
	{"GET /candidates/:id/timeline", "a", "anon=303 admin=200 committee=200 secretary=200 leader=404 activist=200"},
	{"GET /api/v1/orgs/:id/ranking", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=404"},
	{"GET /api/v1/orgs/:id/ranking", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /branches/:id/ranking", "a", "anon=303 admin=200 committee=200 secretary=200 leader=404 activist=404"},
	{"GET /api/v1/due", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"GET /api/v1/due", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /api/v1/stats", "-", "anon=401 admin=200 committee=200 secretary=403 leader=403 activist=403"},
	{"GET /api/v1/stats", "b", "anon=401 admin=200 committee=404 secretary=403 leader=403 activist=403"},

	{"GET /me", "-", "anon=303 admin=303 committee=303 secretary=303 leader=303 activist=303"},
	{"GET /me/password", "-", "anon=303 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"POST /me/password", "-", "anon=401 admin=400 committee=400 secretary=400 leader=400 activist=400"},
	{"GET /candidates/:id", "a", "anon=303 admin=200 committee=200 secretary=200 leader=404 activist=200"},
	{"GET /candidates/:id", "b", "anon=303 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /candidates/:id/submissions", "a", "anon=401 admin=403 committee=403 secretary=422 leader=404 activist=403"},
	{"POST /candidates/:id/submissions", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /reviews", "-", "anon=303 admin=403 committee=200 secretary=403 leader=403 activist=403"},
	{"GET /reviews/:id", "a", "anon=303 admin=200 committee=200 secretary=200 leader=404 activist=404"},
	{"GET /reviews/:id", "b", "anon=303 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /reviews/:id/decision", "a", "anon=401 admin=403 committee=400 secretary=403 leader=404 activist=404"},
	{"GET /stats", "-", "anon=303 admin=200 committee=200 secretary=403 leader=403 activist=403"},

	{"GET /api/v1/audit", "-", "anon=401 admin=200 committee=200 secretary=403 leader=403 activist=403"},
	{"GET /api/v1/audit", "a", "anon=401 admin=200 committee=200 secretary=403 leader=403 activist=403"},
	{"GET /api/v1/audit", "b", "anon=401 admin=200 committee=404 secretary=403 leader=403 activist=403"},

	{"GET /", "-", "anon=303 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"GET /login", "-", "anon=200 admin=303 committee=303 secretary=303 leader=303 activist=303"},
	{"POST /login", "-", "anon=303 admin=303 committee=303 secretary=303 leader=303 activist=303"},
	{"POST /logout", "-", "anon=303 admin=303 committee=303 secretary=303 leader=303 activist=303"},
	{"GET /audit", "-", "anon=303 admin=200 committee=200 secretary=403 leader=403 activist=403"},
	{"GET /admin/users", "-", "anon=303 admin=200 committee=403 secretary=403 leader=403 activist=403"},
	{"POST /admin/users", "-", "anon=401 admin=303 committee=403 secretary=403 leader=403 activist=403"},
	{"POST /admin/users/grants", "a", "anon=401 admin=303 committee=403 secretary=403 leader=403 activist=403"},
	{"POST /admin/users/grants", "b", "anon=401 admin=303 committee=403 secretary=403 leader=403 activist=403"},
	{"POST /admin/users/disable", "-", "anon=401 admin=303 committee=403 secretary=403 leader=403 activist=403"},
	{"GET /lang/:lang", "-", "anon=303 admin=303 committee=303 secretary=303 leader=303 activist=303"},
}

var callers = []string{"anon", "admin", "committee", "secretary", "leader", "activist"}

// fixture names the demo objects the matrix points at.
type fixture struct {
	app                  *testApp
	orgA, orgB           int64 // branch A and branch B
	comA, comB           int64 // their townships
	groupA, groupB       int64 // a party group in each
	candA, candA2, candB int64
	targetA              int64 // a development target in branch A
	subA, subB           int64 // a pending submission in each branch
	fileA, fileB         int64 // an acknowledged filing of each township
	seq                  atomic.Int64
}

func newFixture(t *testing.T, app *testApp) *fixture {
	f := &fixture{app: app}
	ctx := t.Context()
	org := func(code string) int64 {
		o, err := app.db.Orgs().ByCode(ctx, code)
		if err != nil {
			t.Fatalf("demo node %s: %v", code, err)
		}
		return o.ID
	}
	cand := func(code string) int64 {
		c, err := app.db.Candidates().ByCode(ctx, code)
		if err != nil {
			t.Fatalf("demo candidate %s: %v", code, err)
		}
		return c.ID
	}
	f.orgA, f.orgB, f.groupA, f.groupB = org("branch-a"), org("branch-b"), org("branch-a-g1"), org("branch-b-g1")
	a, _ := app.db.Orgs().ByID(ctx, f.orgA)
	b, _ := app.db.Orgs().ByID(ctx, f.orgB)
	f.comA, f.comB = *a.ParentID, *b.ParentID
	f.candA, f.candA2, f.candB = cand("activist-a"), cand("branch-a-02"), cand("branch-b-01")
	f.targetA = cand("branch-a-07")
	app.db.Get(&f.fileA, `SELECT id FROM filings WHERE candidate_id = $1 AND kind = 'activist'`, f.candA)
	app.db.Get(&f.fileB, `SELECT id FROM filings WHERE candidate_id = $1 AND kind = 'activist'`, f.candB)
	f.subA = pendingSubmission(t, app, "secretary", f.orgA)
	f.subB = pendingSubmission(t, app, "secretary2", f.orgB)
	return f
}

// pendingSubmission records a new applicant in a branch and proposes them
// as an activist, leaving the submission waiting for the committee.
func pendingSubmission(t *testing.T, app *testApp, secretary string, orgID int64) int64 {
	t.Helper()
	tok := app.login(secretary)
	today := time.Now().UTC()
	day := func(n int) string { return today.AddDate(0, 0, -n).Format("2006-01-02") }
	r := app.call("POST", "/api/v1/candidates", tok, map[string]any{"name": "待审申请人", "org_id": orgID, "applied_on": day(20)})
	expectStatus(t, r, 201)
	id := int64(r.JSON(t)["id"].(float64))
	r = app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/submissions", id), tok, map[string]any{"to_stage": "activist",
		"facts": map[string]any{"talked_on": day(15), "recommended_by": "members", "decided_on": day(10), "contacts": []string{"王建国"}}})
	expectStatus(t, r, 201)
	return int64(r.JSON(t)["id"].(float64))
}

// request builds the concrete request of a matrix line for one target.
func (f *fixture) request(route, target string) (method, path string, body any) {
	method, pattern, _ := strings.Cut(route, " ")
	pick := func(a, a2, b int64) int64 {
		switch target {
		case "a2":
			return a2
		case "b":
			return b
		}
		return a
	}
	n := f.seq.Add(1)
	path = pattern
	if build, ok := extraRequests[pattern]; ok { // routes whose lines live in other files
		return build(f, method, pattern, target)
	}
	switch pattern {
	case "/api/v1/candidates/:id", "/api/v1/candidates/:id/next-steps", "/api/v1/candidates/:id/timeline",
		"/api/v1/candidates/:id/timeline.xlsx", "/candidates/:id/timeline", "/candidates/:id":
		path = strings.Replace(pattern, ":id", fmt.Sprint(pick(f.candA, f.candA2, f.candB)), 1)
	case "/api/v1/candidates/:id/submissions":
		path = strings.Replace(pattern, ":id", fmt.Sprint(pick(f.candA, f.candA2, f.candB)), 1)
		body = map[string]any{"to_stage": "full", "facts": map[string]any{}} // skips stages: refused by the rules
	case "/api/v1/candidates/:id/records":
		path = strings.Replace(pattern, ":id", fmt.Sprint(pick(f.candA, f.candA2, f.candB)), 1)
		body = map[string]any{"kind": "assessment", "on": time.Now().UTC().Format("2006-01-02"), "by": "王建国", "conclusion": "半年考察：表现良好"}
	case "/api/v1/candidates/:id/political-review":
		path = strings.Replace(pattern, ":id", fmt.Sprint(pick(f.candA, f.targetA, f.candB)), 1)
		body = map[string]any{"passed": true, "conclusion": "经政治审查，该同志政治合格，历史清白。", "reviewed_on": "2026-10-09"}
	case "/candidates/:id/submissions":
		path = strings.Replace(pattern, ":id", fmt.Sprint(pick(f.candA, f.candA2, f.candB)), 1)
		return method, path, "form:to_stage=full&kind=advance"
	case "/api/v1/filings/:id/acknowledge", "/filings/:id/acknowledge":
		path = strings.Replace(pattern, ":id", fmt.Sprint(pick(f.fileA, f.fileA, f.fileB)), 1)
		if !strings.HasPrefix(pattern, "/api/") {
			return method, path, "form:"
		}
	case "/reviews/:id":
		path = strings.Replace(pattern, ":id", fmt.Sprint(pick(f.subA, f.subA, f.subB)), 1)
	case "/reviews/:id/decision":
		path = strings.Replace(pattern, ":id", fmt.Sprint(pick(f.subA, f.subA, f.subB)), 1)
		return method, path, "form:decision=maybe"
	case "/api/v1/submissions/:id/decision":
		path = strings.Replace(pattern, ":id", fmt.Sprint(pick(f.subA, f.subA, f.subB)), 1)
		body = map[string]any{"decision": "maybe"} // invalid: nothing is decided
	case "/api/v1/quotas":
		if method == "POST" {
			if target == "b" {
				body = map[string]any{"year": 2026, "org_id": f.orgA, "amount": 1}
			} else {
				body = map[string]any{"year": 2026, "org_id": f.comA, "amount": 5}
			}
		}
	case "/api/v1/orgs/:id/ranking", "/branches/:id/ranking":
		path = strings.Replace(pattern, ":id", fmt.Sprint(pick(f.orgA, f.orgA, f.orgB)), 1)
	case "/api/v1/orgs/:id/move":
		g := pick(f.groupA, f.groupA, f.groupB)
		path = fmt.Sprintf("/api/v1/orgs/%d/move", g)
		body = map[string]any{"parent_id": pick(f.orgA, f.orgA, f.orgB)}
	case "/api/v1/orgs":
		if method == "POST" {
			body = map[string]any{"parent_id": pick(f.comA, f.comA, f.comB), "kind": "branch", "name": fmt.Sprintf("新建党支部%d", n)}
		}
	case "/api/v1/candidates":
		if method == "POST" {
			body = map[string]any{"name": fmt.Sprintf("新申请人%d", n), "org_id": pick(f.orgA, f.orgA, f.orgB), "applied_on": "2026-10-08"}
		} else if target != "-" {
			path += fmt.Sprintf("?org_id=%d", pick(f.orgA, f.orgA, f.orgB))
		}
	case "/api/v1/audit", "/api/v1/due", "/api/v1/stats":
		if target != "-" {
			path += fmt.Sprintf("?org_id=%d", pick(f.orgA, f.orgA, f.orgB))
		}
	case "/api/v1/users":
		if method == "POST" {
			body = map[string]any{"username": fmt.Sprintf("new%d", n), "password": "a long new password"}
		}
	case "/api/v1/users/:username/grants", "/api/v1/users/:username/grants/revoke":
		path = strings.Replace(pattern, ":username", "victim", 1)
		body = map[string]any{"role": "secretary", "org_id": pick(f.orgA, f.orgA, f.orgB)}
	case "/api/v1/users/:username/password":
		path, body = "/api/v1/users/victim/password", map[string]any{"password": "another long password"}
	case "/api/v1/users/:username/disable", "/api/v1/users/:username/enable":
		path = strings.Replace(pattern, ":username", "victim", 1)
	case "/api/v1/me/password":
		body = map[string]any{"current_password": "not my password", "password": "a new long password"}
	case "/api/v1/login":
		body = map[string]any{"username": "secretary2", "password": demo.Password}
	case "/login":
		return method, path, "form:username=secretary2&password=" + demo.Password
	case "/logout":
		return method, path, "form:"
	case "/me/password":
		if method == "POST" {
			return method, path, "form:current_password=not+my+password&password=a+new+long+password&password_confirm=a+new+long+password"
		}
	case "/admin/users":
		if method == "POST" {
			return method, path, fmt.Sprintf("form:username=form%d&password=a+long+form+password", n)
		}
	case "/admin/users/grants":
		return method, path, fmt.Sprintf("form:username=victim&role=group_leader&org_id=%d", pick(f.groupA, f.groupA, f.groupB))
	case "/admin/users/disable":
		return method, path, "form:username=victim&disabled=false"
	case "/lang/:lang":
		path = "/lang/en"
	}
	return method, path, body
}

// TestAuthorizationMatrix walks every line for every caller against the
// running app, and fails when a route exists that the matrix does not name.
func TestAuthorizationMatrix(t *testing.T) {
	app := newTestApp(t)
	f := newFixture(t, app)
	admin := app.login("admin")
	if r := app.call("POST", "/api/v1/users", admin, map[string]any{"username": "victim", "password": "victim's long password"}); r.Status != 201 {
		t.Fatalf("create victim: %d %s", r.Status, r.Body)
	}

	// One session per caller, logged in once; only the logout lines need a
	// fresh one, since logging out kills it.
	tokens := map[string]string{}
	loginAll := func() {
		for _, who := range callers[1:] {
			tokens[who] = app.login(who)
		}
	}
	loginAll()
	mentioned := map[string]bool{}
	for _, line := range matrix {
		mentioned[line.route] = true
		want := parseWant(t, line.want)
		for _, who := range callers {
			t.Run(fmt.Sprintf("%s[%s]/%s", line.route, line.target, who), func(t *testing.T) {
				token := tokens[who]
				method, path, body := f.request(line.route, line.target)
				var r response
				if form, ok := body.(string); ok && strings.HasPrefix(form, "form:") {
					r = app.form(method, path, token, strings.TrimPrefix(form, "form:"))
				} else {
					r = app.call(method, path, token, body)
				}
				if r.Status != want[who] {
					t.Errorf("%s %s as %s: status %d, want %d; body %.300s", method, path, who, r.Status, want[who], r.Body)
				}
			})
		}
		if strings.HasSuffix(line.route, "/logout") {
			loginAll() // logging out ended every session of each caller
		}
	}

	param := regexp.MustCompile(`:[a-z_]+`)
	for _, r := range app.srv.App.GetRoutes(true) {
		if r.Method == "HEAD" || r.Method == "USE" {
			continue
		}
		key := r.Method + " " + r.Path
		if !mentioned[key] && !mentioned[r.Method+" "+param.ReplaceAllString(r.Path, ":x")] {
			t.Errorf("route %s is not in the authorisation matrix", key)
		}
	}
}

func parseWant(t *testing.T, s string) map[string]int {
	out := map[string]int{}
	for _, kv := range strings.Fields(s) {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("matrix: bad status in %q", s)
		}
		out[k] = n
	}
	for _, c := range callers {
		if _, ok := out[c]; !ok {
			t.Fatalf("matrix line %q lacks caller %s", s, c)
		}
	}
	return out
}
