package web

import (
	"fmt"
	"testing"
)

// The demo's cancelled probation (取消预备党员资格, 细则 第三十二条,
// seeds/pipeline.json cancellations) reads on the person's timeline page as
// the branch's proposal, the committee's approval and the change of stage
// with its reason.
func TestDemoCancelledProbationOnTimeline_Article32(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	cand, err := app.db.Candidates().ByCode(t.Context(), "yanglou-xinzhuang-05")
	if err != nil {
		t.Fatal(err)
	}
	page := app.page(fmt.Sprintf("/candidates/%d/timeline", cand.ID), app.login("admin"))
	expectStatus(t, page, 200)
	mustContain(t, page, "支部提交：预备党员 → 取消资格", "党委审批通过：预备党员 → 取消资格", "阶段变更：预备党员 → 取消资格", "不履行党员义务，不具备党员条件")
}
