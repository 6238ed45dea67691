package web

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The refusals of the domain and the store (quota shares, tree placement,
// grants, accounts, steps, political reviews) reach the API worded in the
// caller's language from their own catalog key: not the generic line of
// their code, which is what a message without a key falls back to in the
// other language. code, the keys of fields and the problem codes are the
// same in both languages.
func TestRuleRefusalsReachTheAPIInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	admin, com, sec := app.login("admin"), app.login("committee"), app.login("secretary")
	catalogs := map[string]map[string]string{"zh-CN": readCatalog(t, "zh-CN"), "en": readCatalog(t, "en")}

	year := time.Now().UTC().Year()
	expectStatus(t, app.call("POST", "/api/v1/quotas", admin, map[string]any{"year": year, "org_id": f.comA, "amount": 1}), 204)
	expectStatus(t, app.call("POST", "/api/v1/users", admin, map[string]any{"username": "plain-one", "password": "plain account password"}), 201)
	applicant := newApplicant(t, app, sec, f.orgA, 20)

	type send func(h ...string) response
	post := func(path, tok string, body any) send {
		return func(h ...string) response { return app.call("POST", path, tok, body, h...) }
	}
	cases := []struct {
		name   string
		status int
		fields []string
		send   send
	}{
		{"shares beyond the committee's quota", 422, []string{"amount"},
			post("/api/v1/quotas", com, map[string]any{"year": year, "org_id": f.orgA, "amount": 1000})},
		{"a quota for a party group", 400, []string{"org_id"},
			post("/api/v1/quotas", admin, map[string]any{"year": year, "org_id": f.groupA, "amount": 1})},
		{"a quota in a year before the plan", 400, []string{"year"},
			post("/api/v1/quotas", admin, map[string]any{"year": 1999, "org_id": f.comA, "amount": 1})},
		{"a group under a committee", 400, []string{"kind"},
			post("/api/v1/orgs", admin, map[string]any{"parent_id": f.comA, "kind": "group", "name": "错位小组"})},
		{"a committee under its own branch", 400, []string{"parent_id"},
			post(fmt.Sprintf("/api/v1/orgs/%d/move", f.comA), admin, map[string]any{"parent_id": f.orgA})},
		{"the candidate role for an unlinked account", 400, []string{"role"},
			post("/api/v1/users/plain-one/grants", admin, map[string]any{"role": "candidate", "org_id": f.orgA})},
		{"an unknown role", 400, []string{"role"},
			post("/api/v1/users/plain-one/grants", admin, map[string]any{"role": "king", "org_id": f.orgA})},
		{"a username taken", 400, []string{"username"},
			post("/api/v1/users", admin, map[string]any{"username": "plain-one", "password": "another long password"})},
		{"a wrong current password", 400, []string{"current_password"},
			post("/api/v1/me/password", sec, map[string]any{"current_password": "not my password", "password": "a new long password"})},
		{"a step the stage does not allow", 422, []string{"to_stage"},
			post(fmt.Sprintf("/api/v1/candidates/%d/submissions", applicant), sec, map[string]any{"to_stage": "target", "facts": map[string]any{}})},
		{"a political review without a conclusion", 400, []string{"passed", "conclusion"},
			post(fmt.Sprintf("/api/v1/candidates/%d/political-review", f.targetA), com, map[string]any{"conclusion": "短", "reviewed_on": day(1)})},
		{"a talk after the decision, dated in the future", 422, []string{"not_in_future", "decided_after_talk"},
			post(fmt.Sprintf("/api/v1/candidates/%d/submissions", applicant), sec, map[string]any{"to_stage": "activist",
				"facts": map[string]any{"talked_on": day(-3), "recommended_by": "members", "decided_on": day(1), "contacts": []string{"王建国"}}})},
		{"three training contacts", 400, []string{"facts.contacts"},
			post(fmt.Sprintf("/api/v1/candidates/%d/submissions", applicant), sec, map[string]any{"to_stage": "activist",
				"facts": map[string]any{"talked_on": day(3), "recommended_by": "members", "decided_on": day(1), "contacts": []string{"王建国", "李红梅", "赵敏"}}})},
		{"a proposal without the decision's date", 422, []string{"facts.decided_on"},
			post(fmt.Sprintf("/api/v1/candidates/%d/submissions", applicant), sec, map[string]any{"to_stage": "activist",
				"facts": map[string]any{"talked_on": day(3), "recommended_by": "members", "contacts": []string{"王建国"}}})},
		{"an oath of an applicant", 422, []string{"kind"},
			post(fmt.Sprintf("/api/v1/candidates/%d/records", applicant), sec, map[string]any{"kind": "oath", "on": day(1), "by": "王建国", "conclusion": "宣誓完成"})},
		{"a return without reasons", 400, []string{"reasons"},
			post(fmt.Sprintf("/api/v1/submissions/%d/decision", f.subA), com, map[string]any{"decision": "return", "reasons": " "})},
	}
	for _, tc := range cases {
		var shapes []string
		for _, lang := range []string{"zh-CN", "en"} {
			r := tc.send("Accept-Language", lang)
			if r.Status != tc.status {
				t.Errorf("%s [%s]: status %d, want %d: %s", tc.name, lang, r.Status, tc.status, r.Body)
				continue
			}
			var body errorBody
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			e, cat := body.Error, catalogs[lang]
			if isChinese(e.Message) != (lang == "zh-CN") || e.Message == cat["error."+e.Code] {
				t.Errorf("%s [%s]: message %q is not the refusal's own words in %s", tc.name, lang, e.Message, lang)
			}
			for _, field := range tc.fields {
				why, ok := e.Fields[field]
				if !ok || isChinese(why) != (lang == "zh-CN") || why == cat["problem.invalid"] || e.Problems[field] == "" {
					t.Errorf("%s [%s]: field %s reads %q (problem %q)", tc.name, lang, field, why, e.Problems[field])
				}
			}
			keys := slices.Sorted(maps.Keys(e.Fields))
			shapes = append(shapes, fmt.Sprint(e.Code, keys, e.Problems))
		}
		if len(shapes) == 2 && shapes[0] != shapes[1] {
			t.Errorf("%s: the shape changes with the language: %s / %s", tc.name, shapes[0], shapes[1])
		}
	}
}

// What blocks a step, and the article it cites, reach the next-steps API
// in the caller's language, with the same rule codes in both; the Chinese
// reads as the rules word it.
func TestBlockersSpeakTheReadersLanguage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec := app.login("secretary")
	type blocker struct{ Rule, Article, Message string }
	// The demo's activist lacks points; the other, training and assessments.
	read := func(lang string) map[string]blocker {
		out := map[string]blocker{}
		for _, id := range []int64{f.candA, f.candA2} {
			r := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d/next-steps", id), sec, nil, "Accept-Language", lang)
			expectStatus(t, r, 200)
			var body struct {
				Steps []struct {
					BlockedBy []blocker `json:"blocked_by"`
				} `json:"steps"`
			}
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatal(err)
			}
			for _, st := range body.Steps {
				for _, b := range st.BlockedBy {
					out[b.Rule] = b
				}
			}
		}
		return out
	}
	zh, en := read("zh-CN"), read("en")
	if !slices.Equal(slices.Sorted(maps.Keys(zh)), slices.Sorted(maps.Keys(en))) || len(zh) == 0 {
		t.Fatalf("the blockers change with the language: %v / %v", slices.Sorted(maps.Keys(zh)), slices.Sorted(maps.Keys(en)))
	}
	for rule, b := range en {
		if isChinese(b.Message) || isChinese(b.Article) || b.Article == "" {
			t.Errorf("%s [en]: %q (%q)", rule, b.Message, b.Article)
		}
		if z := zh[rule]; !isChinese(z.Message) || !isChinese(z.Article) {
			t.Errorf("%s [zh-CN]: %q (%q)", rule, z.Message, z.Article)
		}
	}
	score, ok := zh["score_threshold"]
	if !ok || !regexp.MustCompile(`^积分 \d+ 分，未达到 80 分，还差 \d+ 分$`).MatchString(score.Message) {
		t.Errorf("score_threshold [zh-CN] reads %q", score.Message)
	}
	cited := 0
	for rule, b := range zh {
		if strings.HasPrefix(b.Article, "细则 第") && strings.HasSuffix(b.Article, "条") {
			cited++
			if !regexp.MustCompile(`^Rules \(2014\), Art\. \d+(, \d+)*$`).MatchString(en[rule].Article) {
				t.Errorf("%s cites %q in English for %q", rule, en[rule].Article, b.Article)
			}
		}
	}
	if cited == 0 {
		t.Errorf("no blocker cites an article of the 细则: %v", zh)
	}
}

// catalogKey is a string literal naming a message of the catalogs; one
// ending in "_" is the prefix of keys built at run time.
var catalogKey = regexp.MustCompile(`^(problem|error|reason|rule)\.[a-z0-9_.]*[a-z0-9]$`)

// Every catalog key the Go code names as a literal (a domain refusal's
// Keyed, KeyedField, AddKey, FieldProblem) exists in both catalogs: a
// missing one would show its raw key to the reader.
func TestKeysNamedInCodeAreInTheCatalogs(t *testing.T) {
	zh, en := readCatalog(t, "zh-CN"), readCatalog(t, "en")
	fset := token.NewFileSet()
	seen := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		file, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !catalogKey.MatchString(s) {
				return true
			}
			seen++
			if _, ok := zh[s]; !ok {
				t.Errorf("%s: %s is not in the Chinese catalog", fset.Position(lit.Pos()), s)
			}
			if _, ok := en[s]; !ok {
				t.Errorf("%s: %s is not in the English catalog", fset.Position(lit.Pos()), s)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 50 {
		t.Fatalf("only %d catalog keys found in the code: the walk missed the sources", seen)
	}
}

// The proposal form asks the pipeline which step the stage allows: a step
// it does not is refused in the page's language with the step the process
// takes next, not with an English sentence of the handler's own.
func TestProposalFormRefusesAStepInThePagesLanguage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec := app.login("secretary")
	applicant := newApplicant(t, app, sec, f.orgA, 20)
	path := fmt.Sprintf("/candidates/%d/submissions", applicant)
	for lang, want := range map[string]string{"zh-CN": "下一步只能是“入党积极分子”", "en": "the next step can only be Activist"} {
		r := app.formWith("POST", path, "to_stage=target", "token", sec, "Cookie", langCookie+"="+lang)
		expectStatus(t, r, 422)
		if body := string(r.Body); !strings.Contains(body, want) {
			t.Errorf("[%s] the refusal does not say %q: %s", lang, want, body)
		}
	}
}
