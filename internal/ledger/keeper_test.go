package ledger

import (
	"errors"
	"testing"

	"seedling/internal/seedling"
)

// 专人负责: a branch names one of its own secretaries to keep its ledger;
// every other naming is refused with its code.
func TestKeeperIsASecretaryNamedByTheBranch(t *testing.T) {
	for _, c := range []struct {
		name string
		n    Naming
		code string // "" = allowed
	}{
		{"a secretary of the branch", Naming{OrgKind: seedling.KindBranch, UserID: 7, Secretary: true}, ""},
		{"named by a committee", Naming{OrgKind: seedling.KindCommittee, UserID: 7, Secretary: true}, "keeper_not_branch"},
		{"named by a party group", Naming{OrgKind: seedling.KindGroup, UserID: 7, Secretary: true}, "keeper_not_branch"},
		{"nobody chosen", Naming{OrgKind: seedling.KindBranch}, "keeper_choose"},
		{"not a secretary there", Naming{OrgKind: seedling.KindBranch, UserID: 7}, "keeper_not_secretary"},
	} {
		err := CanNameKeeper(c.n)
		var ie *InputError
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.code != "" && (!errors.As(err, &ie) || ie.Problems[0].Code != c.code || seedling.ErrorCode(err) != seedling.EInvalid):
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if !HasRoster(seedling.KindGroup) || HasRoster(seedling.KindCommittee) || KeepsLedgers(seedling.KindGroup) {
		t.Error("which nodes keep ledgers and rosters")
	}
}
