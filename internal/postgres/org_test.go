package postgres_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

var system = seedling.Actor{Username: "test"}

// Moving a subtree rewrites every descendant's path in one go, so the prefix
// filter and the scopes granted inside it follow the move.
func TestMoveSubtreeKeepsDescendantsConsistent(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	ctx := t.Context()
	orgs := db.Orgs()
	branch, _ := orgs.ByCode(ctx, "branch-a")
	oldCommittee, _ := orgs.ByID(ctx, *branch.ParentID)
	other, _ := orgs.ByCode(ctx, "mangchuan")
	before, err := orgs.Under(ctx, []string{branch.Path})
	if err != nil || len(before) < 2 {
		t.Fatalf("branch-a subtree: %v %d", err, len(before))
	}
	if err := orgs.Move(ctx, system, branch.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	moved, _ := orgs.ByID(ctx, branch.ID)
	if !strings.HasPrefix(moved.Path, other.Path) {
		t.Fatalf("moved path %s not under %s", moved.Path, other.Path)
	}
	after, _ := orgs.Under(ctx, []string{moved.Path})
	if len(after) != len(before) {
		t.Fatalf("subtree had %d nodes, now %d", len(before), len(after))
	}
	for _, o := range after {
		if !strings.HasPrefix(o.Path, moved.Path) {
			t.Fatalf("descendant %s left behind", o.Path)
		}
	}
	// Nothing of branch A is under its old committee any more...
	left, _ := orgs.Under(ctx, []string{oldCommittee.Path})
	for _, o := range left {
		if o.ID == branch.ID {
			t.Fatal("branch still under its old committee")
		}
	}
	// ...and its secretary's scope moved with it: candidates are found
	// under the new committee.
	p, err := db.Users().Principal(ctx, mustUserID(t, db, "secretary"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.Grants[0].OrgPath, other.Path) {
		t.Fatalf("secretary's grant path %s did not follow the move", p.Grants[0].OrgPath)
	}
	list, _ := db.Candidates().List(ctx, postgres.CandidateFilter{Roots: []string{other.Path}})
	found := false
	for _, c := range list {
		found = found || c.OrgID == branch.ID
	}
	if !found {
		t.Fatal("branch A's candidates are not found under the new committee")
	}
}

func TestMoveRefusesCyclesAndWrongKinds(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	ctx := t.Context()
	orgs := db.Orgs()
	branch, _ := orgs.ByCode(ctx, "branch-a")
	group, _ := orgs.ByCode(ctx, "branch-a-g1")
	city, _ := orgs.ByCode(ctx, "ruzhou")
	committee, _ := orgs.ByID(ctx, *branch.ParentID)
	cases := []struct {
		name         string
		node, parent int64
		key          string
	}{
		{"a committee under its own branch", committee.ID, branch.ID, "problem.org_move_into_itself"},
		{"a node under itself", branch.ID, branch.ID, "problem.org_move_into_itself"},
		{"a group under the city", group.ID, city.ID, "problem.org_place_group"},
		{"a branch under no node", branch.ID, 1 << 40, "problem.org_parent_missing"},
	}
	for _, tc := range cases {
		err := orgs.Move(ctx, system, tc.node, tc.parent)
		e := &seedling.Error{}
		if !errors.As(err, &e) || e.Code != seedling.EInvalid || e.Key != tc.key || e.FieldKeys["parent_id"].Key != tc.key {
			t.Errorf("%s: %v (key %q), want %s", tc.name, err, e.Key, tc.key)
		}
	}
	if _, err := orgs.Create(ctx, system, nil, seedling.KindBranch, "无上级支部"); seedling.ErrorCode(err) != seedling.EInvalid {
		t.Errorf("a branch as a root: %v", err)
	}
}

// The subtree filter is one indexed prefix scan.
func TestSubtreeFilterUsesTheIndex(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	// Enough nodes that the planner prefers the index over a scan.
	if _, err := db.Exec(`
		INSERT INTO orgs (kind, name) VALUES ('city', '市');
		INSERT INTO orgs (parent_id, kind, name) SELECT 1, 'committee', '委' || g FROM generate_series(1, 5000) g;
		ANALYZE orgs;`); err != nil {
		t.Fatal(err)
	}
	var plan []string
	if err := db.Select(&plan, `EXPLAIN SELECT id FROM orgs WHERE path LIKE '/1/77/' || '%'`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(plan, "\n"), "orgs_path_prefix") {
		t.Fatalf("subtree filter does not use orgs_path_prefix:\n%s", strings.Join(plan, "\n"))
	}
}

// Every migration can be rolled back and applied again: Down sections are
// kept honest.
func TestMigrationsGoDownAndUpAgain(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := t.Context()
	st, err := db.MigrateStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range st {
		if err := db.MigrateDown(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	var tables int
	db.Get(&tables, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version'`)
	if tables != 0 {
		t.Fatalf("%d tables left after rolling everything back", tables)
	}
	if err := db.MigrateUp(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(ctx); err != nil {
		t.Fatal(err)
	}
}

func mustUserID(t *testing.T, db *postgres.DB, name string) int64 {
	u, err := db.Users().ByUsername(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// Two moves at once, A under B and B under A, never make a cycle, and a
// node added meanwhile under A gets A's path after the move: the tree's
// lock orders them, so the second move sees the first and is refused.
func TestConcurrentMovesCannotMakeACycle(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	ctx := t.Context()
	orgs := db.Orgs()
	city, _ := orgs.ByCode(ctx, "ruzhou")
	a, err := orgs.Create(ctx, system, &city.ID, seedling.KindCommittee, "甲工委")
	if err != nil {
		t.Fatal(err)
	}
	b, err := orgs.Create(ctx, system, &city.ID, seedling.KindCommittee, "乙工委")
	if err != nil {
		t.Fatal(err)
	}
	for round := range 30 {
		errs := make(chan error, 2)
		added := make(chan error, 1)
		start := make(chan struct{})
		for _, m := range [][2]int64{{a.ID, b.ID}, {b.ID, a.ID}} {
			go func() {
				<-start
				errs <- orgs.Move(ctx, system, m[0], m[1])
			}()
		}
		go func() {
			<-start
			_, err := orgs.Create(ctx, system, &a.ID, seedling.KindBranch, fmt.Sprintf("新支部%d", round))
			added <- err
		}()
		close(start)
		if err := <-added; err != nil {
			t.Fatalf("round %d: adding a branch: %v", round, err)
		}
		var refused int
		for range 2 {
			if err := <-errs; err != nil {
				if seedling.ErrorCode(err) != seedling.EInvalid && seedling.ErrorCode(err) != seedling.EConflict {
					t.Fatalf("round %d: %v", round, err)
				}
				refused++
			}
		}
		var broken int
		if err := db.Get(&broken, `
			WITH RECURSIVE up AS (
				SELECT id, parent_id, 0 AS depth FROM orgs
				UNION ALL
				SELECT up.id, p.parent_id, up.depth + 1 FROM up JOIN orgs p ON p.id = up.parent_id WHERE up.depth < 50)
			SELECT (SELECT count(DISTINCT id) FROM up WHERE depth >= 50)
			     + (SELECT count(*) FROM orgs c JOIN orgs p ON p.id = c.parent_id WHERE c.path <> p.path || c.id || '/')`); err != nil {
			t.Fatal(err)
		}
		if broken != 0 || refused != 1 {
			t.Fatalf("round %d: %d nodes in a cycle or with a stale path, %d moves refused (want 0 and 1)", round, broken, refused)
		}
		for _, id := range []int64{a.ID, b.ID} {
			if err := orgs.Move(ctx, system, id, city.ID); err != nil {
				t.Fatalf("round %d: moving back: %v", round, err)
			}
		}
	}
}
