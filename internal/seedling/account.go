package seedling

import "strings"

// Account is what the account rules need to know about one account: its
// grants with the nodes they sit at, and the node of the candidate it is
// linked to, if any. The store loads it; the rules below decide.
type Account struct {
	User          User
	CandidateID   *int64
	CandidatePath string // the linked candidate's node; "" when not linked
	// HomePath is the node of the administrator who opened the account;
	// "" when it was opened from the command line.
	HomePath string
	Grants   []Grant
}

// Administrator is who changes accounts: the actor for the audit row, the
// subtrees in which they hold account administration (Everywhere for the
// command line, which runs with the owner's hands on the database), and
// whether they confirmed a change that could lock themselves out.
type Administrator struct {
	Actor      Actor
	Roots      []string
	Everywhere bool
	Confirmed  bool
}

// Administers reports whether adm may see and change the account: every
// grant it holds, and the candidate it is linked to, lie inside one of adm's
// subtrees. An account reaching one node outside would let a township's
// administrator take over the city's, so one such grant is enough to hide it.
// An account reaching no node yet belongs to the subtree it was opened in
// (to a root's administrators when opened from the command line): a fresh
// account is not everybody's to set a password on before it is granted.
func (adm Administrator) Administers(acc Account) bool {
	if adm.Everywhere {
		return true
	}
	inside := func(path string) bool {
		for _, r := range adm.Roots {
			if PathContains(r, path) {
				return true
			}
		}
		return false
	}
	if len(adm.Roots) == 0 {
		return false
	}
	if len(acc.Grants) == 0 && acc.CandidatePath == "" {
		if acc.HomePath != "" {
			return inside(acc.HomePath)
		}
		for _, r := range adm.Roots {
			if isRootPath(r) {
				return true
			}
		}
		return false
	}
	for _, g := range acc.Grants {
		if !inside(g.OrgPath) {
			return false
		}
	}
	return acc.CandidatePath == "" || inside(acc.CandidatePath)
}

// isRootPath reports whether path names a root of the tree ("/1/").
func isRootPath(path string) bool { return strings.Count(path, "/") == 2 }

// self reports whether the account is the administrator's own.
func (adm Administrator) self(acc Account) bool {
	return adm.Actor.UserID != nil && *adm.Actor.UserID == acc.User.ID
}

// errOutsideScope hides an account the administrator may not manage.
func errOutsideScope() error { return ErrNoSuchUser() }

// ErrNoSuchUser answers for an account that does not exist, or that the
// caller may not know of: both read the same.
func ErrNoSuchUser() *Error { return Errorf(ENotFound, "no such user").Keyed("problem.user_unknown") }

// CheckAdminister is the gate of every account change and read of one
// account: outside the administrator's scope the account does not exist.
func (adm Administrator) CheckAdminister(acc Account) error {
	if !adm.Administers(acc) {
		return errOutsideScope()
	}
	return nil
}

// CheckGrant decides whether acc may be given role at the node at path
// ("" when no such node exists). An account linked to a candidate may hold
// no role over that candidate's own node or any node above it (other than
// the candidate role itself): whoever holds one could score, propose or
// review themselves. The candidate role is for such an account only: it
// shows a person their own record, and an account without one has none.
func (adm Administrator) CheckGrant(acc Account, role Role, path string) error {
	if err := role.Check(); err != nil {
		return err
	}
	if err := adm.CheckAdminister(acc); err != nil {
		return err
	}
	if path == "" {
		return FieldProblem(EInvalid, "org_id", "problem.org_unknown", "organisation does not exist")
	}
	if role != RoleCandidate && acc.CandidatePath != "" && PathContains(path, acc.CandidatePath) {
		return FieldProblem(ERule, "role", "problem.grant_over_own_candidacy",
			"an account linked to a candidate cannot hold a role over that candidate's own organisation")
	}
	if role == RoleCandidate && acc.CandidateID == nil {
		return FieldProblem(EInvalid, "role", "problem.candidate_role_unlinked",
			"only an account linked to a candidate can hold the candidate role")
	}
	return nil
}

// CheckRevoke decides whether the grant of role at the node at path may be
// taken from acc. rootAdmins counts the enabled accounts holding org_admin
// at that node when it is a root: the last of them is never revoked, or
// nobody could administer the tree again. An administrator's own last
// org_admin grant goes only with a confirmation.
func (adm Administrator) CheckRevoke(acc Account, role Role, path string, isRoot bool, rootAdmins int) error {
	if err := adm.CheckAdminister(acc); err != nil {
		return err
	}
	if role != RoleOrgAdmin {
		return nil
	}
	if isRoot && rootAdmins <= 1 && !acc.User.Disabled {
		return FieldProblem(ERule, "role", "problem.last_root_admin", "this is the last administrator of the whole tree; grant another one first")
	}
	if adm.self(acc) && !adm.Confirmed && countRole(acc.Grants, RoleOrgAdmin) <= 1 {
		return FieldProblem(ERule, "confirm", "problem.confirm_required", "this is your own last administrator grant; confirm to give it up")
	}
	return nil
}

// CheckDisable decides whether acc may be switched off. lastRootAdmin says
// that acc holds the only enabled org_admin grant at some root. Disabling
// oneself needs a confirmation.
func (adm Administrator) CheckDisable(acc Account, lastRootAdmin bool) error {
	if err := adm.CheckAdminister(acc); err != nil {
		return err
	}
	if lastRootAdmin {
		return FieldProblem(ERule, "username", "problem.last_root_admin", "this is the last administrator of the whole tree; grant another one first")
	}
	if adm.self(acc) && !adm.Confirmed {
		// The field keeps the code confirm_required that clients act on;
		// the message says what is being confirmed.
		return FieldProblem(ERule, "confirm", "problem.confirm_required", "you are about to disable your own account; confirm to go on").
			Keyed("problem.confirm_disable_self")
	}
	return nil
}

func countRole(grants []Grant, r Role) int {
	n := 0
	for _, g := range grants {
		if g.Role == r {
			n++
		}
	}
	return n
}

// CheckNotSelf is the one rule that nobody records points for, submits for,
// decides on or reviews their own candidacy: actorCandidate is the candidate
// the acting account is linked to (nil when none), target the candidate the
// action is about.
func CheckNotSelf(actorCandidate *int64, target int64) error {
	if actorCandidate != nil && target != 0 && *actorCandidate == target {
		return &Error{Code: EForbidden, Message: "nobody may act on their own candidacy",
			Fields: map[string]string{"candidate_id": "own_candidacy"}}
	}
	return nil
}
