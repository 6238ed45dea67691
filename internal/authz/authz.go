// Package authz decides who may do what where. casbin answers "may this role
// do this action on this kind of object" over the small policy in policies/;
// "is this object inside one of the caller's grants" is a path-prefix test in
// Go over the grants loaded with the session. Splitting the two keeps a
// decision at a few microseconds however many grants exist, which a casbin
// domain pattern per grant would not (see policies/model.conf).
package authz

import (
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

	"seedling/internal/seedling"
	"seedling/policies"
)

// Object kinds and actions, as written in policies/policy.csv.
const (
	Org             = "org"
	Account         = "account"
	Candidate       = "candidate"
	Ledger          = "ledger"
	Evidence        = "evidence"
	Rubric          = "rubric"
	Quota           = "quota"
	Submission      = "submission"
	PoliticalReview = "political_review"
	Display         = "display"
	ParentDisplay   = "parent_display" // the displays of the node directly above a grant
	Objection       = "objection"
	DisplaySettings = "display_settings"
	Calendar        = "calendar"
	Audit           = "audit"
	Stats           = "stats"
	IdentityNumber  = "id_number" // a candidate's identity number in full, not masked

	Read    = "read"
	Write   = "write"
	Create  = "create"
	Decide  = "decide"
	Publish = "publish"
	Resolve = "resolve"
	Split   = "split"
	Mask    = "mask"
)

// selfOnly lists the objects a candidate may reach only on their own record;
// for them the branch grant is not enough.
var selfOnly = map[string]bool{Candidate: true, Ledger: true, Evidence: true, Submission: true, PoliticalReview: true}

// notOnSelf lists the actions nobody may take on their own candidacy,
// whatever role they hold: scoring, proposing, deciding and reviewing.
var notOnSelf = map[[2]string]bool{
	{Ledger, Write}: true, {Evidence, Write}: true, {Submission, Create}: true,
	{Submission, Decide}: true, {PoliticalReview, Write}: true,
}

// upward lists the permissions that reach one node above a grant, each with
// the policy object a role must hold (with the same action) for it to: a
// party group leader reads the displays of the branch above the group. The
// reach never extends to a target that names a candidate, because a
// pre-admission notice is checked as a display read at the person's node and
// the leader's scope over people stays the group.
var upward = map[[2]string]string{{Display, Read}: ParentDisplay}

// Authorizer makes every access decision.
type Authorizer struct {
	// The cached enforcer remembers each (role, object, action) answer; the
	// key space is the policy's few hundred triples, so the cache is bounded,
	// and it is invalidated whenever the policy is reloaded.
	e *casbin.SyncedCachedEnforcer
}

// New loads the embedded model and policy.
func New() (*Authorizer, error) {
	return NewFromText(policies.Model, policies.Policy)
}

// NewFromText builds an authorizer from a model and a policy in casbin's text
// form; tests use it to prove that an empty policy denies everything.
func NewFromText(modelText, policyText string) (*Authorizer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("casbin model: %w", err)
	}
	var e *casbin.SyncedCachedEnforcer
	if rules := stripComments(policyText); rules == "" {
		// The string adapter refuses empty text; no adapter means no rules.
		e, err = casbin.NewSyncedCachedEnforcer(m)
	} else {
		e, err = casbin.NewSyncedCachedEnforcer(m, stringadapter.NewAdapter(rules))
	}
	if err != nil {
		return nil, fmt.Errorf("casbin policy: %w", err)
	}
	return &Authorizer{e: e}, nil
}

// stripComments drops comment and blank lines, which the string adapter
// would otherwise read as rules.
func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		b.WriteString(t)
		b.WriteByte('\n')
	}
	return b.String()
}

// RoleMay reports whether the role holds the permission anywhere.
func (a *Authorizer) RoleMay(role seedling.Role, obj, act string) bool {
	ok, err := a.e.Enforce(string(role), obj, act)
	return err == nil && ok
}

// Target is the object of a decision: the node it lives at and, for a
// candidate's own records, whose record it is.
type Target struct {
	Path        string
	CandidateID int64
}

// Check decides one action on one object. It answers ENotFound when no grant
// of the caller reaches the object, so that its existence is not revealed, and
// EForbidden when a grant reaches it but no role there allows the action,
// or when the action is one nobody takes on their own candidacy.
// On success it returns the grant that allowed it, for the audit row.
func (a *Authorizer) Check(p *seedling.Principal, t Target, obj, act string) (seedling.Grant, error) {
	if p == nil {
		return seedling.Grant{}, seedling.Errorf(seedling.EUnauthorized, "please log in").Keyed("error.unauthorized")
	}
	inScope := false
	for _, g := range p.Grants {
		if !reaches(p, g, t, obj) && !a.reachesUp(g, t, obj, act) {
			continue
		}
		inScope = true
		if a.RoleMay(g.Role, obj, act) {
			if notOnSelf[[2]string{obj, act}] {
				if err := seedling.CheckNotSelf(p.CandidateID, t.CandidateID); err != nil {
					return seedling.Grant{}, err
				}
			}
			return g, nil
		}
	}
	if !inScope {
		return seedling.Grant{}, seedling.NotFound()
	}
	return seedling.Grant{}, seedling.Errorf(seedling.EForbidden, "your role may not do this here").Keyed("error.forbidden")
}

func reaches(p *seedling.Principal, g seedling.Grant, t Target, obj string) bool {
	if !seedling.PathContains(g.OrgPath, t.Path) {
		return false
	}
	if g.Role == seedling.RoleCandidate && selfOnly[obj] {
		return p.CandidateID != nil && t.CandidateID == *p.CandidateID && t.CandidateID != 0
	}
	return true
}

// reachesUp reports whether the grant reaches the target as the node
// directly above it, by the upward table.
func (a *Authorizer) reachesUp(g seedling.Grant, t Target, obj, act string) bool {
	above, ok := upward[[2]string{obj, act}]
	if !ok || t.CandidateID != 0 {
		return false
	}
	parent := seedling.ParentPath(g.OrgPath)
	return parent != "" && t.Path == parent && a.RoleMay(g.Role, above, act)
}

// Nodes lists the single nodes, outside the subtrees Roots gives, where the
// caller may perform act on obj: the nodes reached upward (see upward). A
// list query matches them exactly, not with their subtrees.
func (a *Authorizer) Nodes(p *seedling.Principal, obj, act string) []string {
	above, ok := upward[[2]string{obj, act}]
	if p == nil || !ok {
		return nil
	}
	roots := a.Roots(p, obj, act)
	var nodes []string
	for _, g := range p.Grants {
		parent := seedling.ParentPath(g.OrgPath)
		if parent == "" || !a.RoleMay(g.Role, above, act) || Covers(roots, parent) || Covers(nodes, parent) {
			continue
		}
		nodes = append(nodes, parent)
	}
	return nodes
}

// Covers reports whether path lies in one of the subtrees at roots.
func Covers(roots []string, path string) bool {
	for _, r := range roots {
		if seedling.PathContains(r, path) {
			return true
		}
	}
	return false
}

// Roots lists the subtrees in which the caller may perform act on obj: the
// scope filter of every list query. Candidate grants on self-only objects add
// nothing here; the caller's own record is reached by id.
func (a *Authorizer) Roots(p *seedling.Principal, obj, act string) []string {
	if p == nil {
		return nil
	}
	var roots []string
	for _, g := range p.Grants {
		if g.Role == seedling.RoleCandidate && selfOnly[obj] {
			continue
		}
		if a.RoleMay(g.Role, obj, act) {
			roots = append(roots, g.OrgPath)
		}
	}
	return minimalRoots(roots)
}

// minimalRoots drops paths inside other paths of the list, so a query never
// scans a subtree twice.
func minimalRoots(paths []string) []string {
	var out []string
	for i, p := range paths {
		covered := false
		for j, q := range paths {
			if i != j && seedling.PathContains(q, p) && (q != p || j < i) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}
