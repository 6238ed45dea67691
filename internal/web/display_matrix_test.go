package web

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"seedling/internal/display"
	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

// The calendar's and the display's lines of the authorisation matrix (see
// matrix_test.go for the callers and targets). member is the 普通党员 of
// branch A; TestDisplayMatrixMember walks these lines for that caller,
// since the main matrix predates the role. a is branch A's published
// 2026Q3 display (or a fresh draft for the lines that need one), b branch
// B's. The group leader of branch A's first group reads branch A's
// displays (the node above the group) but acts on none of them. Writes that pass authorisation carry a body that is refused as
// invalid (400), so the window's dates play no part.
var displayMatrix = []struct{ route, target, want string }{
	{"GET /api/v1/calendar/workdays", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200 member=200"},
	{"GET /api/v1/calendar/overrides", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200 member=200"},
	{"POST /api/v1/calendar/overrides", "-", "anon=401 admin=200 committee=403 secretary=403 leader=403 activist=403 member=403"},
	{"GET /calendar", "-", "anon=303 admin=200 committee=200 secretary=200 leader=200 activist=200 member=200"},
	{"POST /calendar", "-", "anon=401 admin=303 committee=403 secretary=403 leader=403 activist=403 member=403"},

	{"POST /api/v1/displays", "a", "anon=401 admin=403 committee=403 secretary=201 leader=404 activist=403 member=403"},
	{"POST /api/v1/displays", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"GET /api/v1/displays", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200 member=200"},
	{"GET /api/v1/displays", "a", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200 member=200"},
	{"GET /api/v1/displays", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"GET /api/v1/displays/:id", "a", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200 member=200"},
	{"GET /api/v1/displays/:id", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"POST /api/v1/displays/:id/publish", "a", "anon=401 admin=403 committee=403 secretary=200 leader=404 activist=403 member=403"},
	{"POST /api/v1/displays/:id/publish", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"POST /api/v1/displays/:id/discard", "a", "anon=401 admin=403 committee=403 secretary=200 leader=404 activist=403 member=403"},
	{"POST /api/v1/displays/:id/discard", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"POST /api/v1/displays/:id/reissue", "a", "anon=401 admin=403 committee=403 secretary=422 leader=404 activist=403 member=403"},
	{"POST /api/v1/displays/:id/reissue", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"POST /api/v1/displays/:id/objections", "a", "anon=401 admin=403 committee=403 secretary=403 leader=404 activist=400 member=400"},
	{"POST /api/v1/displays/:id/objections", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"POST /api/v1/objections/:id/resolution", "a", "anon=401 admin=403 committee=403 secretary=400 leader=404 activist=403 member=403"},
	{"POST /api/v1/objections/:id/resolution", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"GET /api/v1/displays/:id/rows.xlsx", "a", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200 member=200"},
	{"GET /api/v1/displays/:id/rows.xlsx", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"GET /api/v1/display-overview", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200 member=200"},
	// a: the leader reads branch A's displays but not the overview of its
	// whole subtree (the other groups' objections).
	{"GET /api/v1/display-overview", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=200 member=200"},
	{"GET /api/v1/display-overview", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"GET /api/v1/display-overview.xlsx", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200 member=200"},
	{"POST /api/v1/orgs/:id/display-settings", "a", "anon=401 admin=400 committee=400 secretary=403 leader=404 activist=403 member=403"},
	{"POST /api/v1/orgs/:id/display-settings", "b", "anon=401 admin=400 committee=404 secretary=404 leader=404 activist=404 member=404"},

	{"GET /displays", "-", "anon=303 admin=200 committee=200 secretary=200 leader=200 activist=200 member=200"},
	{"POST /displays", "a", "anon=401 admin=403 committee=403 secretary=400 leader=404 activist=403 member=403"},
	{"GET /displays-overview", "-", "anon=303 admin=200 committee=200 secretary=200 leader=200 activist=200 member=200"},
	{"GET /displays/:id", "a", "anon=303 admin=200 committee=200 secretary=200 leader=200 activist=200 member=200"},
	{"GET /displays/:id", "b", "anon=303 admin=200 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"GET /displays/:id/notice", "a", "anon=303 admin=200 committee=200 secretary=200 leader=200 activist=200 member=200"},
	{"GET /displays/:id/notice", "b", "anon=303 admin=200 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"POST /displays/:id/publish", "a", "anon=401 admin=403 committee=403 secretary=303 leader=404 activist=403 member=403"},
	{"POST /displays/:id/discard", "a", "anon=401 admin=403 committee=403 secretary=303 leader=404 activist=403 member=403"},
	{"POST /displays/:id/reissue", "a", "anon=401 admin=403 committee=403 secretary=422 leader=404 activist=403 member=403"},
	{"POST /displays/:id/objections", "a", "anon=401 admin=403 committee=403 secretary=403 leader=404 activist=400 member=400"},
	{"POST /displays/:id/objections", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"POST /objections/:id/resolution", "a", "anon=401 admin=403 committee=403 secretary=400 leader=404 activist=403 member=403"},
	{"POST /objections/:id/resolution", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404 member=404"},
}

func init() {
	for _, l := range displayMatrix {
		matrix = append(matrix, struct {
			route  string
			target string
			want   string
		}{l.route, l.target, l.want})
		_, pattern, _ := strings.Cut(l.route, " ")
		extraRequests[pattern] = displayRequest
	}
}

// displayFixtures are the displays and objections the lines point at, made
// once per fixture through the store with the clock on a working day.
type displayFixtures struct {
	published, objection map[string]int64 // by target
	nextYear             map[string]int   // periods handed out for fresh drafts
}

var (
	displayFixturesMu sync.Mutex
	displayFixtureOf  = map[*fixture]*displayFixtures{}
)

func (f *fixture) displays() *displayFixtures {
	displayFixturesMu.Lock()
	defer displayFixturesMu.Unlock()
	if df := displayFixtureOf[f]; df != nil {
		return df
	}
	df := &displayFixtures{published: map[string]int64{}, objection: map[string]int64{}, nextYear: map[string]int{"a": 2000, "b": 2000}}
	ctx := context.Background()
	db := f.app.db
	saved := db.Now
	defer func() { db.Now = saved }()
	db.Now = func() time.Time { return time.Date(2026, 10, 12, 2, 0, 0, 0, time.UTC) }
	q3, _ := display.ParsePeriod("2026Q3")
	for target, orgID := range map[string]int64{"a": f.orgA, "b": f.orgB} {
		org, err := db.Orgs().ByID(ctx, orgID)
		if err != nil {
			panic(err)
		}
		d, err := db.Displays().Create(ctx, seedling.Actor{Username: "matrix"}, org, q3, pipeline.DefaultRegistry())
		if err != nil {
			panic(err)
		}
		if _, err := db.Displays().Publish(ctx, seedling.Actor{Username: "matrix"}, d.ID); err != nil {
			panic(err)
		}
		o, err := db.Displays().Raise(ctx, seedling.Actor{Username: "matrix"}, d.ID, display.Raise{CandidateID: d.Rows[0].CandidateID, Text: "矩阵异议"}, false, nil)
		if err != nil {
			panic(err)
		}
		df.published[target], df.objection[target] = d.ID, o.ID
	}
	displayFixtureOf[f] = df
	return df
}

// freshDraft takes a new draft of an ended period no other line uses.
func (f *fixture) freshDraft(target string) int64 {
	df := f.displays()
	displayFixturesMu.Lock()
	year := df.nextYear[target]
	df.nextYear[target]++
	displayFixturesMu.Unlock()
	ctx := context.Background()
	org, _ := f.app.db.Orgs().ByID(ctx, f.pickOrg(target))
	p, _ := display.ParsePeriod(fmt.Sprintf("%dH1", year))
	d, err := f.app.db.Displays().Create(ctx, seedling.Actor{Username: "matrix"}, org, p, pipeline.DefaultRegistry())
	if err != nil {
		panic(err)
	}
	return d.ID
}

// displayRequest builds the concrete request of one of the lines above.
func displayRequest(f *fixture, method, pattern, target string) (string, string, any) {
	n := f.seq.Add(1)
	day := fmt.Sprintf("2031-%02d-%02d", 1+n%12, 1+n%28)
	with := func(id int64) string { return strings.Replace(pattern, ":id", fmt.Sprint(id), 1) }
	switch pattern {
	case "/api/v1/calendar/workdays":
		return method, "/api/v1/calendar/workdays?from=2026-02-12&days=5", nil
	case "/api/v1/calendar/overrides":
		if method == "POST" {
			return method, pattern, map[string]any{"day": day, "workday": true, "note": "矩阵"}
		}
	case "/calendar":
		if method == "POST" {
			return method, pattern, "form:choice=holiday&note=matrix&day=" + day
		}
	case "/api/v1/displays":
		if method == "POST" {
			return method, pattern, map[string]any{"org_id": f.pickOrg(target), "period": "2019Q4"} // no demo display
		}
		if target != "-" {
			return method, pattern + fmt.Sprintf("?org_id=%d", f.pickOrg(target)), nil
		}
	case "/api/v1/displays/:id", "/api/v1/displays/:id/reissue", "/api/v1/displays/:id/rows.xlsx",
		"/displays/:id", "/displays/:id/notice":
		return method, with(f.displays().published[target]), nil
	case "/displays/:id/reissue":
		return method, with(f.displays().published[target]), "form:"
	case "/api/v1/displays/:id/publish", "/api/v1/displays/:id/discard":
		return method, with(f.freshDraft(target)), nil
	case "/displays/:id/publish", "/displays/:id/discard":
		return method, with(f.freshDraft(target)), "form:"
	case "/displays":
		if method == "POST" {
			return method, pattern, fmt.Sprintf("form:org_id=%d&period=2026Q5", f.pickOrg(target))
		}
	case "/displays/:id/objections":
		return method, with(f.displays().published[target]), fmt.Sprintf("form:candidate_id=%d&text=", f.pickCand(target))
	case "/objections/:id/resolution":
		return method, with(f.displays().objection[target]), "form:decision=maybe&reason=x"
	case "/api/v1/display-overview", "/api/v1/display-overview.xlsx":
		if target != "-" {
			return method, pattern + fmt.Sprintf("?org_id=%d", f.pickOrg(target)), nil
		}
	case "/api/v1/orgs/:id/display-settings":
		return method, with(f.pickOrg(target)), map[string]any{"window_days": 0, "objection_days": 5}
	case "/api/v1/displays/:id/objections":
		df := f.displays()
		return method, with(df.published[target]), map[string]any{"candidate_id": f.pickCand(target), "text": ""}
	case "/api/v1/objections/:id/resolution":
		return method, with(f.displays().objection[target]), map[string]any{"decision": "maybe", "reason": "矩阵"}
	}
	return method, pattern, nil
}

// TestDisplayMatrixMember walks the lines above for the member role.
func TestDisplayMatrixMember(t *testing.T) {
	app := newTestApp(t)
	f := newFixture(t, app)
	tok := app.login("member")
	for _, line := range displayMatrix {
		want := parseWant(t, line.want)["member"]
		method, path, body := f.request(line.route, line.target)
		var r response
		if form, ok := body.(string); ok && strings.HasPrefix(form, "form:") {
			r = app.form(method, path, tok, strings.TrimPrefix(form, "form:"))
		} else {
			r = app.call(method, path, tok, body)
		}
		if r.Status != want {
			t.Errorf("%s [%s] as member: %d, want %d; %.300s", line.route, line.target, r.Status, want, r.Body)
		}
	}
}
