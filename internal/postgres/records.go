package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"

	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

// assessmentsSQL lists, as a JSON array of dates, a candidate's half-year
// assessments at the current stage; oathSQL is the date of the oath.
const (
	assessmentsSQL = `(SELECT coalesce(json_agg(r.on_date ORDER BY r.on_date), '[]') FROM branch_records r
		WHERE r.candidate_id = c.id AND r.kind = 'assessment' AND r.on_date >= c.stage_since)`
	oathSQL = `(SELECT min(r.on_date) FROM branch_records r WHERE r.candidate_id = c.id AND r.kind = 'oath')`
	// branchReviewSQL and prereviewSQL are the latest branch committee
	// review and committee pre-review at the current stage.
	branchReviewSQL = `(SELECT max(r.on_date) FROM branch_records r WHERE r.candidate_id = c.id AND r.kind = 'branch_review' AND r.on_date >= c.stage_since)`
	prereviewSQL    = `(SELECT max(r.on_date) FROM branch_records r WHERE r.candidate_id = c.id AND r.kind = 'prereview' AND r.on_date >= c.stage_since)`
)

func decodeDates(raw []byte) ([]time.Time, error) {
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	out := make([]time.Time, 0, len(list))
	for _, s := range list {
		t, err := seedling.ParseDate(s)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Record stores a branch record (half-year assessment, oath) after
// pipeline.CheckRecord has weighed it against the candidate as they are,
// read with the candidate row locked, with its audit row.
func (p *PipelineStore) Record(ctx context.Context, a seedling.Actor, candID int64, r pipeline.BranchRecord, today time.Time) (int64, error) {
	var id int64
	err := p.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM candidates WHERE id = $1 FOR UPDATE`, candID); err != nil {
			return translate(err)
		}
		subj, err := subject(ctx, tx, candID, today, false)
		if err != nil {
			return err
		}
		if r, err = pipeline.CheckRecord(r, subj, today); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO branch_records (candidate_id, kind, on_date, by_name, conclusion, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, candID, r.Kind, r.On, r.By, r.Conclusion, a.UserID); err != nil {
			return translate(err)
		}
		return audit(ctx, tx, a, "record."+r.Kind, "candidate:"+itoa(candID), r.On.Format(seedling.DateLayout)+" "+r.By+": "+r.Conclusion)
	})
	return id, err
}
