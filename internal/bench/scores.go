package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/lib/pq"

	"seedling/internal/display"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// RawSubtreeSums is a committee's scores in SQL alone, the raw twin of its
// standings and of its displays: the net points of everyone under the node
// ($1) at the given stages ($2, NULL for all) per quarter and dimension, each
// category mapped onto its dimension by the rubric version in force for
// the quarter, as ledger.Compute needs them (caps are per quarter). It is
// the store's own arithmetic in one statement, on the same index, so it is
// the floor the store is measured against; it counts the groups rather
// than sending them.
const RawSubtreeSums = `
	WITH versions AS (
		SELECT id,
		       CASE WHEN row_number() OVER w = 1 THEN '' ELSE to_char(effective_from, 'YYYY"Q"Q') END AS from_period,
		       lead(to_char(effective_from, 'YYYY"Q"Q')) OVER w AS until_period
		FROM rubric_versions WINDOW w AS (ORDER BY effective_from)
	),
	dims AS (
		SELECT v.from_period, v.until_period, c.code, c.dimension_code
		FROM versions v JOIN rubric_categories c ON c.version_id = v.id
	),
	sums AS (
		SELECT e.candidate_id, e.period, e.category, sum(e.points) AS points
		FROM ledger_entries e JOIN candidates k ON k.id = e.candidate_id JOIN orgs o ON o.id = k.org_id
		WHERE o.path LIKE $1 || '%' AND ($2::text[] IS NULL OR k.stage = ANY($2)) AND e.kind <> 'evidence'
		GROUP BY e.candidate_id, e.period, e.category
	)
	SELECT count(*) FROM (
		SELECT s.candidate_id, s.period, d.dimension_code, sum(s.points)
		FROM sums s JOIN dims d ON d.code = s.category AND s.period >= d.from_period
		                       AND (d.until_period IS NULL OR s.period < d.until_period)
		GROUP BY s.candidate_id, s.period, d.dimension_code) g`

// timed runs op one after another for d (at least twice) and keeps the
// time each call reports for itself: a committee's standings or displays
// are one person's request, heavy enough that one at a time is the honest
// load, and a call may leave out of its clock what it does only to be
// repeatable (throwing its drafts away).
func timed(ctx context.Context, d time.Duration, op func(context.Context) (time.Duration, error)) ([]time.Duration, error) {
	var lat []time.Duration
	for end := time.Now().Add(d); len(lat) < 2 || time.Now().Before(end); {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t, err := op(ctx)
		if err != nil {
			return nil, err
		}
		lat = append(lat, t)
	}
	slices.Sort(lat)
	return lat, nil
}

// clock times a call that keeps nothing out of its clock.
func clock(op func(context.Context) error) func(context.Context) (time.Duration, error) {
	return func(ctx context.Context) (time.Duration, error) {
		t := time.Now()
		err := op(ctx)
		return time.Since(t), err
	}
}

// durations compares two sets of call times by their mean, in ms; the
// ratio is the raw time over the application's (1 is the floor reached).
func durations(app, raw []time.Duration) Result {
	mean := func(l []time.Duration) float64 {
		var sum time.Duration
		for _, d := range l {
			sum += d
		}
		return ms(sum) / float64(len(l))
	}
	pct := func(l []time.Duration, p int) float64 { return ms(l[min(len(l)-1, len(l)*p/100)]) }
	res := Result{App: mean(app), Raw: mean(raw), Unit: "ms", P50: pct(app, 50), P99: pct(app, 99), RawP50: pct(raw, 50), RawP99: pct(raw, 99)}
	if res.App > 0 {
		res.Ratio = res.Raw / res.App
	}
	return res
}

// rawSums runs the raw twin under a node, for the given stages (nil: all).
func rawSums(ctx context.Context, db *postgres.DB, path string, stages []seedling.Stage) error {
	var st []string
	for _, s := range stages {
		st = append(st, string(s))
	}
	var n int
	if err := db.QueryRowContext(ctx, RawSubtreeSums, path, pq.Array(st)).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("no scores under %s", path)
	}
	return nil
}

// committeeOf reads the measured committee.
func committeeOf(ctx context.Context, db *postgres.DB, id int64) (seedling.Org, error) {
	var o struct {
		ID   int64  `db:"id"`
		Kind string `db:"kind"`
		Name string `db:"name"`
		Path string `db:"path"`
	}
	err := db.GetContext(ctx, &o, `SELECT id, kind, name, path FROM orgs WHERE id = $1`, id)
	return seedling.Org{ID: o.ID, Kind: seedling.OrgKind(o.Kind), Name: o.Name, Path: o.Path}, err
}

// measureStandings scores everyone under the committee (about 10,000)
// through the score store, against the same sums in SQL alone.
func measureStandings(ctx context.Context, cfg Config, _ *client, fx *fixture) (Result, error) {
	com, err := committeeOf(ctx, cfg.DB, fx.committee)
	if err != nil {
		return Result{}, err
	}
	door := pipeline.DefaultRegistry().InForce(seedling.Today(time.Now())).Door()
	people := 0
	app, err := timed(ctx, cfg.Duration, clock(func(ctx context.Context) error {
		list, err := cfg.DB.Scores().Scored(ctx, postgres.StandingFilter{Under: com.Path}, door)
		people = len(list)
		return err
	}))
	if err != nil {
		return Result{}, err
	}
	raw, err := timed(ctx, cfg.Duration, clock(func(ctx context.Context) error { return rawSums(ctx, cfg.DB, com.Path, nil) }))
	if err != nil {
		return Result{}, err
	}
	res := durations(app, raw)
	res.Note = fmt.Sprintf("%d people scored below the committee", people)
	return res, nil
}

// measureRanking asks the server for the ranking of every activist of the
// whole tree (the organisation department's view of a province), against
// their sums in SQL alone. It is the heaviest read a person can make, and
// it runs in the server, so the server's peak memory includes it.
func measureRanking(ctx context.Context, cfg Config, c *client, fx *fixture) (Result, error) {
	var root struct {
		ID   int64  `db:"id"`
		Path string `db:"path"`
	}
	if err := cfg.DB.GetContext(ctx, &root, `SELECT id, path FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1`); err != nil {
		return Result{}, err
	}
	var ranked struct {
		Rows []json.RawMessage `json:"ranking"`
	}
	app, err := timed(ctx, cfg.Duration, clock(func(ctx context.Context) error {
		return c.call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/orgs/%d/ranking", root.ID), fx.adminToken, nil, nil, http.StatusOK, &ranked)
	}))
	if err != nil {
		return Result{}, err
	}
	raw, err := timed(ctx, cfg.Duration, clock(func(ctx context.Context) error {
		return rawSums(ctx, cfg.DB, root.Path, []seedling.Stage{seedling.StageActivist})
	}))
	if err != nil {
		return Result{}, err
	}
	res := durations(app, raw)
	res.Note = fmt.Sprintf("%d eligible activists ranked under the root", len(ranked.Rows))
	return res, nil
}

// measureDisplay takes the drafts of the last ended quarter's displays of
// every branch under the committee in one action (one snapshot of the
// subtree), against the same sums in SQL alone. The drafts are discarded
// again outside the clock, so that the next call finds the branches free.
func measureDisplay(ctx context.Context, cfg Config, _ *client, fx *fixture) (Result, error) {
	com, err := committeeOf(ctx, cfg.DB, fx.committee)
	if err != nil {
		return Result{}, err
	}
	a := seedling.Actor{Username: "bench"}
	p := display.LastEnded(seedling.Today(time.Now()))
	branches, rows := 0, 0
	app, err := timed(ctx, cfg.Duration, func(ctx context.Context) (time.Duration, error) {
		t := time.Now()
		made, err := cfg.DB.Displays().CreateUnder(ctx, a, com, p, pipeline.DefaultRegistry())
		el := time.Since(t)
		if err != nil {
			return 0, err
		}
		branches, rows = len(made), 0
		for _, d := range made {
			rows += len(d.Rows)
			if err := cfg.DB.Displays().Discard(ctx, a, d.ID); err != nil {
				return 0, err
			}
		}
		return el, nil
	})
	if err != nil {
		return Result{}, err
	}
	if branches == 0 {
		return Result{}, fmt.Errorf("every branch under %s has a display of %s already", com.Name, p)
	}
	raw, err := timed(ctx, cfg.Duration, clock(func(ctx context.Context) error { return rawSums(ctx, cfg.DB, com.Path, display.Stages) }))
	if err != nil {
		return Result{}, err
	}
	res := durations(app, raw)
	res.Note = fmt.Sprintf("%d branches, %d rows of %s", branches, rows, p)
	return res, nil
}
