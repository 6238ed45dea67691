package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"seedling/internal/ledger"
	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

// lateDay is a date the rule set in force today calls a late record: ten
// days past its late_record_days before today.
func lateDay() string {
	days := pipeline.DefaultRegistry().InForce(seedling.Today(time.Now())).LateRecordDays
	return seedling.Today(time.Now()).AddDate(0, 0, -days-10).Format(seedling.DateLayout)
}

// Issue 10 item 8 for ledger entries, through the API: an entry dated more
// than the rule set's late_record_days before today is refused (422, coded
// late_reason_required, in the reader's language) until it says why; then
// it is written with late: true and its reason, the ledger page marks it
// 补录 with the reason, and the timeline shows it as a late record.
func TestLateEntryNeedsAReasonAndIsMarked_LateRecordDays(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	on := lateDay()
	before := f.count(t)
	r := f.record(t, f.a2, "late-1", entry("task_completion", 3, on, "参加社区走访"))
	expectStatus(t, r, 422)
	var e errorBody
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Problems["late_reason"] != "late_reason_required" || !strings.Contains(e.Error.Fields["late_reason"], "补录") {
		t.Fatalf("refusal: %s", r.Body)
	}
	en := f.app.call("POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", f.a2), f.sec, entry("task_completion", 3, on, "x"), "Idempotency-Key", "late-en", "Accept-Language", "en")
	if !strings.Contains(fieldErrors(t, en)["late_reason"], "late record") {
		t.Fatalf("English refusal: %s", en.Body)
	}
	if f.count(t) != before {
		t.Fatal("a refused late entry wrote a row")
	}

	body := entry("task_completion", 3, on, "参加社区走访")
	body["late_reason"] = "纸质台账遗漏，核对后补记"
	r = f.record(t, f.a2, "late-2", body)
	expectStatus(t, r, 201)
	got := r.JSON(t)
	if got["late"] != true || got["late_reason"] != "纸质台账遗漏，核对后补记" {
		t.Fatalf("entry: %v", got)
	}
	// An entry on time is not late and carries no reason, even if one is typed.
	timely := entry("task_completion", 2, f.today, "当日记录")
	timely["late_reason"] = "多余"
	r = f.record(t, f.a2, "timely-1", timely)
	expectStatus(t, r, 201)
	if got := r.JSON(t); got["late"] != false || got["late_reason"] != nil {
		t.Fatalf("timely entry: %v", got)
	}

	page := f.app.page(fmt.Sprintf("/candidates/%d/ledger", f.a2), f.sec)
	expectStatus(t, page, 200)
	mustContain(t, page, `class="badge warn late-record">补录<`, `class="late-reason">纸质台账遗漏，核对后补记<`, `id="late_reason"`)

	tl := f.app.call("GET", fmt.Sprintf("/api/v1/candidates/%d/timeline", f.a2), f.sec, nil)
	expectStatus(t, tl, 200)
	if !strings.Contains(string(tl.Body), `"kind":"ledger_late"`) || !strings.Contains(string(tl.Body), `"late_reason":"纸质台账遗漏，核对后补记"`) {
		t.Fatalf("timeline: %s", tl.Body)
	}
	tp := f.app.page(fmt.Sprintf("/candidates/%d/timeline", f.a2), f.sec)
	mustContain(t, tp, "补录积分记录 3 分（补录原因：纸质台账遗漏，核对后补记）")
}

// The sheet import takes the late reason in column G per row; a late row
// without one refuses the file at its cell with the same coded problem.
func TestImportLateRowNeedsAReason_LateRecordDays(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	on := lateDay()
	period := ledger.PeriodOf(mustDate(on)).String()
	upload := func(rows [][]any) response {
		return f.app.upload(f.importPath(), f.sec, false, map[string]string{"period": period}, "file", "补录.xlsx", f.fillTemplate(t, rows))
	}
	before := f.count(t)
	r := upload([][]any{{f.a2, f.name(t, f.a2), on, "study_attendance", 1, "集中学习", ""}})
	if r.Status != 422 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var e errorBody
	json.Unmarshal(r.Body, &e)
	found := false
	for cell, code := range e.Error.Problems {
		found = found || strings.HasPrefix(cell, "G") && code == "late_reason_required"
	}
	if !found || f.count(t) != before {
		t.Fatalf("no late_reason_required at column G, or rows written: %s", r.Body)
	}
	r = upload([][]any{{f.a2, f.name(t, f.a2), on, "study_attendance", 1, "集中学习", "学习记录迟交"}})
	expectStatus(t, r, 201)
	entries, err := f.app.db.Ledger().Entries(t.Context(), f.a2)
	if err != nil {
		t.Fatal(err)
	}
	if last := entries[len(entries)-1]; !last.Late() || last.LateReason != "学习记录迟交" {
		t.Fatalf("imported entry: %+v", last)
	}
}

// The ledger export carries each late record's reason in a column of its
// own, headed from the catalogs in the reader's language: a row imported
// from a sheet as a late record comes back out with the reason it went in
// with, and an entry on time leaves the cell empty.
func TestLedgerExportShowsLateReason_LateRecordDays(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	on := lateDay()
	period := ledger.PeriodOf(mustDate(on)).String()
	r := f.app.upload(f.importPath(), f.sec, false, map[string]string{"period": period}, "file", "补录.xlsx",
		f.fillTemplate(t, [][]any{{f.a2, f.name(t, f.a2), on, "study_attendance", 1, "集中学习", "学习记录迟交"}}))
	expectStatus(t, r, 201)
	expectStatus(t, f.record(t, f.a2, "timely-export", entry("task_completion", 2, f.today, "当日记录")), 201)

	for _, c := range []struct{ lang, header string }{{"zh-CN", "补录原因"}, {"en", "Late-record reason"}} {
		r := f.app.call("GET", fmt.Sprintf("/api/v1/candidates/%d/ledger.xlsx", f.a2), f.sec, nil, "Accept-Language", c.lang)
		expectStatus(t, r, 200)
		x, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetList()[0])
		x.Close()
		col, descCol := -1, -1
		for j, h := range rows[0] {
			switch h {
			case c.header:
				col = j
			case map[string]string{"zh-CN": "说明", "en": "Description"}[c.lang]:
				descCol = j
			}
		}
		if col < 0 || descCol < 0 {
			t.Fatalf("%s: header %v has no %q or description column", c.lang, rows[0], c.header)
		}
		got := map[string]string{}
		for _, row := range rows[1:] {
			if len(row) > descCol {
				reason := ""
				if len(row) > col {
					reason = row[col]
				}
				got[row[descCol]] = reason
			}
		}
		if got["集中学习"] != "学习记录迟交" || got["当日记录"] != "" {
			t.Errorf("%s: late reasons by description %v, want 集中学习 → 学习记录迟交 and 当日记录 empty", c.lang, got)
		}
	}
}

// The demo's late record (郭晓雯, seeds/ledger.json late_records) shows on
// her ledger page as 补录 with its reason, and on her timeline as a late
// record with the reason.
func TestDemoLateRecordShowsOnLedgerAndTimeline_LateRecordDays(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	const reason = "支部纸质台账已记，录入系统时遗漏，季度核对时发现，现予补录"
	page := f.app.page(fmt.Sprintf("/candidates/%d/ledger", f.a), f.sec)
	expectStatus(t, page, 200)
	mustContain(t, page, `class="badge warn late-record">补录<`, `class="late-reason">`+reason+`<`)
	tp := f.app.page(fmt.Sprintf("/candidates/%d/timeline", f.a), f.sec)
	expectStatus(t, tp, 200)
	mustContain(t, tp, "补录积分记录", "（补录原因："+reason+"）")
}
