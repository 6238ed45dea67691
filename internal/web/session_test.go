package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"seedling/internal/demo"
)

func TestLogoutEndsEverySessionOfTheUser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	phone, desk := app.login("secretary"), app.login("secretary")
	if phone == desk {
		t.Fatal("two logins gave the same token")
	}
	expectStatus(t, app.call("POST", "/api/v1/logout", phone, nil), 204)
	expectStatus(t, app.call("GET", "/api/v1/me", phone, nil), 401)
	expectStatus(t, app.call("GET", "/api/v1/me", desk, nil), 401)
}

func TestPasswordChangeAndDisablingEndSessions(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin, sec := app.login("admin"), app.login("secretary")
	r := app.call("POST", "/api/v1/me/password", sec, map[string]any{"current_password": demo.Password, "password": "a brand new passphrase"})
	expectStatus(t, r, 204)
	expectStatus(t, app.call("GET", "/api/v1/me", sec, nil), 401)
	r = app.call("POST", "/api/v1/login", "", map[string]any{"username": "secretary", "password": "a brand new passphrase"})
	expectStatus(t, r, 200)
	sec = r.JSON(t)["token"].(string)

	expectStatus(t, app.call("POST", "/api/v1/users/secretary/disable", admin, nil), 204)
	expectStatus(t, app.call("GET", "/api/v1/me", sec, nil), 401)
	r = app.call("POST", "/api/v1/login", "", map[string]any{"username": "secretary", "password": "a brand new passphrase"})
	expectStatus(t, r, 401)
	expectStatus(t, app.call("POST", "/api/v1/users/secretary/enable", admin, nil), 204)
	expectStatus(t, app.call("POST", "/api/v1/login", "", map[string]any{"username": "secretary", "password": "a brand new passphrase"}), 200)
}

func TestSessionsExpireWhenIdleAndAfterTheAbsoluteLimit(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	idle, old := app.login("committee"), app.login("secretary")
	expectStatus(t, app.call("GET", "/api/v1/me", idle, nil), 200)
	// Move the clocks of the stored sessions back instead of waiting.
	mustExec(t, app, `UPDATE sessions SET seen_at = now() - interval '31 minutes' WHERE user_id = (SELECT id FROM users WHERE username = 'committee')`)
	mustExec(t, app, `UPDATE sessions SET created_at = now() - interval '12 hours 1 minute' WHERE user_id = (SELECT id FROM users WHERE username = 'secretary')`)
	expectStatus(t, app.call("GET", "/api/v1/me", idle, nil), 401)
	expectStatus(t, app.call("GET", "/api/v1/me", old, nil), 401)
}

// A session id planted in the browser before login is not the one in use
// after it: login always issues a fresh id.
func TestLoginIssuesAFreshSessionID(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	planted := strings.Repeat("ab", 16)
	req := httptest.NewRequest("POST", "/login", strings.NewReader("username=secretary&password="+demo.Password))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: planted})
	res, err := app.srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 303 {
		t.Fatalf("login status %d", res.StatusCode)
	}
	var got *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			got = c
		}
	}
	if got == nil || got.Value == planted {
		t.Fatalf("login kept the planted session id: %+v", got)
	}
	if !got.HttpOnly || got.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie must be HttpOnly and SameSite=Lax: %+v", got)
	}
	expectStatus(t, app.call("GET", "/api/v1/me", planted, nil), 401)
	expectStatus(t, app.call("GET", "/api/v1/me", got.Value, nil), 200)
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	token := app.login("admin")
	cookieReq := func(method, path, body, ct string, hdr ...string) int {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := app.srv.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode
	}
	sess, err := app.db.Sessions().Lookup(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	// A cross-site form post rides on the cookie but cannot know the token.
	if got := cookieReq("POST", "/api/v1/users/secretary/disable", "", "application/x-www-form-urlencoded", "Origin", "http://evil.example"); got != 403 {
		t.Fatalf("cross-site post with the cookie: %d, want 403", got)
	}
	if got := cookieReq("POST", "/logout", "csrf=wrong", "application/x-www-form-urlencoded"); got != 403 {
		t.Fatalf("form with a wrong token: %d, want 403", got)
	}
	if got := cookieReq("POST", "/api/v1/users/secretary/disable", "", "application/json", "X-CSRF-Token", sess.CSRF); got != 204 {
		t.Fatalf("cookie call with the token: %d, want 204", got)
	}
	// Bearer clients need no CSRF token.
	expectStatus(t, app.call("POST", "/api/v1/users/secretary/enable", token, nil), 204)
	// Login CSRF: a login form posted from another site is refused.
	req := httptest.NewRequest("POST", "/login", strings.NewReader("username=secretary&password="+demo.Password))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	res, err := app.srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 403 {
		t.Fatalf("cross-site login: %d, want 403", res.StatusCode)
	}
}

// Five failures in 15 minutes cool the account off with 429, even for the
// right password, and the window passing lets the real user back in.
func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	login := func(pw string) response {
		return app.call("POST", "/api/v1/login", "", map[string]any{"username": "secretary", "password": pw})
	}
	for i := 0; i < 5; i++ {
		expectStatus(t, login("wrong password "+string(rune('a'+i))), 401)
	}
	r := login(demo.Password)
	expectStatus(t, r, 429)
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Another account is not affected.
	expectStatus(t, app.call("POST", "/api/v1/login", "", map[string]any{"username": "committee", "password": demo.Password}), 200)
	mustExec(t, app, `UPDATE login_failures SET at = at - interval '16 minutes'`)
	expectStatus(t, login(demo.Password), 200)
	// The throttled attempt reaches the trail folded into one row per
	// address when the sweep clears the window.
	if err := app.db.Sessions().Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	var failed, throttled int
	app.db.Get(&failed, `SELECT count(*) FROM audit_events WHERE action = 'login.failed'`)
	app.db.Get(&throttled, `SELECT count(*) FROM audit_events WHERE action = 'login.failed.aggregate' AND summary LIKE '%throttled=1 %'`)
	if failed != 5 || throttled != 1 {
		t.Fatalf("audit has %d failed and %d aggregated throttled logins, want 5 and 1", failed, throttled)
	}
}

func mustExec(t *testing.T, app *testApp, q string) {
	t.Helper()
	if _, err := app.db.Exec(q); err != nil {
		t.Fatal(err)
	}
}

// Decisions stay consistent while grants change under them: a reader sees
// the candidate (200) or not (404), never an error, and -race finds nothing.
func TestEnforcementWhileGrantsChange(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	admin := app.login("admin")
	expectStatus(t, app.call("POST", "/api/v1/users", admin, map[string]any{"username": "flicker", "password": "a flickering grant"}), 201)
	r := app.call("POST", "/api/v1/login", "", map[string]any{"username": "flicker", "password": "a flickering grant"})
	tok := r.JSON(t)["token"].(string)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20; i++ {
			path := "/api/v1/users/flicker/grants"
			if i%2 == 1 {
				path += "/revoke"
			}
			if r := app.call("POST", path, admin, map[string]any{"role": "committee", "org_id": f.comA}); r.Status != 204 {
				t.Errorf("grant change %d: %d %s", i, r.Status, r.Body)
				return
			}
		}
	}()
	seen := map[int]int{}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				st := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d", f.candA), tok, nil).Status
				mu.Lock()
				seen[st]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	<-done
	for st := range seen {
		if st != 200 && st != 404 {
			t.Fatalf("statuses while grants change: %v", seen)
		}
	}
}

// X-Forwarded-For is believed only from a configured proxy: otherwise the
// audit trail records the real peer, so nobody can forge their address.
func TestForwardedForIsTrustedOnlyFromProxies(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	r := app.call("POST", "/api/v1/login", "", map[string]any{"username": "secretary", "password": "wrong password!"}, "X-Forwarded-For", "203.0.113.9")
	expectStatus(t, r, 401)
	var ip string
	app.db.Get(&ip, `SELECT ip FROM audit_events WHERE action = 'login.failed' ORDER BY id DESC LIMIT 1`)
	if ip == "203.0.113.9" || ip == "" {
		t.Fatalf("audit believed an untrusted X-Forwarded-For: %q", ip)
	}
}
