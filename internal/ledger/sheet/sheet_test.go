package sheet

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"seedling/internal/ledger"
)

func words(id string) string { return id }

func testRubric() ledger.Rubric {
	return ledger.Rubric{Version: 1, EffectiveFrom: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		Dimensions: []ledger.Dimension{{Code: ledger.DimPractice, NameZh: "参加实践锻炼", NameEn: "Practice", Cap: 25}},
		Categories: []ledger.Category{{Code: "task_completion", NameZh: "任务完成情况", NameEn: "Tasks", Dimension: ledger.DimPractice, Min: 1, Max: 10}}}
}

// A template filled in as a person would — a date typed as a date, a
// category from the drop-down, a formula in the description — reads back
// as rows; the formula stays text.
func TestTemplateFilledInReadsBack(t *testing.T) {
	data, err := TemplateXLSX(testRubric(), []Person{{ID: 7, Name: "郭晓雯"}, {ID: 8, Name: "韩志强"}}, "zh-CN", words)
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sheet := x.GetSheetList()[0]
	x.SetCellValue(sheet, "C2", time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	x.SetCellValue(sheet, "D2", "任务完成情况")
	x.SetCellValue(sheet, "E2", 5)
	x.SetCellValue(sheet, "F2", "走访")
	x.SetCellValue(sheet, "C3", "2026/11/2")
	x.SetCellValue(sheet, "D3", "task_completion")
	x.SetCellValue(sheet, "E3", "-0")
	x.SetCellFormula(sheet, "F3", `HYPERLINK("http://evil.example","x")`)
	var buf bytes.Buffer
	x.Write(&buf)
	x.Close()

	rows, err := Read(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	r := rows[0]
	if r.Line != 2 || r.CandidateID != 7 || r.Name != "郭晓雯" || r.Draft.OccurredOn != "2026-11-20" || *r.Draft.Points != 5 || len(r.Problems) != 0 {
		t.Fatalf("row 2: %+v", r)
	}
	r = rows[1]
	if r.Draft.OccurredOn != "2026-11-02" || r.Draft.Description != `=HYPERLINK("http://evil.example","x")` {
		t.Fatalf("row 3: %+v", r)
	}
}

func TestReadReportsShapeProblemsAtTheirCells(t *testing.T) {
	csv := "编号,姓名,日期,类别,分值,说明\n" +
		"x,郭晓雯,2026-11-20,task_completion,5,a\n" +
		"7,郭晓雯,2026-11-20,task_completion,五,b\n" +
		"7,郭晓雯,2026-11-20,task_completion,2.5,c\n" +
		"7,郭晓雯,2026-11-20,task_completion,3,d,,extra\n" + // G is the late reason; nothing after it
		"7,郭晓雯,,,,\n" // a template row left empty
	rows, err := Read([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows {
		for _, p := range r.Problems {
			got[p.Field] = p.Code
		}
	}
	want := map[string]string{"A2": "number_format", "E3": "number_format", "E4": "number_format", "H5": "extra_column"}
	for cell, code := range want {
		if got[cell] != code {
			t.Errorf("%s: %q, want %q (all %v)", cell, got[cell], code, got)
		}
	}
	if len(rows) != 4 {
		t.Errorf("%d rows; the empty template row should be skipped", len(rows))
	}
}

func TestReadRefusesWhatIsNotOurSheet(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		cell string
	}{
		{"english header is fine, a wrong one is not", []byte("ID,Name,Date,Category,Points,Notes\n"), "F1"},
		{"a pdf", []byte("%PDF-1.4\n\x00\x01binary"), "file"},
		{"empty", nil, "file"},
	}
	for _, c := range cases {
		_, err := Read(c.data)
		var ie *ledger.InputError
		if errors.As(err, &ie) {
			if ie.Problems[0].Field != c.cell {
				t.Errorf("%s: at %s, want %s", c.name, ie.Problems[0].Field, c.cell)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "") {
			t.Errorf("%s: accepted", c.name)
		}
	}
}

func TestCSVInGB18030AndWithBOM(t *testing.T) {
	text := "编号,姓名,日期,类别,分值,说明\n7,郭晓雯,2026年11月20日,任务完成情况,3,走访\n"
	gbk, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(text))
	for _, data := range [][]byte{gbk, append([]byte("\xef\xbb\xbf"), text...)} {
		rows, err := Read(data)
		if err != nil || len(rows) != 1 || rows[0].Name != "郭晓雯" || rows[0].Draft.OccurredOn != "2026-11-20" || rows[0].Draft.Category != "任务完成情况" {
			t.Fatalf("rows %+v, err %v", rows, err)
		}
	}
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+86 138": "'+86 138", "-3": "'-3", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "走访": "走访", "": ""} {
		if got := Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTemplateCSVHasBOMAndPeople(t *testing.T) {
	data, err := TemplateCSV([]Person{{ID: 7, Name: "=郭"}}, "en")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\xef\xbb\xbfID,Name,Date,Category,Points,Description,Late-record reason\n7,'=郭,")) {
		t.Fatalf("%q", data)
	}
}

// A sheet carries a late reason per row in column G (补录原因); a sheet made
// from the template before that column existed is read as before.
func TestReadTakesALateReasonPerRow(t *testing.T) {
	rows, err := Read([]byte("编号,姓名,日期,类别,分值,说明,补录原因\n7,郭晓雯,2026-08-20,task_completion,5,a,台账遗漏补记\n7,郭晓雯,2026-11-20,task_completion,5,b,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Draft.LateReason != "台账遗漏补记" || rows[1].Draft.LateReason != "" {
		t.Fatalf("%+v", rows)
	}
	if _, err := Read([]byte("编号,姓名,日期,类别,分值,说明\n7,郭晓雯,2026-11-20,task_completion,5,a\n")); err != nil {
		t.Fatalf("a six-column sheet: %v", err)
	}
}
