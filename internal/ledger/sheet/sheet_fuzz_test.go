package sheet

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"seedling/internal/seedling"
)

// FuzzRead feeds the bulk-entry reader what an upload can hold: CSV in any
// encoding, XLSX (a zip of XML) and anything else. Whatever comes in, Read
// answers rows or a coded error a client can be shown, never an internal
// one (issue 9.9).
func FuzzRead(f *testing.F) {
	tmpl, err := TemplateXLSX(testRubric(), []Person{{ID: 7, Name: "郭晓雯"}}, "zh-CN", words)
	if err != nil {
		f.Fatal(err)
	}
	csv, err := TemplateCSV([]Person{{ID: 7, Name: "郭晓雯"}}, "en")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tmpl)
	f.Add(csv)
	f.Add(farColumnXLSX(f))
	f.Add([]byte("编号,姓名,日期,类别,分值,说明\n7,郭晓雯,2026-11-20,task_completion,5,a\n7,郭晓雯,0000-01-01,task_completion,99999999999,\x00\n"))
	f.Add([]byte("ID,Name,Date,Category,Points,Description\n\"unterminated"))
	f.Add([]byte("ID,Name,Date,Category,Points,Description\n-1,=cmd|' /C calc'!A0,2026-11-20,x,-2147483649,y\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := Read(data)
		if err != nil {
			if code := seedling.ErrorCode(err); code == seedling.EInternal {
				t.Fatalf("internal error for an upload: %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.Line < 2 {
				t.Fatalf("row on line %d", r.Line)
			}
		}
	})
}

// farColumnXLSX is the sheet of issue 9.5: one cell at column XFD.
func farColumnXLSX(f *testing.F) []byte {
	x := excelize.NewFile()
	defer x.Close()
	x.SetCellValue("Sheet1", "A1", "编号")
	x.SetCellValue("Sheet1", "XFD2", "x")
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}
