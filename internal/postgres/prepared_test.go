package postgres_test

import (
	"testing"
	"time"

	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

// The session lookup, which runs on every request, is prepared once per
// connection and kept there: on a pool of one connection the server holds
// it after two lookups. When that connection is killed under the pool,
// lookups go on working (at most the first one meets the dead connection
// and says so) and the statement is prepared again on the new connection.
func TestSessionLookupStaysPreparedPerConnection(t *testing.T) {
	db := newLoginDB(t, "alice")
	db.SetMaxOpenConns(1)
	ctx := t.Context()
	sess, err := db.Sessions().Login(ctx, "alice", rightPassword, seedling.Actor{IP: "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	lookup := func() error { _, err := db.Sessions().Lookup(ctx, sess.Token); return err }
	prepared := func() (pid, n int) {
		t.Helper()
		if err := db.QueryRowxContext(ctx, `
			SELECT pg_backend_pid(), (SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%FROM sessions s JOIN users u%')`).
			Scan(&pid, &n); err != nil {
			t.Fatal(err)
		}
		return pid, n
	}
	for range 2 {
		if err := lookup(); err != nil {
			t.Fatal(err)
		}
	}
	pid, n := prepared()
	if n != 1 {
		t.Fatalf("the connection holds %d prepared session lookups, want 1", n)
	}

	other, err := postgres.Open(ctx, testdb.DSN(db))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ExecContext(ctx, `SELECT pg_terminate_backend($1, 5000)`, pid); err != nil {
		t.Fatal(err)
	}
	var errs []error
	for range 3 {
		err := lookup()
		if err == nil {
			break
		}
		errs = append(errs, err)
		time.Sleep(10 * time.Millisecond)
	}
	if len(errs) > 1 || len(errs) == 1 && seedling.ErrorCode(errs[0]) != seedling.EUnavailable {
		t.Fatalf("lookups after the connection was killed: %v", errs)
	}
	if newPID, n := prepared(); newPID == pid || n != 1 {
		t.Fatalf("after the kill: backend %d (was %d) holds %d prepared session lookups, want a new backend holding 1", newPID, pid, n)
	}
}
