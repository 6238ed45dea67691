package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"seedling/internal/seedling"
)

// fillStep fills and sends a step's proposal form on the candidate page.
// Dates go in through the value property: typing into a date input depends
// on the browser's locale.
func (b *browser) fillStep(base string, cand int64, step string, values map[string]string, checks ...string) {
	b.t.Helper()
	b.do(chromedp.Navigate(fmt.Sprintf("%s/candidates/%d", base, cand)), chromedp.WaitVisible("#next-steps"))
	b.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).open = true`, "step-"+step)))
	for id, v := range values {
		b.do(chromedp.SetValue("#"+step+"_"+id, v))
	}
	for _, id := range checks {
		b.do(chromedp.Click("#" + step + "_" + id))
	}
	b.clickAndLoad("#propose-" + step)
	b.do(chromedp.WaitVisible("#submissions"))
	if text := get(b, chromedp.Text("#submissions")); !strings.Contains(text, "待审核") {
		body := get(b, chromedp.Text("main"))
		b.t.Fatalf("step %s was not submitted:\n%.1500s", step, body)
	}
}

// clickAndLoad clicks something that loads a new page and waits until the
// new page is there: the old one is marked first, so an element that both
// pages have cannot be mistaken for the new one.
func (b *browser) clickAndLoad(sel string) {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = "1"`),
		chromedp.Click(sel),
		chromedp.WaitReady("body:not([data-stale])"))
}

// decideLatest opens the committee's queue, takes the candidate's waiting
// submission and approves or returns it.
func (b *browser) decideLatest(base, name, decision, reasons string) {
	b.t.Helper()
	b.do(chromedp.Navigate(base+"/reviews"), chromedp.WaitVisible("#review-queue"))
	link := get(b, chromedp.Evaluate[string](fmt.Sprintf(`(() => { for (const tr of document.querySelectorAll('#review-queue tbody tr')) { if (tr.textContent.includes(%q)) return tr.querySelector('a').id } return '' })()`, name)))
	if link == "" {
		b.t.Fatalf("%s is not in the review queue", name)
	}
	b.do(chromedp.Click("#"+link), chromedp.WaitVisible("#decide-form"))
	if reasons != "" {
		b.do(chromedp.SetValue("#reasons", reasons))
	}
	if decision == "approve" { // the committee's own talk and vote, where the step asks for them
		today := seedling.Today(time.Now()).Format(seedling.DateLayout)
		get(b, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const v = {d_committee_talked_on: %q, d_committee_members: "7", d_committee_present: "6", d_committee_for: "5"};
			for (const [id, x] of Object.entries(v)) { const el = document.getElementById(id); if (el) el.value = x } return true })()`, today)))
	}
	if decision == "return" { // a return states its consequence and asks again
		b.do(chromedp.Click("#return-open"), chromedp.WaitVisible("#return"))
	}
	b.clickAndLoad("#" + decision)
	b.do(chromedp.WaitVisible("#review-state"))
	want := map[string]string{"approve": "已通过", "return": "已退回"}[decision]
	if got := get(b, chromedp.Text("#review-state")); got != want {
		b.t.Fatalf("after %s: state %q", decision, got)
	}
}

func (b *browser) switchUser(base, username, section string) {
	b.t.Helper()
	b.do(chromedp.Navigate(base+"/"), chromedp.WaitVisible("#logout"), chromedp.Click("#logout"), chromedp.WaitVisible("#username"))
	b.login(base, username)
	b.do(chromedp.WaitVisible(section))
}

// One candidate walks from applicant to full member through the pages: the
// secretary proposes each step from the form the rules build, the committee
// approves it in its queue.
func TestBrowserApplicantToFullMember(t *testing.T) {
	app := newTestApp(t)
	f := newFixture(t, app)
	base := app.serve()
	sec := app.login("secretary")
	r := app.call("POST", "/api/v1/candidates", sec, map[string]any{"name": "周全程", "org_id": f.orgA, "applied_on": "2023-01-05", "priority_group": "young_farmer"})
	expectStatus(t, r, 201)
	cand := idOf(t, r)

	b := newBrowser(t)
	b.login(base, "secretary")
	b.do(chromedp.WaitVisible("#start-secretary"))
	b.fillStep(base, cand, "activist-advance", map[string]string{
		"f_talked_on": "2023-01-20", "f_recommended_by": "members", "f_decided_on": "2023-02-01", "f_contacts_0": "王建国",
		"f_late_reason": "按历史档案补录"})
	b.switchUser(base, "committee", "#start-committee")
	b.decideLatest(base, "周全程", "approve", "")

	// A year of points, recorded by the branch (the committee, who decides,
	// must not be the one who records). The browser's logout ended every
	// session of the secretary, so the API logs in again.
	sec = app.login("secretary")
	for i, e := range []struct {
		cat    string
		points int
	}{{"exam_result", 25}, {"evaluation_result", 25}, {"task_completion", 10}, {"activity_conduct", 10}, {"critical_moment", 5},
		{"study_attendance", 5}, {"study_attendance", 5}, {"study_attendance", 5}, {"study_attendance", 5}, {"study_attendance", 5}} {
		r := app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", cand), sec,
			map[string]any{"category": e.cat, "points": e.points, "occurred_on": fmt.Sprintf("2023-%02d-15", 3+i), "description": "培养考察记录",
				"late_reason": "历年纸质台账录入"}, // dated years back: a late record (补录)
			"Idempotency-Key", fmt.Sprintf("walk-%d", i))
		expectStatus(t, r, 201)
	}

	// The branch's half-year assessments of the training year (细则 第十一条).
	for _, on := range []string{"2023-08-01", "2024-02-01"} {
		expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/records", cand), sec,
			map[string]any{"kind": "assessment", "on": on, "by": "王建国", "conclusion": "半年考察：表现良好"}), 201)
	}
	b.switchUser(base, "secretary", "#start-secretary")
	b.fillStep(base, cand, "target-advance", map[string]string{"f_decided_on": "2024-03-01", "f_late_reason": "按历史档案补录"}, "f_opinions_heard")
	b.switchUser(base, "committee", "#start-committee")
	b.decideLatest(base, "周全程", "approve", "")

	// The committee records the political review (细则 第十五条); the
	// admission step reads it.
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/political-review", cand), app.login("committee"),
		map[string]any{"passed": true, "conclusion": "经政治审查，该同志政治立场坚定，政治审查合格。", "reviewed_on": "2024-05-10"}), 201)
	reviewTarget(t, app, cand, "2024-05-15", "2024-05-20")
	b.switchUser(base, "secretary", "#start-secretary")
	b.fillStep(base, cand, "probationary-advance", map[string]string{
		"f_introducers_0": "王建国", "f_introducers_1": "李红梅",
		"f_training_days": "3", "f_form_issued_on": "2024-05-22", "f_form_filled_on": "2024-05-25", "f_meeting_on": "2024-06-10",
		"f_members_entitled": "18", "f_members_present": "16", "f_votes_for": "15", "f_late_reason": "按历史档案补录"})
	b.switchUser(base, "committee", "#start-committee")
	b.decideLatest(base, "周全程", "approve", "")

	b.switchUser(base, "secretary", "#start-secretary")
	b.fillStep(base, cand, "full-advance", map[string]string{
		"f_meeting_on": "2025-06-16", "f_members_entitled": "19", "f_members_present": "17", "f_votes_for": "16",
		"f_assessment": "预备期内表现良好，按期转正。", "f_late_reason": "按历史档案补录",
		"f_applied_on": "2025-06-01", "f_group_opinion": "党小组同意按期转正", "f_masses_opinion": "党员群众评议满意"})
	b.switchUser(base, "committee", "#start-committee")
	b.decideLatest(base, "周全程", "approve", "")

	b.do(chromedp.Navigate(fmt.Sprintf("%s/candidates/%d", base, cand)), chromedp.WaitVisible("#cand-stage"))
	if stage := get(b, chromedp.Text("#cand-stage")); stage != "正式党员" {
		t.Fatalf("after the walk the stage is %q", stage)
	}
	b.do(chromedp.Click("#timeline-link"), chromedp.WaitVisible("#timeline"))
	if n := get(b, chromedp.Evaluate[int](`document.querySelectorAll('#timeline tr.tl-approved').length`)); n != 4 {
		t.Fatalf("the full record shows %d approvals, want 4", n)
	}
}

// Three returns in the committee's queue end a candidacy, and everyone sees
// the count.
func TestBrowserThreeReturnsDisqualify(t *testing.T) {
	app := newTestApp(t)
	f := newFixture(t, app)
	base := app.serve()
	sec := app.login("secretary")
	r := app.call("POST", "/api/v1/candidates", sec, map[string]any{"name": "吴三审", "org_id": f.orgA, "applied_on": day(25)})
	expectStatus(t, r, 201)
	cand := idOf(t, r)
	b := newBrowser(t)
	b.login(base, "secretary")
	b.do(chromedp.WaitVisible("#start-secretary"))
	for i := 1; i <= 3; i++ {
		b.fillStep(base, cand, "activist-advance", map[string]string{
			"f_talked_on": day(20), "f_recommended_by": "mass_org", "f_decided_on": day(5), "f_contacts_0": "李红梅"})
		b.switchUser(base, "committee", "#start-committee")
		b.decideLatest(base, "吴三审", "return", fmt.Sprintf("谈话记录不完整（第%d次）", i))
		b.do(chromedp.Navigate(fmt.Sprintf("%s/candidates/%d", base, cand)), chromedp.WaitVisible("#cand-strikes"))
		if got := get(b, chromedp.Text("#cand-strikes")); !strings.HasPrefix(got, fmt.Sprintf("%d / 3", i)) {
			t.Fatalf("after %d returns the committee sees %q", i, got)
		}
		if i < 3 {
			b.switchUser(base, "secretary", "#start-secretary")
		}
	}
	if stage := get(b, chromedp.Text("#cand-stage")); stage != "取消资格" {
		t.Fatalf("after three returns the stage is %q", stage)
	}
}
