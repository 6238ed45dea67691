package web

import (
	"fmt"
	"strings"
	"testing"
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
			if on, _ := st["earliest_on"].(string); on != "" {
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
