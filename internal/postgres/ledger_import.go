package postgres

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// importColumns are the ledger columns an imported entry fills, and
// importValues.fill its values in the same order: a new column of the
// sheet import is one name here and one value there.
var importColumns = []string{"id", "candidate_id", "seq", "kind", "category", "points", "occurred_on", "period", "description",
	"recorded_by", "recorded_by_name", "recorded_at", "idempotency_key", "request_hash", "prev_hash", "hash", "late_reason"}

// importValues holds one row's values, reused from row to row: what the
// rows of a file share (kind, category, date, quarter, who and when) stays
// boxed once instead of being allocated again for every row, and
// database/sql copies the arguments before the next row is filled.
type importValues []any

func (v importValues) fill(id int64, row chainRow, prev, hash []byte) []any {
	r := row.rec
	v[0], v[1], v[2] = id, r.CandidateID, r.Seq
	v.keep(3, r.Kind)
	v.keep(4, r.Category)
	v[5] = r.Points
	v.keep(6, r.OccurredOn)
	v.keep(7, r.Period)
	v[8], v[9] = r.Description, row.recordedBy
	v.keep(10, r.RecordedBy)
	if at, ok := v[11].(time.Time); !ok || at != r.RecordedAt {
		v[11] = r.RecordedAt
	}
	v[12], v[13], v[14], v[15] = *row.key, row.requestHash, prev, hash
	v.keep(16, r.LateReason)
	return v
}

// keep sets the string at i unless it already holds it.
func (v importValues) keep(i int, s string) {
	if old, ok := v[i].(string); !ok || old != s {
		v[i] = s
	}
}

// ImportKey is a row's idempotency key: the file's hash, the quarter and
// the row, so the same file uploaded twice books each row once.
func ImportKey(fileHash string, period ledger.Period, line int) string {
	return fmt.Sprintf("import:%s:%s:%d", fileHash[:min(32, len(fileHash))], period, line)
}

// bookImport writes the checked rows of one file in a handful of
// statements whatever its length: the rows an earlier upload already booked
// are found in one query, the chain heads in another, the hash chains are
// computed here in row order per candidate, the new rows go in by COPY and
// one audit row per chain in one INSERT. The caller holds the chains' locks.
func (s *LedgerStore) bookImport(ctx context.Context, tx *sqlx.Tx, a seedling.Actor, period ledger.Period, fileHash string,
	rows []ledger.ImportRow, valid []ledger.Valid) (ImportResult, error) {
	var res ImportResult
	cands := make([]int64, len(rows))
	keys := make([]string, len(rows))
	for i, r := range rows {
		cands[i], keys[i] = r.CandidateID, ImportKey(fileHash, period, r.Line)
	}
	prior, err := priorRequests(ctx, tx, cands, keys)
	if err != nil {
		return res, err
	}
	var fresh []int
	for i, r := range rows {
		h, found := prior[keys[i]]
		if !found {
			fresh = append(fresh, i)
			continue
		}
		if !bytes.Equal(h, r.Draft.RequestHash()) {
			return res, idempotencyMismatch()
		}
		res.Unchanged++
	}
	if len(fresh) == 0 {
		return res, nil
	}
	heads, err := readHeads(ctx, tx, cands)
	if err != nil {
		return res, err
	}
	// The sequence is looked up once, in a subquery: as nextval's argument
	// pg_get_serial_sequence ran once per row, 5% of an import's database time.
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `
		SELECT nextval((SELECT pg_get_serial_sequence('ledger_entries', 'id'))::regclass) FROM generate_series(1, $1)`, len(fresh)); err != nil {
		return res, err
	}
	slices.Sort(ids)
	stmt, err := tx.PrepareContext(ctx, copyFrom("ledger_entries", importColumns))
	if err != nil {
		return res, err
	}
	defer stmt.Close()
	at := s.db.recordedNow()
	// One audit event per chain the file touches, in the order the file
	// first names them: its summary names the chain's new head, which
	// verify checks, and the run of seqs the file wrote.
	type run struct {
		head            *chainHead
		from, n, points int
	}
	runs := map[int64]*run{}
	var order []int64
	vals := make(importValues, len(importColumns))
	for k, i := range fresh {
		r, v := rows[i], valid[i]
		row := chainRow{rec: entryRecord(a, at, v), recordedBy: a.UserID, key: &keys[i], requestHash: r.Draft.RequestHash()}
		head := heads[r.CandidateID]
		prev, hash := head.link(&row.rec)
		if _, err := stmt.ExecContext(ctx, vals.fill(ids[k], row, prev, hash)...); err != nil {
			return res, err
		}
		c := runs[r.CandidateID]
		if c == nil {
			c = &run{head: head, from: head.Seq}
			runs[r.CandidateID] = c
			order = append(order, r.CandidateID)
		}
		c.n++
		c.points += v.Points
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return res, err
	}
	targets := make([]string, len(order))
	summaries := make([]string, len(order))
	file := fileHash[:min(16, len(fileHash))]
	for k, id := range order {
		c := runs[id]
		targets[k] = "candidate:" + itoa(id)
		summaries[k] = fmt.Sprintf("seq=%d hash=%s from_seq=%d entries=%d points=%d file=%s period=%s",
			c.head.Seq, ledger.AuditHash(c.head.Hash), c.from, c.n, c.points, file, period)
	}
	if err := auditEach(ctx, tx, a, "ledger.import", targets, summaries); err != nil {
		return res, err
	}
	res.Written, res.Entries = len(fresh), ids
	return res, nil
}

// priorRequests returns, by idempotency key, the request hashes of the
// rows already booked under the given candidate and key pairs.
func priorRequests(ctx context.Context, tx *sqlx.Tx, cands []int64, keys []string) (map[string][]byte, error) {
	var found []struct {
		Key  string `db:"idempotency_key"`
		Hash []byte `db:"request_hash"`
	}
	err := tx.SelectContext(ctx, &found, `
		SELECT e.idempotency_key, e.request_hash
		FROM unnest($1::bigint[], $2::text[]) AS k (candidate_id, key)
		JOIN ledger_entries e ON e.candidate_id = k.candidate_id AND e.idempotency_key = k.key`, pq.Array(cands), pq.Array(keys))
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(found))
	for _, f := range found {
		out[f.Key] = f.Hash
	}
	return out, nil
}

// readHeads returns the last row of each chain, like readHead, in one
// query; a chain with no row yet starts at the genesis hash.
func readHeads(ctx context.Context, tx *sqlx.Tx, cands []int64) (map[int64]*chainHead, error) {
	out := map[int64]*chainHead{}
	for _, c := range cands {
		out[c] = &chainHead{CandidateID: c, Hash: ledger.Genesis}
	}
	ids := make([]int64, 0, len(out))
	for c := range out {
		ids = append(ids, c)
	}
	rows, err := tx.QueryxContext(ctx, `
		SELECT c.id, h.seq, h.hash FROM unnest($1::bigint[]) AS c (id)
		CROSS JOIN LATERAL (SELECT seq, hash FROM ledger_entries WHERE candidate_id = c.id ORDER BY seq DESC LIMIT 1) h`, pq.Array(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var h chainHead
		if err := rows.Scan(&h.CandidateID, &h.Seq, &h.Hash); err != nil {
			return nil, err
		}
		out[h.CandidateID] = &h
	}
	return out, rows.Err()
}
