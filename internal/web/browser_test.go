package web

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"seedling/internal/demo"
)

const chromiumPath = "/usr/bin/chromium"

// browser is one headless Chromium tab for one test.
type browser struct {
	t   *testing.T
	ctx context.Context
}

// newBrowser starts Debian's Chromium headless for one test. CI installs it
// (.ci/run); on a machine without it the browser tests say so and skip.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("browser tests need Debian's chromium: apt-get install -y chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox, // CI runs as root, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(390, 844), // a phone: the UI must work there first
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first call starts the browser; it must not carry a timeout, or the
	// timeout would end the browser itself.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx}
}

// do runs steps with a deadline, failing the test on error.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// get runs one action that returns a value.
func get[T any](b *browser, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// login logs in through the login form as a demo account.
func (b *browser) login(base, username string) {
	b.t.Helper()
	b.do(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", username),
		chromedp.SendKeys("#password", demo.Password),
		chromedp.Click("#login-submit"),
	)
}

func TestBrowserHomePageInBothLanguages(t *testing.T) {
	app := newTestApp(t)
	base := app.serve()
	b := newBrowser(t)
	b.login(base, "admin")
	b.do(chromedp.WaitVisible("#start-org_admin"))
	zhTitle := get(b, chromedp.Title())
	zhTree := get(b, chromedp.Text("#start-org_admin"))
	b.do(chromedp.Click("#lang-en"), chromedp.WaitVisible("#lang-zh"))
	enTitle := get(b, chromedp.Title())
	enTree := get(b, chromedp.Text("#start-org_admin"))
	lang := get(b, chromedp.AttributeValue("html", "lang"))
	if !strings.Contains(zhTitle, "育苗计划") || !strings.Contains(zhTree, "组织架构") || !strings.Contains(zhTree, "中共汝州市委") {
		t.Fatalf("Chinese home page: title %q, tree %.200q", zhTitle, zhTree)
	}
	if !strings.Contains(enTitle, "Seedling") || !strings.Contains(enTree, "Organisation tree") || lang.Value != "en" {
		t.Fatalf("English home page: title %q, lang %q, tree %.200q", enTitle, lang.Value, enTree)
	}
	// Node names are data, not UI text: they stay Chinese in English.
	if !strings.Contains(enTree, "中共汝州市委") {
		t.Fatal("the tree lost its node names in English")
	}
	b.do(chromedp.Click("#lang-zh"), chromedp.WaitVisible("#lang-en"))
	if got := get(b, chromedp.Title()); !strings.Contains(got, "育苗计划") {
		t.Fatalf("back to Chinese: title %q", got)
	}
}

// Each demo account, logging in through the form, lands on its role's start
// page.
func TestBrowserEachDemoAccountLandsOnItsStartPage(t *testing.T) {
	app := newTestApp(t)
	base := app.serve()
	b := newBrowser(t)
	for _, a := range demo.Accounts {
		section := "#start-" + string(a.Role)
		b.login(base, a.Username)
		b.do(chromedp.WaitVisible(section))
		if text := get(b, chromedp.Text(section)); strings.TrimSpace(text) == "" {
			t.Fatalf("%s: empty start section", a.Username)
		}
		b.do(chromedp.Click("#logout"), chromedp.WaitVisible("#username"))
	}
}
