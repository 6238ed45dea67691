package seedling

import "testing"

func TestAdministersOnlyAccountsWhollyInside(t *testing.T) {
	township := Administrator{Roots: []string{"/1/2/"}}
	city := Administrator{Roots: []string{"/1/"}}
	cases := []struct {
		name       string
		acc        Account
		township   bool
		cityWanted bool
	}{
		{"a secretary of the township", Account{Grants: []Grant{{Role: RoleSecretary, OrgPath: "/1/2/3/"}}}, true, true},
		{"the city's administrator", Account{Grants: []Grant{{Role: RoleOrgAdmin, OrgPath: "/1/"}}}, false, true},
		{"one grant inside, one outside", Account{Grants: []Grant{{OrgPath: "/1/2/3/"}, {OrgPath: "/1/20/"}}}, false, true},
		{"a candidate of another township", Account{CandidatePath: "/1/20/21/", Grants: []Grant{{Role: RoleCandidate, OrgPath: "/1/20/21/"}}}, false, true},
		{"fresh, opened in the township", Account{HomePath: "/1/2/"}, true, true},
		{"fresh, opened by the city", Account{HomePath: "/1/"}, false, true},
		{"fresh, opened from the command line", Account{}, false, true},
	}
	for _, c := range cases {
		if got := township.Administers(c.acc); got != c.township {
			t.Errorf("%s: township administers %v, want %v", c.name, got, c.township)
		}
		if got := city.Administers(c.acc); got != c.cityWanted {
			t.Errorf("%s: city administers %v, want %v", c.name, got, c.cityWanted)
		}
	}
}

func TestAccountRules(t *testing.T) {
	me := int64(1)
	adm := Administrator{Actor: Actor{UserID: &me}, Roots: []string{"/1/"}}
	seven := int64(7)
	linked := Account{User: User{ID: 2}, CandidateID: &seven, CandidatePath: "/1/2/3/"}
	if err := adm.CheckGrant(linked, RoleSecretary, "/1/2/3/"); ErrorCode(err) != ERule {
		t.Errorf("a role at the candidate's own branch: %v", err)
	}
	if err := adm.CheckGrant(linked, RoleCommittee, "/1/2/"); ErrorCode(err) != ERule {
		t.Errorf("a role above the candidate's branch: %v", err)
	}
	if err := adm.CheckGrant(linked, RoleSecretary, "/1/2/4/"); err != nil {
		t.Errorf("a role at another branch: %v", err)
	}
	if err := adm.CheckGrant(linked, RoleCandidate, "/1/2/3/"); err != nil {
		t.Errorf("the candidate role itself: %v", err)
	}
	self := Account{User: User{ID: 1}, Grants: []Grant{{Role: RoleOrgAdmin, OrgPath: "/1/"}}}
	if err := adm.CheckRevoke(self, RoleOrgAdmin, "/1/", true, 1); ErrorCode(err) != ERule {
		t.Errorf("the last root administrator: %v", err)
	}
	if err := adm.CheckRevoke(self, RoleOrgAdmin, "/1/", true, 2); ErrorCode(err) != ERule {
		t.Errorf("one's own last administrator grant, unconfirmed: %v", err)
	}
	adm.Confirmed = true
	if err := adm.CheckRevoke(self, RoleOrgAdmin, "/1/", true, 2); err != nil {
		t.Errorf("confirmed: %v", err)
	}
	if err := adm.CheckDisable(self, true); ErrorCode(err) != ERule {
		t.Errorf("disabling the last root administrator, even confirmed: %v", err)
	}
	cand := int64(7)
	if ErrorCode(CheckNotSelf(&cand, 7)) != EForbidden || CheckNotSelf(&cand, 8) != nil || CheckNotSelf(nil, 7) != nil {
		t.Error("CheckNotSelf")
	}
}

// A grant names a known role at a node that exists, and the candidate role
// (a person's view of their own record) goes only to an account linked to
// a candidate; each refusal is coded for the reader's language.
func TestGrantNeedsAKnownRoleANodeAndForTheCandidateRoleALinkedAccount(t *testing.T) {
	adm := Administrator{Roots: []string{"/1/"}}
	seven := int64(7)
	plain := Account{User: User{ID: 2}, Grants: []Grant{{Role: RoleMember, OrgPath: "/1/2/"}}}
	linked := Account{User: User{ID: 3}, CandidateID: &seven, CandidatePath: "/1/2/3/"}
	cases := []struct {
		name  string
		acc   Account
		role  Role
		path  string
		field string
		key   string
	}{
		{"a role nobody knows", plain, "king", "/1/2/", "role", "problem.role_unknown"},
		{"a node that does not exist", plain, RoleSecretary, "", "org_id", "problem.org_unknown"},
		{"the candidate role for an unlinked account", plain, RoleCandidate, "/1/2/", "role", "problem.candidate_role_unlinked"},
		{"a role over one's own candidacy", linked, RoleSecretary, "/1/2/", "role", "problem.grant_over_own_candidacy"},
		{"the candidate role for a linked account", linked, RoleCandidate, "/1/2/3/", "", ""},
		{"a secretary elsewhere", plain, RoleSecretary, "/1/4/", "", ""},
	}
	for _, tc := range cases {
		err := adm.CheckGrant(tc.acc, tc.role, tc.path)
		e, _ := err.(*Error)
		switch {
		case tc.key == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.key != "" && (e == nil || e.Key != tc.key || e.FieldKeys[tc.field].Key != tc.key):
			t.Errorf("%s: %v, want %s on %s", tc.name, err, tc.key, tc.field)
		}
	}
	if e, _ := (Administrator{Roots: []string{"/9/"}}).CheckGrant(plain, RoleSecretary, "/1/2/").(*Error); e == nil || e.Code != ENotFound || e.Key != "problem.user_unknown" {
		t.Errorf("an account outside the administrator's scope: %v", e)
	}
}
