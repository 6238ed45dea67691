package postgres_test

import (
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3/lock"

	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

// The serving pool logs in as a role of its own that cannot become the
// owner, run programs on the server, rewrite decided history or touch the
// migration table.
func TestServingPoolCannotBecomeOwner(t *testing.T) {
	t.Parallel()
	owner := testdb.NewDemo(t)
	app, err := owner.AsApp(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	var ownerName string
	if err := owner.Get(&ownerName, `SELECT current_user`); err != nil {
		t.Fatal(err)
	}

	for _, q := range []string{
		`SET ROLE ` + ownerName,
		`SET ROLE postgres`,
		`SET SESSION AUTHORIZATION postgres`,
		`COPY (SELECT 1) TO PROGRAM 'true'`,
		`ALTER TABLE submissions DISABLE TRIGGER ALL`,
		`CREATE ROLE intruder`,
		`UPDATE submissions SET state = 'approved' WHERE state = 'returned'`,
		`UPDATE submissions SET reasons = 'x' WHERE state = 'approved'`,
		`DELETE FROM submissions WHERE state <> 'pending'`,
		`TRUNCATE submissions CASCADE`,
		`UPDATE political_reviews SET passed = NOT passed`,
		`UPDATE filings SET acknowledged_by = NULL, acknowledged_at = NULL WHERE acknowledged_at IS NOT NULL`,
		`UPDATE stage_changes SET to_stage = 'member'`,
		`DELETE FROM stage_changes`,
		`SELECT count(*) FROM goose_db_version`,
		`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`,
		`UPDATE goose_db_version SET is_applied = false`,
		`DELETE FROM goose_db_version`,
		`SELECT count(*) FROM serving_login`,
	} {
		if _, err := app.ExecContext(t.Context(), q); err == nil {
			t.Errorf("the serving pool may %q", q)
		}
	}
	// The owner is not bound by privileges, but decided history is frozen
	// for it too.
	for _, q := range []string{
		`UPDATE submissions SET state = 'approved' WHERE state = 'returned'`,
		`UPDATE filings SET acknowledged_at = now() WHERE acknowledged_at IS NOT NULL`,
	} {
		if _, err := owner.ExecContext(t.Context(), q); err == nil {
			t.Errorf("the owner may %q", q)
		}
	}

	// RESET ROLE only returns to the login role itself.
	conn, err := app.Connx(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var super bool
	var who string
	if err := conn.QueryRowxContext(t.Context(), `RESET ROLE; SELECT rolsuper, rolname FROM pg_roles WHERE rolname = current_user`).Scan(&super, &who); err != nil {
		t.Fatal(err)
	}
	if super || who == ownerName || who == postgres.AppRole {
		t.Fatalf("after RESET ROLE the serving pool is %s (superuser %v)", who, super)
	}

	// What the service does still works: pending decisions, readiness.
	if err := app.Ready(t.Context()); err != nil {
		t.Fatalf("ready: %v", err)
	}
	if _, err := app.ExecContext(t.Context(), `UPDATE submissions SET reasons = 'ok' WHERE state = 'pending'`); err != nil {
		t.Fatalf("a pending submission cannot be decided: %v", err)
	}
	if _, err := app.ExecContext(t.Context(), `UPDATE filings SET acknowledged_at = now(), acknowledged_by = (SELECT min(id) FROM users) WHERE acknowledged_at IS NULL`); err != nil {
		t.Fatalf("a filing cannot be acknowledged: %v", err)
	}
}

// A second instance starting on the same database reuses the login role's
// password instead of locking the first one out; the owner's own address is
// refused as a serving address.
func TestServingLoginSharedAndOwnerRefused(t *testing.T) {
	t.Parallel()
	owner := testdb.New(t)
	first, err := owner.AsApp(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	var pw1, pw2 string
	if err := owner.Get(&pw1, `SELECT password FROM serving_login`); err != nil {
		t.Fatal(err)
	}
	second, err := owner.AsApp(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if err := owner.Get(&pw2, `SELECT password FROM serving_login`); err != nil {
		t.Fatal(err)
	}
	if pw1 != pw2 {
		t.Fatal("the second instance reset the serving password under the first")
	}
	first.SetMaxIdleConns(0)
	if err := first.Ping(); err != nil {
		t.Fatalf("first instance after the second started: %v", err)
	}
	if app, err := postgres.OpenServing(t.Context(), testdb.DSN(owner)); err == nil {
		app.Close()
		t.Fatal("the owner's address was accepted as the serving address")
	}
}

// Backends killed under the pool (a database restart, an administrator's
// pg_terminate_backend) cost no request but one in flight: the dead idle
// connections are discarded before reuse and the requests run on fresh ones.
// (pg_terminate_backend with a timeout waits until the backends are gone.)
func TestServingPoolSurvivesTerminatedBackends(t *testing.T) {
	t.Parallel()
	owner := testdb.NewDemo(t)
	app, err := owner.AsApp(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	// Open several connections and leave them idle in the pool.
	conns := make([]*sqlx.Conn, 8)
	for i := range conns {
		if conns[i], err = app.Connx(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range conns {
		c.Close()
	}
	var killed int
	if err := owner.Get(&killed, `SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil || killed < len(conns) {
		t.Fatalf("terminated %d backends: %v", killed, err)
	}
	for i := 0; i < 2*len(conns); i++ {
		var n int
		if err := app.GetContext(t.Context(), &n, `SELECT count(*) FROM candidates`); err != nil {
			t.Fatalf("read %d after the backends were terminated: %v", i, err)
		}
		if _, err := app.Candidates().ByCode(t.Context(), "nobody"); err != nil && seedling.ErrorCode(err) != seedling.ENotFound {
			t.Fatalf("store read %d after the backends were terminated: %v", i, err)
		}
	}
	// A write's transaction begins on a fresh connection too.
	if err := owner.Get(&killed, `SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil || killed == 0 {
		t.Fatalf("terminated %d backends: %v", killed, err)
	}
	if err := app.Sessions().Sweep(t.Context()); err != nil {
		t.Fatalf("write after the backends were terminated: %v", err)
	}
}

// A second instance starting while another migrates waits for the migration
// lock and then finds nothing left to do, instead of failing.
func TestMigrateWaitsForTheLock(t *testing.T) {
	t.Parallel()
	owner := testdb.New(t)
	ctx := t.Context()
	if err := owner.MigrateDown(ctx, nil); err != nil {
		t.Fatal(err)
	}
	holder, err := owner.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	var holderPID int
	if err := holder.QueryRowxContext(ctx, `SELECT pg_backend_pid() FROM (SELECT pg_advisory_lock($1)) l`, lock.DefaultLockID).Scan(&holderPID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- owner.MigrateUp(ctx, nil) }()
	// Wait until the second migrator has asked for the lock.
	for asked := 0; asked == 0; {
		if err := owner.GetContext(ctx, &asked, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), $1) AND query LIKE '%pg_try_advisory_lock%'`, holderPID); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			t.Fatalf("migrate did not wait for the lock: %v", err)
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	var applied int64
	if err := owner.GetContext(ctx, &applied, `SELECT max(version_id) FROM goose_db_version`); err != nil || applied == postgres.LatestMigration() {
		t.Fatalf("migrated while the lock was held (%d, %v)", applied, err)
	}
	if _, err := holder.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, lock.DefaultLockID); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("migrate after the lock was released: %v", err)
	}
	if err := owner.Ready(ctx); err != nil {
		t.Fatal(err)
	}
}

// With the database out of reach a store answers "unavailable" (503 at the
// edge), not an internal error, and works again once it is back.
func TestLostDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	owner := testdb.New(t)
	// A proxy in front of the server stands for the network.
	proxy := testdb.NewProxy(t, testdb.DSN(owner))
	db, err := postgres.Open(t.Context(), proxy.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	proxy.Cut()
	_, err = db.Candidates().ByCode(t.Context(), "nobody")
	if seedling.ErrorCode(err) != seedling.EUnavailable {
		t.Fatalf("with the database gone: %v", err)
	}
}
