package web

import (
	"fmt"
	"testing"
)

// A client whose answer was lost sends its objection again: while the first
// is open, the same objection from the same person is that objection, not a
// second one; a different text, or the same text after the first was
// answered, is a new objection.
func TestRetriedObjectionIsRaisedOnce(t *testing.T) {
	app := newTestApp(t)
	f := newFixture(t, app)
	sec, did, cand := publishedQ3(t, app, f)
	member := app.login("member")

	obj := fmt.Sprintf("/api/v1/displays/%d/objections", did)
	body := map[string]any{"candidate_id": cand, "text": "第三季度的志愿服务没有记分"}
	first := app.call("POST", obj, member, body)
	expectStatus(t, first, 201)
	again := app.call("POST", obj, member, body)
	expectStatus(t, again, 201)
	if id(t, again) != id(t, first) {
		t.Fatalf("the retry raised objection %d beside %d", id(t, again), id(t, first))
	}
	paper := map[string]any{"candidate_id": cand, "text": "来信反映", "channel": "paper", "from": "群众来信"}
	p1, p2 := app.call("POST", obj, sec, paper), app.call("POST", obj, sec, paper)
	expectStatus(t, p1, 201)
	expectStatus(t, p2, 201)
	if id(t, p1) != id(t, p2) {
		t.Fatalf("the retried paper objection was recorded twice: %d and %d", id(t, p1), id(t, p2))
	}
	other := app.call("POST", obj, member, map[string]any{"candidate_id": cand, "text": "另一件事"})
	expectStatus(t, other, 201)
	expectStatus(t, app.call("POST", fmt.Sprintf("/api/v1/objections/%d/resolution", id(t, first)), sec,
		map[string]any{"decision": "reject", "reason": "已核实，记分无误"}), 200)
	later := app.call("POST", obj, member, body)
	expectStatus(t, later, 201)

	var objections, raised int
	app.db.Get(&objections, `SELECT count(*) FROM objections WHERE display_id = $1`, did)
	app.db.Get(&raised, `SELECT count(*) FROM audit_events WHERE action = 'objection.raise' AND target = $1`, fmt.Sprintf("display:%d", did))
	if objections != 4 || raised != 4 || id(t, later) == id(t, first) {
		t.Fatalf("%d objections, %d raise audit rows (want 4 and 4)", objections, raised)
	}
}
