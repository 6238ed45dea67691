package postgres

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"seedling/internal/display"
	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// ChainReport is what a walk of every chain found.
type ChainReport struct {
	Chains  int
	Entries int
	Broken  []ledger.Break // the first break of each broken chain
}

// VerifyChains walks every candidate's chain in seq order, recomputing each
// row's hash from its content, and then checks every chain write the audit
// trail recorded (seq and hash, and the whole run for an import, which
// audits each chain once) against the chain, which catches rows cut from
// the end of a chain. It reads row by row, so memory does not grow with
// the number of rows.
func (s *LedgerStore) VerifyChains(ctx context.Context) (ChainReport, error) {
	claims, err := s.auditClaims(ctx)
	if err != nil {
		return ChainReport{}, err
	}
	rows, err := s.db.QueryxContext(ctx, `
		SELECT e.id, e.candidate_id, e.seq, e.kind, COALESCE(e.category, '') AS category, e.points, e.occurred_on,
		       COALESCE(e.period, '') AS period, e.description, COALESCE(r.seq, 0) AS reverses_seq, e.reason,
		       COALESCE(d.seq, 0) AS evidence_of_seq, COALESCE(f.sha256, '') AS sha256, COALESCE(f.name, '') AS name,
		       COALESCE(f.size, 0) AS size, COALESCE(f.content_type, '') AS content_type,
		       COALESCE(e.recorded_by, 0) AS recorded_by, e.recorded_by_name, e.recorded_at, e.late_reason, e.prev_hash, e.hash
		FROM ledger_entries e
		LEFT JOIN ledger_entries r ON r.id = e.reverses
		LEFT JOIN evidence_files f ON f.id = e.evidence_id
		LEFT JOIN ledger_entries d ON d.id = f.entry_id
		ORDER BY e.candidate_id, e.seq`)
	if err != nil {
		return ChainReport{}, translate(err)
	}
	defer rows.Close()
	var rep ChainReport
	var v *ledger.Verifier
	current := int64(0)
	finish := func() {
		if v == nil {
			return
		}
		for _, c := range claims[current] {
			v.ConfirmRun(c.from, c.seq, c.hash)
		}
		delete(claims, current)
		if b := v.Broken(); b != nil {
			rep.Broken = append(rep.Broken, *b)
		}
	}
	for rows.Next() {
		var r struct {
			ID            int64      `db:"id"`
			CandidateID   int64      `db:"candidate_id"`
			Seq           int        `db:"seq"`
			Kind          string     `db:"kind"`
			Category      string     `db:"category"`
			Points        int        `db:"points"`
			OccurredOn    *time.Time `db:"occurred_on"`
			Period        string     `db:"period"`
			Description   string     `db:"description"`
			ReversesSeq   int        `db:"reverses_seq"`
			Reason        string     `db:"reason"`
			EvidenceOfSeq int        `db:"evidence_of_seq"`
			SHA256        string     `db:"sha256"`
			Name          string     `db:"name"`
			Size          int64      `db:"size"`
			ContentType   string     `db:"content_type"`
			RecordedBy    int64      `db:"recorded_by"`
			RecordedName  string     `db:"recorded_by_name"`
			RecordedAt    time.Time  `db:"recorded_at"`
			LateReason    string     `db:"late_reason"`
			PrevHash      []byte     `db:"prev_hash"`
			Hash          []byte     `db:"hash"`
		}
		if err := rows.StructScan(&r); err != nil {
			return ChainReport{}, err
		}
		if v == nil || r.CandidateID != current {
			finish()
			current, v = r.CandidateID, ledger.NewVerifier(r.CandidateID)
			rep.Chains++
		}
		rep.Entries++
		rec := ledger.Record{CandidateID: r.CandidateID, Seq: r.Seq, Kind: r.Kind, Category: r.Category, Points: r.Points,
			Period: r.Period, Description: r.Description, ReversesSeq: r.ReversesSeq, Reason: r.Reason,
			EvidenceOfSeq: r.EvidenceOfSeq, EvidenceSHA256: r.SHA256, EvidenceName: r.Name, EvidenceSize: r.Size, EvidenceType: r.ContentType,
			RecordedByID: r.RecordedBy, RecordedBy: r.RecordedName, RecordedAt: r.RecordedAt, LateReason: r.LateReason}
		if r.OccurredOn != nil {
			rec.OccurredOn = r.OccurredOn.Format(seedling.DateLayout)
		}
		v.Add(r.ID, rec, r.PrevHash, r.Hash)
	}
	if err := rows.Err(); err != nil {
		return ChainReport{}, err
	}
	finish()
	// Chains the audit trail knows and the ledger has lost altogether.
	for id, cs := range claims {
		v := ledger.NewVerifier(id)
		for _, c := range cs {
			v.ConfirmRun(c.from, c.seq, c.hash)
		}
		if b := v.Broken(); b != nil {
			rep.Broken = append(rep.Broken, *b)
		}
	}
	return rep, nil
}

// auditClaim is what one audit event says of a chain: the row it left at
// the head (seq and hash) and, for an import, the first row it wrote
// (from); a single write claims the run of its own row.
type auditClaim struct {
	from, seq int
	hash      string
}

var claimPattern = regexp.MustCompile(`^seq=(\d+) hash=([0-9a-f]+)(?: from_seq=(\d+))?`)

// auditClaims reads the seq and hash every audited chain write recorded,
// and the first seq of every imported run.
func (s *LedgerStore) auditClaims(ctx context.Context) (map[int64][]auditClaim, error) {
	rows, err := s.db.QueryxContext(ctx, `
		SELECT target, summary FROM audit_events
		WHERE action LIKE 'ledger.%' AND target LIKE 'candidate:%' AND summary LIKE 'seq=%'`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[int64][]auditClaim{}
	for rows.Next() {
		var target, summary string
		if err := rows.Scan(&target, &summary); err != nil {
			return nil, err
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(target, "candidate:"), 10, 64)
		m := claimPattern.FindStringSubmatch(summary)
		if err != nil || m == nil {
			continue
		}
		seq, _ := strconv.Atoi(m[1])
		from := seq
		if m[3] != "" {
			from, _ = strconv.Atoi(m[3])
		}
		out[id] = append(out[id], auditClaim{from: from, seq: seq, hash: m[2]})
	}
	return out, rows.Err()
}

// DisplayBreak is a display that no longer holds.
type DisplayBreak struct {
	ID      int64
	OrgName string
	Period  string
	Version int
	Why     string
}

// VerifyDisplays checks every display beside the chains: its stored rows
// must hash to the hash it was published with (a row altered behind the
// application's back shows here), and each row's chain head must still be
// in that candidate's chain with the same hash.
func (s *LedgerStore) VerifyDisplays(ctx context.Context) (checked int, broken []DisplayBreak, err error) {
	var ids []int64
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM displays ORDER BY id`); err != nil {
		return 0, nil, translate(err)
	}
	for _, id := range ids {
		d, err := getDisplay(ctx, s.db, id)
		if err != nil {
			return checked, broken, err
		}
		checked++
		b := DisplayBreak{ID: d.ID, OrgName: d.OrgName, Period: d.Period, Version: d.Version}
		if want := display.Hash(d.OrgID, d.Period, d.Version, d.Rows); !bytes.Equal(want, d.Hash) {
			b.Why = "its rows no longer match the hash it was taken with (verification code " + d.Code() + ")"
			broken = append(broken, b)
			continue
		}
		var moved []int64
		if err := s.db.SelectContext(ctx, &moved, `
			SELECT r.candidate_id FROM display_rows r
			LEFT JOIN ledger_entries e ON e.candidate_id = r.candidate_id AND e.seq = r.head_seq
			WHERE r.display_id = $1 AND r.head_seq > 0 AND (e.hash IS NULL OR e.hash <> r.head_hash)
			ORDER BY r.candidate_id`, id); err != nil {
			return checked, broken, translate(err)
		}
		if len(moved) > 0 {
			b.Why = "the ledger of candidate " + itoa(moved[0]) + " no longer holds the entry the display was taken from"
			broken = append(broken, b)
		}
	}
	return checked, broken, nil
}
