package postgres_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/lib/pq"

	"seedling/internal/demo"
	"seedling/internal/ledger"
	"seedling/internal/pgembed"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// The committee reports (the statistics, the scored standings behind the
// ranking and the roster, the ledger export) run on a streaming replica of
// the primary and give what they give on the primary; the replica refuses
// writes, and a write on the primary reaches it. docs/scaling.md sends
// reports and exports there.
func TestCommitteeReportsRunOnAStreamingReplica(t *testing.T) {
	if _, err := pgembed.BinDir(); err != nil {
		t.Skip(err)
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	base, err := os.MkdirTemp("", "seedling-replica-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	// The server runs as an unprivileged user when the tests run as root.
	if err := os.Chmod(base, 0o711); err != nil {
		t.Fatal(err)
	}
	primary, err := pgembed.Start(ctx, pgembed.Options{DataDir: base + "/primary", Explicit: true, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer primary.Stop()
	boot, err := postgres.Open(ctx, primary.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := boot.ExecContext(ctx, `CREATE DATABASE seedling`); err != nil {
		t.Fatal(err)
	}
	boot.Close()
	pdb, err := postgres.Open(ctx, primary.DSN("seedling"))
	if err != nil {
		t.Fatal(err)
	}
	defer pdb.Close()
	if err := pdb.MigrateUp(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, pdb, seedling.Actor{Username: "test-setup"}); err != nil {
		t.Fatal(err)
	}

	replica, err := primary.Replica(ctx, base+"/replica", true)
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Stop()
	rdb, err := postgres.Open(ctx, replica.DSN("seedling"))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	caughtUp(t, ctx, pdb, rdb)

	var root string
	if err := pdb.GetContext(ctx, &root, `SELECT path FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	door := pipeline.DefaultRegistry().InForce(seedling.Today(pdb.Now())).Door()
	type reports struct {
		Stats   postgres.Stats
		Scored  []postgres.Scored
		Entries int
	}
	run := func(db *postgres.DB) reports {
		t.Helper()
		var r reports
		if r.Stats, err = db.Pipeline().Stats(ctx, []string{root}); err != nil {
			t.Fatal(err)
		}
		if r.Scored, err = db.Scores().Scored(ctx, postgres.StandingFilter{Under: root}, door); err != nil {
			t.Fatal(err)
		}
		if err := db.Ledger().ExportLedgers(ctx, postgres.StandingFilter{Under: root},
			func(postgres.LedgerExport) error { return nil },
			func(ledger.Entry) error { r.Entries++; return nil }); err != nil {
			t.Fatal(err)
		}
		return r
	}
	onPrimary, onReplica := run(pdb), run(rdb)
	if len(onPrimary.Scored) == 0 || onPrimary.Entries == 0 {
		t.Fatalf("the demo gave no report to compare: %d scored, %d entries", len(onPrimary.Scored), onPrimary.Entries)
	}
	if !reflect.DeepEqual(onPrimary, onReplica) {
		t.Fatalf("the replica's reports differ from the primary's:\n%+v\n%+v", onReplica.Stats, onPrimary.Stats)
	}

	_, err = rdb.ExecContext(ctx, `INSERT INTO audit_events (actor, action, target, summary) VALUES ('x', 'x', 'x', 'x')`)
	var pe *pq.Error
	if !errors.As(err, &pe) || pe.Code != "25006" {
		t.Fatalf("a write on the replica: %v, want read_only_sql_transaction (25006)", err)
	}

	cand, err := pdb.Candidates().ByCode(ctx, "activist-a")
	if err != nil {
		t.Fatal(err)
	}
	sec := secretaryActor(t, pdb)
	d := ledger.Draft{Category: "study_attendance", Points: intp(1), OccurredOn: seedling.Today(pdb.Now()).Format(seedling.DateLayout), Description: "on the primary"}
	if _, _, err := pdb.Ledger().Record(ctx, sec, cand.ID, d, "replica-follows", nil); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, ctx, pdb, rdb)
	if after := run(rdb); after.Entries != onPrimary.Entries+1 {
		t.Fatalf("the replica exports %d entries after a write on the primary, want %d", after.Entries, onPrimary.Entries+1)
	}
}

// caughtUp waits until the replica has replayed everything the primary had
// written when it was called (inserted: the test clusters commit without
// waiting for the flush, so the last commit may not be written yet).
func caughtUp(t *testing.T, ctx context.Context, primary, replica *postgres.DB) {
	t.Helper()
	var lsn string
	if err := primary.GetContext(ctx, &lsn, `SELECT pg_current_wal_insert_lsn()::text`); err != nil {
		t.Fatal(err)
	}
	for {
		var done bool
		if err := replica.GetContext(ctx, &done, `SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)`, lsn); err != nil {
			t.Fatal(err)
		}
		if done {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the replica did not replay up to %s: %v", lsn, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
