package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"seedling/internal/evidence"
	"seedling/internal/ledger"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

// verify passes on the demo ledgers, then names the entry whose points were
// changed in SQL and the evidence file replaced on disk, and exits 1.
func TestVerifyNamesWhatWasAlteredOutsideTheApplication(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	ctx := context.Background()
	dir := t.TempDir()
	vars := map[string]string{"DATABASE_URL": testdb.DSN(db), "SEEDLING_EVIDENCE_DIR": dir}

	store := evidence.NewDir(dir)
	photo := []byte("\xff\xd8\xff\xe0 a photo of the flood watch")
	info, err := store.Put(ctx, bytes.NewReader(photo), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	cand, err := db.Candidates().ByCode(ctx, "branch-a-03")
	if err != nil {
		t.Fatal(err)
	}
	pts := 6
	actor := seedling.Actor{Username: "test"}
	e, _, err := db.Ledger().Record(ctx, actor, cand.ID, ledger.Draft{Category: "critical_moment", Points: &pts,
		OccurredOn: seedling.Today(time.Now()).Format(seedling.DateLayout), Description: "防汛值守"}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	ev, _, err := db.Ledger().Attach(ctx, actor, e.ID, ledger.Evidence{SHA256: info.SHA256, Size: info.Size, Name: "值守.jpg", ContentType: "image/jpeg"})
	if err != nil {
		t.Fatal(err)
	}

	code, out, stderr := runCmd(t, vars, "", "verify")
	if code != 0 || !strings.HasPrefix(out, "ok: ") || !strings.Contains(out, "1 evidence files") {
		t.Fatalf("intact: exit %d, out %q, err %q", code, out, stderr)
	}

	// Behind the application's back: a row's points raised, a file swapped.
	a, err := db.Candidates().ByCode(ctx, "activist-a")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`ALTER TABLE ledger_entries DISABLE TRIGGER USER`,
		fmt.Sprintf(`UPDATE ledger_entries SET points = points + 10 WHERE candidate_id = %d AND seq = 4`, a.ID),
		`ALTER TABLE ledger_entries ENABLE TRIGGER USER`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, info.SHA256[:2], info.SHA256)
	if err := os.WriteFile(path, []byte("\xff\xd8\xff\xe0 another photo"), 0o600); err != nil {
		t.Fatal(err)
	}

	code, out, stderr = runCmd(t, vars, "", "verify")
	if code != 1 || !strings.Contains(stderr, "do not hold") {
		t.Fatalf("tampered: exit %d, err %q", code, stderr)
	}
	wantChain := fmt.Sprintf("BROKEN chain of candidate %d", a.ID)
	wantFile := fmt.Sprintf("BROKEN evidence %d", ev.ID)
	if !strings.Contains(out, wantChain) || !strings.Contains(out, "entry #4") || !strings.Contains(out, wantFile) || !strings.Contains(out, "replaced") {
		t.Fatalf("tampered: out %q", out)
	}
	if strings.Count(out, "BROKEN") != 2 {
		t.Fatalf("more than the two alterations reported: %q", out)
	}

	// A removed file is named too.
	os.Remove(path)
	if _, out, _ := runCmd(t, vars, "", "verify"); !strings.Contains(out, "missing from the evidence store") {
		t.Fatalf("removed file: %q", out)
	}
}
