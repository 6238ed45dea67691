package web

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// extraRequests builds the concrete requests of matrix lines kept outside
// matrix_test.go, keyed by route pattern.
var extraRequests = map[string]func(f *fixture, method, pattern, target string) (string, string, any){}

// The ledger's lines of the authorisation matrix (see matrix_test.go for
// the callers and targets): a is activist-a's record in branch A, a2 another
// of branch A's people, b branch B's. Writes that pass authorisation but
// lack a header or a file answer 400 or 415: what matters here is that
// only the secretary gets past the check.
var ledgerMatrix = []struct{ route, target, want string }{
	{"GET /api/v1/rubric", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"GET /api/v1/rubric/versions", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"POST /api/v1/rubric", "-", "anon=401 admin=400 committee=403 secretary=403 leader=403 activist=403"},

	{"GET /api/v1/candidates/:id/ledger", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=200"},
	{"GET /api/v1/candidates/:id/ledger", "a2", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=404"},
	{"GET /api/v1/candidates/:id/ledger", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /api/v1/candidates/:id/ledger", "a", "anon=401 admin=403 committee=403 secretary=400 leader=404 activist=403"},
	{"POST /api/v1/candidates/:id/ledger", "a2", "anon=401 admin=403 committee=403 secretary=400 leader=404 activist=404"},
	{"POST /api/v1/candidates/:id/ledger", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /api/v1/candidates/:id/ledger.xlsx", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=200"},
	{"GET /api/v1/candidates/:id/ledger.xlsx", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /api/v1/candidates/:id/score", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=200"},
	{"GET /api/v1/candidates/:id/score", "a2", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=404"},
	{"GET /api/v1/candidates/:id/score", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /api/v1/ledger/:entry_id/reverse", "a", "anon=401 admin=403 committee=403 secretary=201 leader=404 activist=403"},
	{"POST /api/v1/ledger/:entry_id/reverse", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /api/v1/ledger/:entry_id/evidence", "a", "anon=401 admin=403 committee=403 secretary=415 leader=404 activist=403"},
	{"POST /api/v1/ledger/:entry_id/evidence", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /api/v1/evidence/:id", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=200"},
	{"GET /api/v1/evidence/:id", "a2", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=404"},
	{"GET /api/v1/evidence/:id", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /api/v1/orgs/:id/roster", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=404"},
	{"GET /api/v1/orgs/:id/roster", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /api/v1/orgs/:id/ledger-keeper", "a", "anon=401 admin=403 committee=403 secretary=200 leader=404 activist=404"},
	{"POST /api/v1/orgs/:id/ledger-keeper", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /api/v1/orgs/:id/ledger.xlsx", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=404"},
	{"GET /api/v1/orgs/:id/ledger.xlsx", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /api/v1/orgs/:id/ledger/template", "a", "anon=401 admin=403 committee=403 secretary=200 leader=404 activist=404"},
	{"GET /api/v1/orgs/:id/ledger/template", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /api/v1/orgs/:id/ledger/import", "a", "anon=401 admin=403 committee=403 secretary=415 leader=404 activist=404"},
	{"POST /api/v1/orgs/:id/ledger/import", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},

	{"GET /rubric", "-", "anon=303 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"POST /rubric", "-", "anon=401 admin=400 committee=403 secretary=403 leader=403 activist=403"},
	{"GET /branches", "-", "anon=303 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"GET /branches/:id/roster", "a", "anon=303 admin=200 committee=200 secretary=200 leader=404 activist=404"},
	{"GET /branches/:id/roster", "b", "anon=303 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /branches/:id/keeper", "a", "anon=401 admin=403 committee=403 secretary=303 leader=404 activist=404"},
	{"POST /branches/:id/keeper", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /branches/:id/import", "a", "anon=303 admin=403 committee=403 secretary=200 leader=404 activist=404"},
	{"GET /branches/:id/import", "b", "anon=303 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /branches/:id/import", "a", "anon=401 admin=403 committee=403 secretary=415 leader=404 activist=404"},
	{"POST /branches/:id/import", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /candidates/:id/ledger", "a", "anon=303 admin=200 committee=200 secretary=200 leader=404 activist=200"},
	{"GET /candidates/:id/ledger", "a2", "anon=303 admin=200 committee=200 secretary=200 leader=404 activist=404"},
	{"GET /candidates/:id/ledger", "b", "anon=303 admin=200 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /candidates/:id/ledger", "a", "anon=401 admin=403 committee=403 secretary=303 leader=404 activist=403"},
	{"POST /candidates/:id/ledger", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /candidates/:id/ledger/:entry_id/reverse", "a", "anon=401 admin=403 committee=403 secretary=303 leader=404 activist=403"},
	{"POST /candidates/:id/ledger/:entry_id/reverse", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"POST /candidates/:id/ledger/:entry_id/evidence", "a", "anon=401 admin=403 committee=403 secretary=400 leader=404 activist=403"},
	{"POST /candidates/:id/ledger/:entry_id/evidence", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404"},
	{"GET /me/score", "-", "anon=303 admin=404 committee=404 secretary=404 leader=404 activist=200"},
}

func init() {
	for _, l := range ledgerMatrix {
		matrix = append(matrix, struct {
			route  string
			target string
			want   string
		}{l.route, l.target, l.want})
		_, pattern, _ := strings.Cut(l.route, " ")
		extraRequests[pattern] = ledgerRequest
	}
}

func (f *fixture) pickCand(target string) int64 {
	switch target {
	case "a2":
		return f.candA2
	case "b":
		return f.candB
	}
	return f.candA
}

func (f *fixture) pickOrg(target string) int64 {
	if target == "b" {
		return f.orgB
	}
	return f.orgA
}

// freshEntry books a new entry on a candidate's ledger behind the API, so
// that a line which reverses one always finds one to reverse.
func (f *fixture) freshEntry(cand int64) int64 {
	pts := 1
	d := ledger.Draft{Category: "study_attendance", Points: &pts, OccurredOn: seedling.Today(time.Now()).Format(seedling.DateLayout), Description: "矩阵测试"}
	e, _, err := f.app.db.Ledger().Record(context.Background(), seedling.Actor{Username: "matrix"}, cand, d, "", nil)
	if err != nil {
		panic(err)
	}
	return e.ID
}

// evidenceOf attaches a stored file to a fresh entry and returns its id.
func (f *fixture) evidenceOf(cand int64) int64 {
	ctx := context.Background()
	info, err := f.app.srv.evidence.Put(ctx, bytes.NewReader(jpegBytes), 1<<20)
	if err != nil {
		panic(err)
	}
	ev, _, err := f.app.db.Ledger().Attach(ctx, seedling.Actor{Username: "matrix"}, f.freshEntry(cand),
		ledger.Evidence{SHA256: info.SHA256, Size: info.Size, Name: "照片.jpg", ContentType: "image/jpeg"})
	if err != nil {
		panic(err)
	}
	return ev.ID
}

func (f *fixture) userID(name string) int64 {
	u, err := f.app.db.Users().ByUsername(context.Background(), name)
	if err != nil {
		panic(err)
	}
	return u.ID
}

// ledgerRequest builds the concrete request of a ledger line.
func ledgerRequest(f *fixture, method, pattern, target string) (string, string, any) {
	cand, org := f.pickCand(target), f.pickOrg(target)
	path := strings.NewReplacer(":id", fmt.Sprint(cand), ":entry_id", "0").Replace(pattern)
	today := seedling.Today(time.Now()).Format(seedling.DateLayout)
	form := func(v url.Values) string { return "form:" + v.Encode() }
	switch {
	case strings.HasPrefix(pattern, "/api/v1/orgs/"), strings.HasPrefix(pattern, "/branches/"):
		path = strings.Replace(pattern, ":id", fmt.Sprint(org), 1)
	case strings.HasPrefix(pattern, "/api/v1/ledger/"):
		path = strings.Replace(pattern, ":entry_id", fmt.Sprint(f.freshEntry(cand)), 1)
	case pattern == "/api/v1/evidence/:id":
		path = fmt.Sprintf("/api/v1/evidence/%d", f.evidenceOf(cand))
	case strings.HasPrefix(pattern, "/candidates/:id/ledger/:entry_id"):
		path = strings.NewReplacer(":id", fmt.Sprint(cand), ":entry_id", fmt.Sprint(f.freshEntry(cand))).Replace(pattern)
	}
	var body any
	switch method + " " + pattern {
	case "POST /api/v1/rubric":
		body = map[string]any{}
	case "POST /api/v1/candidates/:id/ledger":
		body = map[string]any{"category": "study_attendance", "points": 1, "occurred_on": today, "description": "矩阵测试"}
	case "POST /api/v1/ledger/:entry_id/reverse":
		body = map[string]any{"reason": "矩阵测试"}
	case "POST /api/v1/ledger/:entry_id/evidence", "POST /api/v1/orgs/:id/ledger/import":
		body = map[string]any{}
	case "POST /api/v1/orgs/:id/ledger-keeper":
		body = map[string]any{"user_id": f.userID("secretary")}
	case "POST /rubric", "POST /branches/:id/import", "POST /candidates/:id/ledger/:entry_id/evidence":
		body = form(url.Values{})
	case "POST /branches/:id/keeper":
		body = form(url.Values{"user_id": {fmt.Sprint(f.userID("secretary"))}})
	case "POST /candidates/:id/ledger":
		// Practice, not study: the API cases before fill theory study to its
		// cap, and the form asks before points that would not count.
		body = form(url.Values{"category": {"task_completion"}, "points": {"1"}, "occurred_on": {today}, "description": {"矩阵测试"}})
	case "POST /candidates/:id/ledger/:entry_id/reverse":
		body = form(url.Values{"reason": {"矩阵测试"}})
	}
	return method, path, body
}
