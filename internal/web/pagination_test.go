package web

import (
	"fmt"
	"net/url"
	"testing"
)

// Every growing list answers in keyset pages: walking them with a small
// limit reads every row of the one-page answer exactly once, in the same
// order, and the last page says so with a null `next`.
func TestListsPaginateEveryRowOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	admin, committee := app.login("admin"), app.login("committee")
	lists := []struct {
		token, path, key string
	}{
		{admin, "/api/v1/candidates", "candidates"},
		{admin, "/api/v1/submissions", "submissions"},
		{committee, "/api/v1/filings", "filings"},
		{admin, "/api/v1/audit", "events"},
		{admin, fmt.Sprintf("/api/v1/orgs/%d/roster", f.comA), "candidates"},
	}
	for _, l := range lists {
		ids := func(m map[string]any) []string {
			var out []string
			for _, x := range m[l.key].([]any) {
				out = append(out, fmt.Sprint(x.(map[string]any)["id"]))
			}
			return out
		}
		r := app.call("GET", l.path+"?limit=1000", l.token, nil)
		expectStatus(t, r, 200)
		all := r.JSON(t)
		if all["next"] != nil {
			t.Fatalf("%s: one page of everything still has a next: %v", l.path, all["next"])
		}
		want := ids(all)
		if len(want) < 4 {
			t.Fatalf("%s: only %d rows, too few to page", l.path, len(want))
		}
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > len(want) {
				t.Fatalf("%s: more pages than rows", l.path)
			}
			q := "?limit=3"
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			r := app.call("GET", l.path+q, l.token, nil)
			expectStatus(t, r, 200)
			m := r.JSON(t)
			page := ids(m)
			if len(page) > 3 {
				t.Fatalf("%s: %d rows on a page of 3", l.path, len(page))
			}
			got = append(got, page...)
			if m["next"] == nil {
				break
			}
			cursor = m["next"].(string)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: pages gave\n%v\nwant\n%v", l.path, got, want)
		}
		for _, bad := range []string{"cursor=%21%21", "cursor=bm90LWpzb24", "limit=0", "limit=1001"} {
			expectStatus(t, app.call("GET", l.path+"?"+bad, l.token, nil), 400)
		}
	}
}
