package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"

	"seedling/internal/ledger"
	"seedling/internal/ledger/sheet"
)

// BenchmarkImportCSV uploads a file of the row limit (2,000 rows over two
// chains) per iteration, each with its own descriptions, through the
// handler and the store: what `seedling bench --only csv_import` measures
// without the network, for a CPU or allocation profile.
func BenchmarkImportCSV(b *testing.B) { benchmarkImport(b, "bench.csv", importCSVBody[any]) }

// BenchmarkImportXLSX is BenchmarkImportCSV with the rows as a workbook.
func BenchmarkImportXLSX(b *testing.B) { benchmarkImport(b, "bench.xlsx", importXLSXBody) }

func benchmarkImport(b *testing.B, name string, body func(testing.TB, [][]any) []byte) {
	f := newLedgerFixture(b)
	ctx := b.Context()
	names := map[int64]string{}
	for _, id := range []int64{f.a, f.a2} {
		c, err := f.app.db.Candidates().ByID(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		names[id] = c.Name
	}
	b.ReportAllocs()
	for n := 0; b.Loop(); n++ {
		b.StopTimer()
		rows := make([][]any, ledger.MaxImportRows)
		for i := range rows {
			id := []int64{f.a, f.a2}[i%2]
			rows[i] = []any{id, names[id], f.today, "study_attendance", 1, fmt.Sprintf("bench %d/%d", n, i)}
		}
		data := body(b, rows)
		b.StartTimer()
		if r := f.importFile(b, name, data); r.Status != 201 {
			b.Fatalf("status %d: %s", r.Status, r.Body)
		}
	}
}

// importCSVBody is a bulk-entry CSV of the given rows (id, name, date,
// category, points, description), header first.
func importCSVBody[V any](_ testing.TB, rows [][]V) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(sheet.Header("zh-CN"))
	for _, r := range rows {
		rec := make([]string, len(r))
		for i, v := range r {
			rec[i] = fmt.Sprint(v)
		}
		w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}

func importXLSXBody(t testing.TB, rows [][]any) []byte {
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter(x.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	var head []any
	for _, h := range sheet.Header("zh-CN") {
		head = append(head, h)
	}
	sw.SetRow("A1", head)
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
