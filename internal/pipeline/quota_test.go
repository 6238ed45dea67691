package pipeline

import (
	"testing"

	"seedling/internal/seedling"
)

// problemOf is the catalog key of err and of its field, "" when err is nil.
func problemOf(t *testing.T, err error, field string) (code, key string) {
	t.Helper()
	if err == nil {
		return "", ""
	}
	e, ok := err.(*seedling.Error)
	if !ok {
		t.Fatalf("%v is not a seedling.Error", err)
	}
	if field != "" && e.FieldKeys[field].Key != e.Key {
		t.Errorf("%v: field %s is keyed %q, the error %q", err, field, e.FieldKeys[field].Key, e.Key)
	}
	return e.Code, e.Key
}

// 细则 第一章 (发展党员工作规划和年度计划): a committee splits among its
// branches no more places than its own quota; a branch's share needs the
// committee's quota to split; only committees and branches hold quotas.
func TestQuotaSharesNeverExceedTheCommittee(t *testing.T) {
	five := 5
	cases := []struct {
		name      string
		q         QuotaChange
		field     string
		code, key string
	}{
		{"a committee's own quota", QuotaChange{Year: 2026, Amount: 5, Kind: seedling.KindCommittee}, "", "", ""},
		{"a share within what is left", QuotaChange{Year: 2026, Amount: 2, Kind: seedling.KindBranch, Committee: &five, Others: 3}, "", "", ""},
		{"a general branch's share", QuotaChange{Year: 2026, Amount: 5, Kind: seedling.KindGeneralBranch, Committee: &five}, "", "", ""},
		{"one place too many", QuotaChange{Year: 2026, Amount: 3, Kind: seedling.KindBranch, Committee: &five, Others: 3}, "amount", seedling.ERule, "problem.quota_shares_exceed"},
		{"no committee quota to split", QuotaChange{Year: 2026, Amount: 0, Kind: seedling.KindBranch}, "org_id", seedling.EInvalid, "problem.quota_no_committee_quota"},
		{"a group holds none", QuotaChange{Year: 2026, Amount: 1, Kind: seedling.KindGroup, Committee: &five}, "org_id", seedling.EInvalid, "problem.quota_kind"},
		{"the city holds none", QuotaChange{Year: 2026, Amount: 1, Kind: seedling.KindCity}, "org_id", seedling.EInvalid, "problem.quota_kind"},
		{"a negative amount", QuotaChange{Year: 2026, Amount: -1, Kind: seedling.KindCommittee}, "amount", seedling.EInvalid, "problem.quota_amount_range"},
		{"too many places", QuotaChange{Year: 2026, Amount: MaxQuotaAmount + 1, Kind: seedling.KindCommittee}, "amount", seedling.EInvalid, "problem.quota_amount_range"},
		{"a year before the plan", QuotaChange{Year: 1999, Amount: 1, Kind: seedling.KindCommittee}, "year", seedling.EInvalid, "problem.year_range"},
	}
	for _, tc := range cases {
		code, key := problemOf(t, CanSetQuota(tc.q), tc.field)
		if code != tc.code || key != tc.key {
			t.Errorf("%s: %s %q, want %s %q", tc.name, code, key, tc.code, tc.key)
		}
	}
	err := CanSetQuota(QuotaChange{Year: 2026, Amount: 3, Kind: seedling.KindBranch, Committee: &five, Others: 3}).(*seedling.Error)
	if p := err.Params; p["Sum"] != 6 || p["Amount"] != 5 {
		t.Errorf("the refusal quotes %v, want the sum 6 and the committee's 5", p)
	}
}
