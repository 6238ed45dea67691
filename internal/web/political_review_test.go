package web

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/lib/pq"
	"github.com/xuri/excelize/v2"
)

// A political review's conclusion is read by the committee that holds the
// candidate and the organisation department only. The branch, the
// candidate themselves and the audit trail see that it happened and how it
// ended, never the text.
func TestPoliticalReviewConclusionIsSealed(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	committee := app.login("committee")
	const secret = "经查，其父曾有记录在案的情况，需保密处理。"
	// Political review belongs to development targets (细则 第十五条): the
	// demo activist, who reads their own timeline below, is made one, and
	// so is the candidate of branch A's waiting submission.
	var pending int64
	app.db.Get(&pending, `SELECT candidate_id FROM submissions WHERE id = $1`, f.subA)
	if _, err := app.db.Exec(`UPDATE candidates SET stage = 'target' WHERE id = ANY($1)`, pq.Array([]int64{f.candA, pending})); err != nil {
		t.Fatal(err)
	}
	r := app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/political-review", f.candA), committee,
		map[string]any{"passed": true, "conclusion": secret, "reviewed_on": "2026-10-09"})
	expectStatus(t, r, 201)

	timeline := fmt.Sprintf("/api/v1/candidates/%d/timeline", f.candA)
	for _, who := range []string{"committee", "admin"} {
		r := app.call("GET", timeline, app.login(who), nil)
		expectStatus(t, r, 200)
		if !strings.Contains(string(r.Body), secret) {
			t.Errorf("%s does not read the conclusion", who)
		}
	}
	for _, who := range []string{"secretary", "activist"} {
		tok := app.login(who)
		r := app.call("GET", timeline, tok, nil)
		expectStatus(t, r, 200)
		if strings.Contains(string(r.Body), secret) || !strings.Contains(string(r.Body), "political_review_passed") {
			t.Errorf("%s's timeline: the conclusion leaks, or the review is missing: %.400s", who, r.Body)
		}
		page := app.form("GET", fmt.Sprintf("/candidates/%d/timeline", f.candA), tok, "")
		expectStatus(t, page, 200)
		if strings.Contains(string(page.Body), secret) {
			t.Errorf("%s's timeline page shows the conclusion", who)
		}
		x := app.call("GET", timeline+".xlsx", tok, nil)
		if x.Status == 200 && xlsxContains(t, x.Body, secret) {
			t.Errorf("%s's timeline.xlsx holds the conclusion", who)
		}
	}
	r = app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/political-review", pending), committee,
		map[string]any{"passed": true, "conclusion": secret, "reviewed_on": "2026-10-09"})
	expectStatus(t, r, 201)
	for who, shown := range map[string]bool{"secretary": false, "committee": true} {
		review := app.form("GET", fmt.Sprintf("/reviews/%d", f.subA), app.login(who), "")
		expectStatus(t, review, 200)
		if strings.Contains(string(review.Body), secret) != shown {
			t.Errorf("the review page as %s: conclusion shown %v, want %v", who, !shown, shown)
		}
	}
	for _, who := range []string{"committee", "admin"} {
		r := app.call("GET", "/api/v1/audit", app.login(who), nil)
		expectStatus(t, r, 200)
		if strings.Contains(string(r.Body), secret) || !strings.Contains(string(r.Body), "political_review.passed") {
			t.Errorf("%s's audit trail: the conclusion leaks or the review is missing", who)
		}
	}
	var stored int
	app.db.Get(&stored, `SELECT count(*) FROM audit_events WHERE strpos(summary, $1) > 0`, secret)
	if stored != 0 {
		t.Errorf("the audit trail stores the conclusion in %d rows", stored)
	}
}

func xlsxContains(t *testing.T, data []byte, text string) bool {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(x.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		for _, v := range row {
			if strings.Contains(v, text) {
				return true
			}
		}
	}
	return false
}
