package web

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"seedling/internal/demo"
)

// On a phone, a secretary finds the password page from the header, sees a
// wrong current password refused next to its field, changes the password,
// lands logged in on the same page with the confirmation in view in the
// status region, and a reload does not send the form again. The page passes
// the phone checks and axe-core.
func TestBrowserOwnPasswordOnAPhone(t *testing.T) {
	axeSrc, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t)
	base := app.serve()
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(390, 844))
	b.login(base, "secretary")
	b.do(chromedp.WaitVisible("#start-secretary"), chromedp.Click("#nav-password"), chromedp.WaitVisible("#password-form"))
	for _, prob := range get(b, chromedp.Evaluate[[]string](phoneProblems)) {
		t.Errorf("password page: %s", prob)
	}
	get(b, chromedp.Evaluate[int](string(axeSrc)+";0"))
	for _, v := range get(b, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise)) {
		t.Errorf("password page: axe %s", v)
	}
	fill := func(current, next string) {
		b.do(chromedp.SendKeys("#current_password", current), chromedp.SendKeys("#password", next),
			chromedp.SendKeys("#password_confirm", next), chromedp.Click("#password-submit"))
	}
	fill("not the password", "a fresh long password")
	b.do(chromedp.WaitVisible("#error-current_password"))
	if got := get(b, chromedp.Text("#error-current_password")); got != "当前密码不正确。" {
		t.Fatalf("wrong current password: %q", got)
	}
	fill(demo.Password, "a fresh long password")
	b.do(chromedp.WaitVisible("#flash"))
	status := get(b, chromedp.Evaluate[map[string]any](`(() => { const f = document.getElementById('flash'); const r = f.getBoundingClientRect();
	  return {role: f.getAttribute('role'), text: f.textContent, inView: r.top >= 0 && r.bottom <= innerHeight, path: location.pathname, loggedIn: !!document.getElementById('logout')}; })()`))
	if status["role"] != "status" || status["inView"] != true || status["path"] != "/me/password" || status["loggedIn"] != true ||
		!strings.Contains(status["text"].(string), "密码已修改") {
		t.Fatalf("after the change: %v", status)
	}
	b.do(chromedp.Reload(), chromedp.WaitVisible("#password-form"))
	if n := get(b, chromedp.Evaluate[int](`document.querySelectorAll('#flash').length`)); n != 0 {
		t.Fatal("the confirmation came back on reload: the form was sent again or the flash kept")
	}
	b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("logout").click()`), chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", "secretary"), chromedp.SendKeys("#password", "a fresh long password"),
		chromedp.Click("#login-submit"), chromedp.WaitVisible("#start-secretary"))
}
