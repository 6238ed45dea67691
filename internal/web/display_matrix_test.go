package web

import (
	"fmt"
	"strings"
)

// The calendar's and the display's lines of the authorisation matrix (see
// matrix_test.go for the callers and targets).
var displayMatrix = []struct{ route, target, want string }{
	{"GET /api/v1/calendar/workdays", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"GET /api/v1/calendar/overrides", "-", "anon=401 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"POST /api/v1/calendar/overrides", "-", "anon=401 admin=200 committee=403 secretary=403 leader=403 activist=403"},
	{"GET /calendar", "-", "anon=303 admin=200 committee=200 secretary=200 leader=200 activist=200"},
	{"POST /calendar", "-", "anon=401 admin=303 committee=403 secretary=403 leader=403 activist=403"},
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

// displayRequest builds the concrete request of one of the lines above.
func displayRequest(f *fixture, method, pattern, target string) (string, string, any) {
	n := f.seq.Add(1)
	day := fmt.Sprintf("2031-%02d-%02d", 1+n%12, 1+n%28)
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
	}
	return method, pattern, nil
}
