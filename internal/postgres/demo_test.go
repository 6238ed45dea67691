package postgres_test

import (
	"reflect"
	"testing"
	"time"

	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
	"seedling/seeds"
)

// openDemoTestDB gives the test an empty migrated database of its own.
func openDemoTestDB(t *testing.T) *postgres.DB { return testdb.New(t) }

type demoSnapshot struct {
	Orgs       map[string]string // code → path
	Candidates map[string]string // code → org, stage and dates
}

func takeDemoSnapshot(t *testing.T, db *postgres.DB) demoSnapshot {
	t.Helper()
	s := demoSnapshot{Orgs: map[string]string{}, Candidates: map[string]string{}}
	var orgs []struct{ Code, Path string }
	if err := db.SelectContext(t.Context(), &orgs, `SELECT code, path FROM orgs`); err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		s.Orgs[o.Code] = o.Path
	}
	var cands []struct{ Code, Row string }
	if err := db.SelectContext(t.Context(), &cands, `
		SELECT c.code, concat_ws('|', o.code, c.stage, c.applied_on, c.activist_since, c.stage_since) AS row
		FROM candidates c JOIN orgs o ON o.id = c.org_id`); err != nil {
		t.Fatal(err)
	}
	for _, c := range cands {
		s.Candidates[c.Code] = c.Row
	}
	return s
}

func TestLoadDemoTwice(t *testing.T) {
	db := openDemoTestDB(t)
	ctx := t.Context()
	d, err := seeds.Demo(seedling.Today(time.Now()))
	if err != nil {
		t.Fatal(err)
	}

	if err := db.LoadDemo(ctx, d); err != nil {
		t.Fatalf("first load: %v", err)
	}
	first := takeDemoSnapshot(t, db)
	if err := db.LoadDemo(ctx, d); err != nil {
		t.Fatalf("second load: %v", err)
	}
	second := takeDemoSnapshot(t, db)

	if len(second.Orgs) != len(d.Orgs) || len(second.Candidates) != len(d.Candidates) {
		t.Errorf("after two loads: %d orgs and %d candidates, want %d and %d",
			len(second.Orgs), len(second.Candidates), len(d.Orgs), len(d.Candidates))
	}
	if !reflect.DeepEqual(first, second) {
		t.Error("the second load changed rows written by the first")
	}

	// An empty field in the dataset must arrive as NULL, not as '' or a
	// zero date.
	var noGroup, noActivistSince, wantNoGroup, wantNoActivistSince int
	for _, c := range d.Candidates {
		if c.PriorityGroup == "" {
			wantNoGroup++
		}
		if c.ActivistSince == "" {
			wantNoActivistSince++
		}
	}
	if err := db.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE priority_group IS NULL), count(*) FILTER (WHERE activist_since IS NULL)
		FROM candidates`).Scan(&noGroup, &noActivistSince); err != nil {
		t.Fatal(err)
	}
	if noGroup != wantNoGroup || noActivistSince != wantNoActivistSince {
		t.Errorf("NULL priority_group %d, NULL activist_since %d; want %d and %d",
			noGroup, noActivistSince, wantNoGroup, wantNoActivistSince)
	}
	if got, want := second.Candidates["activist-a"], "branch-a|activist|2025-03-10|2025-09-15|2025-09-15"; got != want {
		t.Errorf("activist-a stored as %q, want %q", got, want)
	}

	var stages []string
	if err := db.SelectContext(ctx, &stages, `SELECT DISTINCT stage FROM candidates`); err != nil {
		t.Fatal(err)
	}
	if len(stages) != len(seedling.Stages) {
		t.Errorf("stages present: %v, want all of %v", stages, seedling.Stages)
	}

	var committees, branches int
	if err := db.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE kind = 'committee'), count(*) FILTER (WHERE kind = 'branch')
		FROM orgs`).Scan(&committees, &branches); err != nil {
		t.Fatal(err)
	}
	if committees < 3 || branches < 10 {
		t.Errorf("%d committees and %d branches, want at least 3 and 10", committees, branches)
	}

	// Scope tests later put a secretary of branch-a next to branch-b and
	// expect a committee to see one and not the other.
	var shared []string
	if err := db.SelectContext(ctx, &shared, `
		SELECT c.code FROM orgs c, orgs a, orgs b
		WHERE c.kind = 'committee' AND a.code = 'branch-a' AND b.code = 'branch-b'
		  AND a.path LIKE c.path || '%' AND b.path LIKE c.path || '%'`); err != nil {
		t.Fatal(err)
	}
	if len(shared) > 0 {
		t.Errorf("branch-a and branch-b share committee(s) %v", shared)
	}
	if a, b := second.Orgs["branch-a"], second.Orgs["branch-b"]; a == "" || b == "" {
		t.Errorf("branch-a at %q, branch-b at %q: both must exist", a, b)
	}
}

func TestLoadDemoRejectsInvalidDataset(t *testing.T) {
	db := openDemoTestDB(t)
	d, err := seeds.Demo(seedling.Today(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	d.Candidates[0].Org = "no-such-branch"
	err = db.LoadDemo(t.Context(), d)
	if seedling.ErrorCode(err) != seedling.EInvalid {
		t.Fatalf("LoadDemo = %v, want an invalid error", err)
	}
	var n int
	if err := db.GetContext(t.Context(), &n, `SELECT count(*) FROM orgs`); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d orgs written from an invalid dataset, want none", n)
	}
}

// The demo shows the late-record step (补录, 细则 review item 8): a waiting
// proposal dated more than the rule set's days before it was sent, with
// the reason; and probationary members, whose membership can be cancelled
// (取消预备党员资格, 细则 第三十二条).
func TestDemoShowsLateRecordAndProbation(t *testing.T) {
	db := testdb.NewDemo(t)
	var late int
	if err := db.GetContext(t.Context(), &late, `
		SELECT count(*) FROM submissions s JOIN candidates c ON c.id = s.candidate_id
		WHERE s.state = 'pending' AND s.facts ? 'late_reason'
		  AND submitted_at::date - (s.facts->>'decided_on')::date > 30`); err != nil {
		t.Fatal(err)
	}
	if late == 0 {
		t.Error("no waiting late-recorded (补录) proposal in the demo")
	}
	var probationary int
	if err := db.GetContext(t.Context(), &probationary, `SELECT count(*) FROM candidates WHERE stage = 'probationary' AND probation_since IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	if probationary < 2 {
		t.Errorf("%d probationary members, want some to extend and cancel", probationary)
	}
}
