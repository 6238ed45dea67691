package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// HistoryTable is history made outside the stores (a synthetic province, an
// archive brought over from paper) for one table: its columns and the rows,
// produced as they are written so that millions of rows never sit in memory.
// Rows calls put once per row, values in the order of Columns.
type HistoryTable struct {
	Name    string
	Columns []string
	Rows    func(put func(values ...any) error) error
	// SkipExisting skips rows that a unique key says are there already,
	// for history that may have been loaded before (the demo, loaded on
	// every start of `serve --demo`). Such rows go through a scratch
	// table, a little slower than COPY straight into the table.
	SkipExisting bool
}

// SyntheticRun is the mark a generator run leaves in the database.
type SyntheticRun struct {
	Seed   uint64
	Params any // written as JSON
}

// CopyHistory is the one way to write history past the stores: every table
// through COPY, in the order given (parents before children), all in one
// transaction together with the run's mark (a generator run; nil for the
// demo, which is not synthetic data `seedling gen` may write over), so a
// failed load leaves nothing behind. Triggers and constraints still run; the rows must already satisfy
// them (the generator computes the hash chains and paths the stores would).
// It returns the rows written per table.
func (db *DB) CopyHistory(ctx context.Context, run *SyntheticRun, tables []HistoryTable) (map[string]int64, error) {
	counts := map[string]int64{}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		clear(counts)
		if run != nil {
			params, err := json.Marshal(run.Params)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO synthetic_runs (seed, params) VALUES ($1, $2)`, int64(run.Seed), params); err != nil {
				return err
			}
		}
		for _, t := range tables {
			n, err := copyTable(ctx, tx, t)
			if err != nil {
				return fmt.Errorf("%s: %w", t.Name, err)
			}
			counts[t.Name] += n
		}
		return nil
	})
	if err != nil {
		return counts, err
	}
	// A bulk load leaves the planner without statistics and the pages
	// without visibility bits until autovacuum comes by, if it is on at
	// all: plans chosen for empty tables (a sequential scan of the ledger
	// for a hundred people) and heap fetches where the score index is
	// meant to answer alone (migration 00018). The tables loaded are
	// vacuumed and analysed now, as a DBA would after a restore.
	for name, n := range counts {
		if n == 0 {
			continue // nothing new: a demo loaded again
		}
		if _, err := db.ExecContext(ctx, `VACUUM (ANALYZE) `+pq.QuoteIdentifier(name)); err != nil {
			return counts, fmt.Errorf("vacuum %s: %w", name, err)
		}
	}
	return counts, nil
}

func copyTable(ctx context.Context, tx *sqlx.Tx, t HistoryTable) (int64, error) {
	if !t.SkipExisting {
		return copyInto(ctx, tx, t.Name, t)
	}
	// The scratch table has the columns and none of the constraints, so
	// that a column the table's triggers fill (orgs.path) may be missing.
	// The constraints and triggers run on the INSERT into the table.
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = pq.QuoteIdentifier(c)
	}
	list, scratch := strings.Join(cols, ", "), pq.QuoteIdentifier("history_"+t.Name)
	if _, err := tx.ExecContext(ctx, `CREATE TEMPORARY TABLE `+scratch+` ON COMMIT DROP AS SELECT `+list+` FROM `+pq.QuoteIdentifier(t.Name)+` WITH NO DATA`); err != nil {
		return 0, err
	}
	if _, err := copyInto(ctx, tx, "history_"+t.Name, t); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO `+pq.QuoteIdentifier(t.Name)+` (`+list+`) SELECT `+list+` FROM `+scratch+` ORDER BY ctid ON CONFLICT DO NOTHING`)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE `+scratch); err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// copyInto copies t's rows into the table named into.
func copyInto(ctx context.Context, tx *sqlx.Tx, into string, t HistoryTable) (int64, error) {
	stmt, err := tx.PrepareContext(ctx, copyFrom(into, t.Columns))
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	var n int64
	err = t.Rows(func(values ...any) error {
		n++
		_, err := stmt.ExecContext(ctx, values...)
		return err
	})
	if err != nil {
		return 0, err
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return 0, err
	}
	return n, nil
}

// ReserveIDs takes n consecutive ids from a table's id sequence, so that
// history written by CopyHistory can refer to its own rows by id and never
// collide with rows the application writes meanwhile. It returns the first.
func (db *DB) ReserveIDs(ctx context.Context, table string, n int64) (int64, error) {
	if n <= 0 {
		return 0, fmt.Errorf("reserve ids: n must be positive")
	}
	var first int64
	err := db.GetContext(ctx, &first, `
		SELECT setval(s.seq, nextval(s.seq) + $2 - 1) - $2 + 1
		FROM (SELECT pg_get_serial_sequence($1, 'id') AS seq) s`, table, n)
	return first, translate(err)
}

// SyntheticState says whether generator runs marked the database and
// whether it holds anything (organisations, candidates, accounts) at all:
// data without a mark is real data. A database not yet migrated holds
// nothing and carries no mark; one migrated before the mark existed may hold
// data but carries none.
func (db *DB) SyntheticState(ctx context.Context) (runs int, holdsData bool, err error) {
	var marked, migrated bool
	if err := db.QueryRowxContext(ctx, `SELECT to_regclass('synthetic_runs') IS NOT NULL, to_regclass('orgs') IS NOT NULL`).Scan(&marked, &migrated); err != nil {
		return 0, false, translate(err)
	}
	if marked {
		if err := db.GetContext(ctx, &runs, `SELECT count(*) FROM synthetic_runs`); err != nil {
			return 0, false, translate(err)
		}
	}
	if migrated {
		err = db.GetContext(ctx, &holdsData, `
			SELECT EXISTS (SELECT 1 FROM orgs) OR EXISTS (SELECT 1 FROM candidates) OR EXISTS (SELECT 1 FROM users)`)
	}
	return runs, holdsData, translate(err)
}

// copyFrom is the COPY … FROM STDIN statement lib/pq turns into a bulk load
// when it is prepared inside a transaction.
func copyFrom(table string, columns []string) string {
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = pq.QuoteIdentifier(c)
	}
	return "COPY " + pq.QuoteIdentifier(table) + " (" + strings.Join(quoted, ", ") + ") FROM STDIN"
}
