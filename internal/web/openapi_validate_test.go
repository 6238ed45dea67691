package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// contract is openapi.json loaded and checked by kin-openapi, with a router
// that finds the operation a request is for.
type contract struct {
	doc    *openapi3.T
	router routers.Router
	// seen counts the validated answers per operation and status class.
	seen map[string]map[int]bool
}

func loadContract(t *testing.T) *contract {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openapiSpec)
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3.0 document: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &contract{doc: doc, router: router, seen: map[string]map[int]bool{}}
}

// check validates one answer against the operation of method and path: the
// status must be documented, and a body must match the documented schema of
// its content type.
func (k *contract) check(t *testing.T, method, path string, r response) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	route, params, err := k.router.FindRoute(req)
	if err != nil {
		t.Errorf("%s %s: no operation in openapi.json: %v", method, path, err)
		return
	}
	op := method + " " + route.Path
	if k.seen[op] == nil {
		k.seen[op] = map[int]bool{}
	}
	k.seen[op][r.Status] = true
	doc := route.Operation.Responses.Status(r.Status)
	if doc != nil && doc.Value != nil && len(doc.Value.Content) == 0 && len(r.Body) > 0 {
		t.Errorf("%s %s: %d answers a body (%s) the document gives no content for", method, path, r.Status, r.Header.Get("Content-Type"))
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 r.Status,
		Header:                 r.Header,
		Body:                   io.NopCloser(bytes.NewReader(r.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(t.Context(), in); err != nil {
		t.Errorf("%s %s answered %d against the document: %v\nbody: %.600s", method, path, r.Status, err, r.Body)
	}
}

// isAPI tells the routes the document describes from the pages.
func isAPI(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// The document is valid OpenAPI 3.0 and usable by a generator: every
// operation has a unique operationId and every answer that has a body
// names its schema.
func TestOpenAPIDocumentIsAContract(t *testing.T) {
	t.Parallel()
	k := loadContract(t)
	ids := map[string]string{}
	for path, item := range k.doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.OperationID == "" {
				t.Errorf("%s has no operationId", where)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s and %s share operationId %q", where, other, op.OperationID)
			}
			ids[op.OperationID] = where
			for status, res := range op.Responses.Map() {
				if status == "204" {
					continue
				}
				if len(res.Value.Content) == 0 {
					t.Errorf("%s %s has no content", where, status)
				}
				for ct, mt := range res.Value.Content {
					if mt.Schema == nil {
						t.Errorf("%s %s %s has no schema", where, status, ct)
					}
				}
			}
		}
	}
	// The official OAS 3.0 schema wants at least one item in "required".
	if n := bytes.Count(openapiSpec, []byte(`"required": []`)); n > 0 {
		t.Errorf(`openapi.json has "required": [] %d times; OAS 3.0 wants it left out`, n)
	}
}

// Every answer of the API, as each demo role, fits the document: the
// authorisation matrix's requests (mostly refusals) for every caller, then
// a request that succeeds for every operation. Fails on an undocumented
// status, an undocumented body or a field that does not match its schema.
func TestOpenAPIResponsesMatchTheDocument(t *testing.T) {
	app := newTestApp(t)
	k := loadContract(t)
	f := newFixture(t, app)
	admin := app.login("admin")
	expectStatus(t, app.call("POST", "/api/v1/users", admin, map[string]any{"username": "victim", "password": "victim's long password"}), 201)

	tokens := map[string]string{}
	loginAll := func() {
		for _, who := range callers[1:] {
			tokens[who] = app.login(who)
		}
	}
	loginAll()
	for _, line := range matrix {
		_, pattern, _ := strings.Cut(line.route, " ")
		if !isAPI(pattern) {
			continue
		}
		for _, who := range callers {
			method, path, body := f.request(line.route, line.target)
			r := app.call(method, path, tokens[who], body)
			k.check(t, method, path, r)
		}
		if strings.HasSuffix(line.route, "/logout") {
			loginAll()
		}
	}

	// The same writes with a body that is not JSON: whatever each caller
	// gets (401, 403, 404 or 415) must be documented.
	for _, line := range matrix {
		method, pattern, _ := strings.Cut(line.route, " ")
		if !isAPI(pattern) || method != "POST" || strings.HasSuffix(pattern, "/logout") {
			continue
		}
		for _, who := range callers {
			method, path, _ := f.request(line.route, line.target)
			k.check(t, method, path, app.call(method, path, tokens[who], "not json", "Content-Type", "text/plain"))
		}
	}

	// The successes the matrix does not reach.
	admin, sec, com := tokens["admin"], tokens["secretary"], tokens["committee"]
	today := seedling.Today(time.Now()).Format(seedling.DateLayout)
	call := func(method, path, token string, body any, want int, headers ...string) response {
		t.Helper()
		r := app.call(method, path, token, body, headers...)
		if r.Status != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, r.Status, want, r.Body)
		}
		k.check(t, method, path, r)
		return r
	}
	upload := func(path string, fields map[string]string, name string, data []byte, want int) {
		t.Helper()
		r := app.upload(path, sec, false, fields, "file", name, data)
		if r.Status != want {
			t.Fatalf("POST %s: %d, want %d: %s", path, r.Status, want, r.Body)
		}
		k.check(t, "POST", path, r)
	}

	// Identity: a password change by an account of its own.
	call("POST", "/api/v1/users", admin, map[string]any{"username": "changer", "password": "the first long password"}, 201)
	changer := call("POST", "/api/v1/login", "", map[string]any{"username": "changer", "password": "the first long password"}, 200).JSON(t)["token"].(string)
	call("POST", "/api/v1/me/password", changer, map[string]any{"current_password": "the first long password", "password": "the second long password"}, 204)

	// Pipeline: propose, decide, acknowledge the filing.
	sub := pendingSubmission(t, app, "secretary", f.orgA)
	call("GET", fmt.Sprintf("/api/v1/submissions?state=pending&candidate_id=%d", f.candA), sec, nil, 200)
	r := call("POST", "/api/v1/candidates", sec, map[string]any{"name": "契约申请人", "org_id": f.orgA, "applied_on": time.Now().UTC().AddDate(0, 0, -20).Format("2006-01-02")}, 201)
	cand := int64(r.JSON(t)["id"].(float64))
	day := func(n int) string { return time.Now().UTC().AddDate(0, 0, -n).Format("2006-01-02") }
	call("POST", fmt.Sprintf("/api/v1/candidates/%d/submissions", cand), sec, map[string]any{"to_stage": "activist",
		"facts": map[string]any{"talked_on": day(15), "recommended_by": "members", "decided_on": day(10), "contacts": []string{"王建国"}}}, 201)
	call("POST", fmt.Sprintf("/api/v1/submissions/%d/decision", sub), com, map[string]any{"decision": "approve"}, 200)
	var filing int64
	if err := app.db.Get(&filing, `SELECT id FROM filings WHERE submission_id = $1`, sub); err != nil {
		t.Fatalf("filing of the approved submission: %v", err)
	}
	call("GET", "/api/v1/filings", com, nil, 200)
	call("POST", fmt.Sprintf("/api/v1/filings/%d/acknowledge", filing), com, nil, 204)
	call("GET", fmt.Sprintf("/api/v1/candidates/%d/timeline", cand), sec, nil, 200)

	// Ledger: an entry (and its replay), evidence (and the same file again),
	// an import (and the same file again), a new rubric version.
	ledgerPath := fmt.Sprintf("/api/v1/candidates/%d/ledger", f.candA2)
	body := map[string]any{"category": "study_attendance", "points": 1, "occurred_on": today, "description": "契约测试"}
	r = call("POST", ledgerPath, sec, body, 201, "Idempotency-Key", "contract-1")
	call("POST", ledgerPath, sec, body, 201, "Idempotency-Key", "contract-1")
	entry := int64(r.JSON(t)["id"].(float64))
	evidencePath := fmt.Sprintf("/api/v1/ledger/%d/evidence", entry)
	upload(evidencePath, nil, "照片.jpg", jpegBytes, 201)
	upload(evidencePath, nil, "照片.jpg", jpegBytes, 200)
	call("GET", ledgerPath, sec, nil, 200)

	period := ledger.PeriodOf(seedling.Today(time.Now())).String()
	importPath := fmt.Sprintf("/api/v1/orgs/%d/ledger/import", f.orgA)
	csv := importCSV(t, call("GET", fmt.Sprintf("/api/v1/orgs/%d/ledger/template?format=csv", f.orgA), sec, nil, 200).Body, f.candA2, today)
	upload(importPath, map[string]string{"period": period}, "points.csv", csv, 201)
	upload(importPath, map[string]string{"period": period}, "points.csv", csv, 200)

	rub := call("GET", "/api/v1/rubric", sec, nil, 200).JSON(t)
	next := seedling.Today(time.Now())
	next = time.Date(next.Year(), time.Month((int(next.Month())-1)/3*3+4), 1, 0, 0, 0, 0, time.UTC)
	call("POST", "/api/v1/rubric", admin, map[string]any{"effective_from": next.Format(seedling.DateLayout), "note": "契约测试",
		"dimensions": rub["dimensions"], "categories": rub["categories"]}, 201)

	// Displays: a half-year display published, objected to by a member,
	// upheld with a correction and reissued; a committee's own settings. The
	// clock stands on a Monday so the window opens at once.
	app.clockAt("2026-10-12")
	member := app.login("member")
	d := call("POST", "/api/v1/displays", sec, map[string]any{"org_id": f.orgA, "period": "2026H1"}, 201).JSON(t)
	did := int64(d["id"].(float64))
	row := d["rows"].([]any)[0].(map[string]any)
	call("POST", fmt.Sprintf("/api/v1/displays/%d/publish", did), sec, nil, 200)
	o := call("POST", fmt.Sprintf("/api/v1/displays/%d/objections", did), member, map[string]any{"candidate_id": row["candidate_id"], "text": "契约测试的异议"}, 201).JSON(t)
	call("POST", fmt.Sprintf("/api/v1/objections/%d/resolution", int64(o["id"].(float64))), sec, map[string]any{"decision": "uphold", "reason": "经核实属实",
		"correction": map[string]any{"category": "task_completion", "points": 1, "occurred_on": "2026-09-20", "description": "契约测试补记"}}, 200)
	call("POST", fmt.Sprintf("/api/v1/displays/%d/reissue", did), sec, nil, 201)
	call("POST", fmt.Sprintf("/api/v1/orgs/%d/display-settings", f.comA), com, map[string]any{"window_days": 7, "objection_days": 5}, 200)

	// Every operation answered with a success at least once, so that each
	// success schema was held against a real answer.
	var untried []string
	for path, item := range k.doc.Paths.Map() {
		for method := range item.Operations() {
			ok := false
			for status := range k.seen[method+" "+path] {
				ok = ok || status/100 == 2
			}
			if !ok {
				untried = append(untried, method+" "+path)
			}
		}
	}
	sort.Strings(untried)
	if len(untried) > 0 {
		t.Errorf("no successful answer was checked for: %v", untried)
	}
}

// importCSV keeps the header of a CSV template and adds one row of points
// for a person of the branch.
func importCSV(t *testing.T, template []byte, cand int64, today string) []byte {
	t.Helper()
	rec, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(template, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil || len(rec) == 0 {
		t.Fatalf("csv template: %v %v", err, rec)
	}
	name := ""
	for _, row := range rec[1:] {
		if row[0] == fmt.Sprint(cand) {
			name = row[1]
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(rec[0])
	w.Write([]string{fmt.Sprint(cand), name, today, "活动表现", "2", "契约导入"})
	w.Flush()
	return buf.Bytes()
}
