package web

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

func mustContain(t *testing.T, r response, parts ...string) {
	t.Helper()
	body := string(r.Body)
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Fatalf("page (status %d) lacks %q:\n%.3000s", r.Status, p, body)
		}
	}
}

func mustNotContain(t *testing.T, r response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(string(r.Body), p) {
			t.Fatalf("page shows %q", p)
		}
	}
}

// The secretary's ledger page: the keeper, the score, the entries with
// reversals struck through, and the form; a recorded entry with a photo
// shows up on top; a refused form comes back with the reason at the field.
func TestLedgerPageRecordsWithEvidence(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	page := fmt.Sprintf("/candidates/%d/ledger", f.a)
	r := f.app.page(page, f.sec)
	expectStatus(t, r, 200)
	mustContain(t, r, "积分台账", "台账专人负责", "支部书记 张书记", `id="record-form"`, `id="score-total">76<`, "还差4分", "<s>", "已被第", "冲销第", "积分如何计算")

	before := f.count(t)
	form := map[string]string{"category": "critical_moment", "points": "5", "occurred_on": f.today, "description": "参加防汛抢险值守", "idempotency_key": "ui-1"}
	r = f.app.upload(page, f.sec, true, form, "file", "防汛.jpg", jpegBytes)
	expectStatus(t, r, 303)
	if loc := r.Header.Get("Location"); loc != page {
		t.Fatalf("redirect to %q", loc)
	}
	// Post/redirect/get: the page the redirect lands on says once, in the
	// status region, what was booked and the new score.
	var flashed *http.Cookie
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		if ck.Name == flashCookie {
			flashed = ck
		}
	}
	if flashed == nil {
		t.Fatal("the record form left no confirmation for the next page")
	}
	req := httptest.NewRequest("GET", page, nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: f.sec})
	req.AddCookie(&http.Cookie{Name: flashCookie, Value: flashed.Value})
	res, err := f.app.srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	landed, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(landed), `role="status" id="flash">已记入第`) || !strings.Contains(string(landed), "现总分 81 分") {
		t.Fatalf("the landing page lacks the confirmation with the new score:\n%.3000s", landed)
	}
	if f.count(t) != before+2 { // the entry and its evidence record
		t.Fatalf("%d rows written", f.count(t)-before)
	}
	// A double click: the same form again books nothing.
	expectStatus(t, f.app.upload(page, f.sec, true, form, "file", "防汛.jpg", jpegBytes), 303)
	if f.count(t) != before+2 {
		t.Fatal("a resubmitted form booked twice")
	}
	r = f.app.page(page, f.sec)
	mustContain(t, r, "参加防汛抢险值守", "防汛.jpg", `class="evidence-link"`, `id="score-total">81<`)

	form["points"], form["idempotency_key"] = "30", "ui-2"
	r = f.app.upload(page, f.sec, true, form, "", "", nil)
	expectStatus(t, r, 422)
	mustContain(t, r, `id="error-points"`, "该类别每条分值应在 1 到 10 之间", "参加防汛抢险值守</textarea>")
	form["points"], form["idempotency_key"] = "5", "ui-3"
	r = f.app.upload(page, f.sec, true, form, "file", "申请书.pdf", exeBytes)
	expectStatus(t, r, 415)
	mustContain(t, r, `id="error-file"`, "改扩展名无效")
	if f.count(t) != before+2 {
		t.Fatal("a refused form wrote rows")
	}
}

// Reversal and attachment from the page, each refusal shown at its line.
func TestLedgerPageReversesAndAttaches(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	r := f.record(t, f.a2, "to-reverse", entry("activity_conduct", 2, f.today, "误记一条"))
	expectStatus(t, r, 201)
	id := num(r.JSON(t)["id"])
	base := fmt.Sprintf("/candidates/%d/ledger/%d", f.a2, id)
	expectStatus(t, f.app.form("POST", base+"/reverse", f.sec, "reason="+url.QueryEscape("误记，予以冲销")), 303)
	r = f.app.form("POST", base+"/reverse", f.sec, "reason=again")
	expectStatus(t, r, 409)
	mustContain(t, r, "每条记录只能冲销一次")
	expectStatus(t, f.app.upload(base+"/evidence", f.sec, true, nil, "file", "说明.pdf", pdfBytes), 303)
	r = f.app.page(fmt.Sprintf("/candidates/%d/ledger", f.a2), f.sec)
	mustContain(t, r, "误记，予以冲销", "说明.pdf")
	// An entry of another candidate is not reachable through this one.
	expectStatus(t, f.app.form("POST", fmt.Sprintf("/candidates/%d/ledger/%d/reverse", f.a, id), f.sec, "reason=x"), 404)
}

// The activist's own page: a dial against 80, the dimensions, what is
// missing, and the ledger with its evidence, without any form.
func TestMyScorePage(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	r := f.record(t, f.a, "photo", entry("task_completion", 2, f.today, "社区走访"))
	expectStatus(t, r, 201)
	expectStatus(t, f.app.upload(fmt.Sprintf("/api/v1/ledger/%d/evidence", num(r.JSON(t)["id"])), f.sec, false, nil, "file", "走访.png", pngBytes), 201)
	r = f.app.page("/me/score", f.activist)
	expectStatus(t, r, 200)
	mustContain(t, r, "我的积分", "<svg", `id="gauge-value">78<`, "还差2分", "距离80分还差2分", "理论考试", "社区走访", "走访.png", `class="evidence-link"`)
	mustNotContain(t, r, `id="record-form"`, "冲销此条", "补充佐证")
	r = f.app.page(fmt.Sprintf("/candidates/%d/ledger", f.a), f.activist)
	expectStatus(t, r, 200)
	mustNotContain(t, r, `id="record-form"`)
	expectStatus(t, f.app.page(fmt.Sprintf("/candidates/%d/ledger", f.a2), f.activist), 404)
	expectStatus(t, f.app.page("/me/score", f.sec), 404)
}

// A committee reads every ledger below it, and writes none.
func TestCommitteeReadsRostersAndLedgers(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	r := f.app.page("/branches", f.committee)
	expectStatus(t, r, 200)
	mustContain(t, r, "各支部积分台账", "煤山街道青瓷社区党支部", fmt.Sprintf("/branches/%d/roster", f.orgA))
	mustNotContain(t, r, "广育社区")
	r = f.app.page(fmt.Sprintf("/branches/%d/roster", f.orgA), f.committee)
	expectStatus(t, r, 200)
	mustContain(t, r, "郭晓雯", "还差4分", "可列为发展对象", "理论考试 (25)", "支部书记 张书记")
	mustNotContain(t, r, `id="keeper-card"`, `id="roster-import"`)
	r = f.app.page(fmt.Sprintf("/candidates/%d/ledger", f.a2), f.committee)
	expectStatus(t, r, 200)
	mustNotContain(t, r, `id="record-form"`, "冲销此条")
	expectStatus(t, f.app.page(fmt.Sprintf("/branches/%d/roster", f.orgB), f.committee), 404)
}

// The secretary's roster names the keeper and links to the import page.
func TestSecretaryRosterAndKeeperForm(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	r := f.app.page(fmt.Sprintf("/branches/%d/roster", f.orgA), f.sec)
	expectStatus(t, r, 200)
	mustContain(t, r, `id="keeper-card"`, `id="roster-import"`, `id="roster-export"`)
	u, _ := f.app.db.Users().ByUsername(t.Context(), "secretary")
	expectStatus(t, f.app.form("POST", fmt.Sprintf("/branches/%d/keeper", f.orgA), f.sec, fmt.Sprintf("user_id=%d", u.ID)), 303)
	r = f.app.form("POST", fmt.Sprintf("/branches/%d/keeper", f.orgA), f.sec, "user_id=999999")
	expectStatus(t, r, 400)
	mustContain(t, r, "只能指定本支部的支部书记账号")
}

// The import page lists every refused cell, and books a good file.
func TestImportPage(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	page := fmt.Sprintf("/branches/%d/import", f.orgA)
	r := f.app.page(page, f.sec)
	expectStatus(t, r, 200)
	mustContain(t, r, "批量录入积分", "template?format=xlsx", "template?format=csv", f.period())
	bad := fmt.Sprintf("编号,姓名,日期,类别,分值,说明\n%d,%s,%s,task_completion,99,超限\n", f.a, f.name(t, f.a), f.today)
	r = f.app.upload(page, f.sec, true, map[string]string{"period": f.period()}, "file", "bad.csv", []byte(bad))
	expectStatus(t, r, 422)
	mustContain(t, r, `id="import-problems"`, "<code>E2</code>", "分值", "该类别每条分值应在 1 到 10 之间")
	good := fmt.Sprintf("编号,姓名,日期,类别,分值,说明\n%d,%s,%s,task_completion,4,完成任务\n", f.a, f.name(t, f.a), f.today)
	r = f.app.upload(page, f.sec, true, map[string]string{"period": f.period()}, "file", "good.csv", []byte(good))
	expectStatus(t, r, 303)
	r = f.app.page(r.Header.Get("Location"), f.sec)
	mustContain(t, r, "新记入1条")
	r = f.app.upload(page, f.sec, true, map[string]string{"period": f.period()}, "file", "x.pdf", pdfBytes)
	expectStatus(t, r, 415)
}

// The rubric page: everyone reads the versions; the department's form
// comes back with problems at their fields, and saves a good version.
func TestRubricPage(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	r := f.app.page("/rubric", f.sec)
	expectStatus(t, r, 200)
	mustContain(t, r, "积分细则", "第1版", "现行", "关键时刻表现")
	mustNotContain(t, r, `id="rubric-form"`)
	r = f.app.page("/rubric", f.admin)
	mustContain(t, r, `id="rubric-form"`)

	next := ledger.PeriodOf(seedling.Today(time.Now())).Next().Start().Format(seedling.DateLayout)
	v := url.Values{"effective_from": {"2020-02-01"}, "note": {"试行"}}
	caps := []string{"20", "25", "25", "30"}
	for i, code := range ledger.Dimensions {
		k := fmt.Sprintf("dimensions[%d].", i)
		v.Set(k+"code", code)
		v.Set(k+"name", "维度"+code)
		v.Set(k+"name_en", code)
		v.Set(k+"cap", caps[i])
	}
	v.Set("categories[0].code", "exam_result")
	v.Set("categories[0].name", "考试")
	v.Set("categories[0].name_en", "Exam")
	v.Set("categories[0].dimension", "theory_exam")
	v.Set("categories[0].min_points", "1")
	v.Set("categories[0].max_points", "40")
	r = f.app.form("POST", "/rubric", f.admin, v.Encode())
	expectStatus(t, r, 422)
	mustContain(t, r, "生效日期须为某季度第一天", "单条分值不能超过该维度上限20")
	v.Set("effective_from", next)
	v.Set("categories[0].max_points", "20")
	v.Set("categories[5].code", "front_line")
	v.Set("categories[5].name", "一线表现")
	v.Set("categories[5].name_en", "Front line")
	v.Set("categories[5].dimension", "practice")
	v.Set("categories[5].min_points", "1")
	v.Set("categories[5].max_points", "8")
	r = f.app.form("POST", "/rubric", f.admin, v.Encode())
	expectStatus(t, r, 303)
	r = f.app.page(r.Header.Get("Location"), f.admin)
	mustContain(t, r, "第2版已保存", "尚未生效", "一线表现")
	expectStatus(t, f.app.form("POST", "/rubric", f.sec, v.Encode()), 403)
}

// Pages follow the language switch; data stays as typed.
func TestLedgerPageInEnglish(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	req := httptest.NewRequest("GET", fmt.Sprintf("/candidates/%d/ledger", f.a), nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: f.sec})
	req.AddCookie(&http.Cookie{Name: langCookie, Value: "en"})
	res, err := f.app.srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 1<<16)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	body := b.String()
	for _, want := range []string{"Points ledger", "Ledger keeper", "needs 4 more points", "Record points", "How scores are computed", "郭晓雯"} {
		if !strings.Contains(body, want) {
			t.Fatalf("English page lacks %q", want)
		}
	}
}
