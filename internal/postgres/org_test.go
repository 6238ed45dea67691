package postgres_test

import (
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
	if err := orgs.Move(ctx, system, committee.ID, branch.ID); seedling.ErrorCode(err) != seedling.EInvalid {
		t.Fatalf("moving a committee under its own branch: %v", err)
	}
	if err := orgs.Move(ctx, system, branch.ID, branch.ID); seedling.ErrorCode(err) != seedling.EInvalid {
		t.Fatalf("moving a node under itself: %v", err)
	}
	if err := orgs.Move(ctx, system, group.ID, city.ID); seedling.ErrorCode(err) != seedling.EInvalid {
		t.Fatalf("moving a group under the city: %v", err)
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
