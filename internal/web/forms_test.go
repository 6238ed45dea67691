package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"seedling/internal/seedling"
)

// The proposal form shows only for a step that can be submitted; a blocked
// step shows what blocks it and when its form opens, as next-steps says.
func TestProposalFormOnlyWhenTheStepIsOpen(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec := app.login("secretary")
	seen := map[bool]int{}
	for _, cand := range []int64{f.candA, f.candA2, f.targetA, newApplicant(t, app, sec, f.orgA, 60)} {
		steps := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d/next-steps", cand), sec, nil).JSON(t)["steps"].([]any)
		page := app.page(fmt.Sprintf("/candidates/%d", cand), sec)
		expectStatus(t, page, 200)
		body := string(page.Body)
		for _, x := range steps {
			st := x.(map[string]any)
			key := fmt.Sprintf("%s-%s", st["to_stage"], st["kind"])
			blockers := st["blocked_by"].([]any)
			blocked := len(blockers) > 0
			seen[blocked]++
			if hasForm := strings.Contains(body, `id="propose-`+key+`"`); hasForm == blocked {
				t.Errorf("candidate %d: step %s blocked=%v but form shown=%v", cand, key, blocked, hasForm)
			}
			if !blocked {
				continue
			}
			for _, b := range blockers {
				if msg := b.(map[string]any)["message"].(string); !strings.Contains(body, msg) {
					t.Errorf("the blocked step does not show its blocker %q", msg)
				}
			}
			want := "上述条件满足后"
			if on, _ := st["earliest_on"].(string); on > seedling.Today(time.Now()).Format(seedling.DateLayout) {
				want = on + " 起可以提交"
			}
			if !strings.Contains(body, `id="opens-`+key+`"`) || !strings.Contains(body, want) {
				t.Errorf("the blocked step does not say when it opens (%q):\n%.4000s", want, body)
			}
		}
	}
	if seen[true] == 0 || seen[false] == 0 {
		t.Fatalf("the fixture has %d blocked and %d open steps: the test needs both", seen[true], seen[false])
	}
}

// A refused record form says every problem at once, each beside its field
// (aria-describedby) and all of them in the alert above the form.
func TestLedgerFormShowsEveryProblemAtItsField(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	before := f.count(t)
	r := f.app.form("POST", fmt.Sprintf("/candidates/%d/ledger", f.a), f.sec, "category=&points=abc&occurred_on=2999-01-01&description=&idempotency_key=all-at-once")
	expectStatus(t, r, 400)
	body := string(r.Body)
	alert := body[strings.Index(body, `role="alert" id="record-error"`):]
	alert = alert[:strings.Index(alert, "</div>")]
	for _, field := range []string{"category", "points", "occurred_on", "description"} {
		if !strings.Contains(body, `id="error-`+field+`"`) || !strings.Contains(body, `aria-describedby="error-`+field+`"`) {
			t.Errorf("field %s has no reason beside it", field)
		}
		if !strings.Contains(alert, `href="#`+field+`"`) {
			t.Errorf("the summary does not list %s: %s", field, alert)
		}
	}
	if f.count(t) != before {
		t.Fatal("a refused form booked an entry")
	}
}

// Points that are not whole are refused as such, in the page's language,
// not as missing.
func TestLedgerFormPointsMustBeWhole(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	for _, points := range []string{"2.5", "abc"} {
		for lang, want := range map[string]string{"zh-CN": "分值须为整数", "en": "Points must be a whole number"} {
			r := f.app.formWith("POST", fmt.Sprintf("/candidates/%d/ledger", f.a),
				"category=task_completion&points="+points+"&occurred_on="+f.today+"&description=x&idempotency_key=whole-"+lang,
				"token", f.sec, "Cookie", langCookie+"="+lang)
			expectStatus(t, r, 400)
			body := string(r.Body)
			i := strings.Index(body, `id="error-points"`)
			if i < 0 || !strings.Contains(body[i:i+200], want) {
				t.Errorf("[%s] %q: the points field does not say %q", lang, points, want)
			}
		}
	}
}

// A refused proposal shows each missing fact beside its input in the form,
// and every reason in the alert above.
func TestProposalFormShowsEveryProblemAtItsField(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	f := newFixture(t, app)
	sec := app.login("secretary")
	cand := newApplicant(t, app, sec, f.orgA, 60)
	r := app.form("POST", fmt.Sprintf("/candidates/%d/submissions", cand), sec, "to_stage=activist&kind=advance")
	expectStatus(t, r, 422)
	body := string(r.Body)
	alert := body[strings.Index(body, `id="propose-error"`):]
	alert = alert[:strings.Index(alert, "</section>")]
	steps := app.call("GET", fmt.Sprintf("/api/v1/candidates/%d/next-steps", cand), sec, nil).JSON(t)["steps"].([]any)
	required := 0
	for _, x := range steps {
		st := x.(map[string]any)
		if st["to_stage"] != "activist" {
			continue
		}
		for _, y := range st["facts"].([]any) {
			fact := y.(map[string]any)
			if fact["required"] != true {
				continue
			}
			required++
			id := "activist-advance_f_" + fact["name"].(string)
			if fact["type"] == "names" {
				id += "_0"
			}
			if !strings.Contains(body, `id="`+id+`-error"`) || !strings.Contains(body, `aria-describedby="`+id+`-error"`) {
				t.Errorf("the missing fact %s has no reason beside its input", id)
			}
			if !strings.Contains(alert, `href="#`+id+`"`) {
				t.Errorf("the summary does not link %s: %s", id, alert)
			}
		}
	}
	if required < 2 {
		t.Fatalf("the activist step has %d required facts: the test needs several", required)
	}
	if strings.Contains(alert, "<code>") {
		t.Errorf("the summary shows field codes: %s", alert)
	}
}

// Points into a dimension at its cap would not all count: the form warns,
// books nothing, and books them when sent again with the confirmation; the
// category list then marks the dimension as full.
func TestLedgerFormWarnsBeforeAFullDimension(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	page := fmt.Sprintf("/candidates/%d/ledger", f.a)
	// activist-a has 22 of 25 in theory study: 5 more would count 3.
	body := "category=study_attendance&points=5&occurred_on=" + f.today + "&description=" + "参加集中学习" + "&idempotency_key=full-1"
	before := f.count(t)
	for lang, want := range map[string]string{"zh-CN": "本条 5 分中有 2 分不会计入总分", "en": "2 of these 5 points would not count"} {
		r := f.app.formWith("POST", page, body, "token", f.sec, "Cookie", langCookie+"="+lang)
		expectStatus(t, r, 409)
		got := string(r.Body)
		i := strings.Index(got, `id="error-points"`)
		if i < 0 || !strings.Contains(got[i:i+400], want) {
			t.Fatalf("[%s] the points field does not warn %q:\n%.4000s", lang, want, got)
		}
		mustContain(t, r, `name="confirm_uncounted"`, `role="alert" id="record-error"`)
	}
	if f.count(t) != before {
		t.Fatal("the warning booked an entry")
	}
	expectStatus(t, f.app.form("POST", page, f.sec, body+"&confirm_uncounted=1"), 303)
	if f.count(t) != before+1 {
		t.Fatalf("the confirmed form booked %d entries", f.count(t)-before)
	}
	r := f.app.page(page, f.sec)
	mustContain(t, r, `id="score-total">79<`, "参加政治理论学习 · 政治理论学习 · 1~5 · 维度已满")
	mustNotContain(t, r, "任务完成情况 · 参加实践锻炼 · 1~10 · 维度已满")
	// A deduction into the full dimension counts and is not asked about.
	expectStatus(t, f.app.form("POST", page, f.sec, "category=study_absence&points=-1&occurred_on="+f.today+"&description=缺席&idempotency_key=full-2"), 303)
}
