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

// Rules that sat in the web handlers of the import: one branch or party
// group at a time, and only a quarter that has begun.
func TestImportIsForOneBranchAndABegunQuarter(t *testing.T) {
	if CanImportAt(seedling.KindBranch) != nil || CanImportAt(seedling.KindGroup) != nil {
		t.Fatal("a branch or group imports")
	}
	var ie *InputError
	if err := CanImportAt(seedling.KindCommittee); !errors.As(err, &ie) || ie.Problems[0].Code != "import_not_branch" || seedling.ErrorCode(err) != seedling.ERule {
		t.Fatalf("a committee: %v", err)
	}
	people := map[int64]ImportSubject{1: {Name: "郭晓雯", Subject: Subject{seedling.StageActivist, ptr(day("2025-09-15"))}}}
	rows := []ImportRow{{Line: 2, CandidateID: 1, Name: "郭晓雯", Draft: Draft{Category: "study_attendance", Points: ptr(1), OccurredOn: "2027-01-02", Description: "学习"}}}
	_, err := CheckImport(rows, Period{2027, 1}, people, testRubrics(), LateRule{}, day("2026-12-31"))
	if !errors.As(err, &ie) || ie.Problems[0].Code != "period_not_begun" {
		t.Fatalf("a quarter not begun: %v", err)
	}
}
