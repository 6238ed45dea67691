package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"seedling/internal/display"
	"seedling/internal/pipeline"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

// verify re-hashes every display (the demo's and two more): one whose
// stored row was altered in SQL is named, with its node and period, and
// verify exits 1.
func TestVerifyNamesAnAlteredDisplay(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	ctx := context.Background()
	vars := map[string]string{"DATABASE_URL": testdb.DSN(db), "SEEDLING_EVIDENCE_DIR": t.TempDir()}
	db.Now = func() time.Time { return time.Date(2026, 10, 12, 2, 0, 0, 0, time.UTC) }
	a := seedling.Actor{Username: "test"}
	var ids []int64
	for _, code := range []string{"branch-a", "branch-b"} {
		org, err := db.Orgs().ByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := display.ParsePeriod("2026Q3")
		d, err := db.Displays().Create(ctx, a, org, p, pipeline.DefaultRegistry())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Displays().Publish(ctx, a, d.ID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	code, out, stderr := runCmd(t, vars, "", "verify")
	if code != 0 || !strings.Contains(out, " displays") {
		t.Fatalf("intact: exit %d, out %q, err %q", code, out, stderr)
	}
	for _, q := range []string{
		`ALTER TABLE display_rows DISABLE TRIGGER USER`,
		fmt.Sprintf(`UPDATE display_rows SET points = points + 5 WHERE display_id = %d AND candidate_id = (SELECT min(candidate_id) FROM display_rows WHERE display_id = %d)`, ids[1], ids[1]),
		`ALTER TABLE display_rows ENABLE TRIGGER USER`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr = runCmd(t, vars, "", "verify")
	if code != 1 || !strings.Contains(stderr, "1 of ") || !strings.Contains(stderr, " displays") {
		t.Fatalf("tampered: exit %d, out %q, err %q", code, out, stderr)
	}
	if !strings.Contains(out, fmt.Sprintf("BROKEN display %d (", ids[1])) || strings.Contains(out, fmt.Sprintf("BROKEN display %d (", ids[0])) || !strings.Contains(out, "2026Q3") {
		t.Fatalf("report: %q", out)
	}
}
