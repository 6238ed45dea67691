package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// RubricStore keeps the versions of the scoring rubric.
type RubricStore struct{ db *DB }

// Rubric returns the rubric store.
func (db *DB) Rubric() *RubricStore { return &RubricStore{db: db} }

type rubricRow struct {
	ID            int64     `db:"id"`
	Version       int       `db:"version"`
	EffectiveFrom time.Time `db:"effective_from"`
	Note          string    `db:"note"`
	CreatedBy     string    `db:"created_by_name"`
	CreatedAt     time.Time `db:"created_at"`
	Dimensions    []byte    `db:"dimensions"`
	Categories    []byte    `db:"categories"`
}

func (r rubricRow) rubric() (ledger.Rubric, error) {
	out := ledger.Rubric{ID: r.ID, Version: r.Version, EffectiveFrom: r.EffectiveFrom, Note: r.Note, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
	var dims []struct {
		Code   string `json:"code"`
		NameZh string `json:"name_zh"`
		NameEn string `json:"name_en"`
		Cap    int    `json:"cap"`
	}
	var cats []struct {
		Code      string `json:"code"`
		NameZh    string `json:"name_zh"`
		NameEn    string `json:"name_en"`
		Dimension string `json:"dimension"`
		Min       int    `json:"min"`
		Max       int    `json:"max"`
	}
	if err := json.Unmarshal(r.Dimensions, &dims); err != nil {
		return out, fmt.Errorf("rubric %d dimensions: %w", r.Version, err)
	}
	if err := json.Unmarshal(r.Categories, &cats); err != nil {
		return out, fmt.Errorf("rubric %d categories: %w", r.Version, err)
	}
	for _, d := range dims {
		out.Dimensions = append(out.Dimensions, ledger.Dimension{Code: d.Code, NameZh: d.NameZh, NameEn: d.NameEn, Cap: d.Cap})
	}
	for _, c := range cats {
		out.Categories = append(out.Categories, ledger.Category{Code: c.Code, NameZh: c.NameZh, NameEn: c.NameEn, Dimension: c.Dimension, Min: c.Min, Max: c.Max})
	}
	return out, nil
}

// rubricSelect reads every version with its dimensions and categories in one
// statement; the table holds a handful of rows.
const rubricSelect = `
	SELECT v.id, v.version, v.effective_from, v.note, v.created_by_name, v.created_at,
	       COALESCE((SELECT json_agg(json_build_object('code', d.code, 'name_zh', d.name_zh, 'name_en', d.name_en, 'cap', d.cap)
	                         ORDER BY d.position)
	                 FROM rubric_dimensions d WHERE d.version_id = v.id), '[]') AS dimensions,
	       COALESCE((SELECT json_agg(json_build_object('code', c.code, 'name_zh', c.name_zh, 'name_en', c.name_en,
	                                                   'dimension', c.dimension_code, 'min', c.min_points, 'max', c.max_points)
	                         ORDER BY c.position)
	                 FROM rubric_categories c WHERE c.version_id = v.id), '[]') AS categories
	FROM rubric_versions v
	ORDER BY v.effective_from`

// rubricLock is the advisory lock key of rubric changes ("rubric" in ASCII).
const rubricLock = 0x727562726963

// Versions returns every version, oldest first (from memory while the
// change listener runs).
func (s *RubricStore) Versions(ctx context.Context) (ledger.Rubrics, error) {
	return s.db.rubrics(ctx, s.db.DB)
}

func loadRubrics(ctx context.Context, q sqlx.QueryerContext) (ledger.Rubrics, error) {
	var rows []rubricRow
	if err := sqlx.SelectContext(ctx, q, &rows, rubricSelect); err != nil {
		return nil, translate(err)
	}
	out := make(ledger.Rubrics, 0, len(rows))
	for _, r := range rows {
		rb, err := r.rubric()
		if err != nil {
			return nil, err
		}
		out = append(out, rb)
	}
	if len(out) == 0 {
		return nil, seedling.Errorf(seedling.EInternal, "no rubric version exists")
	}
	return out, nil
}

// Create adds a version after checking it against the ones that exist. An
// advisory lock makes two administrators saving at once take turns, so the
// "later than every version" rule holds for both; it needs no privilege
// beyond what the application role has on an append-only table.
func (s *RubricStore) Create(ctx context.Context, a seedling.Actor, d ledger.Rubric) (ledger.Rubric, error) {
	var version int
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, rubricLock); err != nil {
			return err
		}
		existing, err := loadRubrics(ctx, tx)
		if err != nil {
			return err
		}
		if err := ledger.CheckDraft(d, existing, seedling.Today(s.db.Now())); err != nil {
			return err
		}
		last, _ := existing.Latest()
		version = last.Version + 1
		for _, r := range existing {
			version = max(version, r.Version+1)
		}
		var id int64
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO rubric_versions (version, effective_from, note, created_by, created_by_name)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, version, d.EffectiveFrom, d.Note, a.UserID, a.Username); err != nil {
			return err
		}
		for i, dim := range d.Dimensions {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO rubric_dimensions (version_id, code, position, name_zh, name_en, cap) VALUES ($1, $2, $3, $4, $5, $6)`,
				id, dim.Code, i+1, dim.NameZh, dim.NameEn, dim.Cap); err != nil {
				return err
			}
		}
		for i, c := range d.Categories {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO rubric_categories (version_id, code, position, name_zh, name_en, dimension_code, min_points, max_points)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				id, c.Code, i+1, c.NameZh, c.NameEn, c.Dimension, c.Min, c.Max); err != nil {
				return err
			}
		}
		// Delivered at commit to every instance's listener, this one's too.
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, rubricChannel, strconv.Itoa(version)); err != nil {
			return err
		}
		return audit(ctx, tx, a, "rubric.add", fmt.Sprintf("rubric:%d", version),
			fmt.Sprintf("version=%d effective_from=%s categories=%d", version, d.EffectiveFrom.Format(seedling.DateLayout), len(d.Categories)))
	})
	if err != nil {
		return ledger.Rubric{}, err
	}
	// This instance need not wait for its own notification.
	s.db.rubricCache.invalidate(s.db.rubricCache.listeningNow())
	all, err := s.Versions(ctx)
	if err != nil {
		return ledger.Rubric{}, err
	}
	r, _ := all.ByVersion(version)
	return r, nil
}
