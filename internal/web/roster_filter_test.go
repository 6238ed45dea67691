package web

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var rosterRow = regexp.MustCompile(`<tr id="roster-(\d+)">`)

// rosterIDs walks a roster page and its next links to the end, returning
// the ids in the order shown and how many pages it took.
func rosterIDs(t *testing.T, f *ledgerFixture, path string) ([]string, int) {
	t.Helper()
	var ids []string
	pages := 0
	for path != "" {
		r := f.app.page(path, f.committee)
		expectStatus(t, r, 200)
		pages++
		for _, m := range rosterRow.FindAllStringSubmatch(string(r.Body), -1) {
			ids = append(ids, m[1])
		}
		path = ""
		if m := regexp.MustCompile(`<a href="([^"]+)" class="button secondary" id="roster-next"`).FindStringSubmatch(string(r.Body)); m != nil {
			path = html.UnescapeString(m[1])
		}
		if pages > 50 {
			t.Fatal("the next links do not end")
		}
	}
	return ids, pages
}

// The roster page is read a page at a time through its next link, and
// narrowed by name, stage, priority group and eligibility; the filters
// travel with the next link, and a wrong filter value is a 400 at its field.
func TestRosterPagesAndFilters(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	base := fmt.Sprintf("/branches/%d/roster", f.orgA)
	all, pages := rosterIDs(t, f, base)
	if len(all) < 5 || pages != 1 {
		t.Fatalf("whole roster: %d people in %d pages", len(all), pages)
	}
	paged, pages := rosterIDs(t, f, base+"?limit=2")
	if !slices.Equal(paged, all) || pages != (len(all)+1)/2 {
		t.Fatalf("two a page: %v in %d pages, whole %v", paged, pages, all)
	}

	// Eligible and not eligible split the roster, also across pages.
	yes, _ := rosterIDs(t, f, base+"?eligible=true&limit=1")
	no, _ := rosterIDs(t, f, base+"?eligible=false&limit=2")
	if len(yes) == 0 || len(no) == 0 || len(yes)+len(no) != len(all) {
		t.Fatalf("eligible %v + not %v ≠ all %v", yes, no, all)
	}
	for _, id := range yes {
		if slices.Contains(no, id) {
			t.Fatalf("%s is both eligible and not", id)
		}
	}
	r := f.app.page(base+"?eligible=true", f.committee)
	mustContain(t, r, `<option value="true" selected>`, `id="roster-clear"`)
	mustNotContain(t, r, `<span class="badge warn">不可`)

	// A part of a name finds that person only.
	r = f.app.page(base+"?q="+url.QueryEscape("晓雯"), f.committee)
	expectStatus(t, r, 200)
	mustContain(t, r, "郭晓雯", `value="晓雯"`)
	if n := len(rosterRow.FindAllString(string(r.Body), -1)); n != 1 {
		t.Fatalf("search 晓雯: %d lines", n)
	}
	r = f.app.page(base+"?q=nobody-is-called-this", f.committee)
	mustContain(t, r, "没有符合条件的人员")

	// Stage and priority group.
	target, _ := rosterIDs(t, f, base+"?stage=target")
	activist, _ := rosterIDs(t, f, base+"?stage=activist")
	if len(activist) == 0 || slices.ContainsFunc(target, func(id string) bool { return slices.Contains(activist, id) }) {
		t.Fatalf("stage filter: target %v, activist %v", target, activist)
	}
	if _, err := f.app.db.ExecContext(t.Context(), `UPDATE candidates SET priority_group = CASE WHEN id = $1 THEN 'student' END`, f.a); err != nil {
		t.Fatal(err)
	}
	students, _ := rosterIDs(t, f, base+"?group=student&limit=1")
	if !slices.Equal(students, []string{fmt.Sprint(f.a)}) {
		t.Fatalf("students %v, want only %d", students, f.a)
	}

	for _, bad := range []string{"group=pilots", "eligible=maybe", "stage=astronaut", "q=" + strings.Repeat("长", 51), "limit=0", "cursor=zzz"} {
		if r := f.app.page(base+"?"+bad, f.committee); r.Status != 400 {
			t.Errorf("%s: status %d", bad, r.Status)
		}
	}
}

// The API roster keeps api.md's pagination (limit, cursor, next null at the
// end) and takes the same filters as the page.
func TestAPIRosterPaginatesWithFilters(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	path := fmt.Sprintf("/api/v1/orgs/%d/roster", f.orgA)
	walk := func(query string) []string {
		var ids []string
		cursor := ""
		for i := 0; ; i++ {
			q := query + "&limit=1"
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			r := f.app.call("GET", path+"?"+q, f.committee, nil)
			expectStatus(t, r, 200)
			body := r.JSON(t)
			lines := body["candidates"].([]any)
			if len(lines) > 1 {
				t.Fatalf("limit=1 gave %d", len(lines))
			}
			for _, l := range lines {
				ids = append(ids, fmt.Sprint(l.(map[string]any)["id"]))
			}
			next, ok := body["next"]
			if !ok {
				t.Fatal("no next field")
			}
			if next == nil {
				return ids
			}
			cursor = next.(string)
			if i > 50 {
				t.Fatal("next never ends")
			}
		}
	}
	all := walk("")
	yes, no := walk("eligible=true"), walk("eligible=false")
	if len(all) < 5 || len(yes)+len(no) != len(all) || len(yes) == 0 {
		t.Fatalf("all %v, eligible %v, not %v", all, yes, no)
	}
	r := f.app.call("GET", path+"?group=pilots", f.committee, nil)
	expectStatus(t, r, 400)
	if r.errorCode() == "" || !strings.Contains(string(r.Body), `"group"`) {
		t.Fatalf("bad group: %s", r.Body)
	}
}
