package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// chainHead is the last row of one candidate's chain.
type chainHead struct {
	CandidateID int64
	Seq         int
	Hash        []byte
}

// lockChain serialises the writers of one chain: the candidate's row is
// locked until the transaction ends, so two requests never read the same
// head and both append after it. FOR NO KEY UPDATE, not FOR UPDATE, so that
// other tables may still insert rows that refer to the candidate meanwhile.
// A new entry takes the lock with its head in one statement
// (lockChainAndHead); reversals and evidence take it here.
func (db *DB) lockChain(ctx context.Context, tx *sqlx.Tx, candidateID int64) error {
	st, err := db.prepared(ctx, tx, `SELECT 1 FROM candidates WHERE id = $1 FOR NO KEY UPDATE`)
	if err != nil {
		return translate(err)
	}
	var one int
	return translate(st.GetContext(ctx, &one, candidateID))
}

// readHead returns the last row of a chain, locked by lockChain beforehand.
func readHead(ctx context.Context, tx *sqlx.Tx, candidateID int64) (chainHead, error) {
	h := chainHead{CandidateID: candidateID, Hash: ledger.Genesis}
	err := tx.QueryRowxContext(ctx, `
		SELECT seq, hash FROM ledger_entries WHERE candidate_id = $1 ORDER BY seq DESC LIMIT 1`, candidateID).Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil
	}
	return h, err
}

// chainRow is one row to append: the hashed record and the columns that
// only link it (ids) or serve retries (the idempotency key).
type chainRow struct {
	rec         ledger.Record
	reverses    *int64
	evidenceID  *int64
	recordedBy  *int64
	key         *string
	requestHash []byte
	objectionID *int64 // the objection an entry or reversal corrects; not hashed
}

// chainAudit is the audit event of one chain write: who, the action, and
// what the summary says beyond the row's seq and hash.
type chainAudit struct {
	actor   seedling.Actor
	action  string
	summary string
}

// appendRow writes row as the next link of the chain at head, together with
// its audit event, in one statement that answers the row as pages and the
// API show it: one round trip where an INSERT, an audit INSERT and a read
// back took four. The audit summary names the seq and hash of the row just
// written: `seedling verify` checks every chain against these, which catches
// a row cut from the end of a chain.
//
// A head read before the chain's lock was granted may be stale
// (lockChainAndHead): its next seq is then taken, and the statement writes
// neither the row nor its event and answers errStaleHead, leaving the
// transaction usable for a second try on the head read again.
func (db *DB) appendRow(ctx context.Context, tx *sqlx.Tx, head *chainHead, row chainRow, ev chainAudit) (entryRow, error) {
	prev, hash := head.link(&row.rec)
	var occurred, period, category any
	if row.rec.OccurredOn != "" {
		occurred, period = row.rec.OccurredOn, row.rec.Period
	}
	if row.rec.Category != "" {
		category = row.rec.Category
	}
	st, err := db.prepared(ctx, tx, AppendRowSQL)
	if err != nil {
		return entryRow{}, err
	}
	a := ev.actor
	var out entryRow
	err = st.GetContext(ctx, &out,
		row.rec.CandidateID, row.rec.Seq, row.rec.Kind, category, row.rec.Points, occurred, period, row.rec.Description,
		row.reverses, row.rec.Reason, row.evidenceID, row.recordedBy, row.rec.RecordedBy, row.rec.RecordedAt,
		row.key, row.requestHash, prev, hash, row.objectionID, row.rec.LateReason,
		a.UserID, a.Username, string(a.Role), a.OrgID, ev.action, "candidate:"+itoa(head.CandidateID), a.RequestID, a.IP,
		fmt.Sprintf("seq=%d hash=%s %s", head.Seq, ledger.AuditHash(head.Hash), ev.summary))
	if errors.Is(err, sql.ErrNoRows) {
		return entryRow{}, errStaleHead
	}
	return out, err
}

// AppendRowSQL is appendRow's statement: the row, its audit event if the
// row was written, and the row as entrySelect reads it. The joins read rows
// committed before the statement (the entry a reversal reverses, the
// recorder's name); nothing reverses a row this new, so the reversed_by
// join finds nothing, as it should.
const AppendRowSQL = `
		WITH e AS (
			INSERT INTO ledger_entries (candidate_id, seq, kind, category, points, occurred_on, period, description,
			                            reverses, reason, evidence_id, recorded_by, recorded_by_name, recorded_at,
			                            idempotency_key, request_hash, prev_hash, hash, objection_id, late_reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
			ON CONFLICT (candidate_id, seq) DO NOTHING
			RETURNING *),
		ev AS (
			INSERT INTO audit_events (actor_id, actor, role, org_id, action, target, request_id, ip, summary)
			SELECT $21, $22, $23, $24, $25, $26, $27, $28, $29 FROM e)` +
	entryColumns + `
		FROM e
		LEFT JOIN ledger_entries r ON r.id = e.reverses
		LEFT JOIN ledger_entries rb ON rb.reverses = e.id
		LEFT JOIN users u ON u.id = e.recorded_by`

// errStaleHead is appendRow's answer to a head that was no longer the
// chain's last row.
var errStaleHead = errors.New("the chain moved on since its head was read")

// link makes rec the next row of the chain at h and moves h on to it,
// answering the hash it follows and its own. The head moves before the row
// is written: a failed write aborts the whole transaction, head and all.
func (h *chainHead) link(rec *ledger.Record) (prev, hash []byte) {
	rec.CandidateID, rec.Seq = h.CandidateID, h.Seq+1
	prev, hash = h.Hash, ledger.Hash(h.Hash, *rec)
	h.Seq, h.Hash = rec.Seq, hash
	return prev, hash
}

// recordedNow is the time a row is written, at the microsecond PostgreSQL
// keeps, so that the value read back hashes like the one written.
func (db *DB) recordedNow() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// actorRecord fills who recorded a row and when.
func actorRecord(a seedling.Actor, at time.Time) ledger.Record {
	r := ledger.Record{RecordedBy: a.Username, RecordedAt: at}
	if a.UserID != nil {
		r.RecordedByID = *a.UserID
	}
	return r
}
