package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"seedling/internal/demo"
)

// gzipBomb is a valid JSON login body of about 300 MB, gzipped to about
// 300 KB: what Fiber inflated without a bound.
func gzipBomb(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	io.WriteString(w, `{"username":"`)
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for i := 0; i < 300; i++ {
		w.Write(chunk)
	}
	io.WriteString(w, `","password":"x"}`)
	w.Close()
	return buf.Bytes()
}

// Issue 9.4: a compressed body is refused (415) before anything inflates
// it. Not parallel, so the allocation count is this request's alone: the
// bomb would allocate its 300 MB at least once if it were decompressed.
func TestCompressedBodyIsRefusedUninflated(t *testing.T) {
	app := newTestApp(t)
	bomb := gzipBomb(t)
	if len(bomb) > 400<<10 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := app.call("POST", "/api/v1/login", "", bomb, "Content-Encoding", "gzip")
	runtime.ReadMemStats(&after)
	expectStatus(t, r, 415)
	if r.errorCode() != "unsupported" {
		t.Fatalf("body: %s", r.Body)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Fatalf("refusing a %d KB body allocated %d MB: it was inflated", len(bomb)>>10, grew>>20)
	}
	for _, ce := range []string{"deflate", "br", "zstd", "gzip, identity", "x-whatever"} {
		r := app.call("POST", "/api/v1/login", "", `{"username":"a","password":"b"}`, "Content-Encoding", ce)
		if r.Status != 415 || r.errorCode() != "unsupported" {
			t.Errorf("Content-Encoding %s: %d %s", ce, r.Status, r.Body)
		}
	}
	// identity is no encoding at all.
	r = app.call("POST", "/api/v1/login", "", `{"username":"nobody","password":"wrong password"}`, "Content-Encoding", "identity")
	expectStatus(t, r, 401)
}

// BenchmarkGzipBombRefusal measures what refusing the bomb costs; run with
// -benchmem (B/op is the memory one refusal takes).
func BenchmarkGzipBombRefusal(b *testing.B) {
	app := newTestApp(b)
	bomb := gzipBomb(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := app.call("POST", "/api/v1/login", "", bomb, "Content-Encoding", "gzip"); r.Status != 415 {
			b.Fatal(r.Status)
		}
	}
}

// Issue 9.4: only a signed-in caller's multipart request to an upload route
// gets the large limit; an anonymous one is cut at the small limit as soon
// as its length is announced, and so is JSON to the same route.
func TestLargeUploadLimitNeedsASessionAndMultipart(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	base := app.serve()
	path := fmt.Sprintf("/api/v1/orgs/%d/ledger/import", f.orgA)
	r := rawPost(t, base, path, "", 3<<20)
	if r.Status != 413 || r.errorCode() != "too_large" {
		t.Fatalf("anonymous 3 MB upload: %d %s", r.Status, r.Body)
	}
	r = rawPost(t, base, path, strings.Repeat("f", 32), 3<<20)
	if r.Status != 413 {
		t.Fatalf("upload with a dead token: %d %s", r.Status, r.Body)
	}
	sec := app.login("secretary")
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, sec, 3<<20)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 413 {
		t.Fatalf("3 MB of JSON to an upload route: %d", res.StatusCode)
	}
}

// Issue 9.4: uploads run a fixed number at a time; one more is told to come
// back (503 with Retry-After), not queued.
func TestBusyServerTurnsUploadsAway(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec := app.login("secretary")
	for i := 0; i < cap(app.srv.uploads); i++ {
		app.srv.uploads <- struct{}{}
	}
	path := fmt.Sprintf("/api/v1/orgs/%d/ledger/import", f.orgA)
	r := app.upload(path, sec, false, map[string]string{"period": "2026Q3"}, "file", "a.csv", []byte("x"))
	expectStatus(t, r, 503)
	if r.errorCode() != "unavailable" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("busy answer: %v %s", r.Header, r.Body)
	}
	for i := 0; i < cap(app.srv.uploads); i++ {
		<-app.srv.uploads
	}
	if r := app.upload(path, sec, false, map[string]string{"period": "2026Q3"}, "file", "a.csv", []byte("x")); r.Status == 503 {
		t.Fatalf("still busy once the uploads are done: %s", r.Body)
	}
}

// Issue 9.7: every response says nosniff and carries the page policy;
// everything but the static assets is kept by nobody.
func TestEveryResponseIsHardened(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.login("admin")
	cases := []struct {
		name, path, token string
		cache             string
	}{
		{"api answer", "/api/v1/me", admin, "no-store"},
		{"api error", "/api/v1/nothing", admin, "no-store"},
		{"page", "/login", "", "no-store"},
		{"page error", "/no/such/page", "", "no-store"},
		{"export", "/api/v1/orgs/1/ledger.xlsx", admin, "private, no-store"},
		{"health", "/healthz", "", "no-store"},
		{"static asset", "/static/app.css", "", "public, max-age=86400"},
	}
	for _, tc := range cases {
		r := app.call("GET", tc.path, tc.token, nil)
		h := r.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" || h.Get("Cache-Control") != tc.cache {
			t.Errorf("%s (%d): %v", tc.name, r.Status, h)
		}
		csp := h.Get("Content-Security-Policy")
		for _, d := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: CSP %q lacks %s", tc.name, csp, d)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code: %s", tc.name, csp)
		}
	}
}

// Issue 9.7: the CSP allows no inline script or style, so no template may
// hold one (a script element without src, an on* handler, a style
// attribute or element).
func TestTemplatesHoldNoInlineScriptOrStyle(t *testing.T) {
	t.Parallel()
	inline := regexp.MustCompile(`(?i)<script(\s[^>]*)?>\s*[^<\s]|<script>|\son[a-z]+\s*=|\sstyle\s*=|<style`)
	err := fs.WalkDir(assets, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		if m := inline.Find(b); m != nil {
			t.Errorf("%s holds inline code: %q", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Issue 9.7: a redirect target from input stays on this site, however it
// is dressed up; an honest local path is kept.
func TestRedirectTargetsStayOnSite(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	sec := app.login("secretary")
	cases := map[string]string{
		"/%09/evil.example":        "/",
		"/%0a/evil.example":        "/",
		"/%0d%0a/evil.example":     "/",
		"//evil.example":           "/",
		"/%5Cevil.example":         "/",
		"/%5C%5Cevil.example":      "/",
		"%2F%2Fevil.example":       "/",
		"/%252F%252Fevil.example":  "/",
		"/%255Cevil.example":       "/",
		"https://evil.example/":    "/",
		"javascript:alert(1)":      "/",
		"evil.example":             "/",
		"/%00/x":                   "/",
		"/%E2%80%AE/x":             "/", // U+202E, a direction override
		"/%E7%A7%AF%E5%88%86":      "/积分",
		"/candidates/7?tab=ledger": "/candidates/7?tab=ledger",
		"/":                        "/",
	}
	for back, want := range cases {
		q := "back=" + back
		if strings.Contains(back, "?") {
			q = "back=" + url.QueryEscape(back)
		}
		for _, path := range []string{"/lang/en?" + q, "/login?" + strings.Replace(q, "back=", "next=", 1)} {
			r := app.page(path, sec)
			if r.Status == 400 && want == "/" {
				continue // refused outright: no redirect at all
			}
			if r.Status != 303 || r.Header.Get("Location") != want {
				t.Errorf("%s: %d to %q, want %q", path, r.Status, r.Header.Get("Location"), want)
			}
		}
	}
}

// Issue 9.7: a login form posted from an opaque origin (a sandboxed frame,
// a data: URL) is login CSRF.
func TestLoginRefusesNullOrigin(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	r := app.formWith("POST", "/login", "username=admin&password=x", "Origin", "null", "Referer", "http://example.com/login")
	expectStatus(t, r, 403)
}

// Issue 9.7: behind trusted proxies the client is the right-most address of
// X-Forwarded-For that is not a proxy of ours; hops to its left are the
// client's own writing, and a hop that is no address is not believed.
func TestClientAddressIsTheRightMostUntrustedHop(t *testing.T) {
	t.Parallel()
	// The in-memory transport's peer is 0.0.0.0: that is "our proxy" here.
	app := newTestAppWith(t, newTestApp(t).db, Config{TrustedProxies: []string{"0.0.0.0", "10.0.0.0/8"}})
	cases := []struct{ xff, want string }{
		{"", "0.0.0.0"},
		{"1.2.3.4", "1.2.3.4"},
		{"6.6.6.6, 1.2.3.4", "1.2.3.4"},
		{"6.6.6.6, 1.2.3.4, 10.0.0.9", "1.2.3.4"},
		{"1.2.3.4, not-an-address, 10.0.0.9", "10.0.0.9"},
		{"1.2.3.4, 10.0.0.9, 10.1.1.1", "1.2.3.4"},
		{"::ffff:5.6.7.8", "5.6.7.8"},
		{"2001:db8::1", "2001:db8::1"},
		{"<script>", "0.0.0.0"},
	}
	for _, tc := range cases {
		var hdr []string
		if tc.xff != "" {
			hdr = []string{"X-Forwarded-For", tc.xff}
		}
		// A successful login: failed ones are throttled after five, and
		// throttled attempts are aggregated rather than audited one by one.
		r := app.call("POST", "/api/v1/login", "", map[string]string{"username": "admin", "password": demo.Password}, hdr...)
		var ip string
		if err := app.db.Get(&ip, `SELECT ip FROM audit_events WHERE request_id = $1`, r.Header.Get("X-Request-ID")); err != nil {
			t.Fatalf("%q: no audit row: %v (%d %s)", tc.xff, err, r.Status, r.Body)
		}
		if ip != tc.want {
			t.Errorf("X-Forwarded-For %q: client %q, want %q", tc.xff, ip, tc.want)
		}
	}
	// Without trusted proxies the header is ignored.
	plain := newTestAppWith(t, app.db, Config{})
	r := plain.call("POST", "/api/v1/login", "", map[string]string{"username": "admin", "password": demo.Password}, "X-Forwarded-For", "1.2.3.4")
	var ip string
	plain.db.Get(&ip, `SELECT ip FROM audit_events WHERE request_id = $1`, r.Header.Get("X-Request-ID"))
	if ip != "0.0.0.0" {
		t.Fatalf("untrusted peer's X-Forwarded-For believed: %q", ip)
	}
}
