package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// workbook builds an XLSX with our header and the given cells set.
func workbook(t testing.TB, sheets int, cells map[string]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	name := x.GetSheetList()[0]
	for k, col := range ledger.ImportColumns {
		ref, _ := excelize.CoordinatesToCellName(k+1, 1)
		x.SetCellValue(name, ref, col.Zh)
	}
	for ref, v := range cells {
		if err := x.SetCellValue(name, ref, v); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < sheets; i++ {
		x.NewSheet(fmt.Sprintf("S%d", i))
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func problemAt(t *testing.T, err error) (field, code string) {
	t.Helper()
	var ie *ledger.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("want a refusal with problems, got %v", err)
	}
	return ie.Problems[0].Field, ie.Problems[0].Code
}

// xfdRows is the crafted sheet of the issue: rows with one value at column
// XFD (16,384), a 2 KB file that used to pin a core for a minute.
func xfdRows(t testing.TB, n int) []byte {
	cells := map[string]any{}
	for i := 2; i < n+2; i++ {
		cells[fmt.Sprintf("A%d", i)] = 7
		cells[fmt.Sprintf("XFD%d", i)] = "x"
	}
	return workbook(t, 1, cells)
}

func TestXLSXCellFarPastTheTemplateIsRefused(t *testing.T) {
	rows, err := Read(xfdRows(t, 3))
	if rows != nil {
		t.Fatalf("read %d rows of a sheet reaching column XFD", len(rows))
	}
	if field, code := problemAt(t, err); field != "XFD2" || code != "too_wide" {
		t.Fatalf("refused at %s with %s, want XFD2 too_wide", field, code)
	}
}

// Rows past the limit refuse the file, wherever they are: after the
// limit's rows, or alone far below a gap.
func TestXLSXRowLimit(t *testing.T) {
	cells := map[string]any{}
	for i := 2; i <= ledger.MaxImportRows+1; i++ {
		cells[fmt.Sprintf("A%d", i)] = 7
		cells[fmt.Sprintf("E%d", i)] = 5
	}
	rows, err := Read(workbook(t, 1, cells))
	if err != nil || len(rows) != ledger.MaxImportRows {
		t.Fatalf("a full sheet: %d rows, %v", len(rows), err)
	}
	cells[fmt.Sprintf("E%d", ledger.MaxImportRows+2)] = 5
	_, err = Read(workbook(t, 1, cells))
	if field, code := problemAt(t, err); field != "file" || code != "too_many_rows" {
		t.Fatalf("one row too many: %s %s", field, code)
	}
	_, err = Read(workbook(t, 1, map[string]any{"A2": 7, "F1048576": "hidden far below"}))
	if _, code := problemAt(t, err); code != "too_many_rows" {
		t.Fatalf("a row far below a gap: %s", code)
	}
}

func TestXLSXSheetCountIsBounded(t *testing.T) {
	_, err := Read(workbook(t, maxSheets+1, nil))
	if seedling.ErrorCode(err) != seedling.EUnsupported {
		t.Fatalf("%d sheets: %v", maxSheets+1, err)
	}
}

func TestCSVIsBounded(t *testing.T) {
	header := "编号,姓名,日期,类别,分值,说明\n"
	cases := []struct {
		name, body, field, code string
	}{
		{"a row too wide", "7,郭晓雯,2026-11-20,task_completion,5,a" + strings.Repeat(",", 40) + "x\n", "AT2", "too_wide"},
		{"a field too long", "7,郭晓雯,2026-11-20,task_completion,5," + strings.Repeat("长", 4000) + "\n", "F2", "cell_too_long"},
		{"too many rows", strings.Repeat("7,郭晓雯,2026-11-20,task_completion,5,a\n", ledger.MaxImportRows+1), "file", "too_many_rows"},
	}
	for _, c := range cases {
		_, err := Read([]byte(header + c.body))
		if field, code := problemAt(t, err); field != c.field || code != c.code {
			t.Errorf("%s: %s %s, want %s %s", c.name, field, code, c.field, c.code)
		}
	}
	big := header + strings.Repeat("7,郭晓雯,2026-11-20,task_completion,5,"+strings.Repeat("a", 8000)+"\n", maxFileBytes/8000+1)
	if _, err := Read([]byte(big)); seedling.ErrorCode(err) != seedling.ETooLarge {
		t.Fatalf("%d bytes of CSV: %v", len(big), err)
	}
}

// BenchmarkReadXFD reads the crafted 40-row sheet reaching column XFD.
func BenchmarkReadXFD(b *testing.B) {
	data := xfdRows(b, 40)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Read(data); err == nil {
			b.Fatal("accepted")
		}
	}
}

// BenchmarkReadFullSheet reads a filled-in sheet of the row limit.
func BenchmarkReadFullSheet(b *testing.B) {
	cells := map[string]any{}
	for i := 2; i <= ledger.MaxImportRows+1; i++ {
		cells[fmt.Sprintf("A%d", i)] = 7
		cells[fmt.Sprintf("B%d", i)] = "郭晓雯"
		cells[fmt.Sprintf("C%d", i)] = "2026-11-20"
		cells[fmt.Sprintf("D%d", i)] = "task_completion"
		cells[fmt.Sprintf("E%d", i)] = 5
		cells[fmt.Sprintf("F%d", i)] = "走访"
	}
	data := workbook(b, 1, cells)
	for b.Loop() {
		if rows, err := Read(data); err != nil || len(rows) != ledger.MaxImportRows {
			b.Fatal(len(rows), err)
		}
	}
}

// A small zip that unpacks past the limit is refused before it is parsed.
func TestXLSXDecompressedSizeIsBounded(t *testing.T) {
	// A cell holds at most 32,767 characters, and equal strings are stored
	// once: distinct long strings it is.
	cells := map[string]any{}
	for i := 2; i < 2+unzipLimit/32000+1; i++ {
		cells[fmt.Sprintf("F%d", i)] = fmt.Sprint(i) + strings.Repeat("x", 32000)
	}
	data := workbook(t, 1, cells)
	if len(data) > 1<<20 {
		t.Fatalf("the bomb is %d bytes; it should be small", len(data))
	}
	if _, err := Read(data); seedling.ErrorCode(err) != seedling.EUnsupported {
		t.Fatalf("a workbook unpacking past %d bytes: %v", unzipLimit, err)
	}
}
