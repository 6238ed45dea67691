package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"seedling/internal/evidence"
	"seedling/internal/ledger"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

// emptyDatabase makes a new database with nothing in it on the test server.
func emptyDatabase(t *testing.T, on *postgres.DB) *postgres.DB {
	t.Helper()
	name := fmt.Sprintf("t_restore_%d", time.Now().UnixNano())
	if _, err := on.Exec(`CREATE DATABASE ` + pq.QuoteIdentifier(name)); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(testdb.DSN(on))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	db, err := postgres.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		on.Exec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(name) + ` WITH (FORCE)`)
	})
	return db
}

// The demo, with an evidence file, backs up and restores into an empty
// database and evidence directory; verify passes there with the same chain
// heads and scores. Restore refuses a damaged backup before writing and a
// target that is not empty.
func TestBackupRestoresAndVerifies(t *testing.T) {
	t.Parallel()
	src := testdb.NewDemo(t)
	ctx := context.Background()
	srcEvidence := t.TempDir()
	info, err := evidence.NewDir(srcEvidence).Put(ctx, bytes.NewReader([]byte("\xff\xd8\xff\xe0 the flood watch")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	cand, err := src.Candidates().ByCode(ctx, "branch-a-03")
	if err != nil {
		t.Fatal(err)
	}
	pts := 6
	actor := seedling.Actor{Username: "test"}
	e, _, err := src.Ledger().Record(ctx, actor, cand.ID, ledger.Draft{Category: "critical_moment", Points: &pts,
		OccurredOn: seedling.Today(time.Now()).Format(seedling.DateLayout), Description: "防汛值守"}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := src.Ledger().Attach(ctx, actor, e.ID, ledger.Evidence{SHA256: info.SHA256, Size: info.Size, Name: "值守.jpg", ContentType: "image/jpeg"}); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "backup")
	srcVars := map[string]string{"DATABASE_URL": testdb.DSN(src), "SEEDLING_EVIDENCE_DIR": srcEvidence}
	if code, stdout, stderr := runCmd(t, srcVars, "", "backup", "--out", out); code != 0 {
		t.Fatalf("backup: %d %q %q", code, stdout, stderr)
	}
	if code, _, stderr := runCmd(t, srcVars, "", "backup", "--out", out); code == 0 || !strings.Contains(stderr, "not empty") {
		t.Fatalf("backup over a backup: %d %q", code, stderr)
	}

	// Into a database that is not empty: refused.
	if code, _, stderr := runCmd(t, map[string]string{"DATABASE_URL": testdb.DSN(src), "SEEDLING_EVIDENCE_DIR": t.TempDir()},
		"", "restore", "--from", out); code == 0 || !strings.Contains(stderr, "not empty") {
		t.Fatalf("restore into the demo: %d %q", code, stderr)
	}

	dst := emptyDatabase(t, src)
	dstEvidence := filepath.Join(t.TempDir(), "evidence")
	dstVars := map[string]string{"DATABASE_URL": testdb.DSN(dst), "SEEDLING_EVIDENCE_DIR": dstEvidence}

	// A damaged backup: refused before anything is written.
	damaged := filepath.Join(t.TempDir(), "damaged")
	copyTree(t, out, damaged)
	evPath := filepath.Join(damaged, "evidence", info.SHA256[:2], info.SHA256)
	if err := os.WriteFile(evPath, []byte("another photo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCmd(t, dstVars, "", "restore", "--from", damaged); code == 0 || !strings.Contains(stderr, "damaged") {
		t.Fatalf("restore of a damaged backup: %d %q", code, stderr)
	}
	var n int
	if err := dst.Get(&n, `SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'public'`); err != nil || n != 0 {
		t.Fatalf("a refused restore wrote %d relations (%v)", n, err)
	}
	if _, err := os.Stat(dstEvidence); !os.IsNotExist(err) {
		t.Fatalf("a refused restore made the evidence directory: %v", err)
	}

	if code, stdout, stderr := runCmd(t, dstVars, "", "restore", "--from", out); code != 0 {
		t.Fatalf("restore: %d %q %q", code, stdout, stderr)
	}
	code, srcOut, _ := runCmd(t, srcVars, "", "verify")
	if code != 0 {
		t.Fatalf("verify source: %q", srcOut)
	}
	code, dstOut, stderr := runCmd(t, dstVars, "", "verify")
	if code != 0 || dstOut != srcOut || !strings.Contains(dstOut, "1 evidence files") {
		t.Fatalf("verify restored: %d %q %q (source %q)", code, dstOut, stderr, srcOut)
	}
	srcHeads, _ := src.ChainHeads(ctx)
	dstHeads, _ := dst.ChainHeads(ctx)
	if len(srcHeads) == 0 || !reflect.DeepEqual(srcHeads, dstHeads) {
		t.Fatalf("chain heads differ: %v vs %v", srcHeads, dstHeads)
	}
	var ids []int64
	if err := src.Select(&ids, `SELECT id FROM candidates ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		a, err := src.Scores().Standing(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		b, err := dst.Scores().Standing(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("candidate %d scores differently after restore:\n%+v\n%+v", id, a, b)
		}
	}
	// The restored database serves: migrations are current, the serving
	// role logs in.
	app, err := dst.AsApp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if err := app.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	var name string
	dst.Get(&name, `SELECT current_database()`)
	t.Cleanup(func() { src.Exec(`DROP ROLE IF EXISTS ` + pq.QuoteIdentifier(postgres.LoginRoleName(name))) })
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}
