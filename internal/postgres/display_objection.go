package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"seedling/internal/display"
	"seedling/internal/ledger"
	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

type objectionRow struct {
	ID           int64      `db:"id"`
	DisplayID    int64      `db:"display_id"`
	NoticeID     int64      `db:"notice_id"`
	CandidateID  int64      `db:"candidate_id"`
	Text         string     `db:"text"`
	Channel      string     `db:"channel"`
	From         string     `db:"received_from"`
	RaisedBy     *int64     `db:"raised_by"`
	RaisedByName string     `db:"raised_by_name"`
	RaisedOn     time.Time  `db:"raised_on"`
	DueOn        time.Time  `db:"due_on"`
	Decision     *string    `db:"decision"`
	Reason       *string    `db:"reason"`
	ResolvedBy   *string    `db:"resolved_by_name"`
	ResolvedOn   *time.Time `db:"resolved_on"`
	ResolvedAt   *time.Time `db:"resolved_at"`
	EntryIDs     []byte     `db:"entry_ids"`
	HasEvidence  bool       `db:"has_evidence"`
}

const objectionSelect = `
	SELECT o.id, COALESCE(o.display_id, 0) AS display_id, COALESCE(o.notice_id, 0) AS notice_id, o.candidate_id, o.text, o.channel, o.received_from, o.raised_by, o.raised_by_name,
	       o.raised_on, o.due_on, r.decision, r.reason, r.resolved_by_name, r.resolved_on, r.resolved_at,
	       COALESCE((SELECT json_agg(e.id ORDER BY e.id) FROM ledger_entries e WHERE e.objection_id = o.id), '[]') AS entry_ids,
	       o.evidence_sha256 IS NOT NULL AS has_evidence
	FROM objections o LEFT JOIN objection_resolutions r ON r.objection_id = o.id`

func (r objectionRow) objection() display.Objection {
	o := display.Objection{ID: r.ID, DisplayID: r.DisplayID, NoticeID: r.NoticeID, CandidateID: r.CandidateID, Text: r.Text, Channel: r.Channel,
		From: r.From, RaisedBy: r.RaisedBy, RaisedByName: r.RaisedByName, RaisedOn: r.RaisedOn.UTC(), DueOn: r.DueOn.UTC(),
		State: display.ObjectionOpen, ResolvedOn: r.ResolvedOn, ResolvedAt: r.ResolvedAt, HasEvidence: r.HasEvidence}
	if r.Decision != nil {
		o.State, o.Reason, o.ResolvedBy = *r.Decision, *r.Reason, *r.ResolvedBy
	}
	// entry_ids is json_agg of bigints, always well formed.
	_ = json.Unmarshal(r.EntryIDs, &o.EntryIDs)
	return o
}

func objectionsWhere(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) ([]display.Objection, error) {
	return listWhere(ctx, q, objectionSelect, where, "o.id", objectionRow.objection, args...)
}

// objectionWhere is the one objection a clause names.
func objectionWhere(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) (display.Objection, error) {
	return oneWhere(ctx, q, objectionSelect, where, "o.id", objectionRow.objection, args...)
}

// Objections lists the objections to one display.
func (s *DisplayStore) Objections(ctx context.Context, displayID int64) ([]display.Objection, error) {
	return objectionsWhere(ctx, s.db, `o.display_id = $1`, displayID)
}

// Objection returns one objection and the display it is about (without
// rows), whose node the caller checks against the scope.
func (s *DisplayStore) Objection(ctx context.Context, id int64) (display.Objection, display.Display, error) {
	o, err := objectionWhere(ctx, s.db, `o.id = $1`, id)
	if err != nil {
		return display.Objection{}, display.Display{}, err
	}
	var r displayRow
	if err := s.db.GetContext(ctx, &r, displaySelect+` WHERE d.id = $1`, o.DisplayID); err != nil {
		return display.Objection{}, display.Display{}, translate(err)
	}
	return o, r.display(), nil
}

// ObjectionEvidence returns the file recorded with an objection (to a
// display row or a notice), if any, and the candidate the objection is
// about, whose node the caller checks.
func (s *DisplayStore) ObjectionEvidence(ctx context.Context, id int64) (ledger.Evidence, int64, bool, error) {
	var r struct {
		CandidateID int64   `db:"candidate_id"`
		SHA256      *string `db:"evidence_sha256"`
		Name        *string `db:"evidence_name"`
		Size        *int64  `db:"evidence_size"`
		Type        *string `db:"evidence_type"`
	}
	if err := s.db.GetContext(ctx, &r, `SELECT candidate_id, evidence_sha256, evidence_name, evidence_size, evidence_type FROM objections WHERE id = $1`, id); err != nil {
		return ledger.Evidence{}, 0, false, translate(err)
	}
	if r.SHA256 == nil {
		return ledger.Evidence{}, r.CandidateID, false, nil
	}
	return ledger.Evidence{SHA256: *r.SHA256, Name: *r.Name, Size: *r.Size, ContentType: *r.Type}, r.CandidateID, true, nil
}

// Raise records an objection about one row during the window, with its
// deadline in working days and the evidence file already in the evidence
// store, if any. recorder says the caller records it for someone else
// (received on paper or by phone).
func (s *DisplayStore) Raise(ctx context.Context, a seedling.Actor, displayID int64, r display.Raise, recorder bool, ev *ledger.Evidence) (display.Objection, error) {
	var id int64
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		d, err := getDisplay(ctx, tx, displayID)
		if err != nil {
			return err
		}
		var days int
		if err := tx.GetContext(ctx, &days, `SELECT COALESCE(objection_days, 0) FROM displays WHERE id = $1`, displayID); err != nil {
			return err
		}
		cal, err := loadCalendar(ctx, tx)
		if err != nil {
			return err
		}
		r, due, err := d.CheckRaiseOn(r, seedling.Today(s.db.Now()), recorder, cal, max(days, 1))
		if err != nil {
			return err
		}
		// The same objection again from the same person while the first is
		// open is a client retrying after a lost answer: it answers the
		// first and writes nothing. The lock makes two copies arriving at
		// once take turns.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('seedling.objection.display:' || $1, 0))`, displayID); err != nil {
			return err
		}
		err = tx.GetContext(ctx, &id, `
			SELECT o.id FROM objections o
			WHERE o.display_id = $1 AND o.candidate_id = $2 AND o.raised_by IS NOT DISTINCT FROM $3 AND o.text = $4
			  AND o.channel = $5 AND o.received_from = $6
			  AND NOT EXISTS (SELECT FROM objection_resolutions x WHERE x.objection_id = o.id)
			ORDER BY o.id LIMIT 1`, displayID, r.CandidateID, a.UserID, r.Text, r.Channel, r.From)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var sha, name, ctype any
		var size any
		if ev != nil {
			sha, name, size, ctype = ev.SHA256, ev.Name, ev.Size, ev.ContentType
		}
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO objections (display_id, candidate_id, text, channel, received_from, raised_by, raised_by_name, raised_on, due_on,
			                        evidence_sha256, evidence_name, evidence_size, evidence_type)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			displayID, r.CandidateID, r.Text, r.Channel, r.From, a.UserID, a.Username, seedling.Today(s.db.Now()), due,
			sha, name, size, ctype); err != nil {
			return err
		}
		return audit(ctx, tx, a, "objection.raise", "display:"+itoa(displayID),
			fmt.Sprintf("objection=%d candidate=%d channel=%s due_on=%s", id, r.CandidateID, r.Channel, due.Format(seedling.DateLayout)))
	})
	if err != nil {
		return display.Objection{}, err
	}
	o, _, err := s.Objection(ctx, id)
	return o, err
}

// Resolve answers an open objection in one transaction: the resolution
// row (its primary key makes a second answer a conflict, whatever the
// race), and for an upheld one the correcting entry and/or reversal,
// booked through the ledger's own record and reverse steps and linked to
// the objection.
func (s *DisplayStore) Resolve(ctx context.Context, a seedling.Actor, id int64, res display.Resolution, correction *ledger.Draft) (display.Objection, error) {
	res.HasCorrection = correction != nil
	ledgers := &LedgerStore{db: s.db}
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		o, err := objectionWhere(ctx, tx, `o.id = $1`, id)
		if err != nil {
			return err
		}
		if res, err = o.CheckResolution(res); err != nil {
			return err
		}
		state := display.ObjectionRejected
		if res.Decision == display.Uphold {
			state = display.ObjectionUpheld
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO objection_resolutions (objection_id, decision, reason, resolved_by, resolved_by_name, resolved_on)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, state, res.Reason, a.UserID, a.Username, seedling.Today(s.db.Now())); err != nil {
			return err
		}
		if res.ReverseEntryID != nil {
			var owner int64
			if err := tx.GetContext(ctx, &owner, `SELECT candidate_id FROM ledger_entries WHERE id = $1`, *res.ReverseEntryID); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if err := o.CanReverseFor(owner); err != nil {
				return err
			}
			if _, err := ledgers.reverse(ctx, tx, a, *res.ReverseEntryID, res.Reason, &o.ID); err != nil {
				return err
			}
		}
		if correction != nil {
			if _, _, err := ledgers.record(ctx, tx, a, o.CandidateID, correction.Correcting(res.Reason), "", nil, &o.ID, false); err != nil {
				return err
			}
		}
		return audit(ctx, tx, a, "objection.resolve", "display:"+itoa(o.DisplayID),
			fmt.Sprintf("objection=%d decision=%s", id, state))
	})
	if err != nil {
		return display.Objection{}, err
	}
	o, _, err := s.Objection(ctx, id)
	return o, err
}

// RaisedBy lists the objections a person raised in the system, for their
// start page.
func (s *DisplayStore) RaisedBy(ctx context.Context, userID int64) ([]display.Objection, error) {
	return objectionsWhere(ctx, s.db, `o.raised_by = $1 AND o.channel = 'online'`, userID)
}

// OverdueObjection is an open objection past its deadline, with where it is.
type OverdueObjection struct {
	display.Objection
	OrgID   int64
	OrgName string
	Period  string
}

// Overdue lists the open objections past their deadline under the roots.
func (s *DisplayStore) Overdue(ctx context.Context, roots []string, today time.Time) ([]OverdueObjection, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	var rows []struct {
		objectionRow
		OrgID   int64  `db:"org_id"`
		OrgName string `db:"org_name"`
		Period  string `db:"period"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT x.*, d.org_id, g.name AS org_name, d.period FROM (`+objectionSelect+`) x
		JOIN displays d ON d.id = x.display_id JOIN orgs g ON g.id = d.org_id
		WHERE x.decision IS NULL AND x.due_on < $2 AND `+inSubtrees("g.path", 1)+` ORDER BY x.due_on, x.id`,
		pq.Array(roots), today)
	if err != nil {
		return nil, translate(err)
	}
	out := make([]OverdueObjection, len(rows))
	for i, r := range rows {
		out[i] = OverdueObjection{Objection: r.objection(), OrgID: r.OrgID, OrgName: r.OrgName, Period: r.Period}
	}
	return out, nil
}

// overdueObjections are the due-list items of the open objections past
// their deadline under roots, each on the person it is about.
func overdueObjections(ctx context.Context, db *DB, roots []string, today time.Time) ([]DueEntry, error) {
	list, err := db.Displays().Overdue(ctx, roots, today)
	if err != nil {
		return nil, err
	}
	var out []DueEntry
	for _, o := range list {
		name, err := db.Displays().RowName(ctx, o.DisplayID, o.CandidateID)
		if err != nil {
			return nil, err
		}
		if item, ok := pipeline.ObjectionDue(o.DueOn, today, o.Period, name); ok {
			out = append(out, DueEntry{DueItem: item, CandidateID: o.CandidateID, Name: name, OrgID: o.OrgID, OrgName: o.OrgName})
		}
	}
	return out, nil
}

// RowName is the name a display shows for a candidate.
func (s *DisplayStore) RowName(ctx context.Context, displayID, candidateID int64) (string, error) {
	var name string
	err := s.db.GetContext(ctx, &name, `SELECT name FROM display_rows WHERE display_id = $1 AND candidate_id = $2`, displayID, candidateID)
	return name, translate(err)
}
