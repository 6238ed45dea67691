package web

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"seedling/internal/ledger"
)

// A long ledger reads a quarter at a time: one section per quarter, newest
// first, the newest open and the latest entry's, each headed by its count and the points its
// standing entries bring; every entry sits in its own quarter.
func TestLedgerPageGroupsEntriesByQuarter(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	entries, err := f.app.db.Ledger().Entries(t.Context(), f.a)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	count := map[string]int{}
	var order []string
	for _, e := range entries {
		if _, ok := count[e.Period]; !ok {
			order = append(order, e.Period)
		}
		count[e.Period]++
		want[e.Period] += e.Standing()
	}
	latest := entries[len(entries)-1].Period // entries come in seq order
	if len(order) < 2 {
		t.Fatalf("the fixture's ledger spans %v: too few quarters to group", order)
	}
	r := f.app.page(fmt.Sprintf("/candidates/%d/ledger", f.a), f.sec)
	expectStatus(t, r, 200)
	body := string(r.Body)
	got := regexp.MustCompile(`<details class="quarter" id="quarter-(\d{4}Q\d)" (open)?`).FindAllStringSubmatch(body, -1)
	if len(got) != len(order) {
		t.Fatalf("quarters on the page %v, in the ledger %v", got, order)
	}
	for i, m := range got {
		if i > 0 && m[1] >= got[i-1][1] {
			t.Fatalf("quarter %s shown after %s: not newest first", m[1], got[i-1][1])
		}
		if (i == 0 || m[1] == latest) != (m[2] == "open") {
			t.Fatalf("quarter %s open=%q: the newest quarter and the latest entry's (%s) are open, no other", m[1], m[2], latest)
		}
		p, _ := ledger.ParsePeriod(m[1])
		head := fmt.Sprintf("%d年第%d季度</strong> · <span class=\"quarter-total\">%d条记录 · 计%d分", p.Year, p.Quarter, count[m[1]], want[m[1]])
		if !strings.Contains(body, head) {
			t.Fatalf("quarter %s lacks its heading %q", m[1], head)
		}
	}
	for _, e := range entries {
		sec := body[strings.Index(body, `id="quarter-`+e.Period+`"`):]
		if end := strings.Index(sec[1:], `<details class="quarter"`); end > 0 {
			sec = sec[:end]
		}
		if !strings.Contains(sec, fmt.Sprintf(`id="entry-%d"`, e.ID)) {
			t.Fatalf("entry %d (%s) is not in its quarter", e.ID, e.Period)
		}
	}
}
