package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp/fasthttputil"

	"seedling/internal/seedling"
)

// Fuzz targets of the decoders the outside world reaches (issue 9.9). They
// need no database: the decode and validate layer is pure, and the edge
// (guard, the error shape, redirects) answers before any handler reads the
// store. Seeds hold the Fiber advisories' inputs (huge and negative form
// indexes, deep nesting) and every input of issues 9 and 10;
// testdata/fuzz/<target> keeps what the fuzzer found.

// deepJSON is 10,000 nested arrays, the depth of the advisories.
var deepJSON = strings.Repeat("[", 10000) + strings.Repeat("]", 10000)

var jsonSeeds = []string{
	`{"username":"admin","password":"x"}`, `{"username":"ad\u0000min","password":"x"}`,
	`{"name":"王小明","org_id":12,"applied_on":"2026-01-05","id_number":"410482199001010029"}`,
	`{"name":"\u200b\u200b","org_id":2147483648,"applied_on":"0000-01-01","birth_date":"2008-03-01","id_number":"41048220000229003x"}`,
	`{"name":"\u202e\u202d","occupation":"\u0001","org_id":-1,"applied_on":"2100-12-31","priority_group":"student"}`,
	`{"decision":"return","reasons":"材料\u0000不全"}`, `{"decision":"approve","reasons":""}`,
	`{"effective_from":"2027-01-01","note":"n\u0000","dimensions":[{"code":"x","cap":-1}],"categories":[]}`,
	`{"category":"x","points":9999999999,"occurred_on":"0000-01-01","description":"\u0000"}`,
	`{"to_stage":"activist","facts":{"talked_on":"2026-01-01","contacts":["王\u0000"],"a":{"b":[1,{"c":null}]}}}`,
	`{"year":9223372036854775807,"org_id":1,"amount":-1}`, `{"parent_id":1,"kind":"committee","name":"\u001b[31mred"}`,
	`{"role":"secretary","org_id":99999999999}`, `{"user_id":0}`, `{"reason":"\ud800"}`,
	deepJSON, `{"a":` + strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat("}", 5001), `[1,2]`, `{}{}`, ``, `nul`, `1e999`,
}

// FuzzJSONBodies decodes one body as the request of every write endpoint,
// then runs the endpoint's validation where it needs no database. Every
// refusal must be a client error (a coded *seedling.Error, never internal),
// and whatever is accepted holds no control characters.
func FuzzJSONBodies(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	branch := seedling.Org{ID: 12, Kind: seedling.KindBranch, Path: "/1/2/12/"}
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		clientError := func(what string, err error) {
			if err != nil && seedling.ErrorCode(err) == seedling.EInternal {
				t.Fatalf("%s: internal error for %q: %v", what, body, err)
			}
		}
		targets := []any{&loginRequest{}, &createCandidateRequest{}, &rubricRequest{}, &recordRequest{}, &reverseRequest{},
			&keeperRequest{}, &orgRequest{}, &moveRequest{}, &submissionRequest{}, &decisionRequest{}, &politicalReviewRequest{},
			&quotaRequest{}, &createUserRequest{}, &grantRequest{}, &passwordRequest{}}
		for _, v := range targets {
			err := decodeJSONBytes(body, v)
			clientError("decode", err)
			if err != nil {
				continue
			}
			if b, _ := json.Marshal(v); bytes.ContainsAny(b, "\x00") || strings.Contains(string(b), `\u0000`) {
				t.Fatalf("NUL accepted into %T: %s", v, b)
			}
			switch r := v.(type) {
			case *createCandidateRequest:
				n, err := r.validate(branch, now)
				clientError("candidate", err)
				if err == nil && (n.Name == "" || n.AppliedOn.Year() < seedling.MinYear || (n.BirthDate != nil && !seedling.OldEnough(*n.BirthDate, n.AppliedOn))) {
					t.Fatalf("accepted candidate %+v from %q", n, body)
				}
			case *decisionRequest:
				_, err := r.validate(now)
				clientError("decision", err)
			case *rubricRequest:
				_ = r.draft()
			}
		}
	})
}

// edgeClient serves a server without a database on an in-memory listener,
// for the fuzz targets: every request they send is answered at the edge,
// and, unlike App.Test, the client reads the answers fasthttp itself gives
// to requests it could not read.
func edgeClient(t testing.TB) *http.Client {
	s, err := New(Config{}, Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ln := fasthttputil.NewInmemoryListener()
	go s.App.Listener(ln)
	t.Cleanup(func() { s.App.Shutdown() })
	return &http.Client{
		Transport:     &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return ln.Dial() }},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// FuzzFormAndQuery sends a query and a urlencoded form through the edge:
// the language switch (a redirect target from input) and an API path that
// has no route. No answer is a 500, API answers are the JSON error shape,
// and a redirect never leaves the site.
func FuzzFormAndQuery(f *testing.F) {
	for _, s := range [][2]string{
		{"back=/%09/evil.example", "a[99999999999]=x"}, {"back=//evil.example", "a[-1]=x"}, {"back=/%5Cevil", "a[0][1][2][3]=x&a[]=y"},
		{"back=https://evil.example", "username=ad%00min&password=x"}, {"year=9223372036854775807&candidate_id=2147483648", "x=%ff%fe"},
		{"back=" + strings.Repeat("a", 5000), strings.Repeat("a[", 1000) + "=x"}, {"%zz", "%"}, {"back=/%E2%80%AE/x", "a=%1b[31m"},
	} {
		f.Add(s[0], s[1])
	}
	client := edgeClient(f)
	f.Fuzz(func(t *testing.T, query, form string) {
		req := httptest.NewRequest("GET", "http://edge/lang/en", nil)
		req.URL.RawQuery = query
		req.RequestURI = ""
		res, err := client.Do(req)
		if err != nil {
			t.Skip() // the client itself refuses to send it
		}
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("GET /lang/en?%s: %d", query, res.StatusCode)
		}
		if loc := res.Header.Get("Location"); res.StatusCode == 303 && !leavesNoSite(loc) {
			t.Fatalf("back=%q redirects to %q", query, loc)
		}
		req = httptest.NewRequest("POST", "http://edge/api/v1/fuzz", strings.NewReader(form))
		req.URL.RawQuery = query
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		expectErrorShape(t, client, req)
	})
}

// FuzzMultipartUpload sends a multipart body as an upload client would,
// with the boundary given and the parts fuzzed.
func FuzzMultipartUpload(f *testing.F) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.SetBoundary("x")
	w.WriteField("period", "2026Q3")
	fw, _ := w.CreateFormFile("file", "值守照片.jpg")
	fw.Write([]byte("\xff\xd8\xff\xe0 not much of a jpeg"))
	w.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nno closing boundary"))
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"a[99999999999]\"\r\n\r\nv\r\n--x--\r\n"))
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\x00\r\n--x--\r\n"))
	f.Add([]byte("--x--\r\n"))
	client := edgeClient(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "http://edge/api/v1/ledger/1/evidence", bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		expectErrorShape(t, client, req)
	})
}

// expectErrorShape sends req to an API path that refuses it and checks the
// answer is a client error in the JSON shape.
func expectErrorShape(t *testing.T, client *http.Client, req *http.Request) {
	t.Helper()
	req.RequestURI = ""
	res, err := client.Do(req)
	if err != nil {
		t.Skip() // the client itself refuses to send it
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var e errorBody
	if res.StatusCode >= 500 || json.Unmarshal(b, &e) != nil || e.Error.Code == "" {
		t.Fatalf("%s %s: %d %q", req.Method, req.URL, res.StatusCode, b)
	}
}

// FuzzLocalPath: whatever localPath lets through is a path on this site as
// a browser reads it (tabs and newlines dropped, backslashes made slashes),
// before and after one more decoding.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/%09/evil.example", "/\t/evil.example", "//evil", "/\\evil", "/%5Cevil", "/%252F%252Fevil", "https://e.x", "/ok?a=1#f", "/\u202e", "/积分", "javascript:x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		out := localPath(p)
		if out != "/" && out != p {
			t.Fatalf("%q became %q", p, out)
		}
		if !leavesNoSite(out) {
			t.Fatalf("%q let through", p)
		}
	})
}

// leavesNoSite reads loc as a browser would and reports whether it stays
// on this site, also once decoded.
func leavesNoSite(loc string) bool {
	for _, v := range []string{loc, mustUnescape(loc)} {
		v = strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(v)
		u, err := url.Parse(v)
		if !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") || err != nil || u.Host != "" || u.Scheme != "" {
			return false
		}
	}
	return true
}

func mustUnescape(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}
