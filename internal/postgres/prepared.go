package postgres

import (
	"context"
	"errors"
	"sync"

	"github.com/jmoiron/sqlx"
)

// statements keeps the hot path's statements prepared. Without it lib/pq
// sends every query as an unnamed statement: two round trips (parse and
// describe, then bind and execute), parsed and planned afresh each time.
// A statement prepared here once is prepared by database/sql on each
// connection the first time it runs there and reused after: one round trip,
// parsed once per connection, and after five runs planned once (PostgreSQL's
// generic plan for a plan that does not depend on the values).
//
// A connection that is dropped takes its copies along; database/sql forgets
// them and prepares again on the next connection it hands out, so a
// restarted server or a killed backend costs one extra round trip, never an
// error of its own. Statements are named on the server (lib/pq's Parse with
// a name), which PgBouncer in transaction mode only carries from one server
// connection to the next from version 1.21 on, with max_prepared_statements
// set; docs/scaling.md says so.
type statements struct {
	pool *sqlx.DB

	mu      sync.RWMutex
	byQuery map[string]*sqlx.Stmt
	closed  bool
}

func newStatements(pool *sqlx.DB) *statements {
	return &statements{pool: pool, byQuery: map[string]*sqlx.Stmt{}}
}

var errClosed = errors.New("the database pool is closed")

// get returns query's statement, preparing it on first use. The query text
// is the key: the callers pass their constants, so a statement is one
// string wherever it runs.
func (s *statements) get(ctx context.Context, query string) (*sqlx.Stmt, error) {
	s.mu.RLock()
	st, closed := s.byQuery[query], s.closed
	s.mu.RUnlock()
	if st != nil || closed {
		return st, ifClosed(closed)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	if st := s.byQuery[query]; st != nil {
		return st, nil
	}
	// A failed prepare (a request cancelled meanwhile, a server away) is
	// not kept: the next caller prepares again.
	st, err := s.pool.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.byQuery[query] = st
	return st, nil
}

func ifClosed(closed bool) error {
	if closed {
		return errClosed
	}
	return nil
}

// close deallocates every statement on every connection.
func (s *statements) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, st := range s.byQuery {
		errs = append(errs, st.Close())
	}
	s.byQuery, s.closed = nil, true
	return errors.Join(errs...)
}

// prepared returns the kept statement of query, bound to tx when tx is
// set: database/sql then reuses the copy already prepared on the
// transaction's connection, or prepares it there and keeps it for the next
// transaction on that connection.
func (db *DB) prepared(ctx context.Context, tx *sqlx.Tx, query string) (*sqlx.Stmt, error) {
	st, err := db.stmts.get(ctx, query)
	if err != nil || tx == nil {
		return st, err
	}
	return tx.StmtxContext(ctx, st), nil
}

// Close closes the prepared statements and then the pool.
func (db *DB) Close() error {
	return errors.Join(db.stmts.close(), db.DB.Close())
}
