package authz

import (
	"fmt"
	"sync"
	"testing"

	"seedling/internal/seedling"
	"seedling/policies"
)

func principal(cand *int64, grants ...seedling.Grant) *seedling.Principal {
	return &seedling.Principal{User: seedling.User{ID: 1, Username: "u"}, Grants: grants, CandidateID: cand}
}

func grant(role seedling.Role, path string) seedling.Grant {
	return seedling.Grant{Role: role, OrgPath: path}
}

func mustNew(t testing.TB) *Authorizer {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestEmptyPolicyDeniesEverything(t *testing.T) {
	a, err := NewFromText(policies.Model, "# nothing granted\n")
	if err != nil {
		t.Fatal(err)
	}
	p := principal(nil, grant(seedling.RoleOrgAdmin, "/1/"))
	for _, obj := range []string{Org, Candidate, Ledger, Audit, Account} {
		for _, act := range []string{Read, Write, Decide} {
			if _, err := a.Check(p, Target{Path: "/1/2/"}, obj, act); seedling.ErrorCode(err) != seedling.EForbidden {
				t.Fatalf("%s %s allowed by an empty policy: %v", obj, act, err)
			}
		}
	}
}

func TestCheck(t *testing.T) {
	a := mustNew(t)
	own := int64(7)
	cases := []struct {
		name   string
		p      *seedling.Principal
		target Target
		obj    string
		act    string
		want   string // "" allowed, else the error code
	}{
		{"secretary writes own branch", principal(nil, grant(seedling.RoleSecretary, "/1/12/")), Target{Path: "/1/12/"}, Ledger, Write, ""},
		{"secretary writes a group below", principal(nil, grant(seedling.RoleSecretary, "/1/12/")), Target{Path: "/1/12/40/"}, Ledger, Write, ""},
		{"no prefix confusion 12 vs 123", principal(nil, grant(seedling.RoleSecretary, "/1/12/")), Target{Path: "/1/123/"}, Ledger, Read, seedling.ENotFound},
		{"secretary cannot decide", principal(nil, grant(seedling.RoleSecretary, "/1/12/")), Target{Path: "/1/12/"}, Submission, Decide, seedling.EForbidden},
		{"committee reads below", principal(nil, grant(seedling.RoleCommittee, "/1/")), Target{Path: "/1/12/"}, Ledger, Read, ""},
		{"committee cannot write ledgers", principal(nil, grant(seedling.RoleCommittee, "/1/")), Target{Path: "/1/12/"}, Ledger, Write, seedling.EForbidden},
		{"committee outside its subtree", principal(nil, grant(seedling.RoleCommittee, "/1/2/")), Target{Path: "/1/3/"}, Ledger, Read, seedling.ENotFound},
		{"two grants, the second allows", principal(nil, grant(seedling.RoleCommittee, "/1/"), grant(seedling.RoleSecretary, "/1/12/")), Target{Path: "/1/12/"}, Ledger, Write, ""},
		{"candidate reads own record", principal(&own, grant(seedling.RoleCandidate, "/1/12/")), Target{Path: "/1/12/", CandidateID: 7}, Ledger, Read, ""},
		{"candidate cannot read a neighbour", principal(&own, grant(seedling.RoleCandidate, "/1/12/")), Target{Path: "/1/12/", CandidateID: 8}, Ledger, Read, seedling.ENotFound},
		{"candidate reads branch display", principal(&own, grant(seedling.RoleCandidate, "/1/12/")), Target{Path: "/1/12/"}, Display, Read, ""},
		{"candidate cannot write own ledger", principal(&own, grant(seedling.RoleCandidate, "/1/12/")), Target{Path: "/1/12/", CandidateID: 7}, Ledger, Write, seedling.EForbidden},
		{"no grants at all", principal(nil), Target{Path: "/1/"}, Org, Read, seedling.ENotFound},
		{"no principal", nil, Target{Path: "/1/"}, Org, Read, seedling.EUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.Check(tc.p, tc.target, tc.obj, tc.act)
			got := ""
			if err != nil {
				got = seedling.ErrorCode(err)
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRootsDropNestedPaths(t *testing.T) {
	a := mustNew(t)
	p := principal(nil, grant(seedling.RoleCommittee, "/1/2/"), grant(seedling.RoleSecretary, "/1/2/5/"), grant(seedling.RoleSecretary, "/1/3/"), grant(seedling.RoleCommittee, "/1/2/"))
	got := a.Roots(p, Ledger, Read)
	if fmt.Sprint(got) != "[/1/2/ /1/3/]" {
		t.Fatalf("roots %v", got)
	}
	if got := a.Roots(p, Ledger, Write); fmt.Sprint(got) != "[/1/2/5/ /1/3/]" {
		t.Fatalf("write roots %v", got)
	}
}

// Decisions stay correct while the policy is reloaded under them; run with
// -race.
func TestConcurrentChecksWhilePolicyReloads(t *testing.T) {
	a := mustNew(t)
	p := principal(nil, grant(seedling.RoleSecretary, "/1/12/"))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			if err := a.e.LoadPolicy(); err != nil {
				t.Error(err)
				return
			}
		}
		close(stop)
	}()
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := a.Check(p, Target{Path: "/1/12/"}, Ledger, Write); err != nil {
					t.Errorf("allowed decision failed during reload: %v", err)
					return
				}
				if _, err := a.Check(p, Target{Path: "/1/12/"}, Submission, Decide); seedling.ErrorCode(err) != seedling.EForbidden {
					t.Errorf("denied decision changed during reload: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkCheck measures one decision for a caller holding a few grants,
// in a deployment with 100,000 grants: the cost does not depend on the
// total, because only the caller's own grants are consulted.
func BenchmarkCheck(b *testing.B) {
	a := mustNew(b)
	grants := make([]seedling.Grant, 0, 100000)
	for i := 0; i < 100000; i++ {
		grants = append(grants, grant(seedling.RoleSecretary, fmt.Sprintf("/1/%d/%d/", i%2000, i)))
	}
	p := principal(nil, grants[99997:]...) // a secretary of three branches
	target := Target{Path: grants[99999].OrgPath + "40/"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.Check(p, target, Ledger, Write); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckManyGrants is the worst case: one user holding 1,000 grants.
func BenchmarkCheckManyGrants(b *testing.B) {
	a := mustNew(b)
	var gs []seedling.Grant
	for i := 0; i < 1000; i++ {
		gs = append(gs, grant(seedling.RoleCommittee, fmt.Sprintf("/1/%d/", i)))
	}
	p := principal(nil, gs...)
	target := Target{Path: "/1/999/5/"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := a.Check(p, target, Ledger, Read); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad is the start-up cost of the enforcer.
func BenchmarkLoad(b *testing.B) {
	for i := 0; i < b.N; i++ {
		mustNew(b)
	}
}

// TestGroupLeaderReadsTheBranchDisplay: a party group leader reads the
// displays of the branch above the group, and only that: not a notice of a
// person there, not another branch's, not the branch's grandparent, and no
// other action on the branch.
func TestGroupLeaderReadsTheBranchDisplay(t *testing.T) {
	a := mustNew(t)
	leader := principal(nil, grant(seedling.RoleGroupLeader, "/1/12/40/"))
	cases := []struct {
		name     string
		target   Target
		obj, act string
		want     string
	}{
		{"the branch's display", Target{Path: "/1/12/"}, Display, Read, ""},
		{"the group's own display", Target{Path: "/1/12/40/"}, Display, Read, ""},
		{"a notice of the branch's candidate", Target{Path: "/1/12/", CandidateID: 9}, Display, Read, seedling.ENotFound},
		{"publishing the branch's display", Target{Path: "/1/12/"}, Display, Publish, seedling.ENotFound},
		{"objecting on the branch's display", Target{Path: "/1/12/"}, Objection, Create, seedling.ENotFound},
		{"the branch's candidates", Target{Path: "/1/12/"}, Candidate, Read, seedling.ENotFound},
		{"the committee above the branch", Target{Path: "/1/"}, Display, Read, seedling.ENotFound},
		{"a sibling group", Target{Path: "/1/12/41/"}, Display, Read, seedling.ENotFound},
		{"another branch", Target{Path: "/1/13/"}, Display, Read, seedling.ENotFound},
	}
	for _, c := range cases {
		_, err := a.Check(leader, c.target, c.obj, c.act)
		got := ""
		if err != nil {
			got = seedling.ErrorCode(err)
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q (%v)", c.name, got, c.want, err)
		}
	}
	// A secretary of the same branch gains nothing above it: the reach is
	// the group leader's by the policy, not everyone's.
	sec := principal(nil, grant(seedling.RoleSecretary, "/1/12/"))
	if _, err := a.Check(sec, Target{Path: "/1/"}, Display, Read); seedling.ErrorCode(err) != seedling.ENotFound {
		t.Errorf("secretary reads the committee's display: %v", err)
	}
	if got := a.Nodes(leader, Display, Read); len(got) != 1 || got[0] != "/1/12/" {
		t.Errorf("leader's display nodes %v, want [/1/12/]", got)
	}
	if got := a.Nodes(leader, Display, Publish); got != nil {
		t.Errorf("leader's publish nodes %v, want none", got)
	}
	// Holding the branch itself as well, the exact node adds nothing.
	both := principal(nil, grant(seedling.RoleGroupLeader, "/1/12/40/"), grant(seedling.RoleMember, "/1/12/"))
	if got := a.Nodes(both, Display, Read); got != nil {
		t.Errorf("nodes already under a root: %v", got)
	}
	if got := seedling.ParentPath("/1/"); got != "" {
		t.Errorf("a root's parent: %q", got)
	}
}
