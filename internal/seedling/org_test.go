package seedling

import "testing"

// keyOf is the catalog key of err and of its one field, checked to agree.
func keyOf(t *testing.T, err error, field string) string {
	t.Helper()
	if err == nil {
		return ""
	}
	e, ok := err.(*Error)
	if !ok || e.Code != EInvalid {
		t.Fatalf("%v: want an invalid-input Error", err)
	}
	if e.FieldKeys[field].Key != e.Key {
		t.Errorf("%v: field %s is keyed %q, the error %q", err, field, e.FieldKeys[field].Key, e.Key)
	}
	return e.Key
}

// The tree has one shape: the city committee alone is a root, committees
// under the city or a committee, general branches under a committee,
// branches under a committee or a general branch, groups under a branch.
func TestOrgTreePlacementRules(t *testing.T) {
	cases := []struct {
		kind, parent OrgKind
		field, key   string
	}{
		{KindCity, "", "", ""},
		{KindCommittee, KindCity, "", ""},
		{KindCommittee, KindCommittee, "", ""},
		{KindGeneralBranch, KindCommittee, "", ""},
		{KindBranch, KindCommittee, "", ""},
		{KindBranch, KindGeneralBranch, "", ""},
		{KindGroup, KindBranch, "", ""},
		{KindCommittee, "", "parent_id", "problem.org_place_committee"},
		{KindBranch, "", "parent_id", "problem.org_place_branch"},
		{KindCity, KindCity, "kind", "problem.org_place_city"},
		{KindBranch, KindCity, "kind", "problem.org_place_branch"},
		{KindGroup, KindCommittee, "kind", "problem.org_place_group"},
		{KindGroup, KindGroup, "kind", "problem.org_place_group"},
		{KindGeneralBranch, KindGeneralBranch, "kind", "problem.org_place_general_branch"},
		{"ministry", KindCity, "kind", "problem.org_kind_unknown"},
	}
	for _, tc := range cases {
		if got := keyOf(t, CanPlace(tc.kind, tc.parent), tc.field); got != tc.key {
			t.Errorf("%s under %q: %q, want %q", tc.kind, tc.parent, got, tc.key)
		}
	}
}

// A subtree moves only where its root's kind may sit, and never under
// itself or its own descendants, which would cut it off as a cycle.
func TestOrgTreeMoveRules(t *testing.T) {
	city := Org{ID: 1, Kind: KindCity, Path: "/1/"}
	town := Org{ID: 2, Kind: KindCommittee, Path: "/1/2/"}
	town2 := Org{ID: 12, Kind: KindCommittee, Path: "/1/12/"}
	branch := Org{ID: 3, Kind: KindBranch, Path: "/1/2/3/"}
	group := Org{ID: 4, Kind: KindGroup, Path: "/1/2/3/4/"}
	cases := []struct {
		name         string
		node, parent Org
		key          string
	}{
		{"a branch to another township", branch, town2, ""},
		{"a township under another", town, town2, ""},
		{"a township under its own branch", town, branch, "problem.org_move_into_itself"},
		{"a branch under itself", branch, branch, "problem.org_move_into_itself"},
		{"a group under the city", group, city, "problem.org_place_group"},
		{"a branch under a group", branch, Org{ID: 5, Kind: KindGroup, Path: "/1/12/5/"}, "problem.org_place_branch"},
		// /1/2/ is no prefix of /1/12/ thanks to the trailing slash.
		{"a township under a township whose id it prefixes", town, town2, ""},
	}
	for _, tc := range cases {
		if got := keyOf(t, CanMove(tc.node, tc.parent), "parent_id"); got != tc.key {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.key)
		}
	}
}
