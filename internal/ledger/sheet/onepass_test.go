package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"
)

// replacePart rewrites one part of an XLSX package.
func replacePart(t *testing.T, data []byte, name string, content []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			w.Write(content)
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(w, r)
		r.Close()
	}
	zw.Close()
	return buf.Bytes()
}

// randomWorkbook writes a sheet of random cells through excelize: shared
// strings, rich text, numbers, formulas, empty and styled empty cells, rows
// and columns left out.
func randomWorkbook(t *testing.T, rng *rand.Rand) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	sheet := x.GetSheetList()[0]
	style, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	words := []string{"编号", "姓名", "2026-11-20", "study_attendance", "走访", " 空格 ", "12", "3.5", "", "=1+1", "a&b<c>"}
	for r := 1; r <= 40; r++ {
		if rng.IntN(6) == 0 {
			continue // a row left out
		}
		for c := 1; c <= 9; c++ {
			ref, _ := excelize.CoordinatesToCellName(c, r)
			var err error
			switch rng.IntN(9) {
			case 0: // left out
			case 1:
				err = x.SetCellValue(sheet, ref, rng.IntN(100))
			case 2:
				err = x.SetCellValue(sheet, ref, rng.Float64()*10)
			case 3:
				err = x.SetCellFormula(sheet, ref, "SUM(A1:A3)")
			case 4:
				err = x.SetCellRichText(sheet, ref, []excelize.RichTextRun{{Text: "粗"}, {Text: words[rng.IntN(len(words))], Font: &excelize.Font{Italic: true}}})
			case 5:
				err = x.SetCellStyle(sheet, ref, ref, style)
			case 6:
				err = x.SetCellStr(sheet, ref, "")
			default:
				err = x.SetCellValue(sheet, ref, words[rng.IntN(len(words))])
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// streamedSheet is a filled-in sheet of n rows written by excelize's
// stream writer, ids and points as numbers.
func streamedSheet(t *testing.T, n int) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter(x.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	sw.SetRow("A1", []any{"编号", "姓名", "日期", "类别", "分值", "说明"})
	for i := range n {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, []any{i + 1, "郭晓雯", "2026-11-20", "study_attendance", 1, fmt.Sprintf("走访 %d", i)}); err != nil {
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

const sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>`

// The one-pass reader reads exactly what excelize's reader reads, cell for
// cell (text, number, formula), and reads it itself for the plain sheets
// excelize and the bench write.
func TestOnePassReadsWhatExcelizeReads(t *testing.T) {
	base := workbook(t, 1, map[string]any{"A1": "x"})
	cases := map[string][]byte{
		"streamed, as the bench writes it": streamedSheet(t, 300),
		"inline strings, typed blanks, a formula string, an error": replacePart(t, base, "xl/worksheets/sheet1.xml", []byte(sheetHead+
			`<row r="1"><c r="A1" t="inlineStr"><is><t>编号</t></is></c><c r="B1" t="inlineStr"><is><r><t>姓</t></r><r><rPr><b/></rPr><t xml:space="preserve">名 </t></r></is></c></row>`+
			`<row r="2"><c r="A2"><v>7</v></c><c r="B2" t="n"/><c r="C2" t="inlineStr"><is><t>2026-11-20</t></is></c><c r="E2" t="str"><f>1+1</f><v>2</v></c><c r="F2" t="e"><v>#N/A</v></c></row>`+
			`<row r="4"><c r="B4" t="s"/><c r="C4" t="inlineStr"><is><t></t></is></c><c r="D4" s="0"><v>12</v></c><c r="E4"><f></f><v>3</v></c></row>`+
			`</sheetData></worksheet>`)),
		"past the columns": replacePart(t, base, "xl/worksheets/sheet1.xml", []byte(sheetHead+
			`<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="AB1"><v>1</v></c></row></sheetData></worksheet>`)),
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range 40 {
		cases[fmt.Sprintf("random %d", i)] = randomWorkbook(t, rng)
	}
	for name, data := range cases {
		fast, fastErr := readXLSXWith(data, true)
		slow, slowErr := readXLSXWith(data, false)
		if fmt.Sprint(fastErr) != fmt.Sprint(slowErr) || !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s:\n one pass %v %v\n excelize %v %v", name, fast, fastErr, slow, slowErr)
		}
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := onePass(x, x.GetSheetList()[0]); !ok {
			t.Errorf("%s: read through excelize, not in one pass", name)
		}
		x.Close()
	}
}

// What the one pass leaves to excelize (a shared formula, merged cells,
// escaped characters, booleans) reads as excelize reads it.
func TestOnePassLeavesTheRestToExcelize(t *testing.T) {
	base := workbook(t, 1, map[string]any{"A1": "x"})
	for name, xml := range map[string]string{
		"shared formula": `<row r="1"><c r="A1"><f t="shared" ref="A1:A2" si="0">B1</f><v>1</v></c></row><row r="2"><c r="A2"><f t="shared" si="0"/><v>1</v></c></row></sheetData></worksheet>`,
		"merged":         `<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="inlineStr"><is><t>x</t></is></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>`,
		"escaped":        `<row r="1"><c r="A1" t="inlineStr"><is><t>a_x000D_b</t></is></c></row></sheetData></worksheet>`,
		"boolean":        `<row r="1"><c r="A1" t="b"><v>1</v></c></row></sheetData></worksheet>`,
		"lower case":     `<row r="1"><c r="a1"><v>1</v></c></row></sheetData></worksheet>`,
		"absolute":       `<row r="1"><c r="$A$1"><v>1</v></c></row></sheetData></worksheet>`,
		"no reference":   `<row><c><v>1</v></c></row></sheetData></worksheet>`,
		"left open":      `<row r="1"><c r="A1"><v>1</v></c></row></sheetData>`,
		"malformed":      `<row r="1"><c r="A1"><v>1</c></row></sheetData></worksheet>`,
	} {
		data := replacePart(t, base, "xl/worksheets/sheet1.xml", []byte(sheetHead+xml))
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := onePass(x, x.GetSheetList()[0]); ok {
			t.Errorf("%s: read in one pass", name)
		}
		x.Close()
		fast, fastErr := readXLSXWith(data, true)
		slow, slowErr := readXLSXWith(data, false)
		if fmt.Sprint(fastErr) != fmt.Sprint(slowErr) || !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: %v %v / %v %v", name, fast, fastErr, slow, slowErr)
		}
	}
}
