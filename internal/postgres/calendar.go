package postgres

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"seedling/internal/calendar"
	"seedling/internal/seedling"
)

// CalendarStore keeps the organisation department's working-day overrides.
type CalendarStore struct{ db *DB }

// Calendar returns the calendar store.
func (db *DB) Calendar() *CalendarStore { return &CalendarStore{db: db} }

// Overrides lists the overrides in force (the latest row of each day), by day.
func (s *CalendarStore) Overrides(ctx context.Context) ([]calendar.Override, error) {
	return overridesIn(ctx, s.db)
}

func overridesIn(ctx context.Context, q sqlx.QueryerContext) ([]calendar.Override, error) {
	var rows []struct {
		Day     time.Time `db:"day"`
		Workday bool      `db:"workday"`
		Note    string    `db:"note"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT day, workday, note FROM (
			SELECT DISTINCT ON (day) day, workday, note FROM calendar_overrides ORDER BY day, id DESC
		) latest WHERE workday IS NOT NULL ORDER BY day`)
	if err != nil {
		return nil, translate(err)
	}
	out := make([]calendar.Override, len(rows))
	for i, r := range rows {
		out[i] = calendar.Override{Day: r.Day.UTC(), Workday: r.Workday, Note: r.Note}
	}
	return out, nil
}

// Load returns the working-day calendar with the overrides in force.
func (s *CalendarStore) Load(ctx context.Context) (*calendar.Calendar, error) {
	return loadCalendar(ctx, s.db)
}

func loadCalendar(ctx context.Context, q sqlx.QueryerContext) (*calendar.Calendar, error) {
	o, err := overridesIn(ctx, q)
	if err != nil {
		return nil, err
	}
	return calendar.New(o), nil
}

// Set overrides one day: workday true or false, or nil to put the day back
// on the official calendar. The change is audited.
func (s *CalendarStore) Set(ctx context.Context, a seedling.Actor, day time.Time, workday *bool, note string) error {
	if len([]rune(note)) > 200 {
		return seedling.FieldProblem(seedling.EInvalid, "note", "problem.too_long", "note must be at most 200 characters", "Max", 200)
	}
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_overrides (day, workday, note, set_by) VALUES ($1, $2, $3, $4)`,
			day, workday, note, a.UserID); err != nil {
			return err
		}
		what := "official"
		if workday != nil && *workday {
			what = "workday"
		} else if workday != nil {
			what = "holiday"
		}
		return audit(ctx, tx, a, "calendar.set", "day:"+day.Format(seedling.DateLayout), what+" "+note)
	})
}
