package pipeline

import (
	"fmt"

	"seedling/internal/seedling"
)

// Bounds of a yearly quota. A quota is a plan, not a history: years before
// the plan's first (2000) are typing mistakes, and no township develops a
// hundred thousand members a year.
const (
	MinQuotaYear   = 2000
	MaxQuotaAmount = 100000
)

// QuotaShare says what a quota set at a node of kind k is (细则 第一章,
// 发展党员工作规划和年度计划): a committee's own quota (share false), set
// by the organisation department, or a branch's share of its committee's
// quota (share true), split by the committee. Other nodes hold none.
func QuotaShare(k seedling.OrgKind) (share bool, err error) {
	switch k {
	case seedling.KindCommittee:
		return false, nil
	case seedling.KindBranch, seedling.KindGeneralBranch:
		return true, nil
	}
	return false, seedling.FieldProblem(seedling.EInvalid, "org_id", "problem.quota_kind", "quotas are set for committees and split among branches")
}

// QuotaChange is a quota about to be set, with the facts its rule reads:
// for a branch's share, the quota of the committee above (nil when it has
// none for the year) and the shares of the committee's other branches.
type QuotaChange struct {
	Year, Amount int
	Kind         seedling.OrgKind
	Committee    *int
	Others       int
}

// CanSetQuota decides whether a quota may be set (细则 第一章): the year
// and amount lie in range, and a committee splits among its branches no
// more places than it has been given, so the shares never exceed it.
func CanSetQuota(q QuotaChange) error {
	p := seedling.NewProblems(seedling.EInvalid)
	if q.Amount < 0 || q.Amount > MaxQuotaAmount {
		p.AddKey("amount", "problem.quota_amount_range", fmt.Sprintf("amount must be between 0 and %d", MaxQuotaAmount),
			"Min", 0, "Max", MaxQuotaAmount)
	}
	if q.Year < MinQuotaYear || q.Year > seedling.MaxYear {
		p.AddKey("year", "problem.year_range", fmt.Sprintf("year must lie between %d and %d", MinQuotaYear, seedling.MaxYear),
			"Min", MinQuotaYear, "Max", seedling.MaxYear)
	}
	if err := p.Err(); err != nil {
		return err
	}
	share, err := QuotaShare(q.Kind)
	if err != nil || !share {
		return err
	}
	if q.Committee == nil {
		return seedling.FieldProblem(seedling.EInvalid, "org_id", "problem.quota_no_committee_quota",
			"the committee above has no quota for this year to split", "Year", q.Year)
	}
	if sum := q.Others + q.Amount; sum > *q.Committee {
		return seedling.FieldProblem(seedling.ERule, "amount", "problem.quota_shares_exceed",
			fmt.Sprintf("the branches' shares add up to %d, more than the committee's %d", sum, *q.Committee),
			"Sum", sum, "Amount", *q.Committee)
	}
	return nil
}
