package web

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Issue 9.11: what a schema-driven client tried, each answered in the error
// shape with a 4xx naming the field, never a 500.
func TestHostileInputIsRefusedInTheErrorShape(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	admin, sec, com := app.login("admin"), app.login("secretary"), app.login("committee")
	cand := func(extra string) string {
		return fmt.Sprintf(`{"name":"王小明","org_id":%d,"applied_on":"2026-01-05"%s}`, f.orgA, extra)
	}
	cases := []struct {
		name, method, path, token string
		body                      any
		status                    int
		field                     string
	}{
		{"year past int64", "GET", "/api/v1/quotas?year=9223372036854775807", admin, nil, 400, "year"},
		{"year 0", "GET", "/api/v1/quotas?year=0", admin, nil, 400, "year"},
		{"candidate_id past int4", "GET", "/api/v1/submissions?candidate_id=2147483648", admin, nil, 400, "candidate_id"},
		{"org_id past int4", "GET", "/api/v1/candidates?org_id=2147483648", admin, nil, 400, "org_id"},
		{"audit limit past int64", "GET", "/api/v1/audit?limit=99999999999999999999", admin, nil, 400, "limit"},
		{"NUL in a query value", "GET", "/api/v1/candidates?stage=app%00licant", admin, nil, 400, "stage"},
		{"NUL in a path id", "GET", "/api/v1/candidates/1%00", admin, nil, 404, ""},
		{"NUL in login username", "POST", "/api/v1/login", "", `{"username":"ad\u0000min","password":"x"}`, 400, "username"},
		{"NUL in display name", "POST", "/api/v1/users", admin, `{"username":"newbie","display_name":"新\u0000人","password":"long enough pass"}`, 400, "display_name"},
		{"NUL in candidate name", "POST", "/api/v1/candidates", sec, cand(`,"name":"王\u0000明"`), 400, "name"},
		{"NUL in occupation", "POST", "/api/v1/candidates", sec, cand(`,"occupation":"工\u0000人"`), 400, "occupation"},
		{"NUL in decision reasons", "POST", fmt.Sprintf("/api/v1/submissions/%d/decision", f.subA), com, `{"decision":"return","reasons":"材料\u0000不全"}`, 400, "reasons"},
		{"NUL in rubric note", "POST", "/api/v1/rubric", admin, `{"effective_from":"2027-01-01","note":"n\u0000","dimensions":[],"categories":[]}`, 400, "note"},
		{"NUL in a ledger description", "POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", f.candA), sec, `{"category":"x","points":1,"occurred_on":"2026-01-05","description":"\u0000"}`, 400, "description"},
		{"NUL in a reversal reason", "POST", "/api/v1/ledger/1/reverse", sec, `{"reason":"\u0000"}`, 400, "reason"},
		{"NUL in a fact", "POST", fmt.Sprintf("/api/v1/candidates/%d/submissions", f.candA2), sec, `{"to_stage":"activist","facts":{"contacts":["王\u0000"]}}`, 400, "facts.contacts"},
		{"escape sequence in an org name", "POST", "/api/v1/orgs", admin, `{"parent_id":1,"kind":"committee","name":"\u001b[31mred"}`, 400, "name"},
		{"zero-width candidate name", "POST", "/api/v1/candidates", sec, cand(`,"name":"\u200b\u200c\u200d"`), 400, "name"},
		{"zero-width display name", "POST", "/api/v1/users", admin, `{"username":"newbie2","display_name":"\u200b\u202e","password":"long enough pass"}`, 400, "display_name"},
		{"bidi-override candidate name", "POST", "/api/v1/candidates", sec, cand(`,"name":"\u202e\u202d"`), 400, "name"},
		{"control-character candidate name", "POST", "/api/v1/candidates", sec, cand(`,"name":"\u0001\u0002"`), 400, "name"},
		{"override inside a name", "POST", "/api/v1/candidates", sec, cand(`,"name":"王\u202e明"`), 400, "name"},
		{"zero-width org name", "POST", "/api/v1/orgs", admin, `{"parent_id":1,"kind":"committee","name":"\ufeff\u200b"}`, 400, "name"},
		{"year 0000 application", "POST", "/api/v1/candidates", sec, cand(`,"applied_on":"0000-01-01"`), 400, "applied_on"},
		{"year 0000 birth", "POST", "/api/v1/candidates", sec, cand(`,"birth_date":"0000-01-01"`), 400, "birth_date"},
		{"body org_id past int4", "POST", "/api/v1/candidates", sec, cand(`,"org_id":2147483648`), 400, "org_id"},
		{"body year past int4", "POST", "/api/v1/quotas", admin, `{"year":9223372036854775807,"org_id":1,"amount":1}`, 400, "year"},
		{"body points past int4", "POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", f.candA), sec, `{"category":"x","points":9999999999,"occurred_on":"2026-01-05","description":"d"}`, 400, "points"},
		{"entry date 0000", "POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", f.candA), sec, `{"category":"x","points":1,"occurred_on":"0000-01-01","description":"d"}`, 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := app.call(tc.method, tc.path, tc.token, tc.body, "Idempotency-Key", "k-"+strings.ReplaceAll(tc.name, " ", "-"))
			expectStatus(t, r, tc.status)
			if tc.field != "" {
				if _, ok := fieldErrors(t, r)[tc.field]; !ok {
					t.Fatalf("no error for field %q: %s", tc.field, r.Body)
				}
			} else if r.errorCode() == "" {
				t.Fatalf("not the error shape: %s", r.Body)
			}
		})
	}
}

// Issue 9.11: requests fasthttp itself refuses (a head past 4 KB, a chunked
// body past the limit, a malformed multipart body) still answer the JSON
// error shape on API paths, over a real socket as a client sends them.
func TestRefusedRequestsAnswerTheErrorShape(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := strings.TrimPrefix(app.serve(), "http://")
	tok := app.login("secretary")
	chunked := func(n int) string {
		var b strings.Builder
		chunk := strings.Repeat("a", 64<<10)
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "%x\r\n%s\r\n", len(chunk), chunk)
		}
		return b.String() + "0\r\n\r\n"
	}
	multipartBody := "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nno closing boundary"
	cases := []struct {
		name, head, body string
		status           int
		code             string
	}{
		{"long path id", "GET /api/v1/candidates/" + strings.Repeat("9", 5000) + " HTTP/1.1\r\nHost: t\r\n", "", 413, "too_large"},
		{"100k query value", "GET /api/v1/candidates?stage=" + strings.Repeat("a", 100<<10) + " HTTP/1.1\r\nHost: t\r\n", "", 413, "too_large"},
		{"10k authorization", "GET /api/v1/me HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + strings.Repeat("t", 10<<10) + "\r\n", "", 413, "too_large"},
		{"chunked body past the limit", "POST /api/v1/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n", chunked(40), 413, "too_large"},
		{"malformed multipart", fmt.Sprintf("POST /api/v1/ledger/1/evidence HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n", tok, len(multipartBody)), multipartBody, 400, "invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", base)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(20 * time.Second))
			go func() { io.WriteString(conn, tc.head+"\r\n"+tc.body) }()
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			r := response{Status: res.StatusCode, Header: res.Header, Body: body}
			if r.Status != tc.status || r.errorCode() != tc.code || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("got %d %s %q", r.Status, res.Header.Get("Content-Type"), body)
			}
			if strings.Contains(string(body), "aaaa") || strings.Contains(string(body), "tttt") {
				t.Fatalf("the error quotes the request back: %s", body)
			}
		})
	}
}

// A form post with a control character is refused before the handler.
func TestFormFieldsAreText(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	r := app.form("POST", "/login", "", "username=ad%00min&password=x")
	expectStatus(t, r, 400)
}
