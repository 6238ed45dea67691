package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// readCatalog loads one language's catalog as key → text.
func readCatalog(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := fs.ReadFile(assets, "locales/active."+lang+".json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	return m
}

var (
	templateParam = regexp.MustCompile(`\{\{[^}]*\}\}`)
	latinWord     = regexp.MustCompile(`[A-Za-z]{4,}`)
)

// prose is a catalog text without its parameters and the codes and
// names it quotes on purpose (细则 articles, YYYY-MM-DD, JPEG, 2026Q3).
func prose(s string) string { return templateParam.ReplaceAllString(s, " ") }

// latinAllowed are the Latin words a Chinese text may carry: formats,
// file types and product names, not English sentences.
var latinAllowed = []string{"YYYY", "JPEG", "JSON", "Excel", "xlsx", "Idempotency", "Seedling", "sha256", "SHA256", "SHA", "XLSX", "Office"}

// Each catalog speaks one language: a Chinese text has no English words
// (names and formats aside), an English one no Chinese characters; both
// have the same keys and every text quotes the same parameters in both.
func TestCatalogsSpeakOneLanguage(t *testing.T) {
	for _, p := range catalogProblems(readCatalog(t, "zh-CN"), readCatalog(t, "en")) {
		t.Error(p)
	}
}

// The check itself catches an English sentence in the Chinese catalog, a
// Chinese one in the English catalog, a missing key and a parameter
// quoted on one side only.
func TestCatalogCheckCatchesTheOtherLanguage(t *testing.T) {
	zh := map[string]string{"a": "returned submission needs the reasons", "b": "好", "c": "第 {{.N}} 次", "d": "仅中文"}
	en := map[string]string{"a": "Returned", "b": "审核通过", "c": "time {{.M}}"}
	got := strings.Join(catalogProblems(zh, en), "\n")
	for _, want := range []string{`zh-CN a has the English word "returned"`, "en b is Chinese", "c quotes", "en lacks d"} {
		if !strings.Contains(got, want) {
			t.Errorf("the check missed %q:\n%s", want, got)
		}
	}
}

// catalogProblems lists what breaks "one language at a time" between the
// two catalogs.
func catalogProblems(zh, en map[string]string) []string {
	var out []string
	for k, text := range en {
		if strings.IndexFunc(text, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
			out = append(out, fmt.Sprintf("en %s is Chinese: %q", k, text))
		}
		z, ok := zh[k]
		if !ok {
			out = append(out, "zh-CN lacks "+k)
			continue
		}
		pe, pz := templateParam.FindAllString(text, -1), templateParam.FindAllString(z, -1)
		slices.Sort(pe)
		slices.Sort(pz)
		if !slices.Equal(slices.Compact(pe), slices.Compact(pz)) {
			out = append(out, fmt.Sprintf("%s quotes %v in English, %v in Chinese", k, pe, pz))
		}
	}
	for k, text := range zh {
		if _, ok := en[k]; !ok {
			out = append(out, "en lacks "+k)
		}
		for _, w := range latinWord.FindAllString(prose(text), -1) {
			if !slices.Contains(latinAllowed, w) {
				out = append(out, fmt.Sprintf("zh-CN %s has the English word %q: %q", k, w, text))
			}
		}
	}
	return out
}

func isChinese(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// The API's messages, and the reasons of its fields, follow
// Accept-Language, Chinese by default, while code and the keys of fields
// stay the same.
func TestAPIMessagesFollowAcceptLanguage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec, com := app.login("secretary"), app.login("committee")
	applicant := newApplicant(t, app, sec, f.orgA, 20)
	sub := idOf(t, submit(t, app, sec, applicant, "activist", activistFacts()))
	rubric := app.call("GET", "/api/v1/rubric", sec, nil).JSON(t)
	category := rubric["categories"].([]any)[0].(map[string]any)["code"]

	cases := []struct {
		name   string
		status int
		code   string
		field  string
		send   func(lang ...string) response
	}{
		{"wrong login", 401, "unauthorized", "", func(lang ...string) response {
			return app.call("POST", "/api/v1/login", "", map[string]string{"username": "secretary", "password": "wrong-password-1"}, lang...)
		}},
		{"return without reasons", 400, "invalid", "reasons", func(lang ...string) response {
			return app.call("POST", fmt.Sprintf("/api/v1/submissions/%d/decision", sub), com, map[string]any{"decision": "return", "reasons": " "}, lang...)
		}},
		{"second submission", 409, "conflict", "", func(lang ...string) response {
			return submit2(app, sec, applicant, lang...)
		}},
		{"points for an applicant", 422, "rule_violated", "candidate", func(lang ...string) response {
			return app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", applicant), sec,
				map[string]any{"category": category, "points": 1, "occurred_on": day(1), "description": "测试"},
				append([]string{"Idempotency-Key", "lang-" + strings.Join(lang, "")}, lang...)...)
		}},
	}
	for _, tc := range cases {
		for _, lang := range []string{"", "zh-CN", "en", "en-GB,en;q=0.9"} {
			var headers []string
			if lang != "" {
				headers = []string{"Accept-Language", lang}
			}
			r := tc.send(headers...)
			expectStatus(t, r, tc.status)
			var body errorBody
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			wantZh := !strings.HasPrefix(lang, "en")
			if body.Error.Code != tc.code {
				t.Errorf("%s [%s]: code %q", tc.name, lang, body.Error.Code)
			}
			if isChinese(body.Error.Message) != wantZh || body.Error.Message == "" {
				t.Errorf("%s [%s]: message %q", tc.name, lang, body.Error.Message)
			}
			if tc.field != "" {
				why, ok := body.Error.Fields[tc.field]
				if !ok || isChinese(why) != wantZh {
					t.Errorf("%s [%s]: fields %v", tc.name, lang, body.Error.Fields)
				}
			}
		}
	}
}

func submit2(app *testApp, tok string, cand int64, headers ...string) response {
	return app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/submissions", cand), tok,
		map[string]any{"to_stage": "activist", "facts": activistFacts()}, headers...)
}

// The due list, eligibility reasons and the strikes label are worded from
// the catalogs in the caller's language, not built in Chinese by the
// domain.
func TestDueEligibilityAndStrikesFollowAcceptLanguage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec := app.login("secretary")
	applicant := newApplicant(t, app, sec, f.orgA, 20) // the talk falls due in 10 days
	for _, lang := range []string{"", "en"} {
		wantZh := lang == ""
		headers := []string{"Accept-Language", lang}
		due := app.call("GET", "/api/v1/due", sec, nil, headers...)
		expectStatus(t, due, 200)
		found := false
		for _, it := range due.JSON(t)["items"].([]any) {
			it := it.(map[string]any)
			msg := it["message"].(string)
			if name, ok := it["name"].(string); ok && name != "" {
				msg = strings.ReplaceAll(msg, name, "") // names aside
			}
			if isChinese(msg) != wantZh {
				t.Errorf("[%s] due item %s: %q", lang, it["kind"], msg)
			}
			found = found || it["kind"] == "talk_due"
		}
		if !found {
			t.Fatalf("no talk due: %s", due.Body)
		}
		cand := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d", applicant), sec, nil, headers...).JSON(t)
		reasons := cand["eligibility"].(map[string]any)["reasons"].([]any)
		if len(reasons) == 0 {
			t.Fatalf("an applicant with no reasons: %v", cand)
		}
		for _, r := range reasons {
			if isChinese(r.(string)) != wantZh {
				t.Errorf("[%s] eligibility reason %q", lang, r)
			}
		}
		if s, _ := cand["strikes"].(string); s == "" || isChinese(s) != wantZh {
			t.Errorf("[%s] strikes %q", lang, s)
		}
	}
}
