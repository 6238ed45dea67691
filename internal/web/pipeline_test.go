package web

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// day returns the date n days before today, as the API takes it.
func day(n int) string { return time.Now().UTC().AddDate(0, 0, -n).Format("2006-01-02") }

// newApplicant records an applicant in branch A who applied n days ago.
func newApplicant(t *testing.T, app *testApp, tok string, orgID int64, appliedDaysAgo int) int64 {
	t.Helper()
	r := app.call("POST", "/api/v1/candidates", tok, map[string]any{"name": "流程测试", "org_id": orgID, "applied_on": day(appliedDaysAgo)})
	expectStatus(t, r, 201)
	return int64(r.JSON(t)["id"].(float64))
}

func activistFacts() map[string]any {
	return map[string]any{"talked_on": day(15), "recommended_by": "mass_org", "decided_on": day(10), "contacts": []string{"王建国", "李红梅"}}
}

func submit(t *testing.T, app *testApp, tok string, cand int64, to string, facts map[string]any) response {
	t.Helper()
	return app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/submissions", cand), tok, map[string]any{"to_stage": to, "facts": facts})
}

func decide(app *testApp, tok string, sub int64, decision, reasons string) response {
	return app.call("POST", fmt.Sprintf("/api/v1/submissions/%d/decision", sub), tok, map[string]any{"decision": decision, "reasons": reasons})
}

func idOf(t *testing.T, r response) int64 {
	t.Helper()
	return int64(r.JSON(t)["id"].(float64))
}

// A step takes effect only when the committee approves it; naming an
// activist is filed with the committee.
func TestStepTakesEffectOnApprovalAndIsFiled(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec, com := app.login("secretary"), app.login("committee")
	cand := newApplicant(t, app, sec, f.orgA, 20)

	r := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d/next-steps", cand), sec, nil)
	expectStatus(t, r, 200)
	steps := r.JSON(t)["steps"].([]any)
	first := steps[0].(map[string]any)
	if first["to_stage"] != "activist" || len(first["facts"].([]any)) < 4 {
		t.Fatalf("next steps of an applicant: %s", r.Body)
	}

	r = submit(t, app, sec, cand, "activist", activistFacts())
	expectStatus(t, r, 201)
	sub := idOf(t, r)
	if st := r.JSON(t)["state"]; st != "pending" {
		t.Fatalf("state %v", st)
	}
	if stage := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d", cand), sec, nil).JSON(t)["stage"]; stage != "applicant" {
		t.Fatalf("stage changed before the committee decided: %v", stage)
	}
	// A second proposal while one waits is a conflict.
	expectStatus(t, submit(t, app, sec, cand, "activist", activistFacts()), 409)

	expectStatus(t, decide(app, com, sub, "approve", ""), 200)
	got := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d", cand), sec, nil).JSON(t)
	if got["stage"] != "activist" || got["activist_since"] != day(10) {
		t.Fatalf("after approval: %v", got)
	}
	expectStatus(t, decide(app, com, sub, "return", "again"), 409)

	filings := app.call("GET", "/api/v1/filings", com, nil).JSON(t)["filings"].([]any)
	found := false
	for _, x := range filings {
		m := x.(map[string]any)
		found = found || (int64(m["candidate_id"].(float64)) == cand && m["kind"] == "activist")
	}
	if !found {
		t.Fatalf("no filing for the new activist in the committee's queue: %v", filings)
	}
	var filing int64
	app.db.Get(&filing, `SELECT id FROM filings WHERE submission_id = $1`, sub)
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/filings/%d/acknowledge", filing), com, nil), 204)
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/filings/%d/acknowledge", filing), com, nil), 409)
}

// A submission that breaks rules is refused with every broken rule listed.
func TestSubmissionListsEveryBrokenRule(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec := app.login("secretary")
	cand := newApplicant(t, app, sec, f.orgA, 100)
	r := submit(t, app, sec, cand, "target", map[string]any{})
	expectStatus(t, r, 422)
	if fields := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any); fields["to_stage"] == nil {
		t.Fatalf("skipping a stage: %s", r.Body)
	}
	// The talk came two months after the application, and the meeting
	// before the talk: two rules, both reported.
	facts := activistFacts()
	facts["talked_on"], facts["decided_on"] = day(40), day(45)
	r = submit(t, app, sec, cand, "activist", facts)
	expectStatus(t, r, 422)
	fields := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
	if len(fields) < 2 {
		t.Fatalf("want every broken rule, got %s", r.Body)
	}
	// Bad types are input errors, field by field.
	facts = activistFacts()
	facts["contacts"] = []string{"甲", "乙", "丙"}
	facts["talked_on"] = "last week"
	r = submit(t, app, sec, cand, "activist", facts)
	expectStatus(t, r, 400)
	fields = r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
	if fields["facts.contacts"] == nil || fields["facts.talked_on"] == nil {
		t.Fatalf("fact errors: %s", r.Body)
	}
}

// Three returns end the candidacy; the count is visible along the way.
func TestThreeReturnsDisqualify(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec, com := app.login("secretary"), app.login("committee")
	cand := newApplicant(t, app, sec, f.orgA, 20)
	for i := 1; i <= 3; i++ {
		r := submit(t, app, sec, cand, "activist", activistFacts())
		expectStatus(t, r, 201)
		expectStatus(t, decide(app, com, idOf(t, r), "return", fmt.Sprintf("材料不全（第%d次）", i)), 200)
		got := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d", cand), sec, nil).JSON(t)
		if int(got["failed_reviews"].(float64)) != i {
			t.Fatalf("after %d returns the count is %v", i, got["failed_reviews"])
		}
		if want := "disqualified"; (i == 3) != (got["stage"] == want) {
			t.Fatalf("after %d returns stage is %v", i, got["stage"])
		}
	}
	// Final: nothing more can be proposed.
	expectStatus(t, submit(t, app, sec, cand, "activist", activistFacts()), 422)
	var n int
	app.db.Get(&n, `SELECT count(*) FROM audit_events WHERE action = 'candidate.disqualify' AND target = $1`, fmt.Sprintf("candidate:%d", cand))
	if n != 1 {
		t.Fatalf("%d disqualification audit rows, want 1", n)
	}
	// A return needs reasons.
	expectStatus(t, decide(app, com, f.subA, "return", " "), 400)
}

// Two committee members deciding the same submission at once: one wins,
// the other gets 409.
func TestConcurrentDecisionsOneWins(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	admin := app.login("admin")
	expectStatus(t, app.call("POST", "/api/v1/users", admin, map[string]any{"username": "committee2", "password": "second committee member"}), 201)
	expectStatus(t, app.call("POST", "/api/v1/users/committee2/grants", admin, map[string]any{"role": "committee", "org_id": f.comA}), 204)
	r := app.call("POST", "/api/v1/login", "", map[string]any{"username": "committee2", "password": "second committee member"})
	tokens := []string{app.login("committee"), r.JSON(t)["token"].(string)}
	for round := 0; round < 5; round++ {
		sub := pendingSubmission(t, app, "secretary", f.orgA)
		statuses := make([]int, 2)
		var wg sync.WaitGroup
		for i := range tokens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				decision := []string{"approve", "return"}[i]
				statuses[i] = decide(app, tokens[i], sub, decision, "不符合条件").Status
			}()
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, s := range statuses {
			switch s {
			case 200:
				ok++
			case 409:
				conflict++
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("round %d: statuses %v, want one 200 and one 409", round, statuses)
		}
	}
}

// The third failure recorded concurrently with a failed political review
// disqualifies exactly once.
func TestConcurrentThirdFailureDisqualifiesOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec, com := app.login("secretary"), app.login("committee")
	cand := newApplicant(t, app, sec, f.orgA, 20)
	for i := 0; i < 2; i++ {
		r := submit(t, app, sec, cand, "activist", activistFacts())
		expectStatus(t, decide(app, com, idOf(t, r), "return", "退回"), 200)
	}
	sub := idOf(t, submit(t, app, sec, cand, "activist", activistFacts()))
	var wg sync.WaitGroup
	var returned, reviewed response
	wg.Add(2)
	go func() { defer wg.Done(); returned = decide(app, com, sub, "return", "第三次退回") }()
	go func() {
		defer wg.Done()
		reviewed = app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/political-review", cand), com,
			map[string]any{"passed": false, "conclusion": "经政治审查，该同志不符合条件。", "reviewed_on": day(1)})
	}()
	wg.Wait()
	// Whichever ran second found the candidacy over: the return may then
	// meet a submission already closed (409), the review a final stage (422).
	if returned.Status != 200 && returned.Status != 409 {
		t.Fatalf("return: %d %s", returned.Status, returned.Body)
	}
	if reviewed.Status != 201 && reviewed.Status != 422 {
		t.Fatalf("review: %d %s", reviewed.Status, reviewed.Body)
	}
	var changes, audits int
	app.db.Get(&changes, `SELECT count(*) FROM stage_changes WHERE candidate_id = $1 AND to_stage = 'disqualified'`, cand)
	app.db.Get(&audits, `SELECT count(*) FROM audit_events WHERE action = 'candidate.disqualify' AND target = $1`, fmt.Sprintf("candidate:%d", cand))
	if changes != 1 || audits != 1 {
		t.Fatalf("disqualified %d times (audit %d), want once", changes, audits)
	}
}

// Whoever submitted a step cannot approve it, even holding a committee grant.
func TestSubmitterCannotApprove(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	admin := app.login("admin")
	expectStatus(t, app.call("POST", "/api/v1/users/secretary/grants", admin, map[string]any{"role": "committee", "org_id": f.comA}), 204)
	sec := app.login("secretary")
	cand := newApplicant(t, app, sec, f.orgA, 20)
	sub := idOf(t, submit(t, app, sec, cand, "activist", activistFacts()))
	r := decide(app, sec, sub, "approve", "")
	expectStatus(t, r, 403)
	expectStatus(t, decide(app, app.login("committee"), sub, "approve", ""), 200)
}

// Item 5: political review is of development targets (细则 第十五条): for an
// activist it is 422 and changes nothing. For a target the admission step
// reads the committee's record; a failed review disqualifies at once, and
// (item 4) the admission that was waiting is voided, not counted as one more
// failed review.
func TestPoliticalReviewBelongsToTargets_Art15(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	com, sec := app.login("committee"), app.login("secretary")
	review := func(cand int64, passed bool, on string) response {
		return app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/political-review", cand), com,
			map[string]any{"passed": passed, "conclusion": "经政治审查，该同志情况已核实清楚。", "reviewed_on": on})
	}
	expectStatus(t, review(f.candA, false, day(2)), 422)
	if stage := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d", f.candA), sec, nil).JSON(t)["stage"]; stage != "activist" {
		t.Fatalf("an activist after a refused political review: %v", stage)
	}
	reviewTarget(t, app, f.targetA, day(7), day(6))
	admission := map[string]any{"introducers": []string{"王建国", "李红梅"}, "training_days": 3, "form_issued_on": day(5), "form_filled_on": day(4), "meeting_on": day(3),
		"members_entitled": 20, "members_present": 15, "votes_for": 12}
	expectStatus(t, review(f.targetA, true, day(8)), 201)
	expectStatus(t, submit(t, app, sec, f.targetA, "probationary", admission), 201)
	r := review(f.targetA, false, day(1))
	expectStatus(t, r, 201)
	if r.JSON(t)["stage"] != "disqualified" {
		t.Fatalf("after a failed political review: %s", r.Body)
	}
	got := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d", f.targetA), sec, nil).JSON(t)
	if got["failed_reviews"] != float64(0) {
		t.Fatalf("strikes after disqualification by political review: %v", got["failed_reviews"])
	}
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/political-review", f.targetA), com,
		map[string]any{"passed": false, "conclusion": "short", "reviewed_on": "tomorrow"}), 400)
}

// Item 4: a returned withdrawal request is not a strike.
func TestReturnedRequestIsNoStrike_Ruzhou(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec, com := app.login("secretary"), app.login("committee")
	cand := newApplicant(t, app, sec, f.orgA, 20)
	r := submit(t, app, sec, cand, "withdrawn", map[string]any{"requested_on": day(1), "reason": "本人考虑后申请撤回"})
	expectStatus(t, r, 201)
	expectStatus(t, decide(app, com, idOf(t, r), "return", "请与本人再谈一次"), 200)
	if got := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d", cand), sec, nil).JSON(t)["failed_reviews"]; got != float64(0) {
		t.Fatalf("a returned withdrawal counted as a strike: %v", got)
	}
}

// Naming targets beyond a committee's yearly quota is refused with the
// numbers; a committee cannot split more than it has.
func TestQuotas(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	admin, com := app.login("admin"), app.login("committee")
	year := time.Now().UTC().Year()
	expectStatus(t, app.call("POST", "/api/v1/quotas", admin, map[string]any{"year": year, "org_id": f.comA, "amount": 0}), 204)
	var target int64
	app.db.Get(&target, `SELECT id FROM candidates WHERE code = 'branch-a-02'`)
	// Make the activist eligible in time; the score rule may still refuse,
	// but the quota is checked as well and reported with its numbers.
	r := submit(t, app, app.login("secretary"), target, "target", map[string]any{"decided_on": day(1), "opinions_heard": true})
	expectStatus(t, r, 422)
	if msg := r.JSON(t)["error"].(map[string]any)["message"].(string); !containsAll(msg, "名额", "0") {
		t.Fatalf("quota refusal without numbers: %s", r.Body)
	}
	// Other branches of the township hold some of its places already (the
	// demo data splits them); branch A may take what is left, not more.
	expectStatus(t, app.call("POST", "/api/v1/quotas", admin, map[string]any{"year": year, "org_id": f.comA, "amount": 5}), 204)
	var others int
	app.db.Get(&others, `SELECT coalesce(sum(q.amount), 0) FROM quotas q JOIN orgs o ON o.id = q.org_id
		WHERE q.year = $1 AND o.kind = 'branch' AND o.path LIKE (SELECT path FROM orgs WHERE id = $2) || '%' AND o.id <> $3`, year, f.comA, f.orgA)
	expectStatus(t, app.call("POST", "/api/v1/quotas", com, map[string]any{"year": year, "org_id": f.orgA, "amount": 5 - others}), 204)
	r = app.call("POST", "/api/v1/quotas", com, map[string]any{"year": year, "org_id": f.orgA, "amount": 6 - others})
	expectStatus(t, r, 422)
	q := app.call("GET", fmt.Sprintf("/api/v1/quotas?year=%d", year), com, nil).JSON(t)["quotas"].([]any)
	if len(q) < 2 {
		t.Fatalf("quotas in the committee's scope: %v", q)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// The ranking lists only eligible activists, best first, with the marks;
// the due list shows the demo's overdue decision.
func TestRankingAndDueList(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	com := app.login("committee")
	var township int64
	app.db.Get(&township, `SELECT parent_id FROM orgs WHERE code = 'branch-a'`)
	r := app.call("GET", fmt.Sprintf("/api/v1/orgs/%d/ranking", township), com, nil)
	expectStatus(t, r, 200)
	rows := r.JSON(t)["ranking"].([]any)
	if len(rows) == 0 {
		t.Fatalf("no eligible activist in the demo township: %s", r.Body)
	}
	last := 101.0
	for _, x := range rows {
		row := x.(map[string]any)
		if score := row["score"].(float64); score < 80 || score > last {
			t.Fatalf("ranking out of order or not eligible: %s", r.Body)
		} else {
			last = score
		}
	}
	r = app.call("GET", "/api/v1/due", com, nil)
	expectStatus(t, r, 200)
	overdue := false
	for _, x := range r.JSON(t)["items"].([]any) {
		it := x.(map[string]any)
		overdue = overdue || (it["kind"] == "decision_overdue" && it["status"] == "overdue")
	}
	if !overdue {
		t.Fatalf("the demo's decision pending since February is not overdue: %s", r.Body)
	}
}

// timelineEvents reads a candidate's full record as JSON, with the kinds
// of event in it.
func timelineEvents(t *testing.T, app *testApp, token string, id int64) ([]any, map[string]bool) {
	t.Helper()
	r := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d/timeline", id), token, nil)
	expectStatus(t, r, 200)
	events := r.JSON(t)["events"].([]any)
	kinds := map[string]bool{}
	for _, e := range events {
		kinds[e.(map[string]any)["kind"].(string)] = true
	}
	return events, kinds
}

// timelineSheet downloads a candidate's full record as a spreadsheet and
// returns its rows, the heading first.
func timelineSheet(t *testing.T, app *testApp, token string, id int64) [][]string {
	t.Helper()
	x := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d/timeline.xlsx", id), token, nil)
	expectStatus(t, x, 200)
	if !strings.HasPrefix(x.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export is not an attachment: %v", x.Header)
	}
	book, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := book.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// The full record comes as JSON and as a spreadsheet with the same rows.
func TestTimelineAndItsExport(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec := app.login("secretary")
	events, kinds := timelineEvents(t, app, sec, f.candA)
	for _, k := range []string{"applied", "approved", "stage", "filed", "ledger"} {
		if !kinds[k] {
			t.Fatalf("the full record of activist-a lacks %q events: %v", k, kinds)
		}
	}
	if rows := timelineSheet(t, app, sec, f.candA); len(rows) != len(events)+1 {
		t.Fatalf("export has %d rows for %d events", len(rows), len(events))
	}
}

// A development target's full record names the branch committee's review
// and the committee's pre-review (细则 第十八条、第十九条) in words, in
// both languages, on the page and in its export: the demo's 孟凡东 has both.
func TestTimelineWordsTheReviewsOfATarget_Art18_19(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec := app.login("secretary")
	if _, kinds := timelineEvents(t, app, sec, f.targetA); !kinds[postgres.TimelineBranchReview] || !kinds[postgres.TimelinePrereview] {
		t.Fatalf("the demo target's record lacks its reviews: %v", kinds)
	}
	for lang, words := range map[string][]string{"zh-CN": {"支部委员会审查", "党委预审"}, "en": {"Reviewed by the branch committee", "Pre-reviewed by the committee"}} {
		status, body := getPage(t, app, fmt.Sprintf("/candidates/%d/timeline", f.targetA), sec, lang)
		if status != 200 || strings.Contains(body, "timeline.kind.") {
			t.Errorf("[%s] timeline page: status %d, a catalog key shows: %t", lang, status, strings.Contains(body, "timeline.kind."))
		}
		for _, w := range words {
			if !strings.Contains(body, w) {
				t.Errorf("[%s] the timeline page does not say %q", lang, w)
			}
		}
	}
	var cells strings.Builder
	for _, row := range timelineSheet(t, app, sec, f.targetA) {
		cells.WriteString(strings.Join(row, "|") + "\n")
	}
	if s := cells.String(); strings.Contains(s, "timeline.kind.") || !strings.Contains(s, "支部委员会审查") || !strings.Contains(s, "党委预审") {
		t.Errorf("the export does not word the reviews:\n%s", s)
	}
}

// Item 1: an approval re-runs the rules of the step as of the decision.
// Propose an eligible activist as a development target, reverse points below
// the threshold, approve: 422 naming the score rule, and the candidate stays
// an activist (汝州市育苗计划 育壮苗; 细则 第十三条).
func TestApprovalRechecksScore_Art13(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	sec, com := app.login("secretary"), app.login("committee")
	picked := eligibleActivists(t, app, "branch-a", 1)
	cand, score := picked[0].id, picked[0].score
	r := submit(t, app, sec, cand, "target", map[string]any{"decided_on": day(1), "opinions_heard": true})
	expectStatus(t, r, 201)
	sub := idOf(t, r)
	if v := r.JSON(t)["rules_version"]; v != "2014-ruzhou-1" {
		t.Fatalf("rules version stored: %v", v)
	}
	// Reverse the largest entries until the score is below the threshold.
	var entries []struct {
		ID     int64 `db:"id"`
		Points int   `db:"points"`
	}
	app.db.Select(&entries, `SELECT id, points FROM ledger_entries e WHERE candidate_id = $1 AND kind = 'entry' AND points > 0
		AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id) ORDER BY points DESC`, cand)
	for _, e := range entries {
		if score < 80 {
			break
		}
		expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/ledger/%d/reverse", e.ID), sec, map[string]any{"reason": "核实后不予计分"}), 201)
		score -= float64(e.Points) // an upper bound: caps may hide part of it
	}
	r = decide(app, com, sub, "approve", "")
	expectStatus(t, r, 422)
	if fields := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any); fields["score_threshold"] == nil {
		t.Fatalf("approval on a score below the threshold: %s", r.Body)
	}
	if stage := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d", cand), sec, nil).JSON(t)["stage"]; stage != "activist" {
		t.Fatalf("stage after the refused approval: %v", stage)
	}
	// Returning it is still possible.
	expectStatus(t, decide(app, com, sub, "return", "积分不足"), 200)
}

// Item 9: missing facts and broken rules come back in one 422.
func TestOneRefusalListsMissingFactsAndBrokenRules_Art13(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec := app.login("secretary")
	cand := newApplicant(t, app, sec, f.orgA, 100)
	facts := activistFacts()
	delete(facts, "contacts")
	facts["talked_on"] = day(40) // more than a month after the application
	r := submit(t, app, sec, cand, "activist", facts)
	expectStatus(t, r, 422)
	fields := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
	if fields["facts.contacts"] == nil || fields["talk_within_month"] == nil {
		t.Fatalf("want the missing fact and the broken rule together: %s", r.Body)
	}
}

type eligible struct {
	id    int64
	score float64
}

// eligibleActivists returns n activists of a demo branch whom the ranking
// lists as eligible and who have no submission waiting.
func eligibleActivists(t *testing.T, app *testApp, code string, n int) []eligible {
	t.Helper()
	var branch int64
	app.db.Get(&branch, `SELECT id FROM orgs WHERE code = $1`, code)
	rows := app.call("GET", fmt.Sprintf("/api/v1/orgs/%d/ranking", branch), app.login("admin"), nil).JSON(t)["ranking"].([]any)
	var out []eligible
	for _, x := range rows {
		row := x.(map[string]any)
		id := int64(row["candidate_id"].(float64))
		var pending bool
		app.db.Get(&pending, `SELECT EXISTS (SELECT 1 FROM submissions WHERE candidate_id = $1 AND state = 'pending')`, id)
		if !pending && len(out) < n {
			out = append(out, eligible{id, row["score"].(float64)})
		}
	}
	if len(out) < n {
		t.Fatalf("want %d eligible activists without a pending submission in %s, have %d", n, code, len(out))
	}
	return out
}

// Item 3: the rule set in force on the date of the act decides, and the
// version stored with the submission is the one its approval re-runs. A
// stricter version (100 points) takes effect two days ago: a naming decided
// three days ago goes under the old one and is approved under it; one decided
// yesterday goes under the new one.
func TestRulesOfTheActsDate_Art13(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	// Under the shipped rules.
	a, b := eligibleActivists(t, app, "branch-a", 1)[0], eligibleActivists(t, app, "branch-b", 1)[0]
	strict := *pipeline.Rules2014
	strict.Version, strict.MinScore = "test-strict", 100
	strict.EffectiveFrom = mustDate(day(2))
	reg, err := pipeline.NewRegistry(pipeline.Rules2014, &strict)
	if err != nil {
		t.Fatal(err)
	}
	app.srv.registry = reg
	sec, com := app.login("secretary"), app.login("committee")

	r := submit(t, app, sec, a.id, "target", map[string]any{"decided_on": day(3), "opinions_heard": true})
	expectStatus(t, r, 201)
	if v := r.JSON(t)["rules_version"]; v != pipeline.Rules2014.Version {
		t.Fatalf("version of an act before the new rules: %v", v)
	}
	expectStatus(t, decide(app, com, idOf(t, r), "approve", ""), 200)

	r = submit(t, app, app.login("secretary2"), b.id, "target", map[string]any{"decided_on": day(1), "opinions_heard": true})
	expectStatus(t, r, 422)
	if f := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any); f["score_threshold"] == nil {
		t.Fatalf("an act under the new rules: %s", r.Body)
	}
}

// An approved admission is filed (备案) with the committee above the one
// that approved it (细则 第二十四条); the person's full record starts from
// the general meeting.
func TestAdmissionIsFiledAbove_Art24(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec, com := app.login("secretary"), app.login("committee")
	reviewTarget(t, app, f.targetA, day(7), day(6))
	r := submit(t, app, sec, f.targetA, "probationary", map[string]any{"introducers": []string{"王建国", "李红梅"}, "training_days": 3,
		"form_issued_on": day(5), "form_filled_on": day(4), "meeting_on": day(3),
		"members_entitled": 20, "members_present": 15, "votes_for": 12})
	expectStatus(t, r, 201)
	sub := idOf(t, r)
	// The committee's own talk and vote are part of the approval (细则 第二十三条、第二十四条).
	r = decide(app, com, sub, "approve", "")
	expectStatus(t, r, 422)
	if fields := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any); fields["facts.committee_talked_on"] == nil {
		t.Fatalf("approval without the committee's talk: %s", r.Body)
	}
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/submissions/%d/decision", sub), com, map[string]any{"decision": "approve",
		"facts": map[string]any{"committee_talked_on": day(1), "committee_members": 7, "committee_present": 6, "committee_for": 5}}), 200)
	var committee int64
	app.db.Get(&committee, `SELECT committee_id FROM filings WHERE candidate_id = $1 AND kind = 'probationary'`, f.targetA)
	if committee == 0 || committee == f.comA {
		t.Fatalf("admission filed with %d (the approving committee is %d)", committee, f.comA)
	}
}

// Item 4, said in the UI: the candidate's page tells whether strikes apply to
// probationary members, as the rule set has it.
func TestCandidatePageSaysWhetherStrikesApplyToProbationary_Ruzhou(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	r := app.page(fmt.Sprintf("/candidates/%d", f.candA), app.login("secretary"))
	expectStatus(t, r, 200)
	if !strings.Contains(string(r.Body), `id="cand-strikes-probationary"`) || !strings.Contains(string(r.Body), "第三十二条") {
		t.Fatalf("the page does not say whether strikes apply to probationary members")
	}
}

// reviewTarget records the branch committee's review (支委会审查, by the
// secretary) and the committee's pre-review (预审, by the committee) of a
// development target (细则 第十八条、第十九条).
func reviewTarget(t *testing.T, app *testApp, cand int64, reviewed, prereviewed string) {
	t.Helper()
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/records", cand), app.login("secretary"),
		map[string]any{"kind": "branch_review", "on": reviewed, "by": "支部委员会", "conclusion": "审查合格，同意报党委预审"}), 201)
	// The branch cannot record the committee's pre-review.
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/records", cand), app.login("secretary"),
		map[string]any{"kind": "prereview", "on": prereviewed, "by": "支部委员会", "conclusion": "预审合格"}), 403)
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/records", cand), app.login("committee"),
		map[string]any{"kind": "prereview", "on": prereviewed, "by": "党委组织委员", "conclusion": "预审合格，同意发放入党志愿书"}), 201)
}

// The demo's waiting admission holds under the rules once the committee adds
// its talk and vote: it shows the committee's part of an admission.
func TestDemoAdmissionWaitsForTheCommitteesVote_Art23_24(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var id int64
	app.db.Get(&id, `SELECT s.id FROM submissions s JOIN candidates c ON c.id = s.candidate_id
		WHERE c.code = 'fengxuelu-wangsong-2-01' AND s.state = 'pending' AND s.to_stage = 'probationary'`)
	sub, err := app.db.Pipeline().SubmissionByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	subj, err := app.db.Pipeline().Subject(t.Context(), sub.CandidateID, sub.EffectiveOn)
	if err != nil {
		t.Fatal(err)
	}
	p := pipeline.Pending{State: sub.State, SubmittedBy: sub.SubmittedBy, SubmittedOn: seedling.Today(sub.SubmittedAt), RulesVersion: sub.RulesVersion,
		From: sub.FromStage, To: sub.ToStage, Kind: sub.Kind, Facts: sub.Facts}
	rs := pipeline.DefaultRegistry().Version(sub.RulesVersion)
	if _, err := rs.Recheck(subj, p, nil, seedling.Today(time.Now())); err == nil {
		t.Fatal("the demo admission passes without the committee's vote")
	}
	vote := map[string]any{"committee_talked_on": "2026-11-28", "committee_members": float64(7), "committee_present": float64(6), "committee_for": float64(6)}
	if _, err := rs.Recheck(subj, p, vote, seedling.Today(time.Now())); err != nil {
		t.Fatalf("the demo admission with the committee's vote: %v", err)
	}
}

// Item 3: the score a step is weighed on is the score as of the date of the
// act: entries dated later do not count, a reversal counts with the entry it
// corrects (it carries that entry's date).
func TestScoreAsOfTheActsDate_Art13(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	var last time.Time
	app.db.Get(&last, `SELECT max(occurred_on) FROM ledger_entries WHERE candidate_id = $1 AND kind = 'entry' AND points > 0`, f.candA)
	now, err := app.db.Pipeline().Subject(t.Context(), f.candA, seedling.Today(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	before, err := app.db.Pipeline().Subject(t.Context(), f.candA, last.AddDate(0, 0, -1))
	if err != nil {
		t.Fatal(err)
	}
	if before.Score >= now.Score {
		t.Fatalf("score the day before the last entry (%s): %d, today: %d", last.Format("2006-01-02"), before.Score, now.Score)
	}
}
