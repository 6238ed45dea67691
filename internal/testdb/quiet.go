package testdb

import (
	"testing"

	"seedling/internal/postgres"
)

// RanNothing runs fn and reports whether the pool's one connection sent
// the server nothing meanwhile, as the server sees it: pg_stat_activity
// keeps every backend's last statement and the instant its state last
// changed, so any statement, simple or prepared, shows. The pool must have
// been given a single connection (SetMaxOpenConns(1)), so that nothing fn
// runs through it can go elsewhere.
func RanNothing(t testing.TB, pool *postgres.DB, fn func()) bool {
	t.Helper()
	if n := pool.Stats().MaxOpenConnections; n != 1 {
		t.Fatalf("testdb: RanNothing watches a pool of one connection, this one may open %d", n)
	}
	admin := setup(t)
	var pid int
	if err := pool.Get(&pid, `SELECT pg_backend_pid()`); err != nil {
		t.Fatalf("testdb: %v", err)
	}
	last := func() string {
		t.Helper()
		var s string
		if err := admin.Get(&s, `SELECT state_change::text || ' ' || query FROM pg_stat_activity WHERE pid = $1`, pid); err != nil {
			t.Fatalf("testdb: the pool's backend %d: %v", pid, err)
		}
		return s
	}
	before := last()
	fn()
	if n := pool.Stats().OpenConnections; n != 1 {
		t.Fatalf("testdb: the pool holds %d connections, want its one", n)
	}
	return last() == before
}
