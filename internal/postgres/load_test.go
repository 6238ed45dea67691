package postgres_test

import (
	"testing"

	"seedling/internal/postgres"
	"seedling/internal/testdb"
)

// A load that breaks a constraint partway leaves nothing behind: not the
// rows of the tables before it, not the rows skipped as existing, not a
// run's mark.
func TestCopyHistoryRefusesBrokenRowsLeavingNothing(t *testing.T) {
	db := testdb.New(t)
	ctx := t.Context()
	orgID, err := db.ReserveIDs(ctx, "orgs", 1)
	if err != nil {
		t.Fatal(err)
	}
	orgs := postgres.HistoryTable{Name: "orgs", Columns: []string{"id", "parent_id", "kind", "name", "code"}, SkipExisting: true,
		Rows: func(put func(values ...any) error) error { return put(orgID, nil, "city", "汝州", "load-root") }}
	if n, err := db.CopyHistory(ctx, nil, []postgres.HistoryTable{orgs}); err != nil || n["orgs"] != 1 {
		t.Fatalf("first load: %v %v", n, err)
	}
	// Loaded again, the existing node is skipped, not an error.
	if n, err := db.CopyHistory(ctx, nil, []postgres.HistoryTable{orgs}); err != nil || n["orgs"] != 0 {
		t.Fatalf("second load: %v %v, want nothing written", n, err)
	}
	for _, skip := range []bool{false, true} {
		child := postgres.HistoryTable{Name: "orgs", Columns: []string{"parent_id", "kind", "name", "code"}, SkipExisting: skip,
			Rows: func(put func(values ...any) error) error { return put(orgID, "committee", "党工委", "load-child") }}
		bad := postgres.HistoryTable{Name: "candidates", Columns: []string{"org_id", "code", "name", "gender", "stage", "applied_on", "stage_since"}, SkipExisting: skip,
			Rows: func(put func(values ...any) error) error {
				// No such node: the foreign key refuses it.
				return put(orgID+1000, "load-c", "某", "女", "applicant", "2025-01-01", "2025-01-01")
			}}
		if _, err := db.CopyHistory(ctx, &postgres.SyntheticRun{Seed: 1}, []postgres.HistoryTable{orgs, child, bad}); err == nil {
			t.Fatalf("skip existing %v: a candidate under no node was loaded", skip)
		}
		var orgCount, candidates, runs int
		if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM orgs), (SELECT count(*) FROM candidates), (SELECT count(*) FROM synthetic_runs)`).
			Scan(&orgCount, &candidates, &runs); err != nil {
			t.Fatal(err)
		}
		if orgCount != 1 || candidates != 0 || runs != 0 {
			t.Errorf("skip existing %v: after a refused load %d orgs, %d candidates, %d runs; want 1, 0, 0", skip, orgCount, candidates, runs)
		}
	}
}
