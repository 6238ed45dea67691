package postgres_test

import (
	"testing"

	"seedling/internal/postgres"
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
