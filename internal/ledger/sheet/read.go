// Package sheet reads and writes the spreadsheets of the points ledger: the
// bulk-entry sheet a secretary uploads (XLSX or CSV), its template, and the
// XLSX export of one or many ledgers. It knows file formats, not rules: the
// rows it reads are checked by ledger.CheckImport.
package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// Limits on what an upload may hold and unpack to: an XLSX is a zip, and a
// small file must not become gigabytes of XML in memory, nor a minute of
// work. A filled-in template of 2,000 rows unpacks to well under 2 MiB.
const (
	maxFileBytes  = 16 << 20 // the file itself, XLSX or CSV
	unzipLimit    = 16 << 20 // everything the zip unpacks to
	unzipXMLLimit = 16 << 20 // one worksheet or the shared strings, in memory
	maxSheets     = 16
	// maxColumns is how far a row may reach: the template's six columns
	// and some slack for notes or formatting next to them. A cell beyond
	// (XFD1 is column 16,384) refuses the file at once, before the
	// reader pads the row up to it.
	maxColumns   = 26
	maxCellBytes = 8 << 10 // one CSV field or XLSX value; a description is at most 500 characters
)

var (
	zipMagic = []byte("PK\x03\x04")
	utf8BOM  = []byte("\xef\xbb\xbf")
)

// Read parses an uploaded sheet, XLSX or CSV told apart by content, into
// data rows. The first row must be the header; rows with nothing in them are
// skipped, and so are template rows where only the id and name are filled.
// Problems of shape (a header that is not ours, text where a number belongs,
// a formula in a number or date column) are reported at their cells. A
// formula in a text column is kept as its text ("=HYPERLINK(…)"), never run.
func Read(data []byte) ([]ledger.ImportRow, error) {
	if len(data) > maxFileBytes {
		return nil, &seedling.Error{Code: seedling.ETooLarge, Message: "the spreadsheet is too large", Fields: map[string]string{"file": "too large"}}
	}
	var grid [][]cell
	var err error
	switch {
	case bytes.HasPrefix(data, zipMagic):
		grid, err = readXLSX(data)
	case isText(data):
		grid, err = readCSV(data)
	default:
		return nil, unsupported("the file is neither XLSX nor CSV; it is " + mimetype.Detect(data).String())
	}
	if err != nil {
		return nil, err
	}
	return parseGrid(grid)
}

// cell is one value as the file holds it.
type cell struct {
	text    string
	number  bool // stored as a number (XLSX)
	formula bool
}

// isText tells CSV from anything else by content: a PDF or a program
// renamed .csv is not text.
func isText(data []byte) bool {
	for m := mimetype.Detect(data); m != nil; m = m.Parent() {
		if m.Is("text/plain") {
			return true
		}
	}
	return false
}

func unsupported(why string) error {
	return &seedling.Error{Code: seedling.EUnsupported, Message: why, Fields: map[string]string{"file": why}}
}

// readXLSX streams the first sheet's rows, keeps the template's columns
// of at most MaxImportRows rows, and only then asks for the formulas and
// types of those cells: the whole sheet is never padded out to its widest
// row, and a file reaching past the limits is refused where it does.
func readXLSX(data []byte) ([][]cell, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: unzipLimit, UnzipXMLSizeLimit: unzipXMLLimit})
	if err != nil {
		return nil, unsupported("the file is not a readable XLSX workbook")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	switch {
	case len(sheets) == 0:
		return nil, unsupported("the workbook has no sheet")
	case len(sheets) > maxSheets:
		return nil, unsupported(fmt.Sprintf("the workbook has more than %d sheets", maxSheets))
	}
	name := sheets[0]
	rows, err := f.Rows(name)
	if err != nil {
		return nil, unsupported("the first sheet cannot be read")
	}
	defer rows.Close()
	var grid [][]cell
	for line := 1; rows.Next(); line++ {
		vals, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, unsupported("the first sheet cannot be read")
		}
		if err := checkRowShape(line, vals); err != nil {
			return nil, err
		}
		if line > ledger.MaxImportRows+1 {
			if !blank(vals) {
				return nil, tooManyRows()
			}
			continue
		}
		row := make([]cell, len(vals))
		for j, v := range vals {
			row[j] = cell{text: v}
		}
		grid = append(grid, row)
	}
	if err := rows.Error(); err != nil {
		return nil, unsupported("the first sheet cannot be read")
	}
	for i, row := range grid {
		for j := range row[:min(len(row), len(ledger.ImportColumns))] {
			ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
			c := &row[j]
			if formula, _ := f.GetCellFormula(name, ref); formula != "" {
				c.formula, c.text = true, "="+strings.TrimPrefix(formula, "=")
			} else if t, _ := f.GetCellType(name, ref); t == excelize.CellTypeNumber || t == excelize.CellTypeUnset && isNumber(c.text) {
				c.number = true
			}
		}
	}
	return grid, nil
}

// checkRowShape refuses a row reaching past maxColumns or holding a value
// longer than any field of an entry could use.
func checkRowShape(line int, vals []string) error {
	if len(vals) > maxColumns {
		ref, _ := excelize.CoordinatesToCellName(len(vals), line)
		var p ledger.Problems
		p.Merge([]ledger.Problem{{Field: ref, Code: "too_wide", Text: fmt.Sprintf("row %d reaches cell %s; the sheet has columns A to G", line, ref),
			Args: map[string]any{"Row": line, "Cell": ref}}}, nil)
		return p.Err()
	}
	for j, v := range vals {
		if len(v) > maxCellBytes {
			ref, _ := excelize.CoordinatesToCellName(j+1, line)
			var p ledger.Problems
			p.Merge([]ledger.Problem{{Field: ref, Code: "cell_too_long", Text: fmt.Sprintf("cell %s holds more than %d bytes", ref, maxCellBytes),
				Args: map[string]any{"Cell": ref, "Max": maxCellBytes}}}, nil)
			return p.Err()
		}
	}
	return nil
}

func tooManyRows() error {
	var p ledger.Problems
	p.Merge([]ledger.Problem{{Field: "file", Code: "too_many_rows", Text: fmt.Sprintf("at most %d rows per file", ledger.MaxImportRows),
		Args: map[string]any{"Max": ledger.MaxImportRows}}}, nil)
	return p.Err()
}

func blank(vals []string) bool {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return s != "" && err == nil
}

// readCSV reads UTF-8 (with or without the BOM Excel writes) or, failing
// that, GB18030, which is what Excel on a Chinese Windows saves as "CSV".
func readCSV(data []byte) ([][]cell, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, unsupported("the file is neither XLSX nor CSV text")
	}
	if !utf8.Valid(data) {
		decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || !utf8.Valid(decoded) {
			return nil, unsupported("the CSV file is neither UTF-8 nor GB18030 text")
		}
		data = decoded
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var grid [][]cell
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &seedling.Error{Code: seedling.EInvalid, Message: fmt.Sprintf("the CSV file is malformed at line %d", pe.Line),
					Fields: map[string]string{fmt.Sprintf("A%d", pe.Line): "malformed CSV"}}
			}
			return nil, err
		}
		if err := checkRowShape(len(grid)+1, rec); err != nil {
			return nil, err
		}
		if len(grid) > ledger.MaxImportRows {
			return nil, tooManyRows()
		}
		row := make([]cell, len(rec))
		for j, v := range rec {
			row[j] = cell{text: v}
		}
		grid = append(grid, row)
	}
	return grid, nil
}

func parseGrid(grid [][]cell) ([]ledger.ImportRow, error) {
	var p ledger.Problems
	if len(grid) == 0 {
		p.Merge([]ledger.Problem{{Field: "file", Code: "no_rows", Text: "the file is empty"}}, nil)
		return nil, p.Err()
	}
	checkHeader(&p, grid[0])
	if p.Len() > 0 {
		return nil, p.Err()
	}
	var rows []ledger.ImportRow
	for i, raw := range grid[1:] {
		line := i + 2
		get := func(k int) cell {
			if k < len(raw) {
				c := raw[k]
				c.text = strings.TrimSpace(c.text)
				return c
			}
			return cell{}
		}
		id, name, date, cat, pts, desc, late := get(0), get(1), get(2), get(3), get(4), get(5), get(6)
		if date.text == "" && cat.text == "" && pts.text == "" && desc.text == "" {
			continue // blank, or a template row left empty
		}
		var extra []ledger.Problem
		for k := len(ledger.ImportColumns); k < len(raw); k++ {
			if strings.TrimSpace(raw[k].text) != "" {
				ref, _ := excelize.CoordinatesToCellName(k+1, line)
				extra = append(extra, ledger.Problem{Field: ref, Code: "extra_column", Text: fmt.Sprintf("row %d: nothing may follow column G", line),
					Args: map[string]any{"Row": line, "Col": ""}})
			}
		}
		row := ledger.ImportRow{Line: line, Name: name.text, Draft: ledger.Draft{Category: cat.text, Description: desc.text, LateReason: late.text}}
		bad := func(field, code, text string) {
			row.Problems = append(row.Problems, ledger.RowProblem(line, field, code, text))
		}
		noFormula := func(c cell, field string) bool {
			if c.formula {
				bad(field, "formula", "formulas are not accepted in this column")
			}
			return !c.formula
		}
		if noFormula(id, "candidate_id") {
			n, err := strconv.ParseInt(id.text, 10, 64)
			if err != nil || n <= 0 {
				bad("candidate_id", "number_format", "the ID must be a whole number")
			}
			row.CandidateID = n
		}
		if noFormula(pts, "points") {
			n, ok := wholeNumber(pts.text)
			switch {
			case pts.text == "":
				bad("points", "required", "points is required")
			case !ok:
				bad("points", "number_format", "points must be a whole number")
			default:
				row.Draft.Points = &n
			}
		}
		if noFormula(date, "occurred_on") {
			row.Draft.OccurredOn = normaliseDate(date)
		}
		row.Problems = append(row.Problems, extra...)
		rows = append(rows, row)
	}
	return rows, nil
}

func checkHeader(p *ledger.Problems, header []cell) {
	for k, col := range ledger.ImportColumns {
		got := ""
		if k < len(header) {
			got = strings.TrimSpace(strings.TrimPrefix(header[k].text, "\ufeff"))
		}
		if got == "" && col.Optional {
			continue
		}
		if got != col.Zh && !strings.EqualFold(got, col.En) && got != col.Field {
			p.Merge([]ledger.Problem{{Field: col.Letter + "1", Code: "header",
				Text: fmt.Sprintf("column %s must be headed %q (or %q)", col.Letter, col.Zh, col.En),
				Args: map[string]any{"Row": 1, "Col": col.Field, "Want": col.Zh}}}, nil)
		}
	}
}

// wholeNumber reads "5", "-3", "+2" or "5.0" (a spreadsheet's number).
func wholeNumber(s string) (int, bool) {
	if n, err := strconv.Atoi(strings.TrimPrefix(s, "+")); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int(f)) || f > 1e6 || f < -1e6 {
		return 0, false
	}
	return int(f), true
}

// dateSeparators is built once: a replacer built per cell was a tenth of
// the server's time reading an import.
var dateSeparators = strings.NewReplacer("/", "-", ".", "-", "年", "-", "月", "-", "日", "")

// normaliseDate accepts what people type for a date (2026-11-26,
// 2026/11/26, 2026.11.26, 2026年11月26日) and a spreadsheet's date serial
// number; anything else passes through for the entry rules to refuse.
func normaliseDate(c cell) string {
	s := c.text
	if s == "" {
		return ""
	}
	// Already written the one way (a date cell of a CSV or a text cell):
	// kept as it is, without the allocations of the guesses below.
	if _, err := time.Parse(seedling.DateLayout, s); err == nil && len(s) == len(seedling.DateLayout) {
		return s
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && (c.number || !strings.ContainsAny(s, "-/.")) && f > 0 && f < 2958466 {
		if t, err := excelize.ExcelDateToTime(f, false); err == nil {
			return t.Format(seedling.DateLayout)
		}
	}
	for _, layout := range []string{"2006-1-2", "20060102"} {
		if t, err := time.Parse(layout, dateSeparators.Replace(s)); err == nil {
			return t.Format(seedling.DateLayout)
		}
	}
	return s
}
