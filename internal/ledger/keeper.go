package ledger

import "seedling/internal/seedling"

// KeepsLedgers reports whether a node keeps ledgers and names their keeper
// (专人负责): a branch does; a party group's people are on its branch's
// ledgers, and the nodes above a branch keep none of their own.
func KeepsLedgers(kind seedling.OrgKind) bool { return kind == seedling.KindBranch }

// HasRoster reports whether a node shows a roster of ledgers: a branch, and
// a party group for the part of its branch's people it holds.
func HasRoster(kind seedling.OrgKind) bool {
	return kind == seedling.KindBranch || kind == seedling.KindGroup
}

// Naming is what the keeper rule needs to know of one naming: the node that
// names, the person named (0 when none was chosen), and whether that person's
// account is enabled and holds the secretary role at that node, whose grant
// lets them write its ledger.
type Naming struct {
	OrgKind   seedling.OrgKind
	UserID    int64
	Secretary bool
}

// CanNameKeeper says whether a naming holds: a branch names the person who
// keeps its ledger, and it names one of its own secretaries, so that the
// keeper can record what they answer for. Each refusal is coded
// (problem.keeper_*); they are answered as bad input (400), the person being
// a choice from the branch's own list.
func CanNameKeeper(n Naming) error {
	var p Problems
	switch {
	case !KeepsLedgers(n.OrgKind):
		p.invalid("org_id", "keeper_not_branch", "a ledger keeper is named by a branch")
	case n.UserID == 0:
		p.invalid("user_id", "keeper_choose", "choose a person")
	case !n.Secretary:
		p.invalid("user_id", "keeper_not_secretary", "this person does not hold the secretary role at the branch")
	}
	return p.Err()
}
