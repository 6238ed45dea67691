package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"seedling/internal/ledger"
)

func (f *ledgerFixture) importPath() string {
	return fmt.Sprintf("/api/v1/orgs/%d/ledger/import", f.orgA)
}

func (f *ledgerFixture) period() string { return ledger.PeriodOf(mustDate(f.today)).String() }

func (f *ledgerFixture) importFile(t testing.TB, name string, data []byte) response {
	t.Helper()
	return f.app.upload(f.importPath(), f.sec, false, map[string]string{"period": f.period()}, "file", name, data)
}

// fillTemplate downloads the XLSX template and fills the given rows after
// the header, keeping the template's own people rows where they are.
func (f *ledgerFixture) fillTemplate(t *testing.T, rows [][]any) []byte {
	t.Helper()
	r := f.app.call("GET", fmt.Sprintf("/api/v1/orgs/%d/ledger/template?format=xlsx", f.orgA), f.sec, nil)
	expectStatus(t, r, 200)
	x, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetList()[0]
	existing, _ := x.GetRows(sheet)
	for i, row := range rows {
		cell := fmt.Sprintf("A%d", len(existing)+1+i)
		if err := x.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	x.Write(&buf)
	return buf.Bytes()
}

func (f *ledgerFixture) name(t *testing.T, id int64) string {
	c, err := f.app.db.Candidates().ByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Name
}

// The template lists the branch's people and the rubric's categories; a
// filled-in copy lands in one go, and uploading it again books nothing.
func TestImportTemplateRoundTrip(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	r := f.app.call("GET", fmt.Sprintf("/api/v1/orgs/%d/ledger/template?format=xlsx", f.orgA), f.sec, nil)
	expectStatus(t, r, 200)
	x, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	sheets := x.GetSheetList()
	people, _ := x.GetRows(sheets[0])
	cats, _ := x.GetRows(sheets[1])
	x.Close()
	if len(sheets) != 3 || people[0][0] != "编号" || len(people) < 6 || len(cats) < 9 || !strings.Contains(strings.Join(people[1], ","), "") {
		t.Fatalf("template: sheets %v, %d people rows, %d category rows", sheets, len(people), len(cats))
	}
	evil := `=HYPERLINK("http://evil.example","x")`
	data := f.fillTemplate(t, [][]any{
		{f.a, f.name(t, f.a), f.today, "任务完成情况", 3, "完成社区走访"},
		{f.a2, f.name(t, f.a2), f.today, "study_attendance", 2, evil},
	})
	before := f.count(t)
	r = f.importFile(t, "积分.xlsx", data)
	expectStatus(t, r, 201)
	if got := r.JSON(t); num(got["written"]) != 2 || num(got["unchanged"]) != 0 {
		t.Fatalf("import: %s", r.Body)
	}
	if f.count(t) != before+2 {
		t.Fatalf("%d rows written, want 2", f.count(t)-before)
	}
	var desc string
	f.app.db.GetContext(t.Context(), &desc, `SELECT description FROM ledger_entries WHERE candidate_id = $1 ORDER BY seq DESC LIMIT 1`, f.a2)
	if desc != evil {
		t.Fatalf("a formula in a text cell was not kept as text: %q", desc)
	}
	r = f.importFile(t, "积分.xlsx", data)
	expectStatus(t, r, 200)
	if got := r.JSON(t); num(got["written"]) != 0 || num(got["unchanged"]) != 2 || f.count(t) != before+2 {
		t.Fatalf("second upload: %s", r.Body)
	}

	// CSV, as Excel on a Chinese Windows saves it: GB18030.
	r = f.app.call("GET", fmt.Sprintf("/api/v1/orgs/%d/ledger/template?format=csv", f.orgA), f.sec, nil)
	expectStatus(t, r, 200)
	rec, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil || rec[0][0] != "编号" {
		t.Fatalf("csv template: %v %v", err, rec)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(rec[0])
	w.Write([]string{fmt.Sprint(f.a), f.name(t, f.a), strings.ReplaceAll(f.today, "-", "/"), "活动表现", "4", "参加敬老院慰问"})
	w.Flush()
	gbk, _ := simplifiedchinese.GB18030.NewEncoder().Bytes(buf.Bytes())
	r = f.importFile(t, "积分.csv", gbk)
	expectStatus(t, r, 201)
	if num(r.JSON(t)["written"]) != 1 {
		t.Fatalf("csv import: %s", r.Body)
	}
}

// Any bad row refuses the whole file, every problem named by its cell, and
// nothing is written.
func TestImportRefusesTheWholeFileCellByCell(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	outsider := f.b
	data := f.fillTemplate(t, [][]any{
		{f.a, f.name(t, f.a), f.today, "任务完成情况", 3, "好的一行"},
		{f.a, f.name(t, f.a), f.today, "任务完成情况", 30, "分值超限"},
		{f.a2, "别人", f.today, "study_attendance", 1, "姓名不符"},
		{outsider, f.name(t, outsider), f.today, "study_attendance", 1, "外支部的人"},
		{f.a, f.name(t, f.a), "2020-01-01", "study_attendance", 1, "不在本季度"},
		{f.a, f.name(t, f.a), f.today, "勇敢", 1, "未知类别"},
		{f.a, f.name(t, f.a), f.today, "study_attendance", "二", "不是数字"},
	})
	before := f.count(t)
	r := f.importFile(t, "坏表.xlsx", data)
	if r.Status != 400 && r.Status != 422 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	fields := fieldErrors(t, r)
	// The filled rows follow the template's people rows; find their lines.
	line := map[string]int{}
	x, _ := excelize.OpenReader(bytes.NewReader(data))
	rows, _ := x.GetRows(x.GetSheetList()[0])
	x.Close()
	for i, row := range rows {
		if len(row) == 6 {
			line[row[5]] = i + 1
		}
	}
	want := map[string]string{"分值超限": "E", "姓名不符": "B", "外支部的人": "A", "不在本季度": "C", "未知类别": "D", "不是数字": "E"}
	for desc, col := range want {
		cell := fmt.Sprintf("%s%d", col, line[desc])
		if _, ok := fields[cell]; !ok {
			t.Errorf("%s: no problem at %s: %v", desc, cell, fields)
		}
	}
	if _, ok := fields[fmt.Sprintf("E%d", line["好的一行"])]; ok {
		t.Error("the good row was blamed")
	}
	if f.count(t) != before {
		t.Fatalf("%d rows written from a refused file", f.count(t)-before)
	}
}

// Files that are not our sheet are refused whole: another format, a wrong
// header, a formula where a number belongs.
func TestImportRefusesMalformedFiles(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	withFormula := func() []byte {
		x := excelize.NewFile()
		x.SetSheetRow("Sheet1", "A1", &[]any{"编号", "姓名", "日期", "类别", "分值", "说明"})
		x.SetSheetRow("Sheet1", "A2", &[]any{f.a, f.name(t, f.a), f.today, "study_attendance", nil, "公式分值"})
		x.SetCellFormula("Sheet1", "E2", "1+1")
		var b bytes.Buffer
		x.Write(&b)
		return b.Bytes()
	}()
	// The crafted 2 KB sheet that pinned a core: one value at column XFD.
	farOut := func() []byte {
		x := excelize.NewFile()
		x.SetSheetRow("Sheet1", "A1", &[]any{"编号", "姓名", "日期", "类别", "分值", "说明"})
		for i := 2; i < 42; i++ {
			x.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i), &[]any{f.a, f.name(t, f.a), f.today, "study_attendance", 1, "x"})
			x.SetCellValue("Sheet1", fmt.Sprintf("XFD%d", i), "x")
		}
		var b bytes.Buffer
		x.Write(&b)
		return b.Bytes()
	}()
	cases := []struct {
		name   string
		data   []byte
		status int
		field  string
	}{
		{"a PDF", pdfBytes, 415, "file"},
		{"an executable", exeBytes, 415, "file"},
		{"a broken zip", []byte("PK\x03\x04 not really a workbook"), 415, "file"},
		{"a wrong header", []byte("name,points\n张三,5\n"), 400, "A1"},
		{"only a header", []byte("编号,姓名,日期,类别,分值,说明\n"), 400, "file"},
		{"a formula in the points column", withFormula, 400, "E2"},
		{"a cell at column XFD", farOut, 400, "XFD2"},
	}
	before := f.count(t)
	for _, c := range cases {
		r := f.importFile(t, "x.xlsx", c.data)
		if r.Status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, r.Status, c.status, r.Body)
			continue
		}
		if _, ok := fieldErrors(t, r)[c.field]; !ok {
			t.Errorf("%s: no problem at %s: %s", c.name, c.field, r.Body)
		}
	}
	r := f.app.upload(f.importPath(), f.sec, false, map[string]string{"period": "2099Q1"}, "file", "x.csv",
		[]byte(fmt.Sprintf("编号,姓名,日期,类别,分值,说明\n%d,%s,2099-01-05,study_attendance,1,学习\n", f.a, f.name(t, f.a))))
	expectStatus(t, r, 422) // a quarter that has not begun (ledger.CheckImport)
	if fieldErrors(t, r)["period"] == "" {
		t.Fatalf("no problem at period: %s", r.Body)
	}
	if f.count(t) != before {
		t.Fatal("a refused file wrote rows")
	}
}
