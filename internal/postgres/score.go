package postgres

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// ScoreStore sums the ledgers. Scores are never stored: every read sums
// the append-only ledger afresh, so no counter can drift from it.
type ScoreStore struct{ db *DB }

// Scores returns the score store.
func (db *DB) Scores() *ScoreStore { return &ScoreStore{db: db} }

// Standing is one candidate with the quarterly sums of their ledger; the
// caller turns the sums into a score with ledger.Compute.
type Standing struct {
	ID            int64
	Name          string
	Stage         seedling.Stage
	OrgID         int64
	OrgName       string
	OrgPath       string
	ActivistSince *time.Time
	AppliedOn     time.Time
	PriorityGroup *seedling.PriorityGroup
	ReservePool   bool
	FrontLine     bool
	Sums          []ledger.PeriodSum
}

// Subject is what the eligibility rules need to know.
func (s Standing) Subject() ledger.Subject {
	return ledger.Subject{Stage: s.Stage, ActivistSince: s.ActivistSince}
}

// StandingFilter picks the candidates: under a node, by id, at stages.
// AsOf, when set, counts only the entries dated on or before it (a reversal
// carries the date of what it corrects, so it counts with it): the score a
// step is decided on is the score as of the date of the act.
type StandingFilter struct {
	Under  string
	IDs    []int64
	Stages []seedling.Stage
	Name   string                 // a part of the name, any case: the roster's search
	Group  seedling.PriorityGroup // one priority group, or any
	AsOf   time.Time
	Page   *Page
}

// Standings returns the candidates the filter picks, each with the net
// points of every (quarter, dimension) of their ledger, in the same three
// statements whatever their number: the people, their sums, the rubric
// versions. The sums are grouped by (candidate, quarter, category) straight
// off the covering index ledger_entries_sums (migration 00021), which hands
// them over in group order with no sort and no hash; the rubric version in
// force for each quarter then maps the categories onto their dimensions in
// Go (ledger.Rubrics.DimensionMap). Mapping in SQL joined every ledger row
// to the versions and regrouped them, and made a committee's snapshot
// several times slower than the GROUP BY alone.
func (s *ScoreStore) Standings(ctx context.Context, f StandingFilter) ([]Standing, error) {
	return standings(ctx, s.db, f)
}

type standingRow struct {
	ID            int64      `db:"id"`
	Name          string     `db:"name"`
	Stage         string     `db:"stage"`
	OrgID         int64      `db:"org_id"`
	OrgName       string     `db:"org_name"`
	Path          string     `db:"path"`
	ActivistSince *time.Time `db:"activist_since"`
	AppliedOn     time.Time  `db:"applied_on"`
	PriorityGroup *string    `db:"priority_group"`
	ReservePool   bool       `db:"reserve_pool"`
	FrontLine     bool       `db:"front_line"`
}

// standings is Standings on any querier, so a display's snapshot sums the
// ledgers inside the transaction that reads their chain heads.
func standings(ctx context.Context, q sqlx.QueryerContext, f StandingFilter) ([]Standing, error) {
	rows, err := standingPeople(ctx, q, f)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return []Standing{}, nil
	}
	rubrics, err := loadRubrics(ctx, q)
	if err != nil {
		return nil, err
	}
	return withSums(ctx, q, rows, f.AsOf, rubrics.DimensionMap())
}

// standingPeople reads the people of f, one page of them when f has a Page.
func standingPeople(ctx context.Context, q sqlx.QueryerContext, f StandingFilter) ([]standingRow, error) {
	where, args := f.where()
	where, args, limit, err := f.Page.afterPath("o.path, k.name, k.id", where, args)
	if err != nil {
		return nil, err
	}
	var rows []standingRow
	if err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT k.id, k.name, k.stage, k.org_id, o.name AS org_name, o.path, k.activist_since,
		       k.applied_on, k.priority_group, k.reserve_pool, k.front_line
		FROM candidates k JOIN orgs o ON o.id = k.org_id
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY o.path, k.name, k.id`+limit, args...); err != nil {
		return nil, translate(err)
	}
	return cut(f.Page, rows, func(r standingRow) any { return pathKey{r.Path, r.Name, r.ID} }), nil
}

// withSums adds the sums of their ledgers (as of asOf, when set) to people.
func withSums(ctx context.Context, q sqlx.QueryerContext, rows []standingRow, asOf time.Time, dims *ledger.DimensionMap) ([]Standing, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	sums, err := categorySums(ctx, q, ids, asOf)
	if err != nil {
		return nil, err
	}
	out := make([]Standing, len(rows))
	for i, r := range rows {
		out[i] = Standing{ID: r.ID, Name: r.Name, Stage: seedling.Stage(r.Stage), OrgID: r.OrgID, OrgName: r.OrgName, OrgPath: r.Path,
			ActivistSince: r.ActivistSince, AppliedOn: r.AppliedOn, ReservePool: r.ReservePool, FrontLine: r.FrontLine,
			Sums: dims.Sums(sums[r.ID])}
		if r.PriorityGroup != nil {
			g := seedling.PriorityGroup(*r.PriorityGroup)
			out[i].PriorityGroup = &g
		}
	}
	return out, nil
}

// categorySums sums the scoring rows of the given people by quarter and
// category, counting only rows dated on or before asOf when it is set.
func categorySums(ctx context.Context, q sqlx.QueryerContext, ids []int64, asOf time.Time) (map[int64][]ledger.CategorySum, error) {
	args := []any{pq.Array(ids)}
	cond := ""
	if !asOf.IsZero() {
		args = append(args, asOf)
		cond = ` AND e.occurred_on <= $2`
	}
	rows, err := q.QueryContext(ctx, `
		SELECT e.candidate_id, e.period, e.category, sum(e.points)::int
		FROM ledger_entries e
		WHERE e.candidate_id = ANY($1) AND e.kind <> 'evidence'`+cond+`
		GROUP BY e.candidate_id, e.period, e.category`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := make(map[int64][]ledger.CategorySum, len(ids))
	// A committee's sums name a few dozen quarters and categories hundreds
	// of thousands of times: each distinct text is kept once.
	texts := map[string]string{}
	text := func(b sql.RawBytes) string {
		s, ok := texts[string(b)]
		if !ok {
			s = string(b)
			texts[s] = s
		}
		return s
	}
	var id int64
	var period, category sql.RawBytes
	var points int
	for rows.Next() {
		if err := rows.Scan(&id, &period, &category, &points); err != nil {
			return nil, err
		}
		out[id] = append(out[id], ledger.CategorySum{Period: text(period), Category: text(category), Points: points})
	}
	return out, rows.Err()
}

// where picks the candidates of f (k) by their node (o), without the page:
// the standings and the ledger export select the same people.
func (f StandingFilter) where() ([]string, []any) {
	where := []string{"true"}
	var args []any
	if f.Under != "" {
		args = append(args, f.Under)
		where = append(where, `o.path LIKE $`+itoa(int64(len(args)))+` || '%'`)
	}
	if f.IDs != nil {
		args = append(args, pq.Array(f.IDs))
		where = append(where, `k.id = ANY($`+itoa(int64(len(args)))+`)`)
	}
	if f.Stages != nil {
		stages := make([]string, len(f.Stages))
		for i, st := range f.Stages {
			stages[i] = string(st)
		}
		args = append(args, pq.Array(stages))
		where = append(where, `k.stage = ANY($`+itoa(int64(len(args)))+`)`)
	}
	if f.Name != "" {
		// strpos, not LIKE: a % or _ typed into the search is a character.
		args = append(args, f.Name)
		where = append(where, `strpos(lower(k.name), lower($`+itoa(int64(len(args)))+`)) > 0`)
	}
	if f.Group != "" {
		args = append(args, string(f.Group))
		where = append(where, `k.priority_group = $`+itoa(int64(len(args))))
	}
	return where, args
}

// Standing returns one candidate's standing.
func (s *ScoreStore) Standing(ctx context.Context, candidateID int64) (Standing, error) {
	list, err := s.Standings(ctx, StandingFilter{IDs: []int64{candidateID}})
	if err != nil {
		return Standing{}, err
	}
	if len(list) == 0 {
		return Standing{}, seedling.NotFound()
	}
	return list[0], nil
}

// Scored is a standing turned into a score and a verdict.
type Scored struct {
	Standing
	Score       ledger.Score
	Eligibility ledger.Eligibility
}

// Assess scores standings under the rubric versions as of today and weighs
// them against the door of the rules in force (pipeline.RuleSet.Door).
func Assess(list []Standing, rubrics ledger.Rubrics, today time.Time, door ledger.Door) []Scored {
	out := make([]Scored, len(list))
	asOf := ledger.PeriodOf(today)
	for i, st := range list {
		sc := ledger.Compute(st.Sums, rubrics, asOf)
		out[i] = Scored{Standing: st, Score: sc, Eligibility: ledger.Assess(sc.Total, st.Subject(), today, door)}
	}
	return out
}

// scoreAsOf is one candidate's total as of a date, read inside a
// transaction so that a decision weighs the ledger it commits with.
func scoreAsOf(ctx context.Context, tx *sqlx.Tx, candidateID int64, on time.Time) (int, error) {
	list, err := standings(ctx, tx, StandingFilter{IDs: []int64{candidateID}, AsOf: on})
	if err != nil || len(list) == 0 {
		return 0, err
	}
	rubrics, err := loadRubrics(ctx, tx)
	if err != nil {
		return 0, err
	}
	return ledger.Compute(list[0].Sums, rubrics, ledger.PeriodOf(on)).Total, nil
}

// Scored returns the scored standings the filter picks, as of f.AsOf (or
// today), weighed against the door of the rules in force.
func (s *ScoreStore) Scored(ctx context.Context, f StandingFilter, door ledger.Door) ([]Scored, error) {
	list, err := s.Standings(ctx, f)
	if err != nil {
		return nil, err
	}
	rubrics, err := s.db.Rubric().Versions(ctx)
	if err != nil {
		return nil, err
	}
	on := f.AsOf
	if on.IsZero() {
		on = seedling.Today(s.db.Now())
	}
	return Assess(list, rubrics, on, door), nil
}

// ScoreBatch is how many people EachScored scores at a time.
const ScoreBatch = 1000

// EachScored is Scored for a list too long to hold scored, such as the
// ranking of a province's 100,000 activists: a score keeps every quarter of
// every dimension (about 4 kB a person). It reads the people the filter
// picks (its page aside) in one statement, then sums and scores them
// ScoreBatch at a time, handing each batch to fn in the list's order; a
// batch is dropped when fn returns, so what stays held is the people's rows
// and what fn keeps.
func (s *ScoreStore) EachScored(ctx context.Context, f StandingFilter, door ledger.Door, fn func([]Scored) error) error {
	f.Page = nil
	rows, err := standingPeople(ctx, s.db, f)
	if err != nil {
		return err
	}
	rubrics, err := s.db.Rubric().Versions(ctx)
	if err != nil {
		return err
	}
	on := f.AsOf
	if on.IsZero() {
		on = seedling.Today(s.db.Now())
	}
	dims := rubrics.DimensionMap()
	for len(rows) > 0 {
		n := min(len(rows), ScoreBatch)
		list, err := withSums(ctx, s.db, rows[:n], f.AsOf, dims)
		if err != nil {
			return err
		}
		if err := fn(Assess(list, rubrics, on, door)); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// LedgerBranch is one branch (or a party group that is someone's whole
// scope) with the number of people on its ledgers.
type LedgerBranch struct {
	ID         int64  `db:"id"`
	Kind       string `db:"kind"`
	Name       string `db:"name"`
	ParentName string `db:"parent_name"`
	People     int    `db:"people"`
}

// Branches lists the branches under the given roots, and any root that is a
// party group, with how many people at the given stages each holds.
func (s *ScoreStore) Branches(ctx context.Context, roots []string, stages []seedling.Stage) ([]LedgerBranch, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	st := make([]string, len(stages))
	for i, x := range stages {
		st[i] = string(x)
	}
	var out []LedgerBranch
	err := s.db.SelectContext(ctx, &out, `
		SELECT o.id, o.kind, o.name, COALESCE(p.name, '') AS parent_name,
		       (SELECT count(*) FROM candidates k JOIN orgs sub ON sub.id = k.org_id
		        WHERE sub.path LIKE o.path || '%' AND k.stage = ANY($2)) AS people
		FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id
		WHERE (o.kind = 'branch' AND `+inSubtrees("o.path", 1)+`)
		   OR (o.kind = 'group' AND o.path = ANY($1))
		ORDER BY o.path`, pq.Array(roots), pq.Array(st))
	return out, translate(err)
}
