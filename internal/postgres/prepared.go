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
	pending map[string]bool // being prepared by keepLater
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

// keepLater prepares query for the pool in the background, once per query
// however many transactions ask meanwhile.
func (s *statements) keepLater(query string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.pending[query] {
		return
	}
	s.pending[query] = true
	go func() {
		st, err := s.pool.PreparexContext(context.Background(), query)
		s.mu.Lock()
		delete(s.pending, query)
		s.mu.Unlock()
		if err == nil {
			s.keep(query, st)
		}
	}()
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
// transaction only, on its own connection, and kept for the pool in the
// background, once a connection is free.
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
