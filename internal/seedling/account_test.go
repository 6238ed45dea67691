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
	linked := Account{User: User{ID: 2}, CandidatePath: "/1/2/3/"}
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
