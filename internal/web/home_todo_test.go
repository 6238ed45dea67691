package web

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"seedling/internal/postgres"
	"seedling/internal/seedling"
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
		mustContain(t, r, `id="decided-`+org+`"`, "谈话记录不全", "份申请被退回（上次来访后）", `<h3 id="candidates-`+org+`">本支部全部人员</h3>`)
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

// The group leader gets a real start page on the demo as it loads: the
// group's people, exactly those the database holds there at the ledger
// stages, with their scores and whether the door to development target is
// open; the others of the group below them; and the newest display that
// shows them, the branch's while the group has published none of its own.
// People of the branch outside the group stay out of the leader's reach.
func TestGroupLeaderStartPage(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	ctx := t.Context()
	group, err := f.app.db.Orgs().ByCode(ctx, "branch-a-g1")
	if err != nil {
		t.Fatal(err)
	}
	var people []struct {
		ID    int64  `db:"id"`
		Name  string `db:"name"`
		Stage string `db:"stage"`
	}
	if err := f.app.db.SelectContext(ctx, &people, `SELECT c.id, c.name, c.stage FROM candidates c JOIN orgs o ON o.id = c.org_id
		WHERE o.path LIKE $1 || '%' ORDER BY c.id`, group.Path); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	others := map[string]bool{}
	for _, p := range people {
		if slices.Contains(ledgerStages, seedling.Stage(p.Stage)) {
			ids = append(ids, p.ID)
		} else {
			others[p.Name] = true
		}
	}
	if len(ids) < 3 || len(others) == 0 {
		t.Fatalf("the demo's group %s holds %d people at the ledger stages and %v besides: too few to show a leader's page", group.Name, len(ids), others)
	}
	rs, _ := f.app.srv.rules()
	scored, err := f.app.db.Scores().Scored(ctx, postgres.StandingFilter{IDs: ids}, rs.Door())
	if err != nil {
		t.Fatal(err)
	}
	want, eligible := map[string]int{}, 0
	for _, x := range scored {
		want[x.Name] = x.Score.Total
		if x.Eligibility.Eligible {
			eligible++
		}
	}
	if len(want) != len(ids) || eligible == 0 {
		t.Fatalf("the group's scores %v (%d eligible), for %d people: the demo shows nobody whose door is open", want, eligible, len(ids))
	}

	leader := f.app.login("leader")
	r := f.app.page("/", leader)
	expectStatus(t, r, 200)
	body := string(r.Body)
	org := fmt.Sprint(group.ID)
	table := regexp.MustCompile(`(?s)<table class="roster scores" id="group-people-` + org + `">.*?</table>`).FindString(body)
	got := map[string]int{}
	for _, m := range regexp.MustCompile(`(?s)<tr><td><a href="/candidates/\d+">([^<]+)</a>.*?<td class="points"><strong>(-?\d+)</strong>`).FindAllStringSubmatch(table, -1) {
		n, _ := strconv.Atoi(m[2])
		got[m[1]] = n
	}
	if !maps.Equal(got, want) {
		t.Fatalf("the leader's people and scores %v, the database has %v:\n%.3000s", got, want, table)
	}
	if n := todoCountOf(t, r, "people-"+org); n != fmt.Sprint(len(want)) {
		t.Errorf("to-do counts %s people, the table has %d", n, len(want))
	}
	if n := todoCountOf(t, r, "eligible-"+org); n != fmt.Sprint(eligible) {
		t.Errorf("to-do counts %s eligible, the scores have %d", n, eligible)
	}
	// A development target is past the door: the page says so, not "not yet".
	mustContain(t, r, "已是发展对象")
	rest := regexp.MustCompile(`(?s)<h3 id="candidates-` + org + `">.*?</table>`).FindString(body)
	for name := range others {
		if !strings.Contains(rest, ">"+name+"<") {
			t.Errorf("%s of the group is not among its others:\n%s", name, rest)
		}
	}
	for name := range want {
		if strings.Contains(rest, ">"+name+"<") {
			t.Errorf("%s is listed twice: with the scores and among the others", name)
		}
	}

	var shown int64
	if err := f.app.db.GetContext(ctx, &shown, `SELECT max(d.id) FROM displays d WHERE d.state = 'published' AND d.org_id IN ($1, $2)`, group.ID, *group.ParentID); err != nil {
		t.Fatalf("no published display shows the group's people: %v", err)
	}
	section := regexp.MustCompile(`<p id="group-display-` + org + `">.*?</p>`).FindString(body)
	if !strings.Contains(section, fmt.Sprintf(`href="/displays/%d"`, shown)) {
		t.Errorf("the group's display section does not lead to display %d: %q", shown, section)
	}
	mustContain(t, r, "本小组人员所在的积分公示")
	mustNotContain(t, r, "尚无积分公示")

	// Inside the group the leader reads a person; a person of the branch
	// outside it, directly in the branch or in another group, is not found.
	expectStatus(t, f.app.page(fmt.Sprintf("/candidates/%d", ids[0]), leader), 200)
	for _, code := range []string{"branch-a-02", "branch-a-15"} {
		c, err := f.app.db.Candidates().ByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if seedling.PathContains(group.Path, c.OrgPath) {
			t.Fatalf("%s sits in the leader's group", code)
		}
		expectStatus(t, f.app.page(fmt.Sprintf("/candidates/%d", c.ID), leader), 404)
		expectStatus(t, f.app.call("GET", fmt.Sprintf("/api/v1/candidates/%d", c.ID), leader, nil), 404)
	}
}
