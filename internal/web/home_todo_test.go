package web

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/lib/pq"
)

// todoCountOf reads the count of one to-do line of a start page.
func todoCountOf(t *testing.T, r response, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="todo-` + regexp.QuoteMeta(id) + `" class="todo-item[^"]*"><strong class="todo-count">(\d+)</strong>`).FindStringSubmatch(string(r.Body))
	if m == nil {
		t.Fatalf("no to-do line %s on the start page:\n%.4000s", id, r.Body)
	}
	return m[1]
}

// backdateVisit makes the account's last look at its start page an hour
// and a half old, so the next visit begins a new sitting whose news counts
// from then.
func backdateVisit(t *testing.T, f *ledgerFixture, username string) {
	t.Helper()
	if _, err := f.app.db.ExecContext(t.Context(), `UPDATE users SET home_seen_at = now() - interval '90 minutes', home_since = now() - interval '1 day' WHERE username = $1`, username); err != nil {
		t.Fatal(err)
	}
}

// The secretary's start page leads with what came back from the committee
// since the last visit (returned and approved, counted from the last look,
// not from the beginning), what is overdue and the displays to publish; a
// reload within the sitting keeps the counts.
func TestSecretaryStartPageLeadsWithToDo(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	ctx := t.Context()
	org := fmt.Sprint(f.orgA)
	// The last look was just before the latest approval in the branch: that
	// approval is news, earlier ones are not. Then the committee returns a
	// waiting submission of the branch.
	var since time.Time
	if err := f.app.db.GetContext(ctx, &since, `SELECT max(s.decided_at) - interval '1 second' FROM submissions s JOIN candidates c ON c.id = s.candidate_id
		JOIN orgs o ON o.id = c.org_id WHERE s.state = 'approved' AND o.path LIKE (SELECT path FROM orgs WHERE id = $1) || '%'`, f.orgA); err != nil {
		t.Fatalf("the fixture has no approval in branch-a: %v", err)
	}
	if _, err := f.app.db.ExecContext(ctx, `UPDATE users SET home_seen_at = $1, home_since = $1 WHERE username = 'secretary'`, since); err != nil {
		t.Fatal(err)
	}
	var pending int64
	if err := f.app.db.GetContext(ctx, &pending, `SELECT s.id FROM submissions s JOIN candidates c ON c.id = s.candidate_id JOIN orgs o ON o.id = c.org_id
		WHERE s.state = 'pending' AND o.path LIKE (SELECT path FROM orgs WHERE id = $1) || '%' ORDER BY s.id LIMIT 1`, f.orgA); err != nil {
		t.Fatalf("the fixture has no waiting submission in branch-a: %v", err)
	}
	expectStatus(t, f.app.call("POST", fmt.Sprintf("/api/v1/submissions/%d/decision", pending), f.committee, map[string]string{"decision": "return", "reasons": "谈话记录不全"}), 200)
	count := func(state string) string {
		var n int
		if err := f.app.db.GetContext(ctx, &n, `SELECT count(*) FROM submissions s JOIN candidates c ON c.id = s.candidate_id JOIN orgs o ON o.id = c.org_id
			WHERE s.state = $2 AND s.decided_at > $3 AND o.path LIKE (SELECT path FROM orgs WHERE id = $1) || '%'`, f.orgA, state, since); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(n)
	}
	wantApproved, wantReturned := count("approved"), count("returned")
	if wantApproved == "0" || wantReturned == "0" {
		t.Fatalf("since %v: approved %s, returned %s", since, wantApproved, wantReturned)
	}
	var r response
	var overdue int
	due := f.app.call("GET", "/api/v1/due?org_id="+org, f.sec, nil)
	expectStatus(t, due, 200)
	for _, it := range due.JSON(t)["items"].([]any) {
		if it.(map[string]any)["status"] == "overdue" {
			overdue++
		}
	}
	for i := 0; i < 2; i++ { // the reload keeps the counts
		r = f.app.page("/", f.sec)
		expectStatus(t, r, 200)
		if got := todoCountOf(t, r, "approved-"+org); got != wantApproved {
			t.Fatalf("visit %d: approved since last visit %s, want %s", i, got, wantApproved)
		}
		if got := todoCountOf(t, r, "returned-"+org); got != wantReturned {
			t.Fatalf("visit %d: returned since last visit %s, want %s", i, got, wantReturned)
		}
		if got := todoCountOf(t, r, "overdue-"+org); got != fmt.Sprint(overdue) {
			t.Fatalf("overdue %s, the due list has %d", got, overdue)
		}
		todoCountOf(t, r, "publish-"+org)
		mustContain(t, r, `id="decided-`+org+`"`, "谈话记录不全", "份申请被退回（上次来访后）")
	}
}

// The committee's start page leads with its queue, each waiting submission
// marked when its decision deadline has passed.
func TestCommitteeStartPageMarksOverdueDecisions(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	ctx := t.Context()
	var pending []int64
	if err := f.app.db.SelectContext(ctx, &pending, `SELECT id FROM submissions WHERE state = 'pending' ORDER BY id`); err != nil || len(pending) == 0 {
		t.Fatalf("the fixture has no pending submission: %v", err)
	}
	late := pending[0]
	if _, err := f.app.db.ExecContext(ctx, `UPDATE submissions SET submitted_at = now() - interval '5 months' WHERE id = $1`, late); err != nil {
		t.Fatal(err)
	}
	r := f.app.page("/", f.committee)
	expectStatus(t, r, 200)
	body := string(r.Body)
	org := regexp.MustCompile(`id="todo-queue-(\d+)"`).FindStringSubmatch(body)
	if org == nil {
		t.Fatalf("no queue count:\n%.3000s", body)
	}
	var inScope int
	if err := f.app.db.GetContext(ctx, &inScope, `SELECT count(*) FROM submissions s JOIN candidates c ON c.id = s.candidate_id JOIN orgs o ON o.id = c.org_id
		WHERE s.state = 'pending' AND o.path LIKE (SELECT path FROM orgs WHERE id = $1) || '%'`, org[1]); err != nil {
		t.Fatal(err)
	}
	if got := todoCountOf(t, r, "queue-"+org[1]); got != fmt.Sprint(inScope) {
		t.Fatalf("queue %s, pending in scope %d", got, inScope)
	}
	if got := todoCountOf(t, r, "queue-overdue-"+org[1]); got == "0" {
		t.Fatal("a submission five months old is not counted overdue")
	}
	mustContain(t, r, fmt.Sprintf(`<li class="due-overdue"><span class="badge due-overdue">已逾期</span> <a href="/reviews/%d" id="queue-item-%d">`, late, late))
}

// The activist's start page says what changed in their record since the
// last visit: a new entry shows, and a sitting later it is old news.
func TestActivistStartPageSaysWhatChanged(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	expectStatus(t, f.app.page("/", f.activist), 200)
	backdateVisit(t, f, "activist")
	expectStatus(t, f.record(t, f.a, "news-1", entry("task_completion", 3, f.today, "协助社区疫苗接种登记")), 201)
	r := f.app.page("/", f.activist)
	expectStatus(t, r, 200)
	mustContain(t, r, `id="my-news"`, "新记入积分 3 分")
	// Two hours on, a new sitting counts from the look that showed it.
	f.app.srv.db.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	r = f.app.page("/", f.activist)
	mustNotContain(t, r, "新记入积分 3 分")
	mustContain(t, r, `id="my-news-none"`)
}

// The group leader gets a real start page: the group's people with their
// scores, how many may be named development targets, and the group's display.
func TestGroupLeaderStartPage(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	// The demo's group has nobody yet: two of the branch's activists join it.
	if _, err := f.app.db.ExecContext(t.Context(), `UPDATE candidates SET org_id = (SELECT id FROM orgs WHERE code = 'branch-a-g1') WHERE id = ANY($1)`, pq.Array([]int64{f.a, f.a2})); err != nil {
		t.Fatal(err)
	}
	leader := f.app.login("leader")
	r := f.app.page("/", leader)
	expectStatus(t, r, 200)
	body := string(r.Body)
	org := regexp.MustCompile(`id="todo-people-(\d+)"`).FindStringSubmatch(body)
	if org == nil {
		t.Fatalf("no people count:\n%.3000s", body)
	}
	rows := regexp.MustCompile(`(?s)<table class="roster" id="group-people-` + org[1] + `">.*?</table>`).FindString(body)
	n := len(regexp.MustCompile(`<tr><td><a href="/candidates/`).FindAllString(rows, -1))
	if n != 2 || todoCountOf(t, r, "people-"+org[1]) != fmt.Sprint(n) {
		t.Fatalf("people table %d rows, count %s", n, todoCountOf(t, r, "people-"+org[1]))
	}
	mustContain(t, r, `class="points"><strong>`, `id="group-display-`+org[1]+`"`, "本小组的积分公示")
}
