package web

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// noSidewaysScroll fails when the page is wider than the 390 px phone
// (headless Chromium keeps a wider window, so the viewport is emulated).
func (b *browser) noSidewaysScroll(what string) {
	b.t.Helper()
	b.do(chromedp.EmulateViewport(390, 844))
	w := get(b, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	if w[1] > 390 || w[0] > w[1] {
		b.t.Errorf("%s is %d px wide in a %d px phone", what, w[0], w[1])
	}
}

// The display round through the pages on a phone: the secretary publishes
// branch A's last quarter, the member objects, the secretary upholds it
// with a correcting entry, the entry is in the ledger and in the reissue,
// and the committee's overview counts it.
func TestBrowserDisplayRound(t *testing.T) {
	app := newTestApp(t)
	app.clockAt("2026-10-12")
	base := app.serve()
	b := newBrowser(t)

	b.login(base, "secretary")
	b.do(chromedp.WaitVisible("#start-secretary"), chromedp.Navigate(base+"/displays"), chromedp.WaitVisible("#display-form"))
	if p := get(b, chromedp.Evaluate[string](`document.getElementById('display-period').value`)); p != "2026Q3" {
		t.Fatalf("suggested period %q", p)
	}
	b.noSidewaysScroll("the display list")
	b.clickAndLoad("#display-create")
	b.do(chromedp.WaitVisible("#display-preview"))
	b.noSidewaysScroll("the preview")
	b.clickAndLoad("#display-publish")
	b.do(chromedp.WaitVisible("#display-window"))
	if s := get(b, chromedp.Text("#display-state")); s != "已发布" {
		t.Fatalf("state after publishing: %q", s)
	}
	url := get(b, chromedp.Location())
	did, _ := strconv.ParseInt(url[strings.LastIndex(url, "/")+1:], 10, 64)
	name := get(b, chromedp.Evaluate[string](`document.querySelector('#display-rows tbody tr td').textContent`))
	cand := get(b, chromedp.Evaluate[string](`document.querySelector('#display-rows tbody tr').id.replace('row-', '')`))

	b.switchUser(base, "member", "#start-displays")
	b.clickAndLoad(fmt.Sprintf("#open-display-%d", did))
	b.do(chromedp.WaitVisible("#object-form"), chromedp.SetValue("#object-row", cand), chromedp.SendKeys("#object-text", "九月的防汛值守没有记分"))
	b.clickAndLoad("#object-submit")
	b.do(chromedp.WaitVisible("#objections .objection"))
	b.noSidewaysScroll("the display with an objection")

	b.switchUser(base, "secretary", "#start-secretary")
	b.do(chromedp.Navigate(fmt.Sprintf("%s/displays/%d", base, did)), chromedp.WaitVisible("#objections .objection"))
	oid := get(b, chromedp.Evaluate[string](`document.querySelector('#objections .objection').id.replace('objection-', '')`))
	b.do(chromedp.Click("#resolve-open-"+oid),
		chromedp.SetValue("#resolve-decision-"+oid, "uphold"),
		chromedp.SendKeys("#resolve-reason-"+oid, "经核实值守记录属实"),
		chromedp.SetValue("#resolve-category-"+oid, "critical_moment"),
		chromedp.SendKeys("#resolve-points-"+oid, "3"),
		chromedp.SetValue("#resolve-date-"+oid, "2026-09-20"),
		chromedp.SendKeys("#resolve-description-"+oid, "补记防汛值守（异议核实）"))
	b.clickAndLoad("#resolve-submit-" + oid)
	b.do(chromedp.WaitVisible("#objection-" + oid + " .objection-outcome"))
	if text := get(b, chromedp.Text("#objection-"+oid)); !strings.Contains(text, "属实已纠正") {
		t.Fatalf("after upholding: %q", text)
	}
	b.do(chromedp.Navigate(fmt.Sprintf("%s/candidates/%s/ledger", base, cand)), chromedp.WaitVisible("main"))
	if text := get(b, chromedp.Text("main")); !strings.Contains(text, "补记防汛值守（异议核实）") {
		t.Fatalf("the correction is not in %s's ledger", name)
	}
	b.do(chromedp.Navigate(fmt.Sprintf("%s/displays/%d", base, did)), chromedp.WaitVisible("#display-reissue"))
	b.clickAndLoad("#display-reissue")
	b.do(chromedp.WaitVisible("#display-changes"))
	if text := get(b, chromedp.Text("#display-changes")); !strings.Contains(text, name) {
		t.Fatalf("the reissue does not show %s's change: %q", name, text)
	}
	b.clickAndLoad("#display-publish")
	b.do(chromedp.WaitVisible("#display-window"))

	b.switchUser(base, "member", "#start-objections")
	if text := get(b, chromedp.Text("#my-objections")); !strings.Contains(text, "经核实值守记录属实") {
		t.Fatalf("the member's start page lacks the outcome: %q", text)
	}

	b.switchUser(base, "committee", "#start-committee")
	b.do(chromedp.Navigate(base+"/displays-overview"), chromedp.WaitVisible("#overview-totals"))
	if n, _ := strconv.Atoi(get(b, chromedp.Text("#total-upheld"))); n < 1 {
		t.Fatalf("overview upheld %d", n)
	}
	if n, _ := strconv.Atoi(get(b, chromedp.Text("#total-raised"))); n < 4 {
		t.Fatalf("overview raised %d", n)
	}
	b.noSidewaysScroll("the overview")
	b.do(chromedp.Navigate(fmt.Sprintf("%s/displays/%d/notice", base, did)), chromedp.WaitVisible("#notice"))
	b.noSidewaysScroll("the notice")
}
