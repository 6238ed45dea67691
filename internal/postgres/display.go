package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"seedling/internal/calendar"
	"seedling/internal/display"
	"seedling/internal/ledger"
	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

// DisplayStore keeps the public displays (公示) and their objections. A
// display's rows are a snapshot written once; publishing fixes the display
// and the database refuses any later change (migration 00013).
type DisplayStore struct{ db *DB }

// Displays returns the display store.
func (db *DB) Displays() *DisplayStore { return &DisplayStore{db: db} }

// settingsFor returns the display settings in force at a node: the latest
// row of the nearest node at or above it, else the defaults. Masking is the
// organisation department's: the nearest row that turns it on wins.
func settingsFor(ctx context.Context, q sqlx.QueryerContext, path string) (display.Settings, error) {
	var rows []struct {
		WindowDays    int  `db:"window_days"`
		ObjectionDays int  `db:"objection_days"`
		MaskNames     bool `db:"mask_names"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT s.window_days, s.objection_days, s.mask_names
		FROM orgs o
		JOIN LATERAL (SELECT * FROM display_settings x WHERE x.org_id = o.id ORDER BY x.id DESC LIMIT 1) s ON true
		WHERE $1 LIKE o.path || '%'
		ORDER BY length(o.path) DESC LIMIT 1`, path)
	if err != nil {
		return display.Settings{}, translate(err)
	}
	if len(rows) == 0 {
		return display.Defaults(), nil
	}
	return display.Settings{WindowDays: rows[0].WindowDays, ObjectionDays: rows[0].ObjectionDays, MaskNames: rows[0].MaskNames}, nil
}

// Settings returns the settings in force at a node.
func (s *DisplayStore) Settings(ctx context.Context, path string) (display.Settings, error) {
	return settingsFor(ctx, s.db, path)
}

// SetSettings records a node's settings for its subtree, audited.
func (s *DisplayStore) SetSettings(ctx context.Context, a seedling.Actor, orgID int64, set display.Settings) error {
	if err := set.Check(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO display_settings (org_id, window_days, objection_days, mask_names, set_by) VALUES ($1, $2, $3, $4, $5)`,
			orgID, set.WindowDays, set.ObjectionDays, set.MaskNames, a.UserID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "display.settings", "org:"+itoa(orgID),
			fmt.Sprintf("window_days=%d objection_days=%d mask_names=%v", set.WindowDays, set.ObjectionDays, set.MaskNames))
	})
}

// snapshot takes the rows of the displays of a period of the given nodes,
// all under root, in one pass whatever their number: every activist and
// probationary member under root, scored by the ledger store's own sums
// (score.go) over the quarters up to the period's end under the rubric in
// force then, with failed reviews (counted by the rule set in force then)
// and each chain's head read in the same transaction, then dealt out to
// every node whose subtree holds them. rows[i] is the display of nodes[i].
func snapshot(ctx context.Context, tx *sqlx.Tx, root string, nodes []seedling.Org, p display.Period, rs *pipeline.RuleSet) (rows [][]display.Row, rubricVersion int, err error) {
	list, err := standings(ctx, tx, StandingFilter{Under: root, Stages: display.Stages})
	if err != nil {
		return nil, 0, err
	}
	rubrics, err := loadRubrics(ctx, tx)
	if err != nil {
		return nil, 0, err
	}
	last := p.LastQuarter()
	rubric, _ := rubrics.InForce(last)
	ids := make([]int64, len(list))
	for i, st := range list {
		ids[i] = st.ID
	}
	var heads []struct {
		ID       int64  `db:"id"`
		Seq      int    `db:"seq"`
		Hash     []byte `db:"hash"`
		Returned []byte `db:"returned"`
	}
	if err := tx.SelectContext(ctx, &heads, `
		SELECT c.id, COALESCE(h.seq, 0) AS seq, COALESCE(h.hash, $2) AS hash, `+returnedSQL+` AS returned
		FROM candidates c
		LEFT JOIN LATERAL (SELECT seq, hash FROM ledger_entries e WHERE e.candidate_id = c.id ORDER BY seq DESC LIMIT 1) h ON true
		WHERE c.id = ANY($1)`, pq.Array(ids), ledger.Genesis); err != nil {
		return nil, 0, err
	}
	type head struct {
		seq, failed int
		hash        []byte
	}
	byID := make(map[int64]head, len(heads))
	for _, h := range heads {
		returned, err := decodeReturned(h.Returned)
		if err != nil {
			return nil, 0, err
		}
		byID[h.ID] = head{h.Seq, rs.Strikes(returned), h.Hash}
	}
	rows = make([][]display.Row, len(nodes))
	for _, st := range list {
		var sums []ledger.PeriodSum
		for _, x := range st.Sums {
			if x.Period <= last.String() {
				sums = append(sums, x)
			}
		}
		h := byID[st.ID]
		row := display.RowOf(st.ID, st.Name, st.Stage, ledger.Compute(sums, rubrics, last), h.failed, h.seq, h.hash)
		for i, n := range nodes {
			if seedling.PathContains(n.Path, st.OrgPath) {
				rows[i] = append(rows[i], row)
			}
		}
	}
	for i := range rows {
		if rows[i] == nil {
			rows[i] = []display.Row{}
		}
		sortRows(rows[i])
	}
	return rows, rubric.Version, nil
}

// sortRows puts rows in candidate order, the order the hash is taken in.
func sortRows(rows []display.Row) {
	slices.SortFunc(rows, func(a, b display.Row) int { return cmp.Compare(a.CandidateID, b.CandidateID) })
}

// Create takes a draft display of a branch or party group for a period
// that has ended. A second live display of the node and period is a
// conflict (the unique index says so, whatever the race).
func (s *DisplayStore) Create(ctx context.Context, a seedling.Actor, org seedling.Org, p display.Period, rules *pipeline.Registry) (display.Display, error) {
	if err := display.CheckNode(org.Kind); err != nil {
		return display.Display{}, err
	}
	if err := p.CheckEnded(seedling.Today(s.db.Now())); err != nil {
		return display.Display{}, err
	}
	var id int64
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		made, err := createDisplays(ctx, tx, a, org.Path, []newDisplay{{org: org, version: 1}}, p, rules)
		if err == nil {
			id = made[0].ID
		}
		return err
	})
	if seedling.ErrorCode(err) == seedling.EConflict {
		return display.Display{}, seedling.Errorf(seedling.EConflict, "this node already has a display for %s; reissue it instead", p).
			Keyed("problem.display_exists", "Period", p.String())
	}
	if err != nil {
		return display.Display{}, err
	}
	return s.Get(ctx, id)
}

// CreateUnder takes, in one transaction, the draft displays of a period of
// every branch under a node (the node included) that has no live display
// of it yet, and returns them with their rows, in path order. One snapshot
// serves them all: a committee's hundred branches cost one standings query,
// not a hundred.
func (s *DisplayStore) CreateUnder(ctx context.Context, a seedling.Actor, root seedling.Org, p display.Period, rules *pipeline.Registry) ([]display.Display, error) {
	if err := p.CheckEnded(seedling.Today(s.db.Now())); err != nil {
		return nil, err
	}
	var made []display.Display
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var nodes []struct {
			ID   int64  `db:"id"`
			Kind string `db:"kind"`
			Name string `db:"name"`
			Path string `db:"path"`
		}
		if err := tx.SelectContext(ctx, &nodes, `
			SELECT o.id, o.kind, o.name, o.path FROM orgs o
			WHERE o.kind = 'branch' AND o.path LIKE $1 || '%'
			  AND NOT EXISTS (SELECT 1 FROM displays d WHERE d.org_id = o.id AND d.period = $2
			                  AND d.previous_id IS NULL AND d.state <> 'discarded')
			ORDER BY o.path`, root.Path, p.String()); err != nil {
			return err
		}
		if len(nodes) == 0 {
			return nil
		}
		news := make([]newDisplay, len(nodes))
		for i, n := range nodes {
			news[i] = newDisplay{org: seedling.Org{ID: n.ID, Kind: seedling.OrgKind(n.Kind), Name: n.Name, Path: n.Path}, version: 1}
		}
		var err error
		made, err = createDisplays(ctx, tx, a, root.Path, news, p, rules)
		return err
	})
	if err != nil {
		return nil, translate(err)
	}
	return made, nil
}

// newDisplay is one display to take: its node and version, and the
// version it replaces.
type newDisplay struct {
	org      seedling.Org
	version  int
	previous *int64
}

// createDisplays takes the given displays, every node under root, from one
// snapshot, with one insert of the displays, one of all their rows and an
// audit event each (in one statement), and returns them as drafts with their rows, in order.
func createDisplays(ctx context.Context, tx *sqlx.Tx, a seedling.Actor, root string, news []newDisplay, p display.Period, rules *pipeline.Registry) ([]display.Display, error) {
	nodes := make([]seedling.Org, len(news))
	for i, n := range news {
		nodes[i] = n.org
	}
	rows, rubricVersion, err := snapshot(ctx, tx, root, nodes, p, rules.InForce(p.Last()))
	if err != nil {
		return nil, err
	}
	n := len(news)
	orgs, versions, previous, hashes := make([]int64, n), make([]int64, n), make([]*int64, n), make([][]byte, n)
	out := make([]display.Display, n)
	for i, d := range news {
		hash := display.Hash(d.org.ID, p.String(), d.version, rows[i])
		orgs[i], versions[i], previous[i], hashes[i] = d.org.ID, int64(d.version), d.previous, hash
		out[i] = display.Display{OrgID: d.org.ID, OrgName: d.org.Name, OrgPath: d.org.Path, Period: p.String(), State: "draft",
			Version: d.version, PreviousID: d.previous, Rows: rows[i], Hash: hash, CreatedBy: a.Username}
	}
	var ids []struct {
		ID        int64     `db:"id"`
		OrgID     int64     `db:"org_id"`
		CreatedAt time.Time `db:"created_at"`
	}
	if err := tx.SelectContext(ctx, &ids, `
		INSERT INTO displays (org_id, period, version, previous_id, rubric_version, hash, created_by, created_by_name)
		SELECT o, $2, v, pr, $5, h, $7, $8
		FROM unnest($1::bigint[], $3::int[], $4::bigint[], $6::bytea[]) AS u (o, v, pr, h)
		RETURNING id, org_id, created_at`,
		pq.Array(orgs), p.String(), pq.Array(versions), pq.Array(previous), rubricVersion, pq.Array(hashes), a.UserID, a.Username); err != nil {
		return nil, err
	}
	// Each node is taken once per call, so its id says which row is whose.
	at := make(map[int64]int, n)
	for i, o := range orgs {
		at[o] = i
	}
	for _, r := range ids {
		i := at[r.OrgID]
		out[i].ID, out[i].CreatedAt = r.ID, r.CreatedAt.UTC()
	}
	if err := insertRows(ctx, tx, out); err != nil {
		return nil, err
	}
	targets, summaries := make([]string, n), make([]string, n)
	for i, d := range out {
		targets[i] = "display:" + itoa(d.ID)
		summaries[i] = fmt.Sprintf("org=%d period=%s version=%d rows=%d hash=%s", d.OrgID, p, d.Version, len(d.Rows), display.VerificationCode(d.Hash))
	}
	return out, auditEach(ctx, tx, a, "display.create", targets, summaries)
}

// insertRows writes the rows of every display with one COPY: a
// committee's 10,000 rows went in a quarter faster than as one INSERT from
// unnest'ed arrays. What remains is mostly the two foreign-key checks of
// each row.
func insertRows(ctx context.Context, tx *sqlx.Tx, displays []display.Display) error {
	st, err := tx.PrepareContext(ctx, `
		COPY display_rows (display_id, candidate_id, name, stage, points, dimensions, strikes, head_seq, head_hash) FROM STDIN`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, d := range displays {
		for _, r := range d.Rows {
			dims, err := json.Marshal(r.Dimensions)
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, d.ID, r.CandidateID, r.Name, string(r.Stage), r.Points, string(dims), r.Strikes, r.HeadSeq, r.HeadHash); err != nil {
				return err
			}
		}
	}
	_, err = st.ExecContext(ctx)
	return err
}

type displayRow struct {
	ID         int64      `db:"id"`
	OrgID      int64      `db:"org_id"`
	OrgName    string     `db:"org_name"`
	OrgPath    string     `db:"org_path"`
	Period     string     `db:"period"`
	State      string     `db:"state"`
	Version    int        `db:"version"`
	PreviousID *int64     `db:"previous_id"`
	ReissuedBy *int64     `db:"reissued_by"`
	Hash       []byte     `db:"hash"`
	OpensOn    *time.Time `db:"opens_on"`
	ClosesOn   *time.Time `db:"closes_on"`
	CreatedBy  string     `db:"created_by_name"`
	CreatedAt  time.Time  `db:"created_at"`
}

const displaySelect = `
	SELECT d.id, d.org_id, o.name AS org_name, o.path AS org_path, d.period, d.state, d.version, d.previous_id,
	       (SELECT r.id FROM displays r WHERE r.previous_id = d.id AND r.state <> 'discarded') AS reissued_by,
	       d.hash, d.opens_on, d.closes_on, d.created_by_name, d.created_at
	FROM displays d JOIN orgs o ON o.id = d.org_id`

func (r displayRow) display() display.Display {
	d := display.Display{ID: r.ID, OrgID: r.OrgID, OrgName: r.OrgName, OrgPath: r.OrgPath, Period: r.Period, State: r.State,
		Version: r.Version, PreviousID: r.PreviousID, ReissuedBy: r.ReissuedBy, Hash: r.Hash, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
	if r.OpensOn != nil && r.ClosesOn != nil {
		d.Window = &calendar.Window{Opens: r.OpensOn.UTC(), Closes: r.ClosesOn.UTC()}
	}
	return d
}

// Get returns one display with its rows; the caller checks its node
// against the scope.
func (s *DisplayStore) Get(ctx context.Context, id int64) (display.Display, error) {
	return getDisplay(ctx, s.db, id)
}

func getDisplay(ctx context.Context, q sqlx.QueryerContext, id int64) (display.Display, error) {
	var r displayRow
	if err := sqlx.GetContext(ctx, q, &r, displaySelect+` WHERE d.id = $1`, id); err != nil {
		return display.Display{}, translate(err)
	}
	d := r.display()
	rows, err := displayRows(ctx, q, id)
	if err != nil {
		return display.Display{}, err
	}
	d.Rows = rows
	return d, nil
}

func displayRows(ctx context.Context, q sqlx.QueryerContext, id int64) ([]display.Row, error) {
	var rows []struct {
		CandidateID int64  `db:"candidate_id"`
		Name        string `db:"name"`
		Stage       string `db:"stage"`
		Points      int    `db:"points"`
		Dimensions  []byte `db:"dimensions"`
		Strikes     int    `db:"strikes"`
		HeadSeq     int    `db:"head_seq"`
		HeadHash    []byte `db:"head_hash"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT candidate_id, name, stage, points, dimensions, strikes, head_seq, head_hash
		FROM display_rows WHERE display_id = $1 ORDER BY candidate_id`, id); err != nil {
		return nil, translate(err)
	}
	out := make([]display.Row, len(rows))
	for i, r := range rows {
		out[i] = display.Row{CandidateID: r.CandidateID, Name: r.Name, Stage: seedling.Stage(r.Stage), Points: r.Points,
			Strikes: r.Strikes, HeadSeq: r.HeadSeq, HeadHash: r.HeadHash}
		if err := json.Unmarshal(r.Dimensions, &out[i].Dimensions); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DisplayFilter picks displays: published ones under Roots and at the exact
// nodes of Nodes (a group leader's branch), drafts too under DraftRoots (the
// nodes where the caller may publish), by node and period.
type DisplayFilter struct {
	Roots      []string
	Nodes      []string
	DraftRoots []string
	OrgID      int64
	Period     string
	Limit      int
	After      int64 // cursor: ids below this one
}

// List returns displays without their rows, newest first.
func (s *DisplayStore) List(ctx context.Context, f DisplayFilter) ([]display.Display, error) {
	if len(f.Roots) == 0 && len(f.Nodes) == 0 {
		return nil, nil
	}
	args := []any{pq.Array(f.Roots), pq.Array(f.DraftRoots), pq.Array(f.Nodes)}
	where := []string{`(` + inSubtrees("o.path", 1) + ` OR o.path = ANY($3))`,
		`(d.state = 'published' OR (d.state = 'draft' AND ` + inSubtrees("o.path", 2) + `))`}
	if f.OrgID != 0 {
		args = append(args, f.OrgID)
		where = append(where, `d.org_id = $`+itoa(int64(len(args))))
	}
	if f.Period != "" {
		args = append(args, f.Period)
		where = append(where, `d.period = $`+itoa(int64(len(args))))
	}
	if f.After != 0 {
		args = append(args, f.After)
		where = append(where, `d.id < $`+itoa(int64(len(args))))
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	args = append(args, f.Limit)
	var rows []displayRow
	q := displaySelect + ` WHERE ` + joinAnd(where) + ` ORDER BY d.id DESC LIMIT $` + itoa(int64(len(args)))
	if err := s.db.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, translate(err)
	}
	out := make([]display.Display, len(rows))
	for i, r := range rows {
		out[i] = r.display()
	}
	return out, nil
}

func joinAnd(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += " AND "
		}
		out += p
	}
	return out
}

// lockDisplay reads a display under a row lock, so that publishing,
// discarding and reissuing one cannot race.
func lockDisplay(ctx context.Context, tx *sqlx.Tx, id int64) (display.Display, error) {
	if _, err := tx.ExecContext(ctx, `SELECT id FROM displays WHERE id = $1 FOR UPDATE`, id); err != nil {
		return display.Display{}, err
	}
	return getDisplay(ctx, tx, id)
}

// Publish fixes a draft and opens its window: N working days from today
// (or the next working day), N as the node's committee set it.
func (s *DisplayStore) Publish(ctx context.Context, a seedling.Actor, id int64) (display.Display, error) {
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		d, err := lockDisplay(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := d.CheckDraft(); err != nil {
			return err
		}
		set, err := settingsFor(ctx, tx, d.OrgPath)
		if err != nil {
			return err
		}
		cal, err := loadCalendar(ctx, tx)
		if err != nil {
			return err
		}
		w, err := cal.WindowFrom(seedling.Today(s.db.Now()), set.WindowDays)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE displays SET state = 'published', opens_on = $2, closes_on = $3, window_days = $4, objection_days = $5,
			       mask_names = $6, published_by = $7, published_at = now()
			WHERE id = $1`, id, w.Opens, w.Closes, set.WindowDays, set.ObjectionDays, set.MaskNames, a.UserID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "display.publish", "display:"+itoa(id),
			fmt.Sprintf("opens_on=%s closes_on=%s code=%s", w.Opens.Format(seedling.DateLayout), w.Closes.Format(seedling.DateLayout), d.Code()))
	})
	if err != nil {
		return display.Display{}, err
	}
	return s.Get(ctx, id)
}

// Discard throws a draft away; it stays on record as discarded.
func (s *DisplayStore) Discard(ctx context.Context, a seedling.Actor, id int64) error {
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		d, err := lockDisplay(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := d.CheckDraft(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE displays SET state = 'discarded' WHERE id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, a, "display.discard", "display:"+itoa(id), "period="+d.Period)
	})
}

// MaskNames reports whether a published display's notice masks names.
func (s *DisplayStore) MaskNames(ctx context.Context, id int64) (bool, error) {
	var m bool
	err := s.db.GetContext(ctx, &m, `SELECT mask_names FROM displays WHERE id = $1`, id)
	return m, translate(err)
}

// Reissue takes a new version of a published display with upheld
// objections, as a draft pointing at the one it replaces, and returns it
// with the rows that changed.
func (s *DisplayStore) Reissue(ctx context.Context, a seedling.Actor, id int64, rules *pipeline.Registry) (display.Display, []display.Change, error) {
	var newID int64
	var old display.Display
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if old, err = lockDisplay(ctx, tx, id); err != nil {
			return err
		}
		var upheld int
		if err := tx.GetContext(ctx, &upheld, `
			SELECT count(*) FROM objections o JOIN objection_resolutions r ON r.objection_id = o.id
			WHERE o.display_id = $1 AND r.decision = 'upheld'`, id); err != nil {
			return err
		}
		if err := old.CheckReissue(upheld); err != nil {
			return err
		}
		p, err := display.ParsePeriod(old.Period)
		if err != nil {
			return err
		}
		org := seedling.Org{ID: old.OrgID, Name: old.OrgName, Path: old.OrgPath}
		made, err := createDisplays(ctx, tx, a, org.Path, []newDisplay{{org: org, version: old.Version + 1, previous: &old.ID}}, p, rules)
		if err == nil {
			newID = made[0].ID
		}
		return err
	})
	if err != nil {
		return display.Display{}, nil, err
	}
	d, err := s.Get(ctx, newID)
	if err != nil {
		return display.Display{}, nil, err
	}
	return d, display.Diff(old.Rows, d.Rows), nil
}

// Changes returns what a reissue changed against the version it replaces.
func (s *DisplayStore) Changes(ctx context.Context, d display.Display) ([]display.Change, error) {
	if d.PreviousID == nil {
		return nil, nil
	}
	prev, err := displayRows(ctx, s.db, *d.PreviousID)
	if err != nil {
		return nil, err
	}
	return display.Diff(prev, d.Rows), nil
}

// Overview is the committee's table: for every branch and party group
// under path that has displayed or holds people, and each period, the
// first published version, the objections raised, upheld, rejected and
// still open, and the mean days taken to answer, in one statement.
func (s *DisplayStore) Overview(ctx context.Context, path string, periods []display.Period) ([]display.OverviewCell, error) {
	names := make([]string, len(periods))
	for i, p := range periods {
		names[i] = p.String()
	}
	var rows []struct {
		OrgID       int64      `db:"org_id"`
		OrgName     string     `db:"org_name"`
		Period      string     `db:"period"`
		DisplayID   *int64     `db:"display_id"`
		PublishedAt *time.Time `db:"published_at"`
		Raised      int        `db:"raised"`
		Upheld      int        `db:"upheld"`
		Rejected    int        `db:"rejected"`
		AvgDays     *float64   `db:"avg_days"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		WITH b AS (
			SELECT o.id, o.name, o.path FROM orgs o
			WHERE o.kind = 'branch' AND o.path LIKE $1 || '%'
		),
		p AS (SELECT period, n FROM unnest(CAST($2 AS text[])) WITH ORDINALITY AS u (period, n)),
		first AS (
			SELECT DISTINCT ON (d.org_id, d.period) d.id, d.org_id, d.period, d.published_at
			FROM displays d JOIN b ON b.id = d.org_id
			WHERE d.state = 'published' ORDER BY d.org_id, d.period, d.version
		),
		obj AS (
			SELECT d.org_id, d.period, count(*) AS raised,
			       count(*) FILTER (WHERE r.decision = 'upheld') AS upheld,
			       count(*) FILTER (WHERE r.decision = 'rejected') AS rejected,
			       avg(r.resolved_on - o.raised_on) AS avg_days
			FROM objections o JOIN displays d ON d.id = o.display_id JOIN b ON b.id = d.org_id
			LEFT JOIN objection_resolutions r ON r.objection_id = o.id
			GROUP BY d.org_id, d.period
		)
		SELECT b.id AS org_id, b.name AS org_name, p.period, f.id AS display_id, f.published_at,
		       COALESCE(obj.raised, 0) AS raised, COALESCE(obj.upheld, 0) AS upheld, COALESCE(obj.rejected, 0) AS rejected,
		       CAST(obj.avg_days AS float8) AS avg_days
		FROM b CROSS JOIN p
		LEFT JOIN first f ON f.org_id = b.id AND f.period = p.period
		LEFT JOIN obj ON obj.org_id = b.id AND obj.period = p.period
		ORDER BY b.path, p.n`, path, pq.Array(names))
	if err != nil {
		return nil, translate(err)
	}
	cal, err := loadCalendar(ctx, s.db)
	if err != nil {
		return nil, err
	}
	due := map[string]time.Time{}
	for _, p := range periods {
		due[p.String()] = display.DueBy(cal, p)
	}
	today := seedling.Today(s.db.Now())
	out := make([]display.OverviewCell, len(rows))
	for i, r := range rows {
		c := display.OverviewCell{OrgID: r.OrgID, OrgName: r.OrgName, Period: r.Period, DisplayID: r.DisplayID,
			Raised: r.Raised, Upheld: r.Upheld, Rejected: r.Rejected, Open: r.Raised - r.Upheld - r.Rejected}
		if r.PublishedAt != nil {
			d := seedling.Today(*r.PublishedAt)
			c.PublishedOn = &d
		}
		if r.AvgDays != nil {
			c.AvgDays = *r.AvgDays
		}
		c.Judge(due[r.Period], today)
		out[i] = c
	}
	return out, nil
}
