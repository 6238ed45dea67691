package web

import (
	"fmt"
	"strings"
	"testing"

	"seedling/internal/display"
)

// The demo carries published displays of past quarters with an objection
// in each state; the open one is overdue and shows in the committee's due
// list, and the overview counts them.
func TestDemoDisplaysOverviewAndDue(t *testing.T) {
	app := newTestApp(t)
	f := newFixture(t, app)
	var states []string
	app.db.Select(&states, `
		SELECT DISTINCT COALESCE(r.decision, 'open') FROM objections o JOIN displays d ON d.id = o.display_id
		LEFT JOIN objection_resolutions r ON r.objection_id = o.id WHERE d.org_id = $1 ORDER BY 1`, f.orgA)
	if strings.Join(states, ",") != "open,rejected,upheld" {
		t.Fatalf("demo objection states in branch A: %v", states)
	}
	var linked int
	app.db.Get(&linked, `SELECT count(*) FROM ledger_entries WHERE objection_id IS NOT NULL`)
	if linked == 0 {
		t.Fatal("no demo correction is linked to its objection")
	}
	com := app.login("committee")
	r := app.call("GET", "/api/v1/due", com, nil)
	expectStatus(t, r, 200)
	if !strings.Contains(string(r.Body), `"objection_overdue"`) {
		t.Fatalf("due list without the overdue objection: %.500s", r.Body)
	}
	r = app.call("GET", fmt.Sprintf("/api/v1/display-overview?org_id=%d", f.comA), com, nil)
	expectStatus(t, r, 200)
	raised, upheld, rejected, published := 0, 0, 0, 0
	for _, c := range r.JSON(t)["cells"].([]any) {
		m := c.(map[string]any)
		raised += int(m["raised"].(float64))
		upheld += int(m["upheld"].(float64))
		rejected += int(m["rejected"].(float64))
		if m["published"] == true {
			published++
		}
	}
	if raised < 3 || rejected < 1 || published < 2 {
		t.Fatalf("overview: raised %d upheld %d rejected %d published %d: %.600s", raised, upheld, rejected, published, r.Body)
	}
	for _, path := range []string{fmt.Sprintf("/api/v1/display-overview.xlsx?org_id=%d", f.comA), "/displays-overview"} {
		r := app.form("GET", path, com, "")
		expectStatus(t, r, 200)
	}
}

// The notice names the node, the period, the window, whom to object to and
// the code; with masking on, a committee reader sees 张*华 while a member
// of the branch sees the full name. The member's objection and its
// outcome show on their start page.
func TestNoticeMaskingAndStartPage(t *testing.T) {
	app := newTestApp(t)
	f := newFixture(t, app)
	app.clockAt("2026-10-12")
	admin, sec, member, com := app.login("admin"), app.login("secretary"), app.login("member"), app.login("committee")
	var city int64
	app.db.Get(&city, `SELECT id FROM orgs WHERE kind = 'city' LIMIT 1`)
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/orgs/%d/display-settings", city), com, map[string]any{"window_days": 5, "objection_days": 5, "mask_names": true}), 404)
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/orgs/%d/display-settings", f.comA), com, map[string]any{"window_days": 5, "objection_days": 3, "mask_names": true}), 400)
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/orgs/%d/display-settings", city), admin, map[string]any{"window_days": 7, "objection_days": 3, "mask_names": true}), 200)

	r := app.call("POST", "/api/v1/displays", sec, map[string]any{"org_id": f.orgA, "period": "2026Q3"})
	expectStatus(t, r, 201)
	did := id(t, r)
	r = app.call("POST", fmt.Sprintf("/api/v1/displays/%d/publish", did), sec, nil)
	if r.JSON(t)["closes_on"] != "2026-10-20" { // seven working days
		t.Fatalf("window: %s", r.Body)
	}
	d := r.JSON(t)
	var name string
	app.db.Get(&name, `SELECT name FROM display_rows WHERE display_id = $1 ORDER BY candidate_id LIMIT 1`, did)

	r = app.form("GET", fmt.Sprintf("/displays/%d/notice", did), com, "")
	expectStatus(t, r, 200)
	page := string(r.Body)
	for _, want := range []string{"煤山街道青瓷社区党支部", "2026Q3", "2026-10-12 至 2026-10-20", d["verification_code"].(string), "验证码", display.Mask(name)} {
		if !strings.Contains(page, want) {
			t.Errorf("notice lacks %q", want)
		}
	}
	if strings.Contains(page, ">"+name+"<") {
		t.Errorf("a committee reader sees the full name %s", name)
	}
	r = app.form("GET", fmt.Sprintf("/displays/%d/notice", did), member, "")
	if !strings.Contains(string(r.Body), ">"+name+"<") {
		t.Errorf("a member of the branch does not see the full name %s", name)
	}

	var cand int64
	app.db.Get(&cand, `SELECT candidate_id FROM display_rows WHERE display_id = $1 ORDER BY candidate_id LIMIT 1`, did)
	r = app.call("POST", fmt.Sprintf("/api/v1/displays/%d/objections", did), member, map[string]any{"candidate_id": cand, "text": "理论考试成绩录入有误"})
	expectStatus(t, r, 201)
	if r.JSON(t)["due_on"] != "2026-10-14" { // three working days
		t.Fatalf("deadline: %s", r.Body)
	}
	oid := id(t, r)
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/objections/%d/resolution", oid), sec, map[string]any{"decision": "reject", "reason": "经核对试卷成绩无误"}), 200)
	r = app.form("GET", "/", member, "")
	expectStatus(t, r, 200)
	if !strings.Contains(string(r.Body), "经核对试卷成绩无误") || !strings.Contains(string(r.Body), "不属实") {
		t.Fatalf("the member's start page lacks the outcome")
	}
	r = app.call("GET", fmt.Sprintf("/api/v1/displays/%d/rows.xlsx", did), member, nil)
	expectStatus(t, r, 200)
	if !strings.Contains(r.Header.Get("Content-Type"), "spreadsheet") {
		t.Fatalf("xlsx type %q", r.Header.Get("Content-Type"))
	}
}

// The leader of a party group reads the displays of the branch above the
// group: in the list, on the display page, and on the start page while its
// window is open; still not another branch's.
func TestGroupLeaderReadsTheBranchDisplay(t *testing.T) {
	app := newTestApp(t)
	f := newFixture(t, app)
	_, did, _ := publishedQ3(t, app, f)
	leader := app.login("leader")
	r := app.call("GET", "/api/v1/displays", leader, nil)
	expectStatus(t, r, 200)
	listed := false
	for _, d := range r.JSON(t)["displays"].([]any) {
		m := d.(map[string]any)
		if int64(m["id"].(float64)) == did {
			listed = true
		}
		if int64(m["org_id"].(float64)) == f.orgB {
			t.Errorf("the leader lists branch B's display %v", m["id"])
		}
	}
	if !listed {
		t.Fatalf("the leader's list lacks the branch's display %d: %.500s", did, r.Body)
	}
	expectStatus(t, app.call("GET", fmt.Sprintf("/api/v1/displays/%d", did), leader, nil), 200)
	link := fmt.Sprintf("/displays/%d", did)
	for _, page := range []string{"/", "/displays"} {
		r = app.form("GET", page, leader, "")
		expectStatus(t, r, 200)
		if !strings.Contains(string(r.Body), link) {
			t.Errorf("the leader's %s lacks the branch's display %s", page, link)
		}
	}
}

// A branch that has not published its display of the last ended quarter by
// display.DueBy is overdue in the due list of its secretary and of every
// committee above, with the period and the days late; a branch that
// published on time is not. The start page shows the late item.
func TestLateDisplayInTheDueList(t *testing.T) {
	app := newTestApp(t)
	f := newFixture(t, app)
	var published int
	app.db.Get(&published, `SELECT count(*) FROM displays WHERE org_id IN ($1, $2) AND period = '2026Q3'`, f.orgA, f.orgB)
	if published != 0 {
		t.Fatalf("the demo already holds %d displays of 2026Q3 for branches A and B", published)
	}
	publishedQ3(t, app, f) // branch A, on time

	// 2026Q3 was due by 20 October (ten working days after the National Day week).
	app.clockAt("2026-11-02")
	late := func(token string) map[int64]map[string]any {
		t.Helper()
		r := app.call("GET", "/api/v1/due", token, nil)
		expectStatus(t, r, 200)
		out := map[int64]map[string]any{}
		for _, it := range r.JSON(t)["items"].([]any) {
			m := it.(map[string]any)
			if m["kind"] == "display_late" {
				out[int64(m["org_id"].(float64))] = m
			}
		}
		return out
	}
	admin := late(app.login("admin"))
	b, ok := admin[f.orgB]
	if !ok {
		t.Fatalf("the city's due list lacks branch B's late display: %v", admin)
	}
	if b["status"] != "overdue" || b["due_on"] != "2026-10-20" {
		t.Errorf("branch B's late display: %v", b)
	}
	if msg, _ := b["message"].(string); !strings.Contains(msg, "2026Q3") || !strings.Contains(msg, "13") {
		t.Errorf("branch B's late display does not say the period and the days: %q", msg)
	}
	if _, ok := admin[f.orgA]; ok {
		t.Errorf("branch A published on time and is late: %v", admin[f.orgA])
	}
	if _, ok := late(app.login("committee"))[f.orgA]; ok {
		t.Error("branch A is late in its committee's due list")
	}
	sec2 := app.login("secretary2")
	if _, ok := late(sec2)[f.orgB]; !ok {
		t.Error("branch B's secretary does not see the late display")
	}
	r := app.form("GET", "/", sec2, "")
	expectStatus(t, r, 200)
	if !strings.Contains(string(r.Body), "2026Q3 积分公示应于 2026-10-20 前发布，已逾期 13 天") {
		t.Errorf("branch B's start page lacks the late display")
	}
}

// An upheld objection's correcting entries link to the ledger of the
// person the objection is about (not to the candidate whose id happens to
// be the display's), and only for a reader who may open that ledger: a
// member of the branch sees the entry numbers without a link to a 404.
func TestUpheldObjectionLinksTheObjectedPersonsLedger(t *testing.T) {
	app := newTestApp(t)
	f := newFixture(t, app)
	var o struct {
		Display   int64 `db:"display_id"`
		Candidate int64 `db:"candidate_id"`
		Entry     int64 `db:"entry_id"`
	}
	if err := app.db.Get(&o, `
		SELECT o.display_id, o.candidate_id, e.id AS entry_id
		FROM objections o JOIN displays d ON d.id = o.display_id
		JOIN ledger_entries e ON e.objection_id = o.id
		WHERE d.org_id = $1 ORDER BY e.id LIMIT 1`, f.orgA); err != nil {
		t.Fatalf("no upheld objection with a correction in branch A: %v", err)
	}
	if o.Display == o.Candidate {
		t.Fatalf("fixture cannot tell the display's id from the person's: both %d", o.Display)
	}
	want := fmt.Sprintf(`href="/candidates/%d/ledger#entry-%d"`, o.Candidate, o.Entry)
	r := app.form("GET", fmt.Sprintf("/displays/%d", o.Display), app.login("secretary"), "")
	expectStatus(t, r, 200)
	if !strings.Contains(string(r.Body), want) {
		t.Fatalf("secretary's display page lacks %s", want)
	}
	r = app.form("GET", fmt.Sprintf("/displays/%d", o.Display), app.login("member"), "")
	expectStatus(t, r, 200)
	if body := string(r.Body); strings.Contains(body, "/ledger#entry-") || !strings.Contains(body, fmt.Sprintf("#%d", o.Entry)) {
		t.Fatalf("member's display page should name entry #%d without a ledger link", o.Entry)
	}
}
