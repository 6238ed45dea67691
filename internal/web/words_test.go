package web

import (
	"fmt"
	"strings"
	"testing"
)

// The ranking names a candidate's priority group in words, never the
// pointer the template was handed.
func TestRankingNamesPriorityGroups(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec := app.login("secretary")
	if _, err := app.db.Exec(`UPDATE candidates SET priority_group = 'young_farmer' WHERE stage = 'activist'`); err != nil {
		t.Fatal(err)
	}
	page := app.page(fmt.Sprintf("/branches/%d/ranking", f.orgA), sec)
	expectStatus(t, page, 200)
	body := string(page.Body)
	if strings.Contains(body, "%!") || strings.Contains(body, "group.") {
		i := strings.Index(body, "group.")
		if i < 0 {
			i = strings.Index(body, "%!")
		}
		t.Fatalf("the ranking shows a code: …%s…", body[max(0, i-80):min(len(body), i+80)])
	}
	if !strings.Contains(body, "青年农民") {
		t.Errorf("the ranking does not name the group")
	}
}
