package web

import (
	"fmt"
	"regexp"
	"testing"

	"seedling/internal/ledger"
)

// Forms that end something ask first and say what will happen, from the
// catalogs: the final button sits inside a closed confirmation step with
// the consequence beside it — withdrawing (and cancelling probation),
// reversing a ledger entry, discarding a display draft.
func TestDestructiveFormsAskFirstAndSayTheConsequence(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	r := f.app.page(fmt.Sprintf("/candidates/%d", f.a), f.sec)
	expectStatus(t, r, 200)
	step := regexp.MustCompile(`(?s)<details class="confirm" id="confirm-withdrawn-withdraw"><summary[^>]*>[^<]*…</summary>\s*<p class="consequence" id="consequence-withdrawn-withdraw">([^<]+)</p>\s*<button type="submit" id="propose-withdrawn-withdraw">`).FindStringSubmatch(string(r.Body))
	if step == nil {
		t.Fatalf("withdrawing does not ask first:\n%.6000s", r.Body)
	}
	mustContain(t, r, "发展流程就此结束，不能恢复")
	// Advancing is not destructive: it is sent in one step.
	mustContain(t, r, `<button type="submit" id="propose-target-advance">`)

	r = f.app.page(fmt.Sprintf("/candidates/%d/ledger", f.a), f.sec)
	expectStatus(t, r, 200)
	m := regexp.MustCompile(`<p class="consequence" id="reverse-consequence-(\d+)">冲销后，第(\d+)条的 (-?\d+) 分不再计入总分`).FindStringSubmatch(string(r.Body))
	if m == nil {
		t.Fatal("reversing does not say its consequence")
	}

	// A display draft of the last quarter: discarding it asks first.
	d := f.app.call("POST", "/api/v1/displays", f.sec, map[string]any{"org_id": f.orgA, "period": ledger.PeriodOf(mustDate(f.today)).Prev().String()})
	expectStatus(t, d, 201)
	r = f.app.page(fmt.Sprintf("/displays/%d", num(d.JSON(t)["id"])), f.sec)
	expectStatus(t, r, 200)
	mustContain(t, r, `<details class="confirm" id="discard-step"><summary class="button secondary" id="display-discard-open">`, `id="discard-consequence">作废后，`)

	// In English, the same consequence in English.
	r = f.app.formWith("GET", fmt.Sprintf("/candidates/%d", f.a), "", "token", f.sec, "Cookie", langCookie+"=en")
	expectStatus(t, r, 200)
	mustContain(t, r, "the process ends and cannot be resumed")
}
