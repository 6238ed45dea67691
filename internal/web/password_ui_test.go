package web

import (
	"net/http"
	"net/url"
	"testing"

	"seedling/internal/demo"
)

// Anyone changes their own password from a page: wrong input comes back
// with each problem next to its field, in the reader's language; a change
// ends every other session, keeps this device logged in with a new session,
// and says so once in the status region after the redirect.
func TestOwnPasswordPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	other := app.login("activist") // another device of the same person
	me := app.login("activist")
	r := app.page("/me/password", me)
	expectStatus(t, r, 200)
	mustContain(t, r, `id="password-form"`, "当前密码", `id="nav-password"`)

	post := func(token string, current, next, again string) response {
		body := url.Values{"current_password": {current}, "password": {next}, "password_confirm": {again}}.Encode()
		return app.form("POST", "/me/password", token, body)
	}
	r = post(me, "not my password", "a new long password", "a new long password")
	expectStatus(t, r, 400)
	mustContain(t, r, `id="error-current_password">当前密码不正确。`)
	r = post(me, demo.Password, "a new long password", "a new lnog password")
	expectStatus(t, r, 400)
	mustContain(t, r, `id="error-password_confirm">两次输入的新密码不一致。`)
	r = post(me, demo.Password, "short", "short")
	expectStatus(t, r, 400)
	mustContain(t, r, `id="error-password">密码至少10位。`)
	mustNotContain(t, r, "characters")

	r = post(me, demo.Password, "a new long password", "a new long password")
	expectStatus(t, r, 303)
	if loc := r.Header.Get("Location"); loc != "/me/password" {
		t.Fatalf("redirect to %q", loc)
	}
	var fresh, flashed string
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		switch ck.Name {
		case sessionCookie:
			fresh = ck.Value
		case flashCookie:
			flashed = ck.Value
		}
	}
	if fresh == "" || fresh == me || flashed == "" {
		t.Fatalf("after the change: session %q, flash %q", fresh, flashed)
	}
	// The old sessions, this device's and the other's, are over.
	expectStatus(t, app.call("GET", "/api/v1/me", other, nil), 401)
	expectStatus(t, app.call("GET", "/api/v1/me", me, nil), 401)
	r = app.formWith("GET", "/me/password", "", "Cookie", flashCookie+"="+flashed, "token", fresh)
	expectStatus(t, r, 200)
	mustContain(t, r, `role="status" id="flash">密码已修改。其他设备上的登录均已退出`)
	expectStatus(t, app.call("POST", "/api/v1/login", "", map[string]string{"username": "activist", "password": "a new long password"}), 200)
}
