package web

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"seedling/internal/display"
	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

// The pre-admission notices' lines of the authorisation matrix (see
// matrix_test.go for the callers and targets; member as in
// display_matrix_test.go). a is a notice of the activist of branch A, b one
// of a candidate of branch B. Writes that pass authorisation carry a body
// refused as invalid (400).
var noticeMatrix = []struct{ route, target, want string }{
	{"POST /api/v1/candidates/:id/notices", "a", "anon=401 admin=403 committee=403 secretary=400 leader=404 activist=403 member=403"},
	{"POST /api/v1/candidates/:id/notices", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"GET /api/v1/candidates/:id/notices", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=200 member=200"},
	{"GET /api/v1/candidates/:id/notices", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"GET /api/v1/notices/:id", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=200 member=200"},
	{"GET /api/v1/notices/:id", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"POST /api/v1/notices/:id/objections", "a", "anon=401 admin=403 committee=403 secretary=403 leader=404 activist=400 member=400"},
	{"POST /api/v1/notices/:id/objections", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404 member=404"},
	// a: the activist's own record (the file of an objection about them).
	{"GET /api/v1/objections/:id/evidence", "a", "anon=401 admin=200 committee=200 secretary=200 leader=404 activist=200 member=403"},
	{"GET /api/v1/objections/:id/evidence", "b", "anon=401 admin=200 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"GET /candidates/:id/notices", "a", "anon=303 admin=200 committee=200 secretary=200 leader=404 activist=200 member=200"},
	{"GET /candidates/:id/notices", "b", "anon=303 admin=200 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"POST /candidates/:id/notices", "a", "anon=401 admin=403 committee=403 secretary=400 leader=404 activist=403 member=403"},
	{"POST /candidates/:id/notices", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404 member=404"},
	{"POST /notices/:id/objections", "a", "anon=401 admin=403 committee=403 secretary=403 leader=404 activist=400 member=400"},
	{"POST /notices/:id/objections", "b", "anon=401 admin=403 committee=404 secretary=404 leader=404 activist=404 member=404"},
}

func init() {
	for _, l := range noticeMatrix {
		matrix = append(matrix, struct {
			route  string
			target string
			want   string
		}{l.route, l.target, l.want})
		displayMatrix = append(displayMatrix, l) // walked for the member too
		_, pattern, _ := strings.Cut(l.route, " ")
		extraRequests[pattern] = noticeRequest
	}
}

var (
	noticeFixturesMu sync.Mutex
	noticeFixtureOf  = map[*fixture]map[string]int64{}
)

// notices publishes, once per fixture, a notice of the candidate each
// target names.
func (f *fixture) notices() map[string]int64 {
	noticeFixturesMu.Lock()
	defer noticeFixturesMu.Unlock()
	if m := noticeFixtureOf[f]; m != nil {
		return m
	}
	m := map[string]int64{}
	// Both pools stand on a working day, so that the windows are open when
	// the fixture objects.
	savedOwner, savedApp := f.app.db.Now, f.app.srv.db.Now
	defer func() { f.app.db.Now, f.app.srv.db.Now = savedOwner, savedApp }()
	monday := func() time.Time { return time.Date(2026, 10, 12, 2, 0, 0, 0, time.UTC) }
	f.app.db.Now, f.app.srv.db.Now = monday, monday
	for _, target := range []string{"a", "b"} {
		ctx, a := context.Background(), seedling.Actor{Username: "matrix"}
		n, err := f.app.db.Notices().Publish(ctx, a, f.pickCand(target), display.NoticeTarget, pipeline.DefaultRegistry())
		if err != nil { // a development target: the notice before admission
			n, err = f.app.db.Notices().Publish(ctx, a, f.pickCand(target), display.NoticeAdmission, pipeline.DefaultRegistry())
		}
		if err != nil {
			panic(err)
		}
		m[target] = n.ID
		// An objection with a file, raised through the API by a member of
		// the node (secretary2 records one received on paper in branch B).
		tok, fields := f.app.login("member"), map[string]string{"text": "矩阵异议附件"}
		if target == "b" {
			tok, fields = f.app.login("secretary2"), map[string]string{"text": "矩阵异议附件", "channel": "paper", "from": "群众"}
		}
		r := f.app.upload(fmt.Sprintf("/api/v1/notices/%d/objections", n.ID), tok, false, fields, "file", "note.pdf", pdfBytes)
		if r.Status != 201 {
			panic(fmt.Sprintf("objection with a file: %d %s", r.Status, r.Body))
		}
		m["objection:"+target] = id(f.app.t, r)
	}
	noticeFixtureOf[f] = m
	return m
}

func noticeRequest(f *fixture, method, pattern, target string) (string, string, any) {
	switch pattern {
	case "/api/v1/candidates/:id/notices":
		path := strings.Replace(pattern, ":id", fmt.Sprint(f.pickCand(target)), 1)
		if method == "POST" {
			return method, path, map[string]any{"step": "bogus"}
		}
		return method, path, nil
	case "/api/v1/notices/:id":
		return method, strings.Replace(pattern, ":id", fmt.Sprint(f.notices()[target]), 1), nil
	case "/api/v1/notices/:id/objections":
		return method, strings.Replace(pattern, ":id", fmt.Sprint(f.notices()[target]), 1), map[string]any{"text": ""}
	case "/api/v1/objections/:id/evidence":
		return method, strings.Replace(pattern, ":id", fmt.Sprint(f.notices()["objection:"+target]), 1), nil
	case "/candidates/:id/notices":
		path := strings.Replace(pattern, ":id", fmt.Sprint(f.pickCand(target)), 1)
		if method == "POST" {
			return method, path, "form:step=bogus"
		}
		return method, path, nil
	case "/notices/:id/objections":
		return method, strings.Replace(pattern, ":id", fmt.Sprint(f.notices()[target]), 1), "form:text="
	}
	return method, pattern, nil
}
