package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// flashOnScreen is the confirmation region's text when it is on the first
// screen of the page, "" when it is missing or below the fold.
const flashOnScreen = `(() => { const el = document.querySelector('main [role=status]');
  if (!el) return ''; const r = el.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight ? el.textContent.trim() : 'below the fold: ' + el.textContent.trim() })()`

// On a phone, a return first says what it will count, then answers with a
// confirmation on the first screen and a link to the next waiting item; a
// refresh neither resends the form nor repeats the message. An account
// created answers the same way.
func TestBrowserActionsConfirmOnTheFirstScreen(t *testing.T) {
	app := newTestApp(t)
	base := app.serve()
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(390, 844))

	b.login(base, "committee")
	b.do(chromedp.WaitVisible("#start-committee"))
	b.do(chromedp.Navigate(base+"/reviews"), chromedp.WaitVisible("#review-queue"))
	first := get(b, chromedp.Evaluate[string](`document.querySelector('#review-queue tbody a').id`))
	queued := get(b, chromedp.Evaluate[int](`document.querySelectorAll('#review-queue tbody a').length`))
	b.do(chromedp.Click("#"+first), chromedp.WaitVisible("#decide-form"))
	if get(b, chromedp.Evaluate[bool](`document.getElementById('return').checkVisibility()`)) {
		t.Fatal("the return button acts without a confirmation step")
	}
	b.do(chromedp.Click("#return-open"), chromedp.WaitVisible("#return"))
	consequence := get(b, chromedp.Text("#return-consequence"))
	if !strings.Contains(consequence, "第 1 次") && !strings.Contains(consequence, "不计入") {
		t.Fatalf("the return step says %q", consequence)
	}
	b.do(chromedp.SetValue("#reasons", "材料不全"))
	b.clickAndLoad("#return")
	b.do(chromedp.WaitVisible("#review-state"))
	got := get(b, chromedp.Evaluate[string](flashOnScreen))
	if !strings.Contains(got, "已退回") {
		t.Fatalf("after the return the first screen says %q", got)
	}
	if queued > 1 {
		next := get(b, chromedp.Evaluate[string](`(document.getElementById('flash-next') || {}).getAttribute?.('href') || ''`))
		if !strings.HasPrefix(next, "/reviews/") || next == "/reviews/"+strings.TrimPrefix(first, "review-") {
			t.Fatalf("next in the queue: %q", next)
		}
	}
	b.do(chromedp.Reload(), chromedp.WaitVisible("#review-state"))
	if got := get(b, chromedp.Evaluate[string](flashOnScreen)); got != "" {
		t.Fatalf("a refresh repeats %q", got)
	}
	b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("logout").click()`), chromedp.WaitVisible("#username"))

	b.login(base, "admin")
	b.do(chromedp.WaitVisible("#start-org_admin"))
	b.do(chromedp.Navigate(base+"/admin/users"), chromedp.WaitVisible("#account-form"),
		chromedp.SendKeys("#account-form [name=username]", "newclerk"),
		chromedp.SendKeys("#account-form [name=display_name]", "新 办事员"),
		chromedp.SendKeys("#account-form [name=password]", "a long enough password 1"))
	b.clickAndLoad("#account-form button[type=submit]")
	b.do(chromedp.WaitVisible("#accounts-table"))
	if got := get(b, chromedp.Evaluate[string](flashOnScreen)); !strings.Contains(got, "newclerk") {
		t.Fatalf("after creating an account the first screen says %q", got)
	}
	// Disabling an account and a new rubric version ask first, too.
	if get(b, chromedp.Evaluate[bool](`document.getElementById('disable-newclerk').checkVisibility()`)) {
		t.Fatal("the disable button acts without a confirmation step")
	}
	b.do(chromedp.Navigate(base+"/rubric"), chromedp.WaitReady("#rubric-submit"))
	if get(b, chromedp.Evaluate[bool](`document.getElementById('rubric-submit').checkVisibility()`)) {
		t.Fatal("a new rubric version is saved without a confirmation step")
	}
}
