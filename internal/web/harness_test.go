package web

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"seedling/internal/authz"
	"seedling/internal/demo"
	"seedling/internal/evidence"
	"seedling/internal/postgres"
	"seedling/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// testApp is a real server on a real database holding the demo data. The
// server runs as the application role, as in production; db is the owner's
// pool, for tests that look behind the application's back.
type testApp struct {
	t   testing.TB
	srv *Server
	db  *postgres.DB
}

func newTestApp(t testing.TB) *testApp {
	t.Helper()
	db := testdb.NewDemo(t)
	return newTestAppOn(t, db)
}

func newTestAppOn(t testing.TB, db *postgres.DB) *testApp {
	t.Helper()
	return newTestAppWith(t, db, Config{})
}

// newTestAppWith is newTestAppOn with the operator's settings.
func newTestAppWith(t testing.TB, db *postgres.DB, cfg Config) *testApp {
	t.Helper()
	az, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	appDB := db
	if db != nil {
		if appDB, err = db.AsApp(t.Context()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { appDB.Close() })
	}
	srv, err := New(cfg, Deps{DB: appDB, Sessions: appDB.Sessions(), Authz: az, Log: log, Evidence: evidence.NewDir(t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	return &testApp{t: t, srv: srv, db: db}
}

// response is what a test looks at.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// errorCode returns error.code of an error body, or "".
func (r response) errorCode() string {
	var e errorBody
	if json.Unmarshal(r.Body, &e) != nil {
		return ""
	}
	return e.Error.Code
}

// call sends one request; body may be nil, a string (sent as is) or any
// value (sent as JSON).
func (a *testApp) call(method, path, token string, body any, headers ...string) response {
	a.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	default:
		buf, _ := json.Marshal(b)
		rd, ct = bytes.NewReader(buf), "application/json"
	}
	req := httptest.NewRequest(method, path, rd)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := a.srv.App.Test(req, -1)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: out}
}

// login returns a bearer token for a demo account.
func (a *testApp) login(username string) string {
	a.t.Helper()
	r := a.call("POST", "/api/v1/login", "", map[string]string{"username": username, "password": demo.Password})
	if r.Status != 200 {
		a.t.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	return r.JSON(a.t)["token"].(string)
}

func expectStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body: %s", r.Status, want, r.Body)
	}
}

// serve runs the app on a real loopback socket for the test's lifetime and
// returns its base URL.
func (a *testApp) serve() string {
	a.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.t.Fatal(err)
	}
	go a.srv.App.Listener(ln)
	a.t.Cleanup(func() { a.srv.App.Shutdown() })
	base := "http://" + ln.Addr().String()
	// fasthttp registers the listener only once Serve runs, and a Shutdown
	// before that closes nothing: wait until a request over the socket is
	// answered, so a test that shuts the server down shuts down a serving one.
	// The deadline is a bound against a hang, not a measure.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			a.t.Fatal("the test server never answered on its socket")
		}
	}
	return base
}

// form posts a urlencoded form the way a browser would: with the session
// cookie and its CSRF token when a token is given.
func (a *testApp) form(method, path, token, body string) response {
	a.t.Helper()
	return a.formWith(method, path, body, "token", token)
}

// formWith is form with more headers; the pseudo-header "token" names the
// session.
func (a *testApp) formWith(method, path, body string, headers ...string) response {
	a.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	token := ""
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "token" {
			token = headers[i+1]
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
		sess, err := a.db.Sessions().Lookup(a.t.Context(), token)
		if err != nil {
			a.t.Fatal(err)
		}
		req.Header.Set("X-CSRF-Token", sess.CSRF)
	}
	res, err := a.srv.App.Test(req, -1)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: out}
}
