package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/jmoiron/sqlx"

	"seedling/internal/ledger"
)

// LedgerExport is what an export writes before its first entry: the people
// in export order, scored, and the rubric versions their entries are named by.
type LedgerExport struct {
	People  []Standing
	Rubrics ledger.Rubrics
}

// ExportLedgers reads the ledgers of the people f picks (its page aside)
// from one read-only snapshot, so the standings and the entries agree even
// while secretaries record. head gets the people first; then each gets
// their entries, person by person in head's order and in chain order within
// a person, each with its evidence. Entries come off one cursor and are
// never all held: an export of 10,000 ledgers holds one entry at a time. An
// error from head or each stops the read and is returned.
func (s *LedgerStore) ExportLedgers(ctx context.Context, f StandingFilter, head func(LedgerExport) error, each func(ledger.Entry) error) error {
	f.Page = nil
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return translate(err)
	}
	// Read-only: there is nothing to commit, and a rollback ends the
	// snapshot however the export ended.
	defer tx.Rollback()
	people, err := standings(ctx, tx, f)
	if err != nil {
		return err
	}
	rubrics, err := loadRubrics(ctx, tx)
	if err != nil {
		return err
	}
	if err := head(LedgerExport{People: people, Rubrics: rubrics}); err != nil {
		return err
	}
	return exportEntries(ctx, tx, f, each)
}

// exportEntry is an entry with its evidence as JSON, so one row carries
// both and the cursor never waits on a second query.
type exportEntry struct {
	entryRow
	Evidence []byte `db:"evidence"`
}

func exportEntries(ctx context.Context, tx *sqlx.Tx, f StandingFilter, each func(ledger.Entry) error) error {
	where, args := f.where()
	rows, err := tx.QueryxContext(ctx, `
		WITH picked AS (
			SELECT k.id, k.name, o.path FROM candidates k JOIN orgs o ON o.id = k.org_id
			WHERE `+strings.Join(where, " AND ")+`
		)`+entryColumns+`,
		       COALESCE((SELECT json_agg(json_build_object('ID', f.id, 'EntryID', f.entry_id, 'SHA256', f.sha256, 'Name', f.name,
		                        'Size', f.size, 'ContentType', f.content_type, 'StoredAt', f.stored_at) ORDER BY f.id)
		                 FROM evidence_files f WHERE f.entry_id = e.id), '[]') AS evidence`+entryFrom+`
		JOIN picked p ON p.id = e.candidate_id
		WHERE e.kind <> 'evidence'
		ORDER BY p.path, p.name, p.id, e.seq`, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r exportEntry
		if err := rows.StructScan(&r); err != nil {
			return translate(err)
		}
		e := r.entry()
		if err := json.Unmarshal(r.Evidence, &e.Evidence); err != nil {
			return err
		}
		if len(e.Evidence) == 0 {
			e.Evidence = nil
		}
		for i := range e.Evidence {
			e.Evidence[i].StoredAt = e.Evidence[i].StoredAt.UTC()
		}
		if err := each(e); err != nil {
			return err
		}
	}
	return translate(rows.Err())
}
