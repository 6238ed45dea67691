package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"github.com/lib/pq"
	"github.com/xuri/excelize/v2"

	"seedling/internal/ledger"
	"seedling/internal/ledger/sheet"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// importFile is one upload of the import measures: a secretary's branch
// and the rows of its sheet, the sheet's header left out.
type importFile struct {
	s    secretary
	rows []importRow
}

type importRow struct {
	candidate   int64
	name        string
	description string
}

// importFiles splits cfg.ImportRows entries into files of up to
// ledger.MaxImportRows rows, one branch's people in each, round the
// secretaries.
func importFiles(ctx context.Context, cfg Config, fx *fixture) ([]importFile, error) {
	type person struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	names := map[int64][]person{}
	for _, s := range fx.secretaries {
		var ps []person
		if err := cfg.DB.SelectContext(ctx, &ps, `SELECT id, name FROM candidates WHERE id = ANY($1) ORDER BY id`, pq.Array(s.candidates)); err != nil {
			return nil, err
		}
		names[s.branchID] = ps
	}
	// The run's own descriptions: a file the database already holds is
	// answered "unchanged" (200), so a second bench on one database would
	// otherwise measure nothing and stop.
	run := time.Now().UnixNano()
	var files []importFile
	for left, k := cfg.ImportRows, 0; left > 0; k++ {
		s := fx.secretaries[k%len(fx.secretaries)]
		n := min(left, ledger.MaxImportRows)
		left -= n
		f := importFile{s: s}
		ps := names[s.branchID]
		for i := range n {
			p := ps[i%len(ps)]
			f.rows = append(f.rows, importRow{candidate: p.ID, name: p.Name, description: fmt.Sprintf("bench import %d %d/%d", run, k, i)})
		}
		files = append(files, f)
	}
	return files, nil
}

const importCategory = "study_attendance"

// csvSheet is a file as the CSV template holds it.
func csvSheet(f importFile, day string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(sheet.Header("zh-CN"))
	for _, r := range f.rows {
		w.Write([]string{strconv.FormatInt(r.candidate, 10), r.name, day, importCategory, "1", r.description})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// xlsxSheet is the same file as a workbook written by excelize: the id and
// points as numbers, the rest as text, as a filled-in template holds them.
func xlsxSheet(f importFile, day string) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter(x.GetSheetList()[0])
	if err != nil {
		return nil, err
	}
	head := sheet.Header("zh-CN")
	row := make([]any, len(head))
	for i, h := range head {
		row[i] = h
	}
	if err := sw.SetRow("A1", row); err != nil {
		return nil, err
	}
	for i, r := range f.rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, []any{r.candidate, r.name, day, importCategory, 1, r.description}); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// measureImport books cfg.ImportRows entries through the bulk-entry CSV
// upload against COPY of the same rows; see measureSheetImport.
func measureImport(ctx context.Context, cfg Config, c *client, fx *fixture) (Result, error) {
	return measureSheetImport(ctx, cfg, c, fx, "bench.csv", csvSheet)
}

// measureImportXLSX is measureImport with the same rows as XLSX workbooks.
func measureImportXLSX(ctx context.Context, cfg Config, c *client, fx *fixture) (Result, error) {
	return measureSheetImport(ctx, cfg, c, fx, "bench.xlsx", xlsxSheet)
}

// measureSheetImport uploads the files one after another, one branch's
// secretary each, and then writes the very same rows by COPY (see
// copyImport).
func measureSheetImport(ctx context.Context, cfg Config, c *client, fx *fixture, name string,
	encode func(importFile, string) ([]byte, error)) (Result, error) {
	day := benchDay()
	d, _ := seedling.ParseDate(day)
	period := ledger.PeriodOf(d)
	files, err := importFiles(ctx, cfg, fx)
	if err != nil {
		return Result{}, err
	}
	bodies := make([][]byte, len(files))
	for i, f := range files {
		if bodies[i], err = encode(f, day); err != nil {
			return Result{}, err
		}
	}
	started := time.Now()
	for i, f := range files {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("period", period.String())
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(bodies[i])
		mw.Close()
		if err := c.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/orgs/%d/ledger/import", f.s.branchID), f.s.token, &body,
			map[string]string{"Content-Type": mw.FormDataContentType()}, http.StatusCreated, nil); err != nil {
			return Result{}, err
		}
	}
	app := time.Since(started)

	started = time.Now()
	for i, f := range files {
		if err := copyImport(ctx, cfg.DB, f, bodies[i], day, period); err != nil {
			return Result{}, err
		}
	}
	raw := time.Since(started)
	res := Result{App: float64(cfg.ImportRows) / app.Seconds(), Raw: float64(cfg.ImportRows) / raw.Seconds(), Unit: "rows/s",
		Note: fmt.Sprintf("%d rows in %d files: %s vs COPY %s", cfg.ImportRows, len(files), app.Round(time.Millisecond), raw.Round(time.Millisecond))}
	res.Ratio = res.App / res.Raw
	return res, nil
}

// copyImport is the raw twin of one upload: in one transaction, like the
// upload, it reads the heads of the chains the file touches and COPYs the
// file's rows into ledger_entries itself, every column the import fills
// (idempotency key and request hash as the import derives them, the late
// reason, prev_hash and hash chained on the real heads), and rolls back.
// The real table, not a copy of its shape: its indexes, foreign keys and
// WAL are part of what an import costs, and a TEMP table has none of
// them. Rolled back, so the twin leaves the ledger as it found it (only
// the id sequence moves on) and the next file chains on the same heads
// the application saw. What it leaves out is the application's own work:
// reading the sheet, the locks, the rules, the already-booked check and
// the audit rows.
func copyImport(ctx context.Context, db *postgres.DB, f importFile, body []byte, day string, period ledger.Period) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	cands := make([]int64, len(f.rows))
	for i, r := range f.rows {
		cands[i] = r.candidate
	}
	type head struct {
		seq  int
		hash []byte
	}
	heads := map[int64]*head{}
	rows, err := tx.QueryContext(ctx, `
		SELECT c.id, h.seq, h.hash FROM unnest($1::bigint[]) AS c (id)
		CROSS JOIN LATERAL (SELECT seq, hash FROM ledger_entries WHERE candidate_id = c.id ORDER BY seq DESC LIMIT 1) h`,
		pq.Array(cands))
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var h head
		if err := rows.Scan(&id, &h.seq, &h.hash); err != nil {
			rows.Close()
			return err
		}
		heads[id] = &h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The id is left to the column's default, the sequence the import
	// draws its ids from.
	stmt, err := tx.PrepareContext(ctx, `COPY ledger_entries (candidate_id, seq, kind, category, points, occurred_on, period,
		description, recorded_by, recorded_by_name, recorded_at, idempotency_key, request_hash, prev_hash, hash, late_reason) FROM STDIN`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	// The keys of the file's hash, as the upload derives them, would meet
	// the rows the upload just committed under them; a hash of the file
	// marked as the twin's gives keys of the same form that do not.
	sum := sha256.Sum256(append(body[:len(body):len(body)], " raw twin"...))
	fileHash := hex.EncodeToString(sum[:])
	at := time.Now().UTC().Truncate(time.Microsecond)
	one := 1
	for i, r := range f.rows {
		h := heads[r.candidate]
		if h == nil {
			h = &head{hash: ledger.Genesis}
			heads[r.candidate] = h
		}
		rec := ledger.Record{CandidateID: r.candidate, Seq: h.seq + 1, Kind: ledger.KindEntry, Category: importCategory, Points: 1,
			OccurredOn: day, Period: period.String(), Description: r.description,
			RecordedByID: f.s.userID, RecordedBy: f.s.username, RecordedAt: at}
		prev, hash := h.hash, ledger.Hash(h.hash, rec)
		h.seq, h.hash = rec.Seq, hash
		draft := ledger.Draft{Category: importCategory, Points: &one, OccurredOn: day, Description: r.description}
		if _, err := stmt.ExecContext(ctx, r.candidate, rec.Seq, rec.Kind, rec.Category, rec.Points, day, rec.Period, rec.Description,
			f.s.userID, f.s.username, at, postgres.ImportKey(fileHash, period, i+2), draft.RequestHash(), prev, hash, ""); err != nil {
			return err
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return err
	}
	return nil
}
