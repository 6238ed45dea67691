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
	pending map[string]bool // met inside a transaction, to be kept after it
	closed  bool
}

func newStatements(pool *sqlx.DB) *statements {
	return &statements{pool: pool, byQuery: map[string]*sqlx.Stmt{}, pending: map[string]bool{}}
}

var errClosed = errors.New("the database pool is closed")

// get returns query's statement, preparing it on first use. The query text
// is the key: the callers pass their constants, so a statement is one
// string wherever it runs. It may wait for a free connection: callers
// inside a transaction use kept and keepLater instead.
func (s *statements) get(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if st, closed := s.kept(query); st != nil || closed {
		return st, ifClosed(closed)
	}
	// A failed prepare (a request cancelled meanwhile, a server away) is
	// not kept: the next caller prepares again.
	st, err := s.pool.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if st = s.keep(query, st); st == nil {
		return nil, errClosed
	}
	return st, nil
}

// kept returns query's statement if it is kept already.
func (s *statements) kept(query string) (st *sqlx.Stmt, closed bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byQuery[query], s.closed
}

// keep stores st for query and returns the statement kept for it: st, or
// one another caller kept first (st is then closed), or nil once the pool
// is closed.
func (s *statements) keep(query string, st *sqlx.Stmt) *sqlx.Stmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	if kept := s.byQuery[query]; kept != nil || s.closed {
		st.Close()
		return kept
	}
	s.byQuery[query] = st
	return st
}

// keepLater marks query to be kept for the pool once the transaction that
// met it has ended (keepPending).
func (s *statements) keepLater(query string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.pending[query] = true
	}
}

// keepPending prepares for the pool the statements transactions met before
// they were kept. It runs after a transaction has ended, holding no
// connection, so it waits for a free one like any other caller; and it
// runs in the request that met them, never later on its own, so a
// connection sends nothing nobody asked for. A failed prepare is marked
// again by the next transaction that meets the statement.
func (s *statements) keepPending(ctx context.Context) {
	s.mu.Lock()
	if len(s.pending) == 0 {
		s.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(s.pending))
	for q := range s.pending {
		queries = append(queries, q)
	}
	clear(s.pending)
	s.mu.Unlock()
	for _, q := range queries {
		if st, _ := s.kept(q); st != nil {
			continue
		}
		if st, err := s.pool.PreparexContext(ctx, q); err == nil {
			s.keep(q, st)
		}
	}
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
//
// Keeping a statement for the pool takes a connection of its own, which a
// transaction must never wait for: with every connection held by a
// transaction that waits for one more, nothing moves again (a cold server
// met by as many requests as its pool holds stopped dead). Inside a
// transaction a statement not kept yet is therefore prepared for that
// transaction only, on its own connection, and kept for the pool once the
// transaction has ended (tryTx).
func (db *DB) prepared(ctx context.Context, tx *sqlx.Tx, query string) (*sqlx.Stmt, error) {
	if tx == nil {
		return db.stmts.get(ctx, query)
	}
	if st, closed := db.stmts.kept(query); st != nil || closed {
		if closed {
			return nil, errClosed
		}
		return tx.StmtxContext(ctx, st), nil
	}
	db.stmts.keepLater(query)
	return tx.PreparexContext(ctx, query)
}

// Close closes the prepared statements and then the pool.
func (db *DB) Close() error {
	return errors.Join(db.stmts.close(), db.DB.Close())
}
