package postgres

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// LedgerStore keeps the points ledgers. Every write appends to one
// candidate's hash chain under a lock on that candidate; nothing here issues
// an UPDATE or a DELETE on a ledger table, and the database refuses both.
type LedgerStore struct{ db *DB }

// Ledger returns the ledger store.
func (db *DB) Ledger() *LedgerStore { return &LedgerStore{db: db} }

// Record appends one entry and the evidence already put in the evidence
// store, all in one transaction. A retry with the same idempotency key and
// the same draft returns the original entry (replayed = true) and writes
// nothing; the same key with another draft is refused.
func (s *LedgerStore) Record(ctx context.Context, a seedling.Actor, candidateID int64, d ledger.Draft, key string, files []ledger.Evidence) (e ledger.Entry, replayed bool, err error) {
	return s.recordIn(ctx, a, candidateID, d, key, files, false)
}

// RecordCounted is Record that refuses, with ledger.CheckCounted's EConflict,
// points that would not all count: the page's form asks before booking
// them, and books them when the person confirms (Record).
func (s *LedgerStore) RecordCounted(ctx context.Context, a seedling.Actor, candidateID int64, d ledger.Draft, key string, files []ledger.Evidence) (e ledger.Entry, replayed bool, err error) {
	return s.recordIn(ctx, a, candidateID, d, key, files, true)
}

func (s *LedgerStore) recordIn(ctx context.Context, a seedling.Actor, candidateID int64, d ledger.Draft, key string, files []ledger.Evidence, counted bool) (e ledger.Entry, replayed bool, err error) {
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		e, replayed, err = s.record(ctx, tx, a, candidateID, d, key, files, nil, counted)
		return err
	})
	if err != nil {
		return ledger.Entry{}, false, err
	}
	if replayed || len(files) > 0 {
		e, err = s.Entry(ctx, e.ID)
		return e, replayed, err
	}
	// A fresh entry has no evidence and no reversal yet: the row its INSERT
	// answered is the whole of it.
	return e, false, nil
}

// record is the step of Record inside a transaction the caller owns, so
// that another action (upholding an objection) books its correction through
// the same checks. objectionID, when set, links the entry to the objection
// it corrects. counted refuses points that would not all count
// (ledger.CheckCounted), judged under the chain's lock. It answers the
// entry as written, without its evidence; a replay answers only the id of
// the entry the first request wrote.
func (s *LedgerStore) record(ctx context.Context, tx *sqlx.Tx, a seedling.Actor, candidateID int64, d ledger.Draft, key string, files []ledger.Evidence, objectionID *int64, counted bool) (e ledger.Entry, replayed bool, err error) {
	reqHash := d.RequestHash()
	subj, head, prior, found, err := s.db.lockChainAndHead(ctx, tx, candidateID, key)
	if err != nil {
		return e, false, err
	}
	if found {
		return replay(prior, reqHash)
	}
	rubrics, err := s.db.rubrics(ctx, tx)
	if err != nil {
		return e, false, err
	}
	today := seedling.Today(s.db.Now())
	rs, err := s.db.ruleSet(today)
	if err != nil {
		return e, false, err
	}
	v, err := ledger.CheckEntry(d, subj, rubrics, rs.Late(), today)
	if err != nil {
		return e, false, err
	}
	if counted {
		list, err := standings(ctx, tx, StandingFilter{IDs: []int64{candidateID}})
		if err != nil {
			return e, false, err
		}
		if len(list) == 1 {
			if err := ledger.CheckCounted(list[0].Sums, rubrics, ledger.PeriodOf(today), v); err != nil {
				return e, false, err
			}
		}
	}
	e, err = s.db.appendEntry(ctx, tx, a, &head, v, key, reqHash, s.db.recordedNow(), objectionID)
	if errors.Is(err, errStaleHead) {
		if head, prior, found, err = s.db.headAndPrior(ctx, tx, candidateID, key); err != nil {
			return e, false, err
		}
		if found {
			return replay(prior, reqHash)
		}
		e, err = s.db.appendEntry(ctx, tx, a, &head, v, key, reqHash, s.db.recordedNow(), objectionID)
	}
	if err != nil {
		return e, false, err
	}
	for _, f := range files {
		if _, err := s.db.attach(ctx, tx, a, &head, e.ID, f, s.db.recordedNow()); err != nil {
			return e, false, err
		}
	}
	return e, false, nil
}

// replay answers a retried request with the entry its first run wrote, if
// it asked for the same entry.
func replay(prior priorRequest, reqHash []byte) (ledger.Entry, bool, error) {
	if !bytes.Equal(prior.hash, reqHash) {
		return ledger.Entry{}, false, idempotencyMismatch()
	}
	return ledger.Entry{ID: prior.id}, true, nil
}

// objectionNote names, in an audit summary, the objection an entry corrects.
func objectionNote(objectionID *int64) string {
	if objectionID == nil {
		return ""
	}
	return " objection_id=" + itoa(*objectionID)
}

func idempotencyMismatch() error {
	return &seedling.Error{Code: seedling.ERule, Message: "this Idempotency-Key was already used for a different entry",
		Fields: map[string]string{"Idempotency-Key": "already used with a different body"}}
}

type priorRequest struct {
	id   int64
	hash []byte
}

// lockChainAndHead locks the chain as lockChain does and reads, in the same
// statement, the chain head and the entry an earlier request with the same
// idempotency key wrote, if any (no key: none): one round trip where two
// were.
//
// The head is read in the statement's snapshot, taken before the lock was
// granted. When the lock had to wait for another writer of this chain, that
// writer's row is missing from it: the head is stale, and so may be the
// retry check (a request with the same key that committed meanwhile). The
// append then finds the seq taken and writes nothing (errStaleHead), and
// record reads both again (headAndPrior), now exactly: the lock is held.
// Uncontended, the common case, the head is exact.
func (db *DB) lockChainAndHead(ctx context.Context, tx *sqlx.Tx, candidateID int64, key string) (ledger.Subject, chainHead, priorRequest, bool, error) {
	h := chainHead{CandidateID: candidateID}
	var stage string
	var since *time.Time
	var seq sql.NullInt64
	var priorID sql.NullInt64
	var p priorRequest
	st, err := db.prepared(ctx, tx, LockChainAndHeadSQL)
	if err != nil {
		return ledger.Subject{}, h, p, false, err
	}
	if err := st.QueryRowxContext(ctx, candidateID, key).Scan(&stage, &since, &seq, &h.Hash, &priorID, &p.hash); err != nil {
		return ledger.Subject{}, h, p, false, translate(err)
	}
	if !seq.Valid {
		h.Hash = ledger.Genesis
	}
	h.Seq = int(seq.Int64)
	p.id = priorID.Int64
	// What the entry rules need to know about the candidate, read under
	// the lock.
	return ledger.Subject{Stage: seedling.Stage(stage), ActivistSince: since}, h, p, priorID.Valid, nil
}

// LockChainAndHeadSQL is lockChainAndHead's statement.
const LockChainAndHeadSQL = `
		SELECT c.stage, c.activist_since, h.seq, h.hash, p.id, p.request_hash FROM candidates c` + headAndPriorJoins + `
		WHERE c.id = $1
		FOR NO KEY UPDATE OF c`

// headAndPriorJoins read, for the chain of candidate c.id, the head (h) and
// the entry written under the idempotency key $2 (p).
const headAndPriorJoins = `
		LEFT JOIN LATERAL (SELECT seq, hash FROM ledger_entries WHERE candidate_id = c.id ORDER BY seq DESC LIMIT 1) h ON true
		LEFT JOIN LATERAL (SELECT id, request_hash FROM ledger_entries
		                   WHERE candidate_id = c.id AND idempotency_key = $2 AND $2 <> '') p ON true`

// headAndPrior reads, under the chain's lock, what lockChainAndHead reads
// beside it: a statement of its own, so that it sees every chain row
// committed before the lock was granted.
func (db *DB) headAndPrior(ctx context.Context, tx *sqlx.Tx, candidateID int64, key string) (chainHead, priorRequest, bool, error) {
	h := chainHead{CandidateID: candidateID}
	var seq sql.NullInt64
	var priorID sql.NullInt64
	var p priorRequest
	st, err := db.prepared(ctx, tx, `
		SELECT h.seq, h.hash, p.id, p.request_hash FROM (SELECT $1::bigint AS id) c`+headAndPriorJoins)
	if err != nil {
		return h, p, false, err
	}
	if err := st.QueryRowxContext(ctx, candidateID, key).Scan(&seq, &h.Hash, &priorID, &p.hash); err != nil {
		return h, p, false, err
	}
	if !seq.Valid {
		h.Hash = ledger.Genesis
	}
	h.Seq = int(seq.Int64)
	p.id = priorID.Int64
	return h, p, priorID.Valid, nil
}

func (db *DB) appendEntry(ctx context.Context, tx *sqlx.Tx, a seedling.Actor, head *chainHead, v ledger.Valid, key string, reqHash []byte, at time.Time, objectionID *int64) (ledger.Entry, error) {
	row := chainRow{rec: entryRecord(a, at, v), recordedBy: a.UserID, requestHash: reqHash, objectionID: objectionID}
	if key != "" {
		row.key = &key
	}
	r, err := db.appendRow(ctx, tx, head, row, chainAudit{a, "ledger.record", fmt.Sprintf("category=%s points=%d occurred_on=%s%s",
		v.Category.Code, v.Points, v.OccurredOn.Format(seedling.DateLayout), objectionNote(objectionID))})
	return r.entry(), err
}

// entryRecord is the chained record of a checked entry. A single entry and
// an imported row are built here alike, so a field added to entries (the
// late reason was one) reaches both paths.
func entryRecord(a seedling.Actor, at time.Time, v ledger.Valid) ledger.Record {
	rec := actorRecord(a, at)
	rec.Kind, rec.Category, rec.Points = ledger.KindEntry, v.Category.Code, v.Points
	rec.OccurredOn, rec.Period, rec.Description = v.OccurredOn.Format(seedling.DateLayout), v.Period.String(), v.Description
	rec.LateReason = v.LateReason
	return rec
}

// Reverse appends the reversal of one entry: the same category, date and
// quarter with the points negated, so the quarter it corrects nets to zero.
// An entry is reversed at most once (409 for the second attempt); a reversal
// is never reversed — a new entry corrects it.
func (s *LedgerStore) Reverse(ctx context.Context, a seedling.Actor, entryID int64, reason string) (ledger.Entry, error) {
	var id int64
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		id, err = s.reverse(ctx, tx, a, entryID, reason, nil)
		return err
	})
	if err != nil {
		return ledger.Entry{}, err
	}
	return s.Entry(ctx, id)
}

// reverse is the step of Reverse inside a transaction the caller owns;
// objectionID, when set, links the reversal to the objection it answers.
func (s *LedgerStore) reverse(ctx context.Context, tx *sqlx.Tx, a seedling.Actor, entryID int64, reason string, objectionID *int64) (int64, error) {
	reason, err := ledger.CheckReason(reason)
	if err != nil {
		return 0, err
	}
	orig, err := s.db.lockedEntry(ctx, tx, entryID)
	if err != nil {
		return 0, err
	}
	if err := ledger.CanReverse(orig); err != nil {
		return 0, err
	}
	head, err := readHead(ctx, tx, orig.CandidateID)
	if err != nil {
		return 0, err
	}
	rec := actorRecord(a, s.db.recordedNow())
	rec.Kind, rec.Category, rec.Points = ledger.KindReversal, orig.Category, -orig.Points
	rec.OccurredOn, rec.Period = orig.OccurredOn.Format(seedling.DateLayout), orig.Period
	rec.Description, rec.ReversesSeq, rec.Reason = orig.Description, orig.Seq, reason
	r, err := s.db.appendRow(ctx, tx, &head, chainRow{rec: rec, reverses: &orig.ID, recordedBy: a.UserID, objectionID: objectionID},
		chainAudit{a, "ledger.reverse", fmt.Sprintf("reverses=#%d points=%d reason=%s%s", orig.Seq, rec.Points, reason, objectionNote(objectionID))})
	return r.ID, err
}

// lockedEntry reads one row after locking its chain, so what it says cannot
// change before the transaction ends.
func (db *DB) lockedEntry(ctx context.Context, tx *sqlx.Tx, entryID int64) (ledger.Entry, error) {
	var candidateID int64
	if err := tx.GetContext(ctx, &candidateID, `SELECT candidate_id FROM ledger_entries WHERE id = $1`, entryID); err != nil {
		return ledger.Entry{}, translate(err)
	}
	if err := db.lockChain(ctx, tx, candidateID); err != nil {
		return ledger.Entry{}, err
	}
	var r entryRow
	if err := tx.GetContext(ctx, &r, entrySelect+` WHERE e.id = $1`, entryID); err != nil {
		return ledger.Entry{}, translate(err)
	}
	return r.entry(), nil
}

// Attach records a file already in the evidence store as evidence of one
// entry or reversal. The same file attached to the same entry again is not
// recorded twice: the first record is returned with created = false.
func (s *LedgerStore) Attach(ctx context.Context, a seedling.Actor, entryID int64, f ledger.Evidence) (ev ledger.Evidence, created bool, err error) {
	var id int64
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		created = false
		orig, err := s.db.lockedEntry(ctx, tx, entryID)
		if err != nil {
			return err
		}
		if orig.Kind == ledger.KindEvidence {
			return seedling.NotFound()
		}
		err = tx.GetContext(ctx, &id, `SELECT id FROM evidence_files WHERE entry_id = $1 AND sha256 = $2`, entryID, f.SHA256)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		head, err := readHead(ctx, tx, orig.CandidateID)
		if err != nil {
			return err
		}
		id, err = s.db.attach(ctx, tx, a, &head, entryID, f, s.db.recordedNow())
		created = err == nil
		return err
	})
	if err != nil {
		return ledger.Evidence{}, false, err
	}
	ev, _, err = s.Evidence(ctx, id)
	return ev, created, err
}

// attach writes the file's row and the chain row that vouches for it.
func (db *DB) attach(ctx context.Context, tx *sqlx.Tx, a seedling.Actor, head *chainHead, entryID int64, f ledger.Evidence, at time.Time) (int64, error) {
	var entrySeq int
	if err := tx.GetContext(ctx, &entrySeq, `SELECT seq FROM ledger_entries WHERE id = $1 AND candidate_id = $2`, entryID, head.CandidateID); err != nil {
		return 0, translate(err)
	}
	var fileID int64
	if err := tx.GetContext(ctx, &fileID, `
		INSERT INTO evidence_files (candidate_id, entry_id, sha256, name, size, content_type, stored_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		head.CandidateID, entryID, f.SHA256, f.Name, f.Size, f.ContentType, at); err != nil {
		return 0, err
	}
	rec := actorRecord(a, at)
	rec.Kind, rec.EvidenceOfSeq = ledger.KindEvidence, entrySeq
	rec.EvidenceSHA256, rec.EvidenceName, rec.EvidenceSize, rec.EvidenceType = f.SHA256, f.Name, f.Size, f.ContentType
	_, err := db.appendRow(ctx, tx, head, chainRow{rec: rec, evidenceID: &fileID, recordedBy: a.UserID},
		chainAudit{a, "ledger.evidence", fmt.Sprintf("entry=#%d sha256=%s name=%s", entrySeq, f.SHA256, f.Name)})
	return fileID, err
}

// entryRow is one entry or reversal as pages and the API show it.
type entryRow struct {
	ID             int64      `db:"id"`
	CandidateID    int64      `db:"candidate_id"`
	Seq            int        `db:"seq"`
	Kind           string     `db:"kind"`
	Category       string     `db:"category"`
	Points         int        `db:"points"`
	OccurredOn     *time.Time `db:"occurred_on"`
	Period         string     `db:"period"`
	Description    string     `db:"description"`
	Reverses       *int64     `db:"reverses"`
	ReversesSeq    *int       `db:"reverses_seq"`
	ReversedBy     *int64     `db:"reversed_by"`
	ReversedSeq    *int       `db:"reversed_seq"`
	Reason         string     `db:"reason"`
	LateReason     string     `db:"late_reason"`
	RecordedByID   *int64     `db:"recorded_by"`
	RecordedBy     string     `db:"recorded_by_name"`
	RecordedByName string     `db:"recorded_by_display"`
	RecordedAt     time.Time  `db:"recorded_at"`
	Hash           []byte     `db:"hash"`
	ObjectionID    *int64     `db:"objection_id"`
}

const entryColumns = `
	SELECT e.id, e.candidate_id, e.seq, e.kind, COALESCE(e.category, '') AS category, e.points, e.occurred_on,
	       COALESCE(e.period, '') AS period, e.description, e.reverses, r.seq AS reverses_seq,
	       rb.id AS reversed_by, rb.seq AS reversed_seq, e.reason, e.late_reason, e.recorded_by, e.recorded_by_name,
	       COALESCE(u.display_name, e.recorded_by_name) AS recorded_by_display, e.recorded_at, e.hash, e.objection_id`

const entrySelect = entryColumns + entryFrom

const entryFrom = `
	FROM ledger_entries e
	LEFT JOIN ledger_entries r ON r.id = e.reverses
	LEFT JOIN ledger_entries rb ON rb.reverses = e.id
	LEFT JOIN users u ON u.id = e.recorded_by`

func (r entryRow) entry() ledger.Entry {
	e := ledger.Entry{ID: r.ID, CandidateID: r.CandidateID, Seq: r.Seq, Kind: r.Kind, Category: r.Category, Points: r.Points,
		Period: r.Period, Description: r.Description, Reverses: r.Reverses, ReversedBy: r.ReversedBy, Reason: r.Reason, LateReason: r.LateReason,
		RecordedByID: r.RecordedByID, RecordedBy: r.RecordedBy, RecordedByName: r.RecordedByName, RecordedAt: r.RecordedAt.UTC(), Hash: r.Hash, ObjectionID: r.ObjectionID}
	if r.OccurredOn != nil {
		e.OccurredOn = *r.OccurredOn
	}
	if r.ReversesSeq != nil {
		e.ReversesSeq = *r.ReversesSeq
	}
	if r.ReversedSeq != nil {
		e.ReversedSeq = *r.ReversedSeq
	}
	return e
}

// entryAlone returns one entry or reversal without its evidence.
func (s *LedgerStore) entryAlone(ctx context.Context, id int64) (ledger.Entry, error) {
	st, err := s.db.prepared(ctx, nil, entrySelect+` WHERE e.id = $1 AND e.kind <> 'evidence'`)
	if err != nil {
		return ledger.Entry{}, translate(err)
	}
	var r entryRow
	if err := st.GetContext(ctx, &r, id); err != nil {
		return ledger.Entry{}, translate(err)
	}
	return r.entry(), nil
}

// Entry returns one entry or reversal with its evidence.
func (s *LedgerStore) Entry(ctx context.Context, id int64) (ledger.Entry, error) {
	e, err := s.entryAlone(ctx, id)
	if err != nil {
		return ledger.Entry{}, err
	}
	files, err := s.evidenceWhere(ctx, `f.entry_id = $1`, id)
	if err != nil {
		return ledger.Entry{}, err
	}
	e.Evidence = files
	return e, nil
}

// Entries returns a candidate's ledger in chain order, each entry with its
// evidence and its reversal, if any.
func (s *LedgerStore) Entries(ctx context.Context, candidateID int64) ([]ledger.Entry, error) {
	m, err := s.entriesWhere(ctx, `e.candidate_id = $1`, candidateID)
	return m[candidateID], err
}

func (s *LedgerStore) entriesWhere(ctx context.Context, where string, arg any) (map[int64][]ledger.Entry, error) {
	var rows []entryRow
	if err := s.db.SelectContext(ctx, &rows, entrySelect+` WHERE e.kind <> 'evidence' AND `+where+` ORDER BY e.candidate_id, e.seq`, arg); err != nil {
		return nil, translate(err)
	}
	files, err := s.evidenceWhere(ctx, `f.entry_id IN (SELECT e.id FROM ledger_entries e WHERE `+where+`)`, arg)
	if err != nil {
		return nil, err
	}
	byEntry := map[int64][]ledger.Evidence{}
	for _, f := range files {
		byEntry[f.EntryID] = append(byEntry[f.EntryID], f)
	}
	out := map[int64][]ledger.Entry{}
	for _, r := range rows {
		e := r.entry()
		e.Evidence = byEntry[e.ID]
		out[e.CandidateID] = append(out[e.CandidateID], e)
	}
	return out, nil
}

type evidenceRow struct {
	ID          int64     `db:"id"`
	CandidateID int64     `db:"candidate_id"`
	EntryID     int64     `db:"entry_id"`
	SHA256      string    `db:"sha256"`
	Name        string    `db:"name"`
	Size        int64     `db:"size"`
	ContentType string    `db:"content_type"`
	StoredAt    time.Time `db:"stored_at"`
}

func (r evidenceRow) evidence() ledger.Evidence {
	return ledger.Evidence{ID: r.ID, EntryID: r.EntryID, SHA256: r.SHA256, Name: r.Name, Size: r.Size, ContentType: r.ContentType, StoredAt: r.StoredAt.UTC()}
}

const evidenceSelect = `SELECT f.id, f.candidate_id, f.entry_id, f.sha256, f.name, f.size, f.content_type, f.stored_at FROM evidence_files f`

func (s *LedgerStore) evidenceWhere(ctx context.Context, where string, arg any) ([]ledger.Evidence, error) {
	var rows []evidenceRow
	if err := s.db.SelectContext(ctx, &rows, evidenceSelect+` WHERE `+where+` ORDER BY f.id`, arg); err != nil {
		return nil, translate(err)
	}
	out := make([]ledger.Evidence, len(rows))
	for i, r := range rows {
		out[i] = r.evidence()
	}
	return out, nil
}

// Evidence returns one file's record and the candidate whose ledger it
// belongs to, which the caller checks against the scope.
func (s *LedgerStore) Evidence(ctx context.Context, id int64) (ledger.Evidence, int64, error) {
	var r evidenceRow
	if err := s.db.GetContext(ctx, &r, evidenceSelect+` WHERE f.id = $1`, id); err != nil {
		return ledger.Evidence{}, 0, translate(err)
	}
	return r.evidence(), r.CandidateID, nil
}

// EvidenceFiles calls fn for every evidence file recorded, for `seedling
// verify` to re-hash the stored content.
func (s *LedgerStore) EvidenceFiles(ctx context.Context, fn func(ev ledger.Evidence, candidateID int64) error) error {
	rows, err := s.db.QueryxContext(ctx, evidenceSelect+` ORDER BY f.id`)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r evidenceRow
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		if err := fn(r.evidence(), r.CandidateID); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Keeper is the person a branch named to keep its ledger (专人负责).
type Keeper struct {
	OrgID       int64     `db:"org_id"`
	OrgName     string    `db:"org_name"`
	UserID      int64     `db:"user_id"`
	Username    string    `db:"username"`
	DisplayName string    `db:"display_name"`
	NamedAt     time.Time `db:"named_at"`
}

// KeeperFor returns the keeper of the branch a node belongs to (the node
// itself, or the nearest branch above a party group); found is false when
// the branch has named nobody.
func (s *LedgerStore) KeeperFor(ctx context.Context, path string) (k Keeper, found bool, err error) {
	err = s.db.GetContext(ctx, &k, `
		SELECT b.id AS org_id, b.name AS org_name, u.id AS user_id, u.username, u.display_name, lk.named_at
		FROM orgs b
		JOIN LATERAL (SELECT user_id, named_at FROM ledger_keepers k WHERE k.org_id = b.id ORDER BY k.id DESC LIMIT 1) lk ON true
		JOIN users u ON u.id = lk.user_id
		WHERE b.kind = 'branch' AND $1 LIKE b.path || '%'
		ORDER BY length(b.path) DESC LIMIT 1`, path)
	if errors.Is(err, sql.ErrNoRows) {
		return Keeper{}, false, nil
	}
	if err != nil {
		return Keeper{}, false, translate(err)
	}
	k.NamedAt = k.NamedAt.UTC()
	return k, true, nil
}

// KeeperChoices lists the accounts a branch may name: those holding the
// secretary role at the branch, whose grant lets them write its ledger.
func (s *LedgerStore) KeeperChoices(ctx context.Context, branchID int64) ([]seedling.User, error) {
	var rows []struct {
		ID          int64  `db:"id"`
		Username    string `db:"username"`
		DisplayName string `db:"display_name"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT DISTINCT u.id, u.username, u.display_name FROM users u JOIN grants g ON g.user_id = u.id
		WHERE g.org_id = $1 AND g.role = 'secretary' AND NOT u.disabled ORDER BY u.username`, branchID)
	if err != nil {
		return nil, translate(err)
	}
	out := make([]seedling.User, len(rows))
	for i, r := range rows {
		out[i] = seedling.User{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName}
	}
	return out, nil
}

// NameKeeper records who keeps a branch's ledger from now on, when
// ledger.CanNameKeeper allows the naming.
func (s *LedgerStore) NameKeeper(ctx context.Context, a seedling.Actor, branchID, userID int64) error {
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		n := ledger.Naming{UserID: userID}
		if err := tx.QueryRowxContext(ctx, `
			SELECT o.kind, EXISTS (SELECT FROM users u JOIN grants g ON g.user_id = u.id
			                       WHERE u.id = $2 AND g.org_id = o.id AND g.role = 'secretary' AND NOT u.disabled)
			FROM orgs o WHERE o.id = $1`, branchID, userID).Scan(&n.OrgKind, &n.Secretary); err != nil {
			return translate(err)
		}
		if err := ledger.CanNameKeeper(n); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_keepers (org_id, user_id, named_by) VALUES ($1, $2, $3)`,
			branchID, userID, a.UserID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "ledger.keeper", "org:"+itoa(branchID), "user_id="+itoa(userID))
	})
}

// lockCandidates locks the chains of several candidates in id order, so two
// imports touching the same people cannot deadlock, and returns what the
// import rules need to know about those under path.
func lockCandidates(ctx context.Context, tx *sqlx.Tx, ids []int64, path string) (map[int64]ledger.ImportSubject, error) {
	var rows []struct {
		ID            int64      `db:"id"`
		Name          string     `db:"name"`
		Stage         string     `db:"stage"`
		ActivistSince *time.Time `db:"activist_since"`
	}
	err := tx.SelectContext(ctx, &rows, `
		SELECT c.id, c.name, c.stage, c.activist_since FROM candidates c JOIN orgs o ON o.id = c.org_id
		WHERE c.id = ANY($1) AND o.path LIKE $2 || '%'
		ORDER BY c.id FOR NO KEY UPDATE OF c`, pq.Array(ids), path)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]ledger.ImportSubject, len(rows))
	for _, r := range rows {
		out[r.ID] = ledger.ImportSubject{Name: r.Name, Subject: ledger.Subject{Stage: seedling.Stage(r.Stage), ActivistSince: r.ActivistSince}}
	}
	return out, nil
}

// ImportResult says what an import wrote.
type ImportResult struct {
	Written   int     // new entries
	Unchanged int     // rows already in the ledger from an earlier upload of the same file
	Entries   []int64 // ids of the new entries
}

// Import appends the rows of one spreadsheet for one quarter of a branch,
// all or nothing: every row is checked first, under the locks of every
// chain it touches, and any problem refuses the whole file. Each row's
// idempotency key is derived from the file's hash, the quarter and the row,
// so uploading the same file twice writes it once.
func (s *LedgerStore) Import(ctx context.Context, a seedling.Actor, branchPath string, period ledger.Period, fileHash string, rows []ledger.ImportRow) (ImportResult, error) {
	var res ImportResult
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		res = ImportResult{}
		ids := make([]int64, 0, len(rows))
		for _, r := range rows {
			ids = append(ids, r.CandidateID)
		}
		people, err := lockCandidates(ctx, tx, ids, branchPath)
		if err != nil {
			return err
		}
		rubrics, err := s.db.rubrics(ctx, tx)
		if err != nil {
			return err
		}
		today := seedling.Today(s.db.Now())
		rs, err := s.db.ruleSet(today)
		if err != nil {
			return err
		}
		valid, err := ledger.CheckImport(rows, period, people, rubrics, rs.Late(), today)
		if err != nil {
			return err
		}
		res, err = s.bookImport(ctx, tx, a, period, fileHash, rows, valid)
		return err
	})
	return res, err
}
