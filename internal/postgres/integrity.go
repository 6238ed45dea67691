package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// StepAck is a submission a client of the fault test saw acknowledged,
// with the state it saw last: pending when only the submission was
// answered, approved or returned when its decision was too.
type StepAck struct {
	SubmissionID int64
	State        string
}

// StepIntegrity is what the fault test finds of the pipeline writes.
type StepIntegrity struct {
	CandidatesByName map[string]int   // candidate rows per name
	SubmissionsOf    map[int64]int    // submission rows per candidate
	StateOf          map[int64]string // the state of each acknowledged submission
	Unaudited        int              // submissions or decisions after the mark without their audit row
	Unstaged         int              // approvals after the mark without their stage change
}

// StepHighWater is the newest submission's id; StepIntegrity checks the
// submissions after it.
func (db *DB) StepHighWater(ctx context.Context) (int64, error) {
	var id int64
	err := db.GetContext(ctx, &id, `SELECT coalesce(max(id), 0) FROM submissions`)
	return id, err
}

// StepIntegrity counts, in one snapshot, the given candidates (by name),
// their submissions and the states of the acknowledged ones, and the
// submissions after afterID whose decision or audit row is missing: an
// approval without its stage change is a half-written decision.
func (db *DB) StepIntegrity(ctx context.Context, afterID int64, names []string, candidates []int64, acks []StepAck) (StepIntegrity, error) {
	in := StepIntegrity{CandidatesByName: map[string]int{}, SubmissionsOf: map[int64]int{}, StateOf: map[int64]string{}}
	ids := make([]int64, len(acks))
	for i, a := range acks {
		ids[i] = a.SubmissionID
	}
	err := db.tryTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY`); err != nil {
			return err
		}
		var byName []struct {
			Name string `db:"name"`
			N    int    `db:"n"`
		}
		if err := tx.SelectContext(ctx, &byName, `
			SELECT name, count(*) AS n FROM candidates WHERE name = ANY($1) GROUP BY name`, pq.Array(names)); err != nil {
			return err
		}
		for _, r := range byName {
			in.CandidatesByName[r.Name] = r.N
		}
		var perCand []struct {
			ID int64 `db:"candidate_id"`
			N  int   `db:"n"`
		}
		if err := tx.SelectContext(ctx, &perCand, `
			SELECT candidate_id, count(*) AS n FROM submissions WHERE candidate_id = ANY($1) GROUP BY candidate_id`, pq.Array(candidates)); err != nil {
			return err
		}
		for _, r := range perCand {
			in.SubmissionsOf[r.ID] = r.N
		}
		var states []struct {
			ID    int64  `db:"id"`
			State string `db:"state"`
		}
		if err := tx.SelectContext(ctx, &states, `SELECT id, state FROM submissions WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
			return err
		}
		for _, r := range states {
			in.StateOf[r.ID] = r.State
		}
		return tx.QueryRowxContext(ctx, `
			SELECT (SELECT count(*) FROM submissions s WHERE s.id > $1 AND NOT EXISTS (
			            SELECT FROM audit_events a WHERE a.action = 'submission.create'
			            AND a.target = 'candidate:' || s.candidate_id AND a.summary LIKE 'submission ' || s.id || ':%'))
			     + (SELECT count(*) FROM submissions s WHERE s.id > $1 AND s.state <> 'pending' AND NOT EXISTS (
			            SELECT FROM audit_events a WHERE a.action = 'submission.' || CASE s.state WHEN 'approved' THEN 'approve' ELSE 'return' END
			            AND a.target = 'submission:' || s.id)),
			       (SELECT count(*) FROM submissions s JOIN candidates c ON c.id = s.candidate_id
			        WHERE s.id > $1 AND s.state = 'approved' AND (c.stage = s.from_stage AND s.from_stage <> s.to_stage
			              OR NOT EXISTS (SELECT FROM stage_changes g WHERE g.submission_id = s.id AND g.to_stage = s.to_stage)))`,
			afterID).Scan(&in.Unaudited, &in.Unstaged)
	})
	return in, err
}

// BlockMigration holds a lock on candidates that migration 00008's ALTER
// TABLE must wait for, so the fault test can kill a process in the middle
// of a migration, not before or after it. release ends the hold.
func (db *DB) BlockMigration(ctx context.Context) (release func(), err error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `LOCK TABLE candidates IN ACCESS SHARE MODE`); err != nil {
		tx.Rollback()
		return nil, err
	}
	return func() { tx.Rollback() }, nil
}

// MigrationWaiting reports whether another session waits for a lock on
// candidates: a migration blocked by BlockMigration.
func (db *DB) MigrationWaiting(ctx context.Context) (bool, error) {
	var waiting bool
	err := db.GetContext(ctx, &waiting, `
		SELECT EXISTS (SELECT FROM pg_locks WHERE NOT granted AND relation = 'candidates'::regclass AND pid <> pg_backend_pid())`)
	return waiting, err
}

// ObjectionIntegrity is what the fault test finds of objections and their
// answers.
type ObjectionIntegrity struct {
	ByText      map[string]int   // objection rows per text
	StateOf     map[int64]string // open, upheld or rejected, per acknowledged objection
	Unaudited   int              // objections or answers after the mark without their audit row
	Uncorrected int              // upheld objections after the mark without a linked ledger row
}

// ObjectionHighWater is the newest objection's id.
func (db *DB) ObjectionHighWater(ctx context.Context) (int64, error) {
	var id int64
	err := db.GetContext(ctx, &id, `SELECT coalesce(max(id), 0) FROM objections`)
	return id, err
}

// ObjectionIntegrity counts, in one snapshot, the objections with the given
// texts, the state of the given ones, and the objections after afterID
// whose audit row is missing or which were upheld without their correction.
func (db *DB) ObjectionIntegrity(ctx context.Context, afterID int64, texts []string, ids []int64) (ObjectionIntegrity, error) {
	in := ObjectionIntegrity{ByText: map[string]int{}, StateOf: map[int64]string{}}
	err := db.tryTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY`); err != nil {
			return err
		}
		var byText []struct {
			Text string `db:"text"`
			N    int    `db:"n"`
		}
		if err := tx.SelectContext(ctx, &byText, `SELECT text, count(*) AS n FROM objections WHERE text = ANY($1) GROUP BY text`, pq.Array(texts)); err != nil {
			return err
		}
		for _, r := range byText {
			in.ByText[r.Text] = r.N
		}
		var states []struct {
			ID    int64  `db:"id"`
			State string `db:"state"`
		}
		if err := tx.SelectContext(ctx, &states, `
			SELECT o.id, coalesce(r.decision, 'open') AS state FROM objections o
			LEFT JOIN objection_resolutions r ON r.objection_id = o.id WHERE o.id = ANY($1)`, pq.Array(ids)); err != nil {
			return err
		}
		for _, r := range states {
			in.StateOf[r.ID] = r.State
		}
		return tx.QueryRowxContext(ctx, `
			SELECT (SELECT count(*) FROM objections o WHERE o.id > $1 AND NOT EXISTS (
			            SELECT FROM audit_events a WHERE a.action = 'objection.raise' AND a.target = 'display:' || o.display_id
			            AND a.summary LIKE 'objection=' || o.id || ' %'))
			     + (SELECT count(*) FROM objection_resolutions r JOIN objections o ON o.id = r.objection_id WHERE o.id > $1 AND NOT EXISTS (
			            SELECT FROM audit_events a WHERE a.action = 'objection.resolve' AND a.target = 'display:' || o.display_id
			            AND a.summary = 'objection=' || o.id || ' decision=' || r.decision)),
			       (SELECT count(*) FROM objection_resolutions r WHERE r.objection_id > $1 AND r.decision = 'upheld'
			        AND NOT EXISTS (SELECT FROM ledger_entries e WHERE e.objection_id = r.objection_id))`,
			afterID).Scan(&in.Unaudited, &in.Uncorrected)
	})
	return in, err
}
