package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"seedling/internal/seedling"
)

func day(s string) time.Time {
	t, err := seedling.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// v1 is the rubric the migration seeds; v2 halves the exam and doubles the
// evaluation from 2027.
func testRubrics() Rubrics {
	dims := func(exam, eval int) []Dimension {
		return []Dimension{{DimTheoryExam, "理论考试", "Theory exam", exam}, {DimTheoryStudy, "政治理论学习", "Study", 25},
			{DimPractice, "参加实践锻炼", "Practice", 25}, {DimEvaluation, "党员群众评议", "Evaluation", eval}}
	}
	cats := []Category{
		{"exam_result", "理论考试成绩", "Exam", DimTheoryExam, 1, 25},
		{"study_attendance", "参加政治理论学习", "Study", DimTheoryStudy, 1, 5},
		{"task_completion", "任务完成情况", "Tasks", DimPractice, 1, 10},
		{"evaluation_result", "党员群众评议结果", "Evaluation", DimEvaluation, 1, 25},
		{"deduction", "违规违纪（扣分）", "Deduction", DimEvaluation, -10, -1},
	}
	return Rubrics{
		{Version: 1, EffectiveFrom: day("2020-01-01"), Dimensions: dims(25, 25), Categories: cats},
		{Version: 2, EffectiveFrom: day("2027-01-01"), Dimensions: dims(15, 35), Categories: cats[1:]},
	}
}

func TestPeriods(t *testing.T) {
	cases := []struct {
		date, period, start, end string
	}{
		{"2026-01-01", "2026Q1", "2026-01-01", "2026-03-31"},
		{"2026-03-31", "2026Q1", "2026-01-01", "2026-03-31"},
		{"2026-04-01", "2026Q2", "2026-04-01", "2026-06-30"},
		{"2026-11-26", "2026Q4", "2026-10-01", "2026-12-31"},
	}
	for _, c := range cases {
		p := PeriodOf(day(c.date))
		if p.String() != c.period || !p.Start().Equal(day(c.start)) || !p.End().Equal(day(c.end)) {
			t.Errorf("%s: %s %s..%s, want %s %s..%s", c.date, p, p.Start().Format("2006-01-02"), p.End().Format("2006-01-02"), c.period, c.start, c.end)
		}
		if q, err := ParsePeriod(c.period); err != nil || q != p {
			t.Errorf("ParsePeriod(%s) = %v, %v", c.period, q, err)
		}
	}
	for _, bad := range []string{"2026Q5", "2026-Q1", "26Q1", "2026q1", ""} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) accepted", bad)
		}
	}
	if (Period{2026, 4}).Next() != (Period{2027, 1}) || (Period{2027, 1}).Prev() != (Period{2026, 4}) {
		t.Error("Next/Prev do not cross the year")
	}
}

func TestVersionInForceIsTheLatestStartedByTheQuartersFirstDay(t *testing.T) {
	rs := testRubrics()
	for _, c := range []struct {
		period  Period
		version int
	}{{Period{2019, 4}, 1}, {Period{2020, 1}, 1}, {Period{2026, 4}, 1}, {Period{2027, 1}, 2}, {Period{2030, 2}, 2}} {
		if r, _ := rs.InForce(c.period); r.Version != c.version {
			t.Errorf("%s: version %d, want %d", c.period, r.Version, c.version)
		}
	}
}

func TestCheckEntry(t *testing.T) {
	rs := testRubrics()
	today := day("2026-11-26")
	activist := Subject{Stage: seedling.StageActivist, ActivistSince: ptr(day("2025-09-15"))}
	cases := []struct {
		name   string
		draft  Draft
		subj   Subject
		code   string // "" = accepted
		fields []string
	}{
		{"good", Draft{"task_completion", ptr(5), "2026-11-20", "完成入户走访", "", ""}, activist, "", nil},
		{"deduction", Draft{"deduction", ptr(-3), "2026-11-20", "未请假缺席", "", ""}, activist, "", nil},
		{"over the per-entry limit", Draft{"task_completion", ptr(11), "2026-11-20", "x", "", ""}, activist, seedling.ERule, []string{"points"}},
		{"positive points on a deduction", Draft{"deduction", ptr(3), "2026-11-20", "x", "", ""}, activist, seedling.ERule, []string{"points"}},
		{"zero points", Draft{"task_completion", ptr(0), "2026-11-20", "x", "", ""}, activist, seedling.EInvalid, []string{"points"}},
		{"points not whole", Draft{"task_completion", nil, "2026-11-20", "x", "", "2.5"}, activist, seedling.EInvalid, []string{"points"}},
		{"unknown category", Draft{"bravery", ptr(5), "2026-11-20", "x", "", ""}, activist, seedling.EInvalid, []string{"category"}},
		{"future date", Draft{"task_completion", ptr(5), "2026-11-27", "x", "", ""}, activist, seedling.ERule, []string{"occurred_on"}},
		{"before becoming an activist", Draft{"task_completion", ptr(5), "2025-09-14", "x", "", ""}, activist, seedling.ERule, []string{"occurred_on"}},
		{"bad date", Draft{"task_completion", ptr(5), "2026/11/20", "x", "", ""}, activist, seedling.EInvalid, []string{"occurred_on"}},
		{"everything missing", Draft{}, activist, seedling.EInvalid, []string{"category", "points", "occurred_on", "description"}},
		{"an applicant keeps no ledger", Draft{"task_completion", ptr(5), "2026-11-20", "x", "", ""}, Subject{Stage: seedling.StageApplicant}, seedling.ERule, []string{"candidate"}},
		{"too long", Draft{"task_completion", ptr(5), "2026-11-20", strings.Repeat("长", 501), "", ""}, activist, seedling.EInvalid, []string{"description"}},
		{"control characters", Draft{"task_completion", ptr(5), "2026-11-20", "a\x00b", "", ""}, activist, seedling.EInvalid, []string{"description"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := CheckEntry(c.draft, c.subj, rs, LateRule{}, today)
			if c.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if v.Period.String() != "2026Q4" || v.Rubric != 1 {
					t.Fatalf("period %s under version %d", v.Period, v.Rubric)
				}
				return
			}
			if got := seedling.ErrorCode(err); got != c.code {
				t.Fatalf("code %q, want %q (%v)", got, c.code, err)
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("%T is not an *InputError", err)
			}
			var de *seedling.Error
			errors.As(err, &de)
			for _, f := range c.fields {
				if _, ok := de.Fields[f]; !ok {
					t.Errorf("no problem reported for %s: %v", f, de.Fields)
				}
			}
		})
	}
}

func TestRequestHashIgnoresSpacingButNotContent(t *testing.T) {
	a := Draft{"task_completion", ptr(5), "2026-11-20", "走访", "", ""}
	b := Draft{" task_completion ", ptr(5), "2026-11-20 ", " 走访", "", ""}
	c := Draft{"task_completion", ptr(6), "2026-11-20", "走访", "", ""}
	// Length prefixes: moving a character between fields changes the hash.
	d := Draft{"task_completio", ptr(5), "n2026-11-20", "走访", "", ""}
	if !bytes.Equal(a.RequestHash(), b.RequestHash()) {
		t.Error("surrounding spaces changed the hash")
	}
	if bytes.Equal(a.RequestHash(), c.RequestHash()) || bytes.Equal(a.RequestHash(), d.RequestHash()) {
		t.Error("different drafts share a hash")
	}
}

func TestCheckDraft(t *testing.T) {
	rs := testRubrics()[:1]
	today := day("2026-11-26")
	good := func() Rubric {
		r := testRubrics()[0]
		r.EffectiveFrom = day("2027-01-01")
		r.Dimensions = append([]Dimension(nil), r.Dimensions...)
		r.Categories = append([]Category(nil), r.Categories...)
		return r
	}
	if err := CheckDraft(good(), rs, today); err != nil {
		t.Fatalf("good draft refused: %v", err)
	}
	cases := []struct {
		name   string
		mutate func(r *Rubric)
		field  string
	}{
		{"not a quarter's first day", func(r *Rubric) { r.EffectiveFrom = day("2027-02-01") }, "effective_from"},
		{"a quarter that has begun", func(r *Rubric) { r.EffectiveFrom = day("2026-10-01") }, "effective_from"},
		{"not after the latest version", func(r *Rubric) { r.EffectiveFrom = day("2019-01-01") }, "effective_from"},
		{"caps below 100", func(r *Rubric) { r.Dimensions[0].Cap = 20 }, "dimensions"},
		{"cap above 100", func(r *Rubric) { r.Dimensions[0].Cap = 101 }, "dimensions[0].cap"},
		{"a dimension missing", func(r *Rubric) { r.Dimensions = r.Dimensions[1:] }, "dimensions"},
		{"bad code", func(r *Rubric) { r.Categories[0].Code = "Exam Result" }, "categories[0].code"},
		{"duplicate code", func(r *Rubric) { r.Categories[1].Code = r.Categories[0].Code }, "categories[1].code"},
		{"mixed sign", func(r *Rubric) { r.Categories[0].Min = -1 }, "categories[0].min_points"},
		{"min above max", func(r *Rubric) { r.Categories[0].Min = 9; r.Categories[0].Max = 3 }, "categories[0].min_points"},
		{"limit over the cap", func(r *Rubric) { r.Categories[0].Max = 26 }, "categories[0].max_points"},
		{"unknown dimension", func(r *Rubric) { r.Categories[0].Dimension = "charm" }, "categories[0].dimension"},
		{"no name", func(r *Rubric) { r.Categories[0].NameZh = " " }, "categories[0].name"},
		{"no categories", func(r *Rubric) { r.Categories = nil }, "categories"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := good()
			c.mutate(&r)
			err := CheckDraft(r, rs, today)
			var de *seedling.Error
			if !errors.As(err, &de) {
				t.Fatalf("accepted (%v)", err)
			}
			if _, ok := de.Fields[c.field]; !ok {
				t.Fatalf("no problem at %s: %v", c.field, de.Fields)
			}
		})
	}
}

func TestComputeCapsEachQuarterUnderItsOwnVersionAndTheTotalAt100(t *testing.T) {
	rs := testRubrics()
	sums := []PeriodSum{
		{"2026Q3", DimTheoryExam, 22},
		{"2026Q3", DimPractice, 30}, // capped at 25 in its quarter
		{"2026Q4", DimPractice, 4},  // the cumulative cap still holds
		{"2026Q4", DimEvaluation, 20},
		{"2026Q4", DimEvaluation, -5}, // a deduction
		{"2026Q4", DimTheoryStudy, 12},
	}
	s := Compute(sums, rs, Period{2026, 4})
	want := map[string]int{DimTheoryExam: 22, DimTheoryStudy: 12, DimPractice: 25, DimEvaluation: 15}
	for _, d := range s.Dimensions {
		if d.Points != want[d.Code] || d.Cap != 25 {
			t.Errorf("%s: %d/%d, want %d/25", d.Code, d.Points, d.Cap, want[d.Code])
		}
	}
	if s.Total != 74 || s.Version != 1 || len(s.Periods) != 2 || s.Periods[0].Total != 47 {
		t.Fatalf("total %d under v%d, periods %+v", s.Total, s.Version, s.Periods)
	}

	// From 2027 the exam is capped at 15 for everyone, and the evaluation's
	// cap rises to 35; the 2027 quarter is scored under version 2.
	sums = append(sums, PeriodSum{"2027Q1", DimEvaluation, 30})
	s = Compute(sums, rs, Period{2027, 1})
	if s.Version != 2 || s.Dimensions[0].Points != 15 || s.Dimensions[3].Points != 35 || s.Periods[2].Version != 2 {
		t.Fatalf("under version 2: %+v", s)
	}
	if s.Total != 15+12+25+35 {
		t.Fatalf("total %d", s.Total)
	}

	// Deductions beyond the points earned floor the dimension at 0.
	s = Compute([]PeriodSum{{"2026Q4", DimEvaluation, -8}}, rs, Period{2026, 4})
	if s.Total != 0 || s.Dimensions[3].Points != 0 {
		t.Fatalf("negative score: %+v", s)
	}
}

func TestTotalIsCappedAt100EvenWhenCapsAddUpToMore(t *testing.T) {
	rs := testRubrics()
	rs[0].Dimensions[3].Cap = 40
	sums := []PeriodSum{{"2026Q1", DimTheoryExam, 25}, {"2026Q1", DimTheoryStudy, 25}, {"2026Q1", DimPractice, 25}, {"2026Q1", DimEvaluation, 40}}
	if s := Compute(sums, rs, Period{2026, 4}); s.Total != 100 {
		t.Fatalf("total %d, want 100", s.Total)
	}
}

func TestEligibilityNamesEveryUnmetCondition(t *testing.T) {
	today := day("2026-11-26")
	cases := []struct {
		name    string
		total   int
		subj    Subject
		reasons []string
	}{
		{"eligible", 80, Subject{seedling.StageActivist, ptr(day("2025-11-26"))}, nil},
		{"short of points", 74, Subject{seedling.StageActivist, ptr(day("2024-01-01"))}, []string{"还差6分"}},
		{"in the training year", 85, Subject{seedling.StageActivist, ptr(day("2026-03-01"))}, []string{"培养期至2027-03-01届满"}},
		{"both", 79, Subject{seedling.StageActivist, ptr(day("2026-03-01"))}, []string{"还差1分", "培养期至2027-03-01届满"}},
		{"disqualified", 95, Subject{seedling.StageDisqualified, ptr(day("2020-01-01"))}, []string{"已取消入党资格"}},
		{"applicant", 0, Subject{seedling.StageApplicant, nil}, []string{"尚未列为入党积极分子", "还差80分"}},
		{"already a target", 88, Subject{seedling.StageTarget, ptr(day("2020-01-01"))}, []string{"已列为发展对象"}},
	}
	for _, c := range cases {
		e := Assess(c.total, c.subj, today, Door{MinScore: 80, TrainingMonths: 12})
		var got []string
		for _, r := range e.Reasons {
			got = append(got, r.Zh())
			if r.En() == "" {
				t.Errorf("%s: reason %s has no English", c.name, r.Code)
			}
		}
		if e.Eligible != (len(c.reasons) == 0) || strings.Join(got, "|") != strings.Join(c.reasons, "|") {
			t.Errorf("%s: eligible=%v reasons %q, want %q", c.name, e.Eligible, got, c.reasons)
		}
		// Only for someone past the door is there nothing missing to show.
		if past := c.subj.Stage == seedling.StageTarget; e.PastStage() != past {
			t.Errorf("%s: PastStage() = %v, want %v", c.name, e.PastStage(), past)
		}
	}
}

func TestChainCatchesChangedMissingAndReorderedRows(t *testing.T) {
	at := time.Date(2026, 11, 26, 3, 4, 5, 123456000, time.UTC)
	recs := []Record{
		{Kind: KindEntry, Category: "task_completion", Points: 5, OccurredOn: "2026-11-20", Period: "2026Q4", Description: "走访", RecordedBy: "secretary", RecordedByID: 3, RecordedAt: at},
		{Kind: KindEvidence, EvidenceOfSeq: 1, EvidenceSHA256: strings.Repeat("ab", 32), EvidenceName: "照片.jpg", EvidenceSize: 1234, EvidenceType: "image/jpeg", RecordedBy: "secretary", RecordedAt: at},
		{Kind: KindReversal, Category: "task_completion", Points: -5, OccurredOn: "2026-11-20", Period: "2026Q4", Description: "走访", ReversesSeq: 1, Reason: "重复录入", RecordedBy: "secretary", RecordedAt: at},
	}
	type row struct {
		rec        Record
		prev, hash []byte
	}
	build := func() []row {
		var out []row
		prev := Genesis
		for i, r := range recs {
			r.CandidateID, r.Seq = 7, i+1
			h := Hash(prev, r)
			out = append(out, row{r, prev, h})
			prev = h
		}
		return out
	}
	walk := func(rows []row) *Break {
		v := NewVerifier(7)
		for i, r := range rows {
			if b := v.Add(int64(100+i), r.rec, r.prev, r.hash); b != nil {
				return b
			}
		}
		return nil
	}
	if b := walk(build()); b != nil {
		t.Fatalf("intact chain broken: %v", b)
	}
	rows := build()
	rows[1].rec.EvidenceSHA256 = strings.Repeat("cd", 32) // a swapped file
	if b := walk(rows); b == nil || b.Seq != 2 || !strings.Contains(b.Why, "altered") {
		t.Fatalf("changed row: %v", b)
	}
	rows = build()
	if b := walk(append(rows[:1], rows[2:]...)); b == nil || b.Seq != 2 || !strings.Contains(b.Why, "missing") {
		t.Fatalf("removed row: %v", b)
	}
	// A row cut from the end leaves no gap; the audit trail's claim finds it.
	rows = build()
	v := NewVerifier(7)
	for i, r := range rows[:2] {
		v.Add(int64(100+i), r.rec, r.prev, r.hash)
	}
	if b := v.Confirm(3, AuditHash(rows[2].hash)); b == nil || b.Seq != 3 {
		t.Fatalf("cut tail: %v", b)
	}
	// The canonical form changes with any field and with the moment at the
	// microsecond, but not below it (PostgreSQL keeps microseconds).
	a := recs[0]
	b := a
	b.RecordedAt = a.RecordedAt.Add(300 * time.Nanosecond)
	if !bytes.Equal(a.Canonical(), b.Canonical()) {
		t.Error("sub-microsecond time changed the canonical form")
	}
	b.Description = "走访 "
	if bytes.Equal(a.Canonical(), b.Canonical()) {
		t.Error("a changed description kept the canonical form")
	}
}

func TestCheckImportReportsEveryRowAtItsCell(t *testing.T) {
	rs := testRubrics()
	today := day("2026-11-26")
	people := map[int64]ImportSubject{
		1: {Name: "郭晓雯", Subject: Subject{seedling.StageActivist, ptr(day("2025-09-15"))}},
		2: {Name: "韩志强", Subject: Subject{seedling.StageActivist, ptr(day("2026-03-01"))}},
	}
	rows := []ImportRow{
		{Line: 2, CandidateID: 1, Name: "郭晓雯", Draft: Draft{"任务完成情况", ptr(5), "2026-11-02", "走访", "", ""}},
		{Line: 3, CandidateID: 2, Name: "韩志强", Draft: Draft{"study_attendance", ptr(9), "2026-11-02", "学习", "", ""}},
		{Line: 4, CandidateID: 9, Name: "外人", Draft: Draft{"study_attendance", ptr(1), "2026-11-02", "学习", "", ""}},
		{Line: 5, CandidateID: 1, Name: "郭晓", Draft: Draft{"study_attendance", ptr(1), "2026-08-02", "学习", "", ""}},
	}
	_, err := CheckImport(rows, Period{2026, 4}, people, rs, LateRule{}, today)
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("accepted: %v", err)
	}
	cells := map[string]string{}
	for _, p := range ie.Problems {
		cells[p.Field] = p.Code
	}
	want := map[string]string{"E3": "points_range", "A4": "candidate_unknown", "B5": "name_mismatch", "C5": "period_mismatch"}
	for cell, code := range want {
		if cells[cell] != code {
			t.Errorf("%s: %q, want %q (all: %v)", cell, cells[cell], code, cells)
		}
	}
	if _, bad := cells["D2"]; bad {
		t.Error("a category named in Chinese was refused")
	}
	valid, err := CheckImport(rows[:1], Period{2026, 4}, people, rs, LateRule{}, today)
	if err != nil || valid[0].Category.Code != "task_completion" {
		t.Fatalf("good row: %v %+v", err, valid)
	}
}

// Category sums land on the dimension of the version in force for their
// quarter: a category a later version moves counts where that version puts
// it, one it drops counts for nothing from then on, and the result is in
// (period, dimension) order whichever order the sums came in.
func TestByDimensionMapsEachQuarterByItsVersion(t *testing.T) {
	rs := testRubrics()
	v2 := rs[1]
	v2.Categories = append([]Category(nil), v2.Categories...)
	for i, c := range v2.Categories {
		if c.Code == "deduction" {
			v2.Categories[i].Dimension = DimPractice
		}
	}
	rs[1] = v2
	sums := []CategorySum{
		{"2027Q1", "task_completion", 4}, {"2026Q4", "exam_result", 10}, {"2027Q1", "exam_result", 5},
		{"2026Q4", "deduction", -3}, {"2027Q1", "deduction", -2}, {"2026Q4", "evaluation_result", 6}, {"bogus", "exam_result", 7},
	}
	want := []PeriodSum{{"2026Q4", DimEvaluation, 3}, {"2026Q4", DimTheoryExam, 10}, {"2027Q1", DimPractice, 2}}
	if got := rs.ByDimension(sums); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	m := rs.DimensionMap()
	if got := m.Sums(sums[:2]); fmt.Sprint(got) != fmt.Sprint([]PeriodSum{{"2026Q4", DimTheoryExam, 10}, {"2027Q1", DimPractice, 4}}) {
		t.Fatalf("first person %v", got)
	}
	if got := m.Sums(sums); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("second person, remembered mapping: %v", got)
	}
	if got := m.Sums(nil); got == nil || len(got) != 0 {
		t.Fatalf("no sums: %#v", got)
	}
}
