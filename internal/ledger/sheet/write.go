package sheet

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// T translates a message id of the UI catalogs into the reader's language;
// every word a sheet shows comes through it.
type T func(id string) string

// Person is one line of a template: the candidates of the branch, so a
// secretary fills in points next to names instead of typing ids.
type Person struct {
	ID   int64
	Name string
}

// Neutralise keeps a text cell from being read as a formula by a spreadsheet
// program: a value starting with = + - @ or a control character gets a
// leading apostrophe (OWASP's advice for CSV injection). Text is stored as
// typed; this applies on the way out only.
func Neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func header(lang string) []string {
	out := make([]string, len(ledger.ImportColumns))
	for i, c := range ledger.ImportColumns {
		out[i] = c.Zh
		if lang == "en" {
			out[i] = c.En
		}
	}
	return out
}

func categoryName(c ledger.Category, lang string) string {
	if lang == "en" {
		return c.NameEn
	}
	return c.NameZh
}

func dimensionName(d ledger.Dimension, lang string) string {
	if lang == "en" {
		return d.NameEn
	}
	return d.NameZh
}

// TemplateXLSX is the bulk-entry template: the entry sheet with the branch's
// people and a drop-down of categories, the category sheet with each one's
// dimension and per-entry limits, and a guide.
func TemplateXLSX(r ledger.Rubric, people []Person, lang string, t T) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	entries, cats, guide := t("sheet.entry_sheet"), t("sheet.category_sheet"), t("sheet.guide_sheet")
	if err := f.SetSheetName("Sheet1", entries); err != nil {
		return nil, err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	dateFmt := "yyyy-mm-dd"
	dateStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err := f.SetSheetRow(entries, "A1", &[]any{header(lang)[0], header(lang)[1], header(lang)[2], header(lang)[3], header(lang)[4], header(lang)[5], header(lang)[6]}); err != nil {
		return nil, err
	}
	f.SetRowStyle(entries, 1, 1, bold)
	for i, p := range people {
		if err := f.SetSheetRow(entries, fmt.Sprintf("A%d", i+2), &[]any{p.ID, Neutralise(p.Name)}); err != nil {
			return nil, err
		}
	}
	last := len(people) + 200
	f.SetCellStyle(entries, "C2", fmt.Sprintf("C%d", last), dateStyle)
	f.SetColWidth(entries, "A", "A", 8)
	f.SetColWidth(entries, "B", "B", 12)
	f.SetColWidth(entries, "C", "C", 12)
	f.SetColWidth(entries, "D", "D", 30)
	f.SetColWidth(entries, "F", "F", 50)

	if _, err := f.NewSheet(cats); err != nil {
		return nil, err
	}
	f.SetSheetRow(cats, "A1", &[]any{t("sheet.col.category_name"), t("sheet.col.code"), t("sheet.col.dimension"), t("sheet.col.min"), t("sheet.col.max")})
	f.SetRowStyle(cats, 1, 1, bold)
	for i, c := range r.Categories {
		d, _ := r.Dimension(c.Dimension)
		f.SetSheetRow(cats, fmt.Sprintf("A%d", i+2), &[]any{categoryName(c, lang), c.Code, dimensionName(d, lang), c.Min, c.Max})
	}
	f.SetColWidth(cats, "A", "A", 36)
	f.SetColWidth(cats, "B", "C", 18)
	if len(r.Categories) > 0 {
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("D2:D%d", last)
		dv.SetSqrefDropList(fmt.Sprintf("'%s'!$A$2:$A$%d", cats, len(r.Categories)+1))
		if err := f.AddDataValidation(entries, dv); err != nil {
			return nil, err
		}
	}

	if _, err := f.NewSheet(guide); err != nil {
		return nil, err
	}
	for i, id := range []string{"sheet.guide.1", "sheet.guide.2", "sheet.guide.3", "sheet.guide.4", "sheet.guide.5"} {
		f.SetCellStr(guide, fmt.Sprintf("A%d", i+1), t(id))
	}
	f.SetCellStr(guide, "A7", fmt.Sprintf("%s %d (%s)", t("sheet.guide.version"), r.Version, r.EffectiveFrom.Format(seedling.DateLayout)))
	f.SetColWidth(guide, "A", "A", 100)
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// TemplateCSV is the same entry sheet as CSV, with the BOM that makes Excel
// read it as UTF-8.
func TemplateCSV(people []Person, lang string) ([]byte, error) {
	var buf bytes.Buffer
	buf.Write(utf8BOM)
	w := csv.NewWriter(&buf)
	w.Write(header(lang))
	for _, p := range people {
		w.Write([]string{strconv.FormatInt(p.ID, 10), Neutralise(p.Name), "", "", "", "", ""})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// Ledger is one candidate's ledger and standing, for an export.
type Ledger struct {
	CandidateID int64
	Name        string
	Org         string
	Entries     []ledger.Entry
	Score       ledger.Score
	Eligibility ledger.Eligibility
}

// ExportXLSX writes ledgers to a workbook: every entry of every ledger on
// one sheet, each person's standing on another. Every text cell is
// neutralised, so a description typed as "=HYPERLINK(…)" stays text.
func ExportXLSX(ledgers []Ledger, rubrics ledger.Rubrics, lang string, t T) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	entries, scores := t("sheet.ledger_sheet"), t("sheet.score_sheet")
	if err := f.SetSheetName("Sheet1", entries); err != nil {
		return nil, err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	sw, err := f.NewStreamWriter(entries)
	if err != nil {
		return nil, err
	}
	cols := []string{"id", "name", "org", "seq", "kind", "occurred_on", "period", "category", "dimension", "points",
		"description", "reverses", "reversed_by", "reason", "late_reason", "evidence", "recorded_by", "recorded_at", "hash"}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{Value: t("sheet.col." + c), StyleID: bold}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, err
	}
	line := 2
	for _, l := range ledgers {
		for _, e := range l.Entries {
			cat, dim := e.Category, ""
			if p, err := ledger.ParsePeriod(e.Period); err == nil {
				if r, ok := rubrics.InForce(p); ok {
					if c, ok := r.Category(e.Category); ok {
						cat = categoryName(c, lang)
						if d, ok := r.Dimension(c.Dimension); ok {
							dim = dimensionName(d, lang)
						}
					}
				}
			}
			var files []string
			for _, ev := range e.Evidence {
				files = append(files, ev.Name+" (sha256 "+ev.SHA256[:12]+"…)")
			}
			reverses, reversedBy := "", ""
			if e.Reverses != nil {
				reverses = fmt.Sprintf("#%d", e.ReversesSeq)
			}
			if e.ReversedBy != nil {
				reversedBy = fmt.Sprintf("#%d", e.ReversedSeq)
			}
			row := []any{l.CandidateID, Neutralise(l.Name), Neutralise(l.Org), e.Seq, t("ledger.kind." + e.Kind),
				e.OccurredOn.Format(seedling.DateLayout), e.Period, Neutralise(cat), Neutralise(dim), e.Points,
				Neutralise(e.Description), reverses, reversedBy, Neutralise(e.Reason), Neutralise(e.LateReason), Neutralise(strings.Join(files, "; ")),
				Neutralise(e.RecordedByName), e.RecordedAt.Format("2006-01-02 15:04:05Z"), fmt.Sprintf("%x", e.Hash)}
			if err := sw.SetRow(fmt.Sprintf("A%d", line), row); err != nil {
				return nil, err
			}
			line++
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}

	if _, err := f.NewSheet(scores); err != nil {
		return nil, err
	}
	current, _ := rubrics.Latest()
	if len(ledgers) > 0 {
		current = rubrics[0]
		for _, r := range rubrics {
			if r.Version == ledgers[0].Score.Version {
				current = r
			}
		}
	}
	head = []any{t("sheet.col.id"), t("sheet.col.name"), t("sheet.col.org")}
	for _, d := range current.Dimensions {
		head = append(head, fmt.Sprintf("%s (%d)", dimensionName(d, lang), d.Cap))
	}
	head = append(head, t("sheet.col.total"), t("sheet.col.eligible"), t("sheet.col.reasons"))
	f.SetSheetRow(scores, "A1", &head)
	f.SetRowStyle(scores, 1, 1, bold)
	for i, l := range ledgers {
		row := []any{l.CandidateID, Neutralise(l.Name), Neutralise(l.Org)}
		for _, d := range l.Score.Dimensions {
			row = append(row, d.Points)
		}
		eligible := t("sheet.no")
		if l.Eligibility.Eligible {
			eligible = t("sheet.yes")
		}
		var reasons []string
		for _, r := range l.Eligibility.Reasons {
			if lang == "en" {
				reasons = append(reasons, r.En())
			} else {
				reasons = append(reasons, r.Zh())
			}
		}
		row = append(row, l.Score.Total, eligible, Neutralise(strings.Join(reasons, "; ")))
		f.SetSheetRow(scores, fmt.Sprintf("A%d", i+2), &row)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
