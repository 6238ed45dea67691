package web

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"seedling/internal/seedling"
)

// In real Chromium at phone size: the secretary records points with a
// photo on an activist's ledger page; the activist, logged in afterwards,
// sees the entry and can fetch its evidence from their score page.
func TestBrowserRecordWithEvidenceThenActivistSeesIt(t *testing.T) {
	app := newTestApp(t)
	base := app.serve()
	b := newBrowser(t)
	cand, err := app.db.Candidates().ByCode(t.Context(), "activist-a")
	if err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "社区走访.jpg")
	if err := os.WriteFile(photo, jpegBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	today := seedling.Today(time.Now()).Format(seedling.DateLayout)
	desc := "浏览器测试：完成社区入户走访"

	b.login(base, "secretary")
	b.do(chromedp.WaitVisible("#start-secretary"))
	b.do(
		chromedp.Navigate(fmt.Sprintf("%s/candidates/%d/ledger", base, cand.ID)),
		chromedp.WaitVisible("#record-form"),
		chromedp.SetValue("#category", "task_completion"),
		chromedp.SendKeys("#points", "3"),
		chromedp.SetValue("#occurred_on", today),
		chromedp.SendKeys("#description", desc),
		chromedp.SetUploadFiles("#file", []string{photo}),
		chromedp.Click("#record-submit"),
		chromedp.WaitVisible("#flash"),
	)
	if done := get(b, chromedp.Text("#flash")); !strings.Contains(done, "已记入") {
		t.Fatalf("confirmation: %q", done)
	}
	table := get(b, chromedp.Text("#ledger-entries"))
	if !strings.Contains(table, desc) || !strings.Contains(table, "社区走访.jpg") {
		t.Fatalf("the secretary's ledger lacks the entry or its photo: %.400q", table)
	}
	if got := get(b, chromedp.Text("#score-total")); got != "79" {
		t.Fatalf("score after +3: %q", got)
	}
	b.do(chromedp.Click("#logout"), chromedp.WaitVisible("#username"))

	b.login(base, "activist")
	b.do(chromedp.WaitVisible("#nav-my-score"), chromedp.Click("#nav-my-score"), chromedp.WaitVisible("#my-gauge"))
	if got := get(b, chromedp.TextContent("#gauge-value")); got != "79" {
		t.Fatalf("dial: %q", got)
	}
	if verdict := get(b, chromedp.Text("#gauge-verdict")); !strings.Contains(verdict, "还差1分") {
		t.Fatalf("verdict: %q", verdict)
	}
	table = get(b, chromedp.Text("#ledger-entries"))
	if !strings.Contains(table, desc) {
		t.Fatalf("the activist's page lacks the entry: %.400q", table)
	}
	link := get(b, chromedp.AttributeValue("a.evidence-link", "href"))
	name := get(b, chromedp.Text("a.evidence-link"))
	if !strings.HasPrefix(link.Value, "/api/v1/evidence/") || name != "社区走访.jpg" {
		t.Fatalf("evidence link %q %q", link.Value, name)
	}
	// The link works for the activist's own session: the file comes back
	// as a download with the bytes that were uploaded.
	size := get(b, chromedp.Evaluate[int](fmt.Sprintf(`fetch(%q).then(r => r.ok && r.headers.get("Content-Disposition").startsWith("attachment") ? r.arrayBuffer() : null).then(b => b ? b.byteLength : -1)`, link.Value), chromedp.EvalAwaitPromise))
	if size != len(jpegBytes) {
		t.Fatalf("evidence download: %d bytes, want %d", size, len(jpegBytes))
	}
	if strings.Contains(get(b, chromedp.OuterHTML("main")), `id="record-form"`) {
		t.Fatal("the activist is offered the record form")
	}
	b.do(chromedp.Click("#logout"), chromedp.WaitVisible("#username"))

	// Points into a dimension at its cap: theory study stands at 22 of 25,
	// so 5 more would count 3. The form warns beside the points, books
	// nothing, and books them once the secretary confirms.
	b.login(base, "secretary")
	b.do(chromedp.WaitVisible("#start-secretary"))
	b.do(
		chromedp.Navigate(fmt.Sprintf("%s/candidates/%d/ledger", base, cand.ID)),
		chromedp.WaitVisible("#record-form"),
		chromedp.SetValue("#category", "study_attendance"),
		chromedp.SendKeys("#points", "5"),
		chromedp.SetValue("#occurred_on", today),
		chromedp.SendKeys("#description", "参加集中学习"),
	)
	b.clickAndLoad("#record-submit")
	b.do(chromedp.WaitVisible("#error-points"))
	if warn := get(b, chromedp.Text("#error-points")); !strings.Contains(warn, "有 2 分不会计入总分") {
		t.Fatalf("the full dimension is not warned about: %q", warn)
	}
	if got := get(b, chromedp.Evaluate[string](`document.getElementById('points').getAttribute('aria-describedby')`)); got != "error-points" {
		t.Fatalf("the points input is described by %q", got)
	}
	if wide := get(b, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Fatal("the warned form scrolls sideways at phone width")
	}
	if got := get(b, chromedp.Text("#score-total")); got != "79" {
		t.Fatalf("the warning booked the points: score %q", got)
	}
	b.do(chromedp.Click("#confirm_uncounted"))
	b.clickAndLoad("#record-submit")
	b.do(chromedp.WaitVisible("#flash"))
	if got := get(b, chromedp.Text("#score-total")); got != "82" {
		t.Fatalf("score after the confirmed +5 into 22/25: %q", got)
	}
}
