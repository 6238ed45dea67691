package bench

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"

	"seedling/internal/demo/synth"
	"seedling/internal/ledger"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// Config says what to measure against and how hard.
type Config struct {
	URL        string       // the running server
	DB         *postgres.DB // the server's database, as the server's role, for the raw twins
	Clients    int          // concurrent clients of the write, read and session loads
	Duration   time.Duration
	ImportRows int      // rows of the CSV import measure, in files of ledger.MaxImportRows
	Grants     int      // grants of the authorisation measure
	Only       []string // the measures to run, by name; empty: every one
	Progress   io.Writer
}

// fixture is what the measures need to find in the generated province.
type fixture struct {
	secretaries []secretary
	adminToken  string
	reads       []int64 // candidates with about 200 ledger rows
	branch      int64   // a branch of about 50 candidates
	committee   int64   // the smallest committee of 10,000 candidates or more (else the largest)
	committeeN  int
	branchN     int
	readN       int
}

type secretary struct {
	token      string
	tokenHash  []byte
	userID     int64
	username   string
	branchID   int64
	candidates []int64
}

// Run runs every measure in order and returns the report; cold start and
// RSS belong to whoever started the server and are added by the caller.
func Run(ctx context.Context, cfg Config, rep *Report) error {
	c := newClient(cfg.URL, cfg.Clients)
	fx, err := prepare(ctx, cfg, c)
	if err != nil {
		return err
	}
	type step struct {
		name string
		fn   func(context.Context, Config, *client, *fixture) (Result, error)
	}
	steps := []step{
		{"write_entry", measureWrite},
		{"read_candidate", measureRead},
		{"branch_roster", measureRoster},
		{"committee_list", measureCommitteeList},
		{"standings", measureStandings},
		{"display", measureDisplay},
		{"province_ranking", measureRanking},
		{"session_lookup", measureSession},
		{"authz_decision", measureAuthz},
		{"csv_import", measureImport},
		{"xlsx_import", measureImportXLSX},
	}
	for _, name := range cfg.Only {
		if !slices.ContainsFunc(steps, func(s step) bool { return s.name == name }) {
			return fmt.Errorf("no measure %q", name)
		}
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(cfg.Only) > 0 && !slices.Contains(cfg.Only, s.name) {
			continue
		}
		started := time.Now()
		res, err := s.fn(ctx, cfg, c, fx)
		fmt.Fprintf(cfg.Progress, "bench: %s took %s\n", s.name, time.Since(started).Round(time.Millisecond))
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		rep.Add(s.name, res)
	}
	return nil
}

// prepare logs in a secretary per client (each writes to their own
// branch, as on a busy morning) and picks the nodes and people the read
// measures use.
func prepare(ctx context.Context, cfg Config, c *client) (*fixture, error) {
	fx := &fixture{}
	var rows []struct {
		UserID     int64         `db:"user_id"`
		Username   string        `db:"username"`
		BranchID   int64         `db:"org_id"`
		Candidates pq.Int64Array `db:"candidates"`
	}
	err := cfg.DB.SelectContext(ctx, &rows, `
		SELECT u.id AS user_id, u.username, g.org_id, array_agg(c.id ORDER BY c.id) AS candidates
		FROM users u JOIN grants g ON g.user_id = u.id AND g.role = 'secretary'
		JOIN orgs b ON b.id = g.org_id
		JOIN orgs o ON o.path LIKE b.path || '%'
		JOIN candidates c ON c.org_id = o.id AND c.stage IN ('activist', 'target', 'probationary')
		WHERE u.username LIKE 'gen-s%' AND NOT u.disabled
		GROUP BY u.id, u.username, g.org_id ORDER BY u.id LIMIT $1`, cfg.Clients)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no generated secretary with candidates: run seedling gen first")
	}
	for _, r := range rows {
		tok, err := c.login(ctx, r.Username, synth.Password)
		if err != nil {
			return nil, err
		}
		h := sha256.Sum256([]byte(tok))
		fx.secretaries = append(fx.secretaries, secretary{token: tok, tokenHash: h[:], userID: r.UserID, username: r.Username,
			branchID: r.BranchID, candidates: r.Candidates})
	}
	var admin string
	if err := cfg.DB.GetContext(ctx, &admin, `
		SELECT u.username FROM users u JOIN grants g ON g.user_id = u.id AND g.role = 'org_admin'
		WHERE u.username LIKE 'gen-a%' ORDER BY u.id LIMIT 1`); err != nil {
		return nil, fmt.Errorf("no generated organisation department account: %w", err)
	}
	if fx.adminToken, err = c.login(ctx, admin, synth.Password); err != nil {
		return nil, err
	}
	// The people whose ledgers are nearest 200 rows.
	var reads []struct {
		ID int64 `db:"candidate_id"`
		N  int   `db:"n"`
	}
	if err := cfg.DB.SelectContext(ctx, &reads, `
		SELECT candidate_id, count(*) AS n FROM ledger_entries GROUP BY candidate_id
		ORDER BY abs(count(*) - 200), candidate_id LIMIT 50`); err != nil {
		return nil, err
	}
	if len(reads) == 0 {
		return nil, fmt.Errorf("no ledger rows: generate some entries first")
	}
	for _, r := range reads {
		fx.reads = append(fx.reads, r.ID)
	}
	fx.readN = reads[0].N
	if err := cfg.DB.QueryRowxContext(ctx, subtreeSizes+`
		SELECT b.id, u.n FROM under u JOIN orgs b ON b.id = u.node
		WHERE b.kind = 'branch' ORDER BY abs(u.n - 50), b.id LIMIT 1`).Scan(&fx.branch, &fx.branchN); err != nil {
		return nil, err
	}
	if err := cfg.DB.QueryRowxContext(ctx, subtreeSizes+`
		SELECT b.id, u.n FROM under u JOIN orgs b ON b.id = u.node
		WHERE b.kind = 'committee' ORDER BY u.n < 10000, abs(u.n - 10000), b.id LIMIT 1`).Scan(&fx.committee, &fx.committeeN); err != nil {
		return nil, err
	}
	return fx, nil
}

// subtreeSizes counts the people under every node that has any ("under":
// node, n), by crediting each node's own count to every id on its path. A
// join on o.path LIKE b.path || '%' says the same, but its pattern is no
// constant, so no index serves it: every branch against every node, two
// minutes at province scale (10,000 branches, 30,000 nodes) where this
// takes a fraction of a second.
const subtreeSizes = `
	WITH per_node AS (SELECT org_id, count(*) AS n FROM candidates GROUP BY org_id),
	under AS (
		SELECT a.node::bigint AS node, sum(p.n) AS n
		FROM per_node p JOIN orgs o ON o.id = p.org_id
		CROSS JOIN unnest(string_to_array(trim(BOTH '/' FROM o.path), '/')) AS a(node)
		GROUP BY a.node)`

var entryBody = `{"category":"study_attendance","points":1,"occurred_on":"%s","description":"bench"}`

func benchDay() string {
	return seedling.Today(time.Now()).AddDate(0, 0, -1).Format(seedling.DateLayout)
}

// measureWrite records one entry per call: over HTTP, and as the very
// statements the handler runs (the candidate, then in one transaction the
// chain's lock with its head and the idempotency check, and the entry with
// its audit event, answered as the API shows it; the session and the rubric
// come from the server's caches), at the same concurrency over the same
// candidates. The twin prepares its statements, as the server does: the
// difference is the server's own work, not how the SQL is sent.
func measureWrite(ctx context.Context, cfg Config, c *client, fx *fixture) (Result, error) {
	day := benchDay()
	body := fmt.Sprintf(entryBody, day)
	app := run(ctx, cfg.Clients, cfg.Duration, func(ctx context.Context, w, n int) error {
		s := fx.secretaries[w%len(fx.secretaries)]
		id := s.candidates[rand.IntN(len(s.candidates))]
		return c.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/candidates/%d/ledger", id), s.token, strings.NewReader(body),
			map[string]string{"Content-Type": "application/json", "Idempotency-Key": fmt.Sprintf("bench-app-%d-%d-%d", w, n, rand.Uint64())},
			http.StatusCreated, nil)
	})
	var stmts [3]*sql.Stmt
	for i, q := range []string{postgres.CandidateByIDSQL, postgres.LockChainAndHeadSQL, postgres.AppendRowSQL} {
		st, err := cfg.DB.PrepareContext(ctx, q)
		if err != nil {
			return Result{}, err
		}
		defer st.Close()
		stmts[i] = st
	}
	raw := run(ctx, cfg.Clients, cfg.Duration, func(ctx context.Context, w, n int) error {
		s := fx.secretaries[w%len(fx.secretaries)]
		return rawWrite(ctx, cfg.DB, stmts, s, s.candidates[rand.IntN(len(s.candidates))], day, fmt.Sprintf("bench-raw-%d-%d-%d", w, n, rand.Uint64()))
	})
	return rate(app, raw, "req/s"), nil
}

func rawWrite(ctx context.Context, db *postgres.DB, stmts [3]*sql.Stmt, s secretary, candidateID int64, day, key string) error {
	if err := drain(ctx, stmtQuerier{stmts[0]}, "", candidateID); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var head sql.NullInt64
	var prev []byte
	var prior sql.NullInt64
	if err := tx.StmtContext(ctx, stmts[1]).QueryRowContext(ctx, candidateID, key).Scan(new(string), new(sql.NullTime), &head, &prev, &prior, new([]byte)); err != nil {
		return err
	}
	if prior.Valid {
		return fmt.Errorf("idempotency: key %s already used", key)
	}
	seq := int(head.Int64)
	if !head.Valid {
		prev = ledger.Genesis
	}
	d, _ := seedling.ParseDate(day)
	rec := ledger.Record{CandidateID: candidateID, Seq: seq + 1, Kind: ledger.KindEntry, Category: "study_attendance", Points: 1,
		OccurredOn: day, Period: ledger.PeriodOf(d).String(), Description: "bench", RecordedByID: s.userID, RecordedBy: s.username,
		RecordedAt: time.Now().UTC().Truncate(time.Microsecond)}
	hash := ledger.Hash(prev, rec)
	if err := drain(ctx, stmtQuerier{tx.StmtContext(ctx, stmts[2])}, "", candidateID, rec.Seq, rec.Kind, rec.Category, rec.Points,
		rec.OccurredOn, rec.Period, rec.Description, nil, "", nil, s.userID, s.username, rec.RecordedAt, key, rawDraft(day).RequestHash(),
		prev, hash, nil, "",
		s.userID, s.username, "secretary", s.branchID, "ledger.record", fmt.Sprintf("candidate:%d", candidateID), "bench", "127.0.0.1",
		fmt.Sprintf("seq=%d hash=%s category=study_attendance points=1 occurred_on=%s", rec.Seq, ledger.AuditHash(hash), day)); err != nil {
		return err
	}
	return tx.Commit()
}

// stmtQuerier lets drain read a prepared statement's rows.
type stmtQuerier struct{ st *sql.Stmt }

func (q stmtQuerier) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return q.st.QueryContext(ctx, args...)
}

func rawDraft(day string) ledger.Draft {
	one := 1
	return ledger.Draft{Category: "study_attendance", Points: &one, OccurredOn: day, Description: "bench"}
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// drain runs a query and reads every row, as a handler would.
func drain(ctx context.Context, q querier, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(any)
	}
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// The statements of the raw twins, as the log showed the server running them.
const (
	rawSessionLookup = `
		SELECT u.id, u.username, u.display_name, '' AS password_hash, u.disabled, u.candidate_id,
		coalesce((SELECT json_agg(json_build_object('id', g.id, 'role', g.role, 'org_id', g.org_id, 'org_name', o.name, 'org_path', o.path)
		                          ORDER BY o.path, g.role)
		          FROM grants g JOIN orgs o ON o.id = g.org_id WHERE g.user_id = u.id), '[]') AS grants, s.csrf, s.seen_at < now() - interval '1 minute' AS refresh
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND NOT u.disabled
		  AND s.seen_at > now() - make_interval(secs => $2)
		  AND s.created_at > now() - make_interval(secs => $3)`
	// rawScores is what a score is in SQL alone: points per candidate and
	// dimension under the rubric version in force in each quarter.
	rawScores = `
		SELECT e.candidate_id, c.dimension_code, sum(e.points)
		FROM ledger_entries e
		JOIN rubric_categories c ON c.code = e.category AND c.version_id = (
			SELECT v.id FROM rubric_versions v WHERE v.effective_from <= date_trunc('quarter', e.occurred_on)
			ORDER BY v.effective_from DESC LIMIT 1)
		WHERE e.candidate_id = ANY($1) AND e.kind <> 'evidence'
		GROUP BY e.candidate_id, c.dimension_code`
)

// measureRead reads one candidate (score and eligibility) whose ledger has
// about 200 rows, against the score computed in SQL alone.
func measureRead(ctx context.Context, cfg Config, c *client, fx *fixture) (Result, error) {
	app := run(ctx, cfg.Clients, cfg.Duration, func(ctx context.Context, w, n int) error {
		return c.call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/candidates/%d", fx.reads[(w+n)%len(fx.reads)]), fx.adminToken, nil, nil, http.StatusOK, nil)
	})
	raw := run(ctx, cfg.Clients, cfg.Duration, func(ctx context.Context, w, n int) error {
		return drain(ctx, cfg.DB, rawScores, pq.Array([]int64{fx.reads[(w+n)%len(fx.reads)]}))
	})
	res := rate(app, raw, "req/s")
	res.Note = strings.TrimSpace(fmt.Sprintf("%d rows in the ledger %s", fx.readN, res.Note))
	return res, nil
}

// measureRoster reads a branch's roster (about 50 people with scores and
// eligibility) against the same page with its sums in SQL alone.
func measureRoster(ctx context.Context, cfg Config, c *client, fx *fixture) (Result, error) {
	return listMeasure(ctx, cfg, c, fx, fmt.Sprintf("/api/v1/orgs/%d/roster", fx.branch), fx.branch,
		[]seedling.Stage{seedling.StageActivist, seedling.StageTarget, seedling.StageProbationary}, postgres.DefaultPageLimit,
		fmt.Sprintf("%d people", fx.branchN))
}

// measureCommitteeList asks for the first page of a committee's candidates
// (about 10,000 below it) against one keyset page with scores in SQL.
func measureCommitteeList(ctx context.Context, cfg Config, c *client, fx *fixture) (Result, error) {
	return listMeasure(ctx, cfg, c, fx, fmt.Sprintf("/api/v1/candidates?org_id=%d&limit=100", fx.committee), fx.committee,
		seedling.Stages, 100, fmt.Sprintf("%d people below the committee; page of 100", fx.committeeN))
}

// rawPage is a list page in SQL alone, the same work the list answers: the
// node's path, the people at the stages below it in the lists' order (node
// path, name, id) with one row more to know whether a next page exists, and
// each person's net points per quarter and dimension (the quarters are what
// the per-quarter caps need), people without entries included.
const rawPage = `
	WITH picked AS (
		SELECT k.id, k.name, k.stage, k.org_id, o.name AS org_name, o.path, k.activist_since
		FROM candidates k JOIN orgs o ON o.id = k.org_id
		WHERE o.path LIKE (SELECT path FROM orgs WHERE id = $1) || '%' AND k.stage = ANY($2)
		ORDER BY o.path, k.name, k.id LIMIT $3)
	SELECT p.id, p.name, p.stage, p.org_id, p.org_name, p.activist_since, s.period, s.dimension_code, s.points
	FROM picked p LEFT JOIN LATERAL (
		SELECT e.period, c.dimension_code, sum(e.points) AS points
		FROM ledger_entries e
		JOIN rubric_categories c ON c.code = e.category AND c.version_id = (
			SELECT v.id FROM rubric_versions v WHERE v.effective_from <= date_trunc('quarter', e.occurred_on)
			ORDER BY v.effective_from DESC LIMIT 1)
		WHERE e.candidate_id = p.id AND e.kind <> 'evidence'
		GROUP BY e.period, c.dimension_code) s ON true
	ORDER BY p.path, p.name, p.id`

func listMeasure(ctx context.Context, cfg Config, c *client, fx *fixture, path string, org int64, stages []seedling.Stage, limit int, note string) (Result, error) {
	clients := max(1, cfg.Clients/16) // heavy answers: fewer clients, as few people ask at once
	app := run(ctx, clients, cfg.Duration, func(ctx context.Context, w, n int) error {
		return c.call(ctx, http.MethodGet, path, fx.adminToken, nil, nil, http.StatusOK, nil)
	})
	names := make([]string, len(stages))
	for i, st := range stages {
		names[i] = string(st)
	}
	raw := run(ctx, clients, cfg.Duration, func(ctx context.Context, w, n int) error {
		return drain(ctx, cfg.DB, rawPage, org, pq.Array(names), limit+1)
	})
	res := rate(app, raw, "req/s")
	res.Note = strings.TrimSpace(fmt.Sprintf("%s, %d clients %s", note, clients, res.Note))
	return res, nil
}

// measureSession asks who the caller is (the session alone) against the
// one statement that finds a session.
func measureSession(ctx context.Context, cfg Config, c *client, fx *fixture) (Result, error) {
	app := run(ctx, cfg.Clients, cfg.Duration, func(ctx context.Context, w, n int) error {
		return c.call(ctx, http.MethodGet, "/api/v1/me", fx.secretaries[w%len(fx.secretaries)].token, nil, nil, http.StatusOK, nil)
	})
	raw := run(ctx, cfg.Clients, cfg.Duration, func(ctx context.Context, w, n int) error {
		return drain(ctx, cfg.DB, rawSessionLookup, fx.secretaries[w%len(fx.secretaries)].tokenHash, 1800, 43200)
	})
	return rate(app, raw, "req/s"), nil
}
