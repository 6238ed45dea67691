package web

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"seedling/internal/demo"
	"seedling/internal/pipeline"
)

// Every page a demo account can reach from its start page, in Chinese and
// in English, shows people words: no catalog keys, rule or category codes,
// Go value dumps, chain internals, or sentences of the other language.
func TestEveryPageSpeaksWords(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	data := dataTexts(t, app)
	codes := categoryCodes(t, app)
	var logins []string // the accounts page is where logins are managed
	for _, a := range demo.Accounts {
		logins = append(logins, a.Username)
	}
	logins = append(logins, "archive")
	for _, a := range demo.Accounts {
		tok := app.login(a.Username)
		for _, lang := range languages {
			for path, text := range crawl(t, app, tok, lang) {
				pageData := data
				if strings.HasPrefix(path, "/admin/users") {
					pageData = append(slices.Clone(data), logins...)
				}
				judged := lang
				for _, leak := range leaks(text, judged, pageData, codes) {
					t.Errorf("%s [%s] %s: %s", a.Username, lang, path, leak)
				}
			}
		}
	}
}

// crawlBound keeps the walk short: at most this many pages of one shape
// (/candidates/N is one shape) and this many pages in all per account and
// language. The shapes, not the rows, are what a template can get wrong.
const (
	crawlPerShape = 3
	crawlPages    = 120
)

var (
	hrefAttr  = regexp.MustCompile(`href="([^"]*)"`)
	digitsRun = regexp.MustCompile(`[0-9]+`)
)

// crawl walks the in-app pages reachable from "/" by same-origin GET links
// and returns each page's visible text by path.
func crawl(t *testing.T, app *testApp, token, lang string) map[string]string {
	t.Helper()
	seen, shapes := map[string]bool{"/": true}, map[string]int{}
	queue, texts := []string{"/"}, map[string]string{}
	for len(queue) > 0 && len(texts) < crawlPages {
		path := queue[0]
		queue = queue[1:]
		status, body := getPage(t, app, path, token, lang)
		if status != http.StatusOK {
			if status >= 500 {
				t.Errorf("%s [%s]: status %d", path, lang, status)
			}
			continue
		}
		texts[path] = visibleText(body, lang)
		for _, m := range hrefAttr.FindAllStringSubmatch(body, -1) {
			next := html.UnescapeString(m[1])
			if !inApp(next) || seen[next] {
				continue
			}
			seen[next] = true
			shape := digitsRun.ReplaceAllString(strings.SplitN(next, "?", 2)[0], "N")
			if shapes[shape]++; shapes[shape] > crawlPerShape {
				continue
			}
			queue = append(queue, next)
		}
	}
	return texts
}

// inApp is a link the walk follows: a page of this server, not a file, an
// API answer, the language switch or the way out.
func inApp(href string) bool {
	if !strings.HasPrefix(href, "/") || strings.HasPrefix(href, "//") {
		return false
	}
	for _, skip := range []string{"/api/", "/static/", "/lang/", "/logout", "/metrics", "/healthz", "/readyz"} {
		if strings.HasPrefix(href, skip) {
			return false
		}
	}
	return !strings.Contains(strings.SplitN(href, "?", 2)[0], ".")
}

// getPage fetches one page the way a browser would, following redirects.
func getPage(t *testing.T, app *testApp, path, token, lang string) (int, string) {
	t.Helper()
	for range 5 {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Accept", "text/html")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
		req.AddCookie(&http.Cookie{Name: langCookie, Value: lang})
		res, err := app.srv.App.Test(req, -1)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if loc := res.Header.Get("Location"); res.StatusCode/100 == 3 && strings.HasPrefix(loc, "/") {
			path = loc
			continue
		}
		return res.StatusCode, string(body)
	}
	t.Fatalf("GET %s: too many redirects", path)
	return 0, ""
}

var (
	hiddenBlock = regexp.MustCompile(`(?is)<(script|style|template)\b.*?</(script|style|template)>`)
	// A part marked lang="zh-CN" in an English page is a Chinese document
	// on purpose: the display notice as it is posted on the branch's wall.
	chineseDocument = regexp.MustCompile(`(?is)<article\b[^>]*\slang="zh-CN"[^>]*>.*?</article>`)
	// Attributes people read: tooltips, screen-reader labels, hints and
	// the words on input buttons.
	readAttr = regexp.MustCompile(`(?i)\s(?:title|aria-label|placeholder|alt)="([^"]*)"|<input[^>]*type="(?:submit|button)"[^>]*value="([^"]*)"`)
	anyTag   = regexp.MustCompile(`<[^>]*>`)
	spaces   = regexp.MustCompile(`\s+`)
)

// visibleText is what a person reads on a page: its text and the
// attributes that are read aloud or shown, one line per element.
func visibleText(page, lang string) string {
	page = hiddenBlock.ReplaceAllString(page, " ")
	if lang == "en" {
		page = chineseDocument.ReplaceAllString(page, " ")
	}
	var out strings.Builder
	for _, m := range readAttr.FindAllStringSubmatch(page, -1) {
		out.WriteString(m[1] + m[2] + "\n")
	}
	for _, line := range strings.Split(anyTag.ReplaceAllString(page, "\n"), "\n") {
		if line = strings.TrimSpace(spaces.ReplaceAllString(html.UnescapeString(line), " ")); line != "" {
			out.WriteString(line + "\n")
		}
	}
	return out.String()
}

// dataTexts is the allow-list of data: what people typed or the demo
// loaded — names of people and organisations, descriptions, reasons,
// file names, notes. It is shown as written in either language, so
// it is taken out of a page's text before the text is judged.
func dataTexts(t *testing.T, app *testApp) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT name FROM orgs`,                                        // organisations' names
		`SELECT name FROM candidates`,                                  // people's names
		`SELECT occupation FROM candidates`,                            // as entered by the branch
		`SELECT display_name FROM users`,                               // accounts' names
		`SELECT description FROM ledger_entries`,                       // what a secretary wrote
		`SELECT reason FROM ledger_entries`,                            // reversal reasons
		`SELECT late_reason FROM ledger_entries`,                       // why an entry is recorded late
		`SELECT name FROM evidence_files`,                              // uploaded file names
		`SELECT note FROM rubric_versions`,                             // a rubric version's note
		`SELECT reasons FROM submissions`,                              // a committee's return reasons
		`SELECT v FROM submissions, jsonb_each_text(facts) AS f(k, v)`, // typed facts
		`SELECT v FROM submissions, jsonb_each_text(decision_facts) AS f(k, v)`,
		`SELECT jsonb_array_elements_text(v) FROM submissions, jsonb_each(facts) AS f(k, v) WHERE jsonb_typeof(v) = 'array'`, // contacts, introducers
		`SELECT reason FROM stage_changes`,
		`SELECT conclusion FROM political_reviews`,
		`SELECT conclusion FROM branch_records`,
		`SELECT text FROM objections`,
		`SELECT received_from FROM objections`,
		`SELECT raised_by_name FROM objections`,
		`SELECT evidence_name FROM objections`,
		`SELECT reason FROM objection_resolutions`,
		`SELECT resolved_by_name FROM objection_resolutions`,
		`SELECT published_by_name FROM notices`,
		`SELECT created_by_name FROM displays`,
		`SELECT name FROM display_rows`,
		`SELECT note FROM calendar_overrides`, // holiday names
		`SELECT by_name FROM branch_records`,
		`SELECT created_by_name FROM rubric_versions`,
	} {
		var rows []string
		if err := app.db.Select(&rows, `SELECT DISTINCT x FROM (`+q+`) AS d(x) WHERE x <> ''`); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for _, r := range rows {
			// A number says nothing in either language, and taking "7"
			// out of a page would break its dates ("2027-0 -01").
			if strings.IndexFunc(r, unicode.IsLetter) >= 0 {
				out = append(out, r)
			}
		}
	}
	// Longest first, so a name is not taken out of a longer text first.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// categoryCodes are the rubric's category and dimension codes, which only
// the wire format may carry.
func categoryCodes(t *testing.T, app *testApp) []string {
	t.Helper()
	var out []string
	if err := app.db.Select(&out, `SELECT code FROM rubric_categories UNION SELECT code FROM rubric_dimensions`); err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	// a catalog key or any dotted code: ledger.record, facts.decided_on
	dottedKey        = regexp.MustCompile(`\b[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*[a-z0-9]\b`)
	snakeCode        = regexp.MustCompile(`\b[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9]\b`)
	boolWord         = regexp.MustCompile(`\b(true|false)\b`)
	chainWord        = regexp.MustCompile(`\b(seq|hash|prev_hash)=`)
	goDump           = regexp.MustCompile(`%!|\b0x[0-9a-f]+|map\[|&\{|\[[^\]\s]+(?: [^\]\s]+)*\]`)
	word             = regexp.MustCompile(`[A-Za-z]{4,}`)
	verificationCode = regexp.MustCompile(`\b[A-Z0-9]{4}-[A-Z0-9]{4}\b`)
	hanRun           = regexp.MustCompile(`\p{Han}+`)
	// file names and addresses are not codes: evidence.jpg, seedling.gov.cn
	fileOrHost = regexp.MustCompile(`\.(jpe?g|png|pdf|xlsx|docx?|txt|csv|cn|com|org)\b`)
)

// latinInChinese are the Latin words a Chinese page may show: the product,
// file formats and the fixed abbreviations of the product's world.
var latinInChinese = []string{"Seedling", "Excel", "xlsx", "XLSX", "JPEG", "YYYY", "SHA256", "sha256", "Office", "English"}

// leaks lists what in one page's text is a code or, for a lang of
// "zh-CN" or "en", the other language.
func leaks(text, lang string, data, codes []string) []string {
	// A Go value printed into a page ([王建国 李红梅]) wraps data, so it
	// is looked for before the data is taken out.
	var out []string
	for _, m := range goDump.FindAllString(text, -1) {
		out = append(out, fmt.Sprintf("Go value %q", m))
	}
	for _, d := range data {
		text = strings.ReplaceAll(text, d, " ")
	}
	// A display's verification code (GLV6-XWNJ) is data people type in.
	text = verificationCode.ReplaceAllString(text, " ")
	for _, line := range strings.Split(text, "\n") {
		found := func(kind, what string) { out = append(out, fmt.Sprintf("%s %q in %q", kind, what, line)) }
		for _, m := range dottedKey.FindAllString(line, -1) {
			if !fileOrHost.MatchString(m) {
				found("dotted key", m)
			}
		}
		for _, m := range snakeCode.FindAllString(line, -1) {
			found("code", m)
		}
		for _, m := range boolWord.FindAllString(line, -1) {
			found("bare boolean", m)
		}
		for _, m := range chainWord.FindAllString(line, -1) {
			found("chain internals", m)
		}
		// A one-word code ("practice", "deduction") is also an English word,
		// and may be one inside a translated label: it is a code when it
		// stands alone.
		for _, w := range strings.FieldsFunc(line, func(r rune) bool { return !unicode.IsLetter(r) && r != '_' }) {
			if slices.Contains(codes, w) && (strings.Contains(w, "_") || strings.TrimSpace(line) == w) {
				found("category code", w)
			}
		}
		switch lang {
		case "zh-CN":
			for _, m := range word.FindAllString(line, -1) {
				if !slices.Contains(latinInChinese, m) {
					found("English", m)
				}
			}
		case "en":
			// The language switch names Chinese in Chinese, on purpose.
			for _, m := range hanRun.FindAllString(strings.ReplaceAll(line, "中文", ""), -1) {
				found("Chinese", m)
			}
		}
	}
	return out
}

// The review page words the submitted facts (a choice by its label, names
// as a list, 是/否) and shows the candidate's ledger with category names
// and evidence links, in the reader's language.
func TestReviewPageShowsFactsAndLedgerInWords(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	com := f.app.login("committee")
	r := f.record(t, f.a, "review-photo", entry("critical_moment", 6, f.today, "防汛值守"))
	expectStatus(t, r, 201)
	expectStatus(t, f.app.upload(fmt.Sprintf("/api/v1/ledger/%d/evidence", num(r.JSON(t)["id"])), f.sec, false, nil, "file", "值守照片.jpg", jpegBytes), 201)
	withdraw := submit(t, f.app, f.sec, f.a, "withdrawn", map[string]any{"requested_on": day(1), "reason": "本人考虑后申请撤回"})
	expectStatus(t, withdraw, 201)
	applicant := newApplicant(t, f.app, f.sec, f.orgA, 20)
	advance := submit(t, f.app, f.sec, applicant, "activist", activistFacts())
	expectStatus(t, advance, 201)

	for _, tc := range []struct {
		lang            string
		choice, names   string
		category, codes string
	}{
		{"zh-CN", "群团组织推优", "王建国、李红梅", "关键时刻表现", "critical_moment"},
		{"en", "Recommended by a mass organisation", "王建国, 李红梅", "conduct at critical moments", "critical_moment"},
	} {
		_, facts := getPage(t, f.app, fmt.Sprintf("/reviews/%d", idOf(t, advance)), com, tc.lang)
		for _, want := range []string{tc.choice, tc.names} {
			if !strings.Contains(facts, want) {
				t.Errorf("[%s] the facts do not read %q:\n%s", tc.lang, want, visibleText(facts, tc.lang))
			}
		}
		if strings.Contains(facts, "mass_org") || strings.Contains(facts, "[王建国") {
			t.Errorf("[%s] the facts show codes or a Go list", tc.lang)
		}
		_, ledgerPage := getPage(t, f.app, fmt.Sprintf("/reviews/%d", idOf(t, withdraw)), com, tc.lang)
		text := strings.ToLower(visibleText(ledgerPage, tc.lang))
		if !strings.Contains(text, strings.ToLower(tc.category)) || strings.Contains(text, tc.codes) {
			t.Errorf("[%s] the ledger does not name its categories:\n%s", tc.lang, text)
		}
		if !regexp.MustCompile(`href="/api/v1/evidence/\d+"[^>]*>值守照片.jpg<`).MatchString(ledgerPage) {
			t.Errorf("[%s] the ledger does not link its evidence", tc.lang)
		}
	}
}

// A yes/no fact reads 是/否 and Yes/No, never true or false.
func TestBoolFactsReadYesNo(t *testing.T) {
	b, err := newBundle(assets)
	if err != nil {
		t.Fatal(err)
	}
	spec := pipeline.FactSpec{Name: "opinions_heard", Type: pipeline.TypeBool}
	for lang, want := range map[string][2]string{"zh-CN": {"是", "否"}, "en": {"Yes", "No"}} {
		l := i18n.NewLocalizer(b, lang)
		if got := [2]string{factWord(l, spec, true, lang == "en"), factWord(l, spec, false, lang == "en")}; got != want {
			t.Errorf("%s: %v, want %v", lang, got, want)
		}
	}
}

// The web layer's own refusals — malformed bodies, bad query values,
// missing headers, a missing login — answer in the caller's language with
// their own message, not a generic one, while code and the field stay.
func TestWebRefusalsFollowAcceptLanguage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec := app.login("secretary")
	zh, en := readCatalog(t, "zh-CN"), readCatalog(t, "en")
	raw := func(method, path, contentType, body string, headers ...string) func(lang string) response {
		return func(lang string) response {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			if lang != "" {
				req.Header.Set("Accept-Language", lang)
			}
			for i := 0; i+1 < len(headers); i += 2 {
				req.Header.Set(headers[i], headers[i+1])
			}
			res, err := app.srv.App.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return response{Status: res.StatusCode, Body: b}
		}
	}
	bearer := []string{"Authorization", "Bearer " + sec}
	auditor := []string{"Authorization", "Bearer " + app.login("admin")}
	candidates := "/api/v1/candidates"
	ledger := fmt.Sprintf("/api/v1/candidates/%d/ledger", f.candA)
	cases := []struct {
		name   string
		send   func(lang string) response
		status int
		code   string
		key    string
		field  string
	}{
		{"bad time", raw("GET", "/api/v1/audit?before=yesterday", "", "", auditor...), 400, "invalid", "problem.time_format", "before"},
		{"unknown stage", raw("GET", candidates+"?stage=nope", "", "", bearer...), 400, "invalid", "problem.stage_unknown", "stage"},
		{"not an id", raw("GET", candidates+"/abc", "", "", bearer...), 404, "not_found", "error.not_found", ""},
		{"empty body", raw("POST", candidates, "application/json", "", bearer...), 400, "invalid", "error.body_empty", ""},
		{"malformed JSON", raw("POST", candidates, "application/json", "{", bearer...), 400, "invalid", "", ""},
		{"unknown field", raw("POST", candidates, "application/json", `{"bogus": 1}`, bearer...), 400, "invalid", "problem.unknown_field", "bogus"},
		{"not JSON", raw("POST", candidates, "text/plain", "x", bearer...), 415, "unsupported", "error.json_required", ""},
		{"not a bearer token", raw("GET", "/api/v1/me", "", "", "Authorization", "Basic eDp5"), 401, "unauthorized", "error.bearer", ""},
		{"not logged in", raw("GET", "/api/v1/me", "", ""), 401, "unauthorized", "error.unauthorized", ""},
		{"no idempotency key", raw("POST", ledger, "application/json", `{"category": "critical_moment", "points": 1}`, bearer...), 400, "invalid", "problem.idempotency_required", "Idempotency-Key"},
	}
	for _, tc := range cases {
		for _, lang := range []string{"", "zh-CN", "en"} {
			r := tc.send(lang)
			if r.Status != tc.status {
				t.Errorf("%s [%s]: status %d, want %d: %s", tc.name, lang, r.Status, tc.status, r.Body)
				continue
			}
			var body errorBody
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			catalog := zh
			if lang == "en" {
				catalog = en
			}
			msg := body.Error.Message
			if body.Error.Code != tc.code || isChinese(msg) != (lang != "en") {
				t.Errorf("%s [%s]: %s %q", tc.name, lang, body.Error.Code, msg)
			}
			if tc.key != "" && msg != catalog[tc.key] {
				t.Errorf("%s [%s]: message %q, want %q", tc.name, lang, msg, catalog[tc.key])
			}
			if tc.key == "" && msg == catalog["error."+tc.code] {
				t.Errorf("%s [%s]: only the generic %q", tc.name, lang, msg)
			}
			if tc.field != "" && body.Error.Fields[tc.field] != catalog[tc.key] {
				t.Errorf("%s [%s]: fields %v", tc.name, lang, body.Error.Fields)
			}
		}
	}
}

// The audit trail reads as sentences naming the actor and the subject,
// in China time, newest first, fifty at a time with a link to older
// rows; chain internals stay on the verification page.
func TestAuditPageReadsAsSentences(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.login("admin")
	_, page := getPage(t, app, "/audit", admin, "zh-CN")
	text := visibleText(page, "zh-CN")
	if !strings.Contains(text, "支部书记 张书记 发布了公示") || !strings.Contains(text, "组织部 王主任 登录了系统") {
		t.Errorf("the trail does not read as sentences with names:\n%s", text)
	}
	for _, code := range []string{"seq=", "hash=", "display.publish", "candidate:", "UTC"} {
		if strings.Contains(text, code) {
			t.Errorf("the trail shows %q", code)
		}
	}
	times := auditTimes(page)
	if len(times) != auditPageSize {
		t.Fatalf("%d rows on the first page, want %d", len(times), auditPageSize)
	}
	if !strings.HasSuffix(times[0], "+08:00") || times[0] < times[len(times)-1] {
		t.Errorf("not newest first in China time: %s … %s", times[0], times[len(times)-1])
	}
	next := regexp.MustCompile(`href="(/audit\?cursor=[^"]+)"`).FindStringSubmatch(page)
	if next == nil {
		t.Fatal("no link to older rows")
	}
	_, older := getPage(t, app, html.UnescapeString(next[1]), admin, "en")
	olderTimes := auditTimes(older)
	if len(olderTimes) == 0 || olderTimes[0] > times[len(times)-1] {
		t.Errorf("the older page does not continue the first: %v", olderTimes)
	}
	if !strings.Contains(visibleText(older, "en"), "The system loaded the demo ledger of") {
		t.Errorf("the English trail is not worded:\n%s", visibleText(older, "en"))
	}
}

// auditTimes are the machine-readable times of an audit page's rows.
func auditTimes(page string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<time datetime="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}
