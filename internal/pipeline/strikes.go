package pipeline

import (
	"fmt"

	"seedling/internal/seedling"
)

// Review is one returned submission of a candidate, as the strike count
// reads it.
type Review struct {
	Kind string         `json:"kind"`
	From seedling.Stage `json:"from"`
	// Voided: closed because the candidacy ended while it waited; never
	// reviewed.
	Voided bool `json:"voided"`
}

// Strikes counts the failed reviews that count towards MaxFailedReviews
// (汝州市育苗计划: 一步一审，三次审核不通过取消入党资格). Only a failed
// review of a stage step is a strike: a returned request to withdraw or to
// extend probation is an answer to a request, not a failed review; a
// submission voided by the end of the candidacy was never reviewed; a
// failed political review ends the candidacy by itself (AfterPoliticalReview)
// and is not counted here. Whether a probationary member's failures count
// is the rule set's StrikesApplyToProbationary: the Ruzhou text speaks of
// activists.
func (rs *RuleSet) Strikes(returned []Review) int {
	n := 0
	for _, r := range returned {
		switch {
		case r.Voided, r.Kind != KindAdvance:
		case r.From == seedling.StageProbationary && !rs.StrikesApplyToProbationary:
		default:
			n++
		}
	}
	return n
}

// StrikesApply says whether failed reviews at a stage count at all, for the
// pages that say so next to the count.
func (rs *RuleSet) StrikesApply(stage seedling.Stage) bool {
	return rs.MaxFailedReviews > 0 && (stage != seedling.StageProbationary || rs.StrikesApplyToProbationary)
}

// AfterReturn counts a returned stage review as a failed one; under the
// Ruzhou plan the MaxFailedReviews-th failure ends the candidacy. A
// MaxFailedReviews of zero sets no limit.
func (rs *RuleSet) AfterReturn(failedBefore int) (failedAfter int, disqualify bool) {
	failedAfter = max(failedBefore, 0) + 1
	return failedAfter, rs.MaxFailedReviews > 0 && failedAfter >= rs.MaxFailedReviews
}

// AfterPoliticalReview says whether a political review result ends the
// candidacy: one that fails does, at once, whatever the count of failed
// reviews (细则 第十六条: 政治审查不合格的，不能发展入党; Ruzhou: 政审不合格取消入党资格).
func (rs *RuleSet) AfterPoliticalReview(passed bool) (disqualify bool) { return !passed }

// StrikesLabel shows everyone involved how many of the allowed failed reviews
// are used, e.g. "已用 2 / 3 次".
func (rs *RuleSet) StrikesLabel(used int) string {
	if rs.MaxFailedReviews <= 0 {
		return fmt.Sprintf("已用 %d 次（不限）", used)
	}
	return fmt.Sprintf("已用 %d / %d 次", used, rs.MaxFailedReviews)
}
