package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// On a phone, withdrawing and reversing take two taps: the final button is
// hidden until the step that says the consequence is opened, and the
// reversal then answers in the status region with the new score.
func TestBrowserDestructiveStepsAskFirst(t *testing.T) {
	f := newLedgerFixture(t)
	base := f.app.serve()
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(390, 844))
	b.login(base, "secretary")
	b.do(chromedp.WaitVisible("#start-secretary"), chromedp.Navigate(fmt.Sprintf("%s/candidates/%d", base, f.a)),
		chromedp.WaitReady("#step-withdrawn-withdraw"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('step-withdrawn-withdraw').open = true`))
	// checkVisibility, not the box: a closed details keeps its content laid
	// out but not rendered.
	visible := func(sel string) bool {
		return get(b, chromedp.Evaluate[bool](`(() => { const el = document.querySelector('`+sel+`'); return !!el && el.checkVisibility(); })()`))
	}
	if visible("#propose-withdrawn-withdraw") || !visible("#propose-open-withdrawn-withdraw") {
		t.Fatal("withdrawing is one tap: the final button shows before the confirmation step")
	}
	b.do(chromedp.Click("#propose-open-withdrawn-withdraw"), chromedp.WaitVisible("#propose-withdrawn-withdraw"))
	if text := get(b, chromedp.Text("#consequence-withdrawn-withdraw")); !strings.Contains(text, "不能恢复") {
		t.Fatalf("withdraw consequence: %q", text)
	}
	for _, prob := range get(b, chromedp.Evaluate[[]string](phoneProblems)) {
		t.Errorf("candidate page: %s", prob)
	}

	b.do(chromedp.Navigate(fmt.Sprintf("%s/candidates/%d/ledger", base, f.a)), chromedp.WaitReady("#ledger-entries"))
	id := get(b, chromedp.Evaluate[string](`document.querySelector('.reverse-form button').id.replace('reverse-submit-', '')`))
	if visible("#reverse-submit-" + id) {
		t.Fatal("the reversal button shows before its step is opened")
	}
	b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('reverse-submit-`+id+`').closest('details').querySelector('summary').click()`),
		chromedp.WaitVisible("#reverse-consequence-"+id))
	if text := get(b, chromedp.Text("#reverse-consequence-"+id)); !strings.Contains(text, "不再计入总分") {
		t.Fatalf("reversal consequence: %q", text)
	}
	b.do(chromedp.SendKeys("#entry-"+id+" input[name=reason]", "误记，予以冲销"), chromedp.Click("#reverse-submit-"+id), chromedp.WaitVisible("#flash"))
	if text := get(b, chromedp.Text("#flash")); !strings.Contains(text, "已冲销") {
		t.Fatalf("after reversing: %q", text)
	}
}
