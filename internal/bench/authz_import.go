package bench

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"seedling/internal/authz"
	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// measureAuthz times one decision of a secretary among cfg.Grants grants
// on a node never asked about before (nothing cached can answer), against
// the bare scope test it reduces to: a role lookup and a prefix compare.
func measureAuthz(ctx context.Context, cfg Config, c *client, fx *fixture) (Result, error) {
	started := time.Now()
	a, err := authz.New()
	if err != nil {
		return Result{}, err
	}
	load := time.Since(started)
	principals := make([]*seedling.Principal, cfg.Grants)
	for i := range principals {
		g := seedling.Grant{Role: seedling.RoleSecretary, OrgPath: fmt.Sprintf("/1/%d/%d/", i%2000, i)}
		principals[i] = &seedling.Principal{User: seedling.User{ID: int64(i + 1)}, Grants: []seedling.Grant{g}}
	}
	var failed error
	app := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p := principals[i%len(principals)]
			t := authz.Target{Path: p.Grants[0].OrgPath + strconv.Itoa(i) + "/"}
			if _, err := a.Check(p, t, authz.Ledger, authz.Write); err != nil && failed == nil {
				failed = err
			}
		}
	})
	if failed != nil {
		return Result{}, failed
	}
	allowed := map[seedling.Role]map[string]bool{seedling.RoleSecretary: {authz.Ledger + ":" + authz.Write: true}}
	raw := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p := principals[i%len(principals)]
			path := p.Grants[0].OrgPath + strconv.Itoa(i) + "/"
			ok := false
			for _, g := range p.Grants {
				if allowed[g.Role][authz.Ledger+":"+authz.Write] && strings.HasPrefix(path, g.OrgPath) {
					ok = true
				}
			}
			if !ok {
				b.Fatal("denied")
			}
		}
	})
	res := Result{App: float64(app.NsPerOp()), Raw: float64(raw.NsPerOp()), Unit: "ns/op",
		Note: fmt.Sprintf("%d allocs/op (raw %d), %d grants, policy loaded in %s", app.AllocsPerOp(), raw.AllocsPerOp(), cfg.Grants, load.Round(time.Microsecond))}
	if res.App > 0 {
		res.Ratio = res.Raw / res.App
	}
	return res, nil
}

// measureImport books cfg.ImportRows entries through the bulk-entry CSV
// upload, one file of up to ledger.MaxImportRows rows per branch, against
// COPY of the same rows, hash chain computed, into a table shaped like the
// ledger with the same indexes (rolled back afterwards).
func measureImport(ctx context.Context, cfg Config, c *client, fx *fixture) (Result, error) {
	day := benchDay()
	d, _ := seedling.ParseDate(day)
	period := ledger.PeriodOf(d).String()
	type person struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	names := map[int64][]person{}
	for _, s := range fx.secretaries {
		var ps []person
		if err := cfg.DB.SelectContext(ctx, &ps, `SELECT id, name FROM candidates WHERE id = ANY($1) ORDER BY id`, pq.Array(s.candidates)); err != nil {
			return Result{}, err
		}
		names[s.branchID] = ps
	}
	type file struct {
		s    secretary
		body []byte
		rows [][]string
	}
	var files []file
	// The run's own descriptions: a file the database already holds is
	// answered "unchanged" (200), so a second bench on one database would
	// otherwise measure nothing and stop.
	run := time.Now().UnixNano()
	for left, k := cfg.ImportRows, 0; left > 0; k++ {
		s := fx.secretaries[k%len(fx.secretaries)]
		n := min(left, ledger.MaxImportRows)
		left -= n
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		head := make([]string, len(ledger.ImportColumns))
		for i, col := range ledger.ImportColumns {
			head[i] = col.Zh
		}
		w.Write(head)
		f := file{s: s}
		ps := names[s.branchID]
		for i := range n {
			p := ps[i%len(ps)]
			row := []string{strconv.FormatInt(p.ID, 10), p.Name, day, "study_attendance", "1", fmt.Sprintf("bench import %d %d/%d", run, k, i)}
			w.Write(row)
			f.rows = append(f.rows, row)
		}
		w.Flush()
		f.body = buf.Bytes()
		files = append(files, f)
	}
	started := time.Now()
	for _, f := range files {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("period", period)
		fw, _ := mw.CreateFormFile("file", "bench.csv")
		fw.Write(f.body)
		mw.Close()
		if err := c.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/orgs/%d/ledger/import", f.s.branchID), f.s.token, &body,
			map[string]string{"Content-Type": mw.FormDataContentType()}, http.StatusCreated, nil); err != nil {
			return Result{}, err
		}
	}
	app := time.Since(started)

	started = time.Now()
	tx, err := cfg.DB.BeginTx(ctx, nil)
	if err != nil {
		return Result{}, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE bench_copy (LIKE ledger_entries INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES) ON COMMIT DROP`); err != nil {
		return Result{}, err
	}
	stmt, err := tx.PrepareContext(ctx, `COPY bench_copy (id, candidate_id, seq, kind, category, points, occurred_on, period,
		description, recorded_by, recorded_by_name, recorded_at, prev_hash, hash) FROM STDIN`)
	if err != nil {
		return Result{}, err
	}
	heads := map[int64]int{}
	id := int64(0)
	for _, f := range files {
		for _, row := range f.rows {
			cand, _ := strconv.ParseInt(row[0], 10, 64)
			heads[cand]++
			id++
			rec := ledger.Record{CandidateID: cand, Seq: heads[cand], Kind: ledger.KindEntry, Category: row[3], Points: 1, OccurredOn: day,
				Period: period, Description: row[5], RecordedByID: f.s.userID, RecordedBy: f.s.username, RecordedAt: time.Now().UTC().Truncate(time.Microsecond)}
			hash := ledger.Hash(ledger.Genesis, rec)
			if _, err := stmt.ExecContext(ctx, id, cand, rec.Seq, rec.Kind, rec.Category, 1, day, period, rec.Description,
				f.s.userID, f.s.username, rec.RecordedAt, ledger.Genesis, hash); err != nil {
				return Result{}, err
			}
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return Result{}, err
	}
	stmt.Close()
	raw := time.Since(started)
	res := Result{App: float64(cfg.ImportRows) / app.Seconds(), Raw: float64(cfg.ImportRows) / raw.Seconds(), Unit: "rows/s",
		Note: fmt.Sprintf("%d rows in %d files: %s vs COPY %s", cfg.ImportRows, len(files), app.Round(time.Millisecond), raw.Round(time.Millisecond))}
	res.Ratio = res.App / res.Raw
	return res, nil
}
