package web

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"seedling/internal/demo"
)

// axe-core is vendored as test data (testdata/axe/README.md): the test never
// reaches the network.
const axePath = "testdata/axe/axe.min.js"

// phoneProblems checks the open page as a phone user meets it: nothing
// scrolls sideways, navigation and buttons are thumb-sized (44 px) and
// wide enough for their words, other links at least 24 px tall. It returns
// one line per problem.
const phoneProblems = `(() => {
  const out = [];
  const de = document.documentElement;
  const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : '') + ' "' + el.textContent.trim().slice(0, 20) + '"';
  if (de.scrollWidth > window.innerWidth) {
    const wide = [...document.querySelectorAll('body *')].filter(el => el.getBoundingClientRect().right > window.innerWidth && !el.closest('.table-wrap, .nav'));
    out.push('page is ' + de.scrollWidth + ' px wide in ' + window.innerWidth + ': ' + wide.slice(-3).map(name).join(', '));
  }
  for (const el of document.querySelectorAll('header a, header summary, header button, button, .button, input[type=submit]')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 44 || r.height < 44) out.push(name(el) + ' is ' + Math.round(r.width) + 'x' + Math.round(r.height));
  }
  // A strip too long for the phone scrolls; its items must not shrink
  // under their words, which then run over the next item.
  for (const el of document.querySelectorAll('header a, header summary, header button, header .who')) {
    if (shown(el) && el.scrollWidth > el.clientWidth + 1) out.push(name(el) + ' is squeezed: its words are ' + el.scrollWidth + ' px wide in ' + el.clientWidth);
  }
  for (const el of document.querySelectorAll('main a, footer a')) {
    if (!shown(el) || el.matches('.button')) continue;
    const r = el.getBoundingClientRect();
    if (r.height < 24) out.push(name(el) + ' is ' + Math.round(r.height) + ' px tall');
  }
  const header = document.querySelector('header.top');
  if (header && header.getBoundingClientRect().height > 2 * 56) out.push('header is ' + Math.round(header.getBoundingClientRect().height) + ' px tall');
  return out;
})()`

// axeRun runs axe-core on the open page and returns its critical and serious
// violations, one line each.
const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
  .filter(v => v.impact === 'critical' || v.impact === 'serious')
  .map(v => v.impact + ' ' + v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ') + (v.nodes.length > 3 ? ' (+' + (v.nodes.length - 3) + ')' : '')))`

// rolePages lists the pages one account reaches from its start page: every
// navigation link, and the first candidate, ledger, review and display page
// linked from those, so each kind of page is visited once.
const rolePages = `(() => {
  const seen = new Set(['/']);
  const add = a => { const u = new URL(a.href, location.href); if (u.origin === location.origin && !u.pathname.startsWith('/api/') && !u.pathname.startsWith('/lang/')) seen.add(u.pathname + u.search); };
  document.querySelectorAll('nav a').forEach(add);
  for (const pre of ['/candidates/', '/reviews/', '/displays/', '/branches/', '/me', '/audit', '/rubric', '/calendar', '/admin/', '/notices/', '/display-overview', '/stats', '/due']) {
    const a = [...document.querySelectorAll('main a')].find(a => new URL(a.href, location.href).pathname.startsWith(pre));
    if (a) add(a);
  }
  return [...seen];
})()`

// Every demo role on a phone, in both languages: no page scrolls sideways,
// the targets are big enough, and axe-core finds nothing critical or
// serious; each start page leads with its to-do block in the first screen.
// One browser, one loop; screenshots of each start page are kept under
// testdata/screens (git-ignored) for reviewers.
func TestBrowserEveryRoleOnAPhone(t *testing.T) {
	axeSrc, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t)
	base := app.serve()
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(390, 844))
	shots := filepath.Join("testdata", "screens")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	roles := map[string]bool{}
	for _, a := range demo.Accounts {
		if roles[string(a.Role)] {
			continue // one account per role is enough
		}
		roles[string(a.Role)] = true
		b.login(base, a.Username)
		b.do(chromedp.WaitVisible("#start-" + string(a.Role)))
		if top := get(b, chromedp.Evaluate[float64](`(() => { const el = document.querySelector('main .todo'); return el ? el.getBoundingClientRect().top : -1; })()`)); top < 0 || top > 844 {
			t.Errorf("%s: the start page does not lead with what to do (to-do block at %v px)", a.Username, top)
		}
		check := func(lang, p string, withAxe bool) (links []string) {
			b.do(chromedp.Navigate(base + p))
			where := fmt.Sprintf("%s %s %s", a.Username, lang, p)
			if got := get(b, chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
				t.Errorf("%s: lang=%q", where, got)
			}
			for _, prob := range get(b, chromedp.Evaluate[[]string](phoneProblems)) {
				t.Errorf("%s: %s", where, prob)
			}
			if withAxe {
				get(b, chromedp.Evaluate[int](string(axeSrc)+";0"))
				for _, v := range get(b, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise)) {
					t.Errorf("%s: axe %s", where, v)
				}
			}
			return get(b, chromedp.Evaluate[[]string](rolePages))
		}
		// In Chinese the pages are gathered as they are visited: the start
		// page, its links, their links, up to ten pages per role. English
		// then walks the same list; axe runs once per page and on the
		// English start page (contrast and labels do not change with the
		// language, lang does).
		var pages []string
		seen := map[string]bool{"/": true}
		for queue := []string{"/"}; len(queue) > 0; queue = queue[1:] {
			pages = append(pages, queue[0])
			for _, q := range check("zh-CN", queue[0], true) {
				if !seen[q] && len(seen) < 30 {
					seen[q] = true
					queue = append(queue, q)
				}
			}
		}
		t.Logf("%s: %d pages: %v", a.Username, len(pages), pages)
		shoot := func(lang string) {
			b.do(chromedp.Navigate(base + "/"))
			png := get(b, chromedp.FullScreenshot(80))
			name := fmt.Sprintf("%s-%s.jpg", a.Role, url.PathEscape(lang))
			if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		shoot("zh-CN")
		b.do(chromedp.Navigate(base + "/lang/en?back=/"))
		for _, p := range pages {
			check("en", p, p == "/")
		}
		shoot("en")
		b.do(chromedp.Navigate(base+"/lang/zh-CN?back=/"), chromedp.Evaluate[chromedp.Void](`document.getElementById("logout").click()`), chromedp.WaitVisible("#username"))
	}
	if len(roles) < 6 {
		t.Fatalf("only %d roles visited", len(roles))
	}
}
