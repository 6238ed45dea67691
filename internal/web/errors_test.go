package web

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// Bad input of every shape gets the one error shape and the right status,
// never a 500.
func TestBadInputGetsTheErrorShape(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.login("admin")
	cases := []struct {
		name   string
		method string
		path   string
		body   any
		hdr    []string
		status int
		code   string
		field  string
	}{
		{"malformed json", "POST", "/api/v1/orgs", `{"parent_id":`, nil, 400, "invalid", ""},
		{"unknown field", "POST", "/api/v1/orgs", `{"parent_id":1,"kind":"branch","name":"x","colour":"red"}`, nil, 400, "invalid", "colour"},
		{"wrong type", "POST", "/api/v1/orgs", `{"parent_id":"one","kind":"committee","name":"x"}`, nil, 400, "invalid", "parent_id"},
		{"two values", "POST", "/api/v1/login", `{"username":"a","password":"b"}{}`, nil, 400, "invalid", ""},
		{"array body", "POST", "/api/v1/login", `[1,2]`, nil, 400, "invalid", ""},
		{"empty body", "POST", "/api/v1/login", ``, nil, 400, "invalid", ""},
		{"wrong content type", "POST", "/api/v1/orgs", nil, []string{"Content-Type", "text/plain"}, 415, "unsupported", ""},
		{"unknown api route", "GET", "/api/v1/nothing-here", nil, nil, 404, "not_found", ""},
		{"id not a number", "GET", "/api/v1/candidates/abc", nil, nil, 404, "not_found", ""},
		{"id overflow", "GET", "/api/v1/candidates/99999999999999999999999", nil, nil, 404, "not_found", ""},
		{"unknown stage", "GET", "/api/v1/candidates?stage=astronaut", nil, nil, 400, "invalid", "stage"},
		{"bad org filter", "GET", "/api/v1/candidates?org_id=-3", nil, nil, 400, "invalid", "org_id"},
		{"unknown kind", "POST", "/api/v1/orgs", map[string]any{"parent_id": 1, "kind": "planet", "name": "x"}, nil, 400, "invalid", "kind"},
		{"name with comma", "POST", "/api/v1/orgs", map[string]any{"parent_id": 1, "kind": "committee", "name": "a,b"}, nil, 400, "invalid", "name"},
		{"name with star", "POST", "/api/v1/orgs", map[string]any{"parent_id": 1, "kind": "committee", "name": "*"}, nil, 400, "invalid", "name"},
		{"name with quote", "POST", "/api/v1/orgs", map[string]any{"parent_id": 1, "kind": "committee", "name": `x"y`}, nil, 400, "invalid", "name"},
		{"grant unknown role", "POST", "/api/v1/users/secretary/grants", map[string]any{"role": "emperor", "org_id": 1}, nil, 400, "invalid", "role"},
		{"grant unknown node", "POST", "/api/v1/users/secretary/grants", map[string]any{"role": "secretary", "org_id": 999999}, nil, 400, "invalid", "org_id"},
		{"over-long username", "POST", "/api/v1/users", map[string]any{"username": strings.Repeat("u", 65), "password": "long enough pass"}, nil, 400, "invalid", "username"},
		{"username with comma", "POST", "/api/v1/users", map[string]any{"username": "a,b", "password": "long enough pass"}, nil, 400, "invalid", "username"},
		{"short password", "POST", "/api/v1/users", map[string]any{"username": "newbie", "password": "short"}, nil, 400, "invalid", "password"},
		{"common password", "POST", "/api/v1/users", map[string]any{"username": "newbie", "password": "1234567890"}, nil, 400, "invalid", "password"},
		{"bad audit time", "GET", "/api/v1/audit?before=yesterday", nil, nil, 400, "invalid", "before"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := app.call(tc.method, tc.path, admin, tc.body, tc.hdr...)
			expectStatus(t, r, tc.status)
			if got := r.errorCode(); got != tc.code {
				t.Fatalf("error code %q, want %q: %s", got, tc.code, r.Body)
			}
			if tc.field != "" {
				fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
				if _, ok := fields[tc.field]; !ok {
					t.Fatalf("no field error for %q: %s", tc.field, r.Body)
				}
			}
		})
	}
}

func TestUnknownPageIsAnHTMLNotFound(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	r := app.call("GET", "/no/such/page", "", nil)
	expectStatus(t, r, 404)
	if !strings.Contains(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.Body), "找不到") {
		t.Fatalf("want a Chinese HTML 404, got %s: %.200s", r.Header.Get("Content-Type"), r.Body)
	}
}

func TestMachineEndpoints(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	expectStatus(t, app.call("GET", "/healthz", "", nil), 200)
	expectStatus(t, app.call("GET", "/readyz", "", nil), 200)
	m := app.call("GET", "/metrics", "", nil)
	expectStatus(t, m, 200)
	if !strings.Contains(string(m.Body), "seedling_http_requests_total") {
		t.Fatalf("metrics lack the request counter:\n%.500s", m.Body)
	}
}

// readyz says 503 while a migration is pending, so a load balancer waits.
func TestReadyzIsUnavailableWithPendingMigrations(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	if err := app.db.MigrateDown(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	r := app.call("GET", "/readyz", "", nil)
	expectStatus(t, r, 503)
}

// A body over the limit is refused with 413 before it is read. This needs a
// real socket (the in-memory transport gives up on its own), and the request
// is written by hand: the server answers as soon as it sees the length, and a
// client still sending the body would trip over the closed connection.
func TestTooLargeBody(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := strings.TrimPrefix(app.serve(), "http://")
	conn, err := net.Dial("tcp", base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", base, 3<<20)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 413 || !strings.Contains(string(b), `"code":"too_large"`) {
		t.Fatalf("got %d %s", res.StatusCode, b)
	}
}
