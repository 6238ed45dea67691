package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"seedling/internal/ledger"
	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

// CandidateStore keeps the people on their way in.
type CandidateStore struct{ db *DB }

// Candidates returns the candidate store.
func (db *DB) Candidates() *CandidateStore { return &CandidateStore{db: db} }

type candidateRow struct {
	ID            int64      `db:"id"`
	OrgID         int64      `db:"org_id"`
	OrgName       string     `db:"org_name"`
	OrgPath       string     `db:"org_path"`
	Name          string     `db:"name"`
	Gender        string     `db:"gender"`
	BirthDate     *time.Time `db:"birth_date"`
	IDNumber      *string    `db:"id_number"`
	Occupation    string     `db:"occupation"`
	PriorityGroup *string    `db:"priority_group"`
	ReservePool   bool       `db:"reserve_pool"`
	FrontLine     bool       `db:"front_line"`
	Stage         string     `db:"stage"`
	AppliedOn     time.Time  `db:"applied_on"`
	ActivistSince *time.Time `db:"activist_since"`
	StageSince    time.Time  `db:"stage_since"`
	UserID        *int64     `db:"user_id"`
}

func (r candidateRow) candidate() seedling.Candidate {
	c := seedling.Candidate{ID: r.ID, OrgID: r.OrgID, OrgName: r.OrgName, OrgPath: r.OrgPath, Name: r.Name, Gender: r.Gender,
		BirthDate: r.BirthDate, Occupation: r.Occupation, ReservePool: r.ReservePool, FrontLine: r.FrontLine,
		Stage: seedling.Stage(r.Stage), AppliedOn: r.AppliedOn, ActivistSince: r.ActivistSince, StageSince: r.StageSince, UserID: r.UserID}
	if r.PriorityGroup != nil {
		g := seedling.PriorityGroup(*r.PriorityGroup)
		c.PriorityGroup = &g
	}
	if r.IDNumber != nil {
		c.IDNumber = seedling.IDNumber(*r.IDNumber)
	}
	return c
}

const (
	candidateColumns = `
	c.id, c.org_id, o.name AS org_name, o.path AS org_path, c.name, c.gender, c.birth_date, c.id_number, c.occupation,
	c.priority_group, c.reserve_pool, c.front_line, c.stage, c.applied_on, c.activist_since, c.stage_since,
	u.id AS user_id`
	candidateFrom = `
	FROM candidates c
	JOIN orgs o ON o.id = c.org_id
	LEFT JOIN users u ON u.candidate_id = c.id`
	candidateSelect = `SELECT ` + candidateColumns + candidateFrom
	// CandidateByIDSQL is how a request about one candidate starts (a
	// ledger write, a read); exported, with LockChainAndHeadSQL and
	// AppendRowSQL, for the raw twin of seedling bench's write.
	CandidateByIDSQL = candidateSelect + ` WHERE c.id = $1`
)

// candidateReadSQL is a candidate with their ledger summed per quarter and
// category (an index-only scan of ledger_entries_scores, migration 00018)
// and their returned submissions: everything a candidate's page weighs, in
// one round trip.
const candidateReadSQL = `SELECT ` + candidateColumns + `,
	(SELECT coalesce(json_agg(json_build_object('period', s.period, 'category', s.category, 'points', s.points)), '[]')
	 FROM (SELECT e.period, e.category, sum(e.points)::int AS points FROM ledger_entries e
	       WHERE e.candidate_id = c.id AND e.kind <> 'evidence' GROUP BY e.period, e.category) s) AS sums,
	` + returnedSQL + ` AS returned` + candidateFrom + `
	WHERE c.id = $1`

// CandidateRead is one candidate with what their page weighs beside them.
type CandidateRead struct {
	seedling.Candidate
	Sums     []ledger.CategorySum // the ledger per quarter and category
	Returned []pipeline.Review    // for pipeline.RuleSet.Strikes
}

// Standing is the read as a standing, its sums mapped onto the dimensions
// of the rubric versions.
func (r CandidateRead) Standing(rubrics ledger.Rubrics) Standing {
	return Standing{ID: r.ID, Name: r.Name, Stage: r.Stage, OrgID: r.OrgID, OrgName: r.OrgName, ActivistSince: r.ActivistSince,
		Sums: rubrics.ByDimension(r.Sums)}
}

// Read returns one candidate with their ledger's sums and their returned
// submissions in one prepared statement: the candidate's page is read far
// more often than anything else, and three statements, each parsed and
// planned afresh, made it four times slower than the sum alone.
func (s *CandidateStore) Read(ctx context.Context, id int64) (CandidateRead, error) {
	st, err := s.db.prepared(ctx, nil, candidateReadSQL)
	if err != nil {
		return CandidateRead{}, translate(err)
	}
	var r struct {
		candidateRow
		Sums     []byte `db:"sums"`
		Returned []byte `db:"returned"`
	}
	if err := st.GetContext(ctx, &r, id); err != nil {
		return CandidateRead{}, translate(err)
	}
	out := CandidateRead{Candidate: r.candidate()}
	if err := json.Unmarshal(r.Sums, &out.Sums); err != nil {
		return CandidateRead{}, err
	}
	out.Returned, err = decodeReturned(r.Returned)
	return out, err
}

// ByID returns one candidate with the node it belongs to, which the caller
// checks against the scope before showing anything.
func (s *CandidateStore) ByID(ctx context.Context, id int64) (seedling.Candidate, error) {
	var r candidateRow
	// Prepared: every request about one candidate (a ledger write, a read)
	// starts here.
	st, err := s.db.prepared(ctx, nil, CandidateByIDSQL)
	if err != nil {
		return seedling.Candidate{}, translate(err)
	}
	if err := st.GetContext(ctx, &r, id); err != nil {
		return seedling.Candidate{}, translate(err)
	}
	return r.candidate(), nil
}

// ByCode returns the candidate with a stable seed code.
func (s *CandidateStore) ByCode(ctx context.Context, code string) (seedling.Candidate, error) {
	var r candidateRow
	if err := s.db.GetContext(ctx, &r, candidateSelect+` WHERE c.code = $1`, code); err != nil {
		return seedling.Candidate{}, translate(err)
	}
	return r.candidate(), nil
}

// CandidateFilter narrows a list. Roots is the caller's scope and is always
// applied; Under narrows further to one node's subtree.
type CandidateFilter struct {
	Roots []string
	Under string
	Stage seedling.Stage
	IDs   []int64 // candidates reached by id rather than by scope (one's own record)
	Page  *Page
}

// List returns the candidates in scope, ordered by node and name.
func (s *CandidateStore) List(ctx context.Context, f CandidateFilter) ([]seedling.Candidate, error) {
	if len(f.Roots) == 0 && len(f.IDs) == 0 {
		return nil, nil
	}
	where := []string{`(` + inSubtrees("o.path", 1) + ` OR c.id = ANY($2))`}
	args := []any{pq.Array(f.Roots), pq.Array(f.IDs)}
	if f.Under != "" {
		args = append(args, f.Under)
		where = append(where, `o.path LIKE $`+itoa(int64(len(args)))+` || '%'`)
	}
	if f.Stage != "" {
		args = append(args, string(f.Stage))
		where = append(where, `c.stage = $`+itoa(int64(len(args))))
	}
	where, args, limit, err := f.Page.afterPath("o.path, c.name, c.id", where, args)
	if err != nil {
		return nil, err
	}
	var rows []candidateRow
	if err := s.db.SelectContext(ctx, &rows, candidateSelect+` WHERE `+strings.Join(where, " AND ")+` ORDER BY o.path, c.name, c.id`+limit, args...); err != nil {
		return nil, translate(err)
	}
	rows = cut(f.Page, rows, func(r candidateRow) any { return pathKey{r.OrgPath, r.Name, r.ID} })
	out := make([]seedling.Candidate, len(rows))
	for i, r := range rows {
		out[i] = r.candidate()
	}
	return out, nil
}

// CountByStage counts the candidates under a node, per stage.
func (s *CandidateStore) CountByStage(ctx context.Context, root string) (map[seedling.Stage]int, error) {
	var rows []struct {
		Stage string `db:"stage"`
		N     int    `db:"n"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT c.stage, count(*) AS n FROM candidates c JOIN orgs o ON o.id = c.org_id
		WHERE o.path LIKE $1 || '%' GROUP BY c.stage`, root)
	if err != nil {
		return nil, translate(err)
	}
	out := map[seedling.Stage]int{}
	for _, r := range rows {
		out[seedling.Stage(r.Stage)] = r.N
	}
	return out, nil
}

// NewCandidate is a person who has just applied (入党申请人).
type NewCandidate struct {
	OrgID         int64
	Name          string
	Gender        string
	BirthDate     *time.Time
	IDNumber      seedling.IDNumber // empty when not given
	Occupation    string
	PriorityGroup *seedling.PriorityGroup
	ReservePool   bool
	FrontLine     bool
	AppliedOn     time.Time
}

// Create records a new applicant. An identity number already held by a
// record that has not withdrawn is refused with that record's id; the
// partial unique index settles two clerks entering the same person at once.
func (s *CandidateStore) Create(ctx context.Context, a seedling.Actor, n NewCandidate) (seedling.Candidate, error) {
	var id int64
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var group, idNumber *string
		if n.PriorityGroup != nil {
			g := string(*n.PriorityGroup)
			group = &g
		}
		if n.IDNumber != "" {
			v := string(n.IDNumber)
			idNumber = &v
			var earlier candidateRow
			err := tx.GetContext(ctx, &earlier, `SELECT id, stage FROM candidates WHERE id_number = $1 AND stage <> 'withdrawn'`, v)
			switch {
			case err == nil:
				return seedling.IDNumberInUse(earlier.ID, seedling.Stage(earlier.Stage))
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		err := tx.GetContext(ctx, &id, `
			INSERT INTO candidates (org_id, name, gender, birth_date, id_number, occupation, priority_group, reserve_pool, front_line,
			                        stage, applied_on, stage_since)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'applicant', $10, $10) RETURNING id`,
			n.OrgID, n.Name, n.Gender, n.BirthDate, idNumber, n.Occupation, group, n.ReservePool, n.FrontLine, n.AppliedOn)
		if err != nil {
			return err
		}
		return audit(ctx, tx, a, "candidate.add", "candidate:"+itoa(id), "name="+n.Name+" applied_on="+n.AppliedOn.Format(seedling.DateLayout))
	})
	if err != nil {
		return seedling.Candidate{}, err
	}
	return s.ByID(ctx, id)
}
