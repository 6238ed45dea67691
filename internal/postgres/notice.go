package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"seedling/internal/calendar"
	"seedling/internal/display"
	"seedling/internal/ledger"
	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

// NoticeStore keeps the pre-admission notices (公示 before naming a
// development target and before admission) and their objections, which
// live beside the displays' in the objections table (migration 00016).
type NoticeStore struct{ db *DB }

// Notices returns the notice store.
func (db *DB) Notices() *NoticeStore { return &NoticeStore{db: db} }

type noticeRow struct {
	ID            int64     `db:"id"`
	CandidateID   int64     `db:"candidate_id"`
	CandidateName string    `db:"candidate_name"`
	OrgPath       string    `db:"org_path"`
	Step          string    `db:"step"`
	OpensOn       time.Time `db:"opens_on"`
	ClosesOn      time.Time `db:"closes_on"`
	ObjectionDays int       `db:"objection_days"`
	PublishedBy   string    `db:"published_by_name"`
	PublishedAt   time.Time `db:"published_at"`
}

const noticeSelect = `
	SELECT n.id, n.candidate_id, c.name AS candidate_name, o.path AS org_path, n.step, n.opens_on, n.closes_on,
	       n.objection_days, n.published_by_name, n.published_at
	FROM notices n JOIN candidates c ON c.id = n.candidate_id JOIN orgs o ON o.id = c.org_id`

func (r noticeRow) notice() display.Notice {
	return display.Notice{ID: r.ID, CandidateID: r.CandidateID, CandidateName: r.CandidateName, OrgPath: r.OrgPath, Step: r.Step,
		Window: calendar.Window{Opens: r.OpensOn.UTC(), Closes: r.ClosesOn.UTC()}, ObjectionDays: r.ObjectionDays,
		PublishedBy: r.PublishedBy, PublishedAt: r.PublishedAt.UTC()}
}

func noticesWhere(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) ([]display.Notice, error) {
	return listWhere(ctx, q, noticeSelect, where, "n.id", noticeRow.notice, args...)
}

// Get returns one notice; the caller checks its node against the scope.
func (s *NoticeStore) Get(ctx context.Context, id int64) (display.Notice, error) {
	return oneWhere(ctx, s.db, noticeSelect, `n.id = $1`, "n.id", noticeRow.notice, id)
}

// Of lists a person's notices, oldest first.
func (s *NoticeStore) Of(ctx context.Context, candidateID int64) ([]display.Notice, error) {
	return noticesWhere(ctx, s.db, `n.candidate_id = $1`, candidateID)
}

// Objections lists the objections to one notice.
func (s *NoticeStore) Objections(ctx context.Context, noticeID int64) ([]display.Objection, error) {
	return objectionsWhere(ctx, s.db, `o.notice_id = $1`, noticeID)
}

// Publish publishes a person's notice for a step: its window is the rule
// set's notice length in working days from today, its objections have the
// answer time of the node's display settings. A second notice while one
// for the same step still runs is a conflict.
func (s *NoticeStore) Publish(ctx context.Context, a seedling.Actor, candidateID int64, step string, rules *pipeline.Registry) (display.Notice, error) {
	var id int64
	today := seedling.Today(s.db.Now())
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var c struct {
			Stage string `db:"stage"`
			Path  string `db:"path"`
		}
		if err := tx.GetContext(ctx, &c, `SELECT c.stage, o.path FROM candidates c JOIN orgs o ON o.id = c.org_id WHERE c.id = $1 FOR UPDATE OF c`, candidateID); err != nil {
			return translate(err)
		}
		rs := rules.InForce(today)
		if rs == nil {
			return seedling.Errorf(seedling.ERule, "no rule set is in force today").Keyed("problem.no_rule_set", "Date", today.Format(seedling.DateLayout))
		}
		cal, err := loadCalendar(ctx, tx)
		if err != nil {
			return err
		}
		var running bool
		if err := tx.GetContext(ctx, &running, `SELECT EXISTS (SELECT FROM notices WHERE candidate_id = $1 AND step = $2 AND closes_on >= $3)`, candidateID, step, today); err != nil {
			return err
		}
		w, err := display.CheckNotice(step, seedling.Stage(c.Stage), running, today, cal, rs.NoticeWorkingDays)
		if err != nil {
			return err
		}
		set, err := settingsFor(ctx, tx, c.Path)
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO notices (candidate_id, step, opens_on, closes_on, objection_days, published_by, published_by_name)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			candidateID, step, w.Opens, w.Closes, set.ObjectionDays, a.UserID, a.Username); err != nil {
			return err
		}
		return audit(ctx, tx, a, "notice.publish", "candidate:"+itoa(candidateID),
			fmt.Sprintf("notice=%d step=%s opens_on=%s closes_on=%s", id, step, w.Opens.Format(seedling.DateLayout), w.Closes.Format(seedling.DateLayout)))
	})
	if err != nil {
		return display.Notice{}, err
	}
	return s.Get(ctx, id)
}

// Raise records an objection to a notice during its window, with its
// deadline and the evidence file already in the evidence store, if any.
func (s *NoticeStore) Raise(ctx context.Context, a seedling.Actor, noticeID int64, r display.Raise, recorder bool, ev *ledger.Evidence) (display.Objection, error) {
	var id int64
	today := seedling.Today(s.db.Now())
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		n, err := oneWhere(ctx, tx, noticeSelect, `n.id = $1`, "n.id", noticeRow.notice, noticeID)
		if err != nil {
			return err
		}
		cal, err := loadCalendar(ctx, tx)
		if err != nil {
			return err
		}
		r, due, err := n.CheckRaiseOn(r, today, recorder, cal)
		if err != nil {
			return err
		}
		var sha, name, ctype, size any
		if ev != nil {
			sha, name, size, ctype = ev.SHA256, ev.Name, ev.Size, ev.ContentType
		}
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO objections (notice_id, candidate_id, text, channel, received_from, raised_by, raised_by_name, raised_on, due_on,
			                        evidence_sha256, evidence_name, evidence_size, evidence_type)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			noticeID, r.CandidateID, r.Text, r.Channel, r.From, a.UserID, a.Username, today, due, sha, name, size, ctype); err != nil {
			return err
		}
		return audit(ctx, tx, a, "objection.raise", "notice:"+itoa(noticeID),
			fmt.Sprintf("objection=%d candidate=%d channel=%s due_on=%s", id, r.CandidateID, r.Channel, due.Format(seedling.DateLayout)))
	})
	if err != nil {
		return display.Objection{}, err
	}
	return s.objection(ctx, s.db, id)
}

func (s *NoticeStore) objection(ctx context.Context, q sqlx.QueryerContext, id int64) (display.Objection, error) {
	return objectionWhere(ctx, q, `o.id = $1 AND o.notice_id IS NOT NULL`, id)
}

// NoticeOf returns the notice an objection is about; an objection to a
// display (or none) is not found, so that the caller can tell the two
// apart.
func (s *NoticeStore) NoticeOf(ctx context.Context, objectionID int64) (display.Notice, error) {
	o, err := s.objection(ctx, s.db, objectionID)
	if err != nil {
		return display.Notice{}, err
	}
	return s.Get(ctx, o.NoticeID)
}

// Resolve answers an open objection to a notice (display.Objection
// CheckAnswer): the resolution row only, since a notice's objection is
// about the person, not the ledger.
func (s *NoticeStore) Resolve(ctx context.Context, a seedling.Actor, id int64, res display.Resolution) (display.Objection, error) {
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		o, err := s.objection(ctx, tx, id)
		if err != nil {
			return err
		}
		if res, err = o.CheckAnswer(res); err != nil {
			return err
		}
		state := display.ObjectionRejected
		if res.Decision == display.Uphold {
			state = display.ObjectionUpheld
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO objection_resolutions (objection_id, decision, reason, resolved_by, resolved_by_name, resolved_on)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, state, res.Reason, a.UserID, a.Username, seedling.Today(s.db.Now())); err != nil {
			return translate(err)
		}
		return audit(ctx, tx, a, "objection.resolve", "notice:"+itoa(o.NoticeID), fmt.Sprintf("objection=%d decision=%s", id, state))
	})
	if err != nil {
		return display.Objection{}, err
	}
	return s.objection(ctx, s.db, id)
}

// noticeStates loads, for the rules, the latest notice of a person for each
// step with its objections counted (pipeline rule notice_completed).
func noticeStates(ctx context.Context, tx *sqlx.Tx, candidateID int64) (map[seedling.Stage]pipeline.NoticeState, error) {
	var rows []struct {
		Step     string    `db:"step"`
		ClosesOn time.Time `db:"closes_on"`
		Open     int       `db:"open"`
		Upheld   int       `db:"upheld"`
	}
	err := tx.SelectContext(ctx, &rows, `
		SELECT DISTINCT ON (n.step) n.step, n.closes_on,
		       (SELECT count(*) FROM objections o LEFT JOIN objection_resolutions r ON r.objection_id = o.id
		         WHERE o.notice_id = n.id AND r.objection_id IS NULL) AS open,
		       (SELECT count(*) FROM objections o JOIN objection_resolutions r ON r.objection_id = o.id
		         WHERE o.notice_id = n.id AND r.decision = 'upheld') AS upheld
		FROM notices n WHERE n.candidate_id = $1
		ORDER BY n.step, n.id DESC`, candidateID)
	if err != nil {
		return nil, err
	}
	out := map[seedling.Stage]pipeline.NoticeState{}
	for _, r := range rows {
		to, ok := display.NoticeLeadsTo(r.Step)
		if !ok {
			continue
		}
		out[to] = pipeline.NoticeState{ClosesOn: r.ClosesOn.UTC(), Open: r.Open, Upheld: r.Upheld}
	}
	return out, nil
}
