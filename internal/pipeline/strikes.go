package pipeline

import "fmt"

// AfterReturn counts a returned submission as a failed review. The committee
// reviews every step (一步一审) and failures count over the whole process;
// under the Ruzhou plan the MaxFailedReviews-th failure ends the candidacy
// (三次审核不通过，取消入党资格). A MaxFailedReviews of zero sets no limit.
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
