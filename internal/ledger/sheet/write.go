package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
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

// Header is the first row of the bulk-entry sheet in lang ("en" or
// Chinese): the names the import reads its columns by.
func Header(lang string) []string {
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
	if err := f.SetSheetRow(entries, "A1", &[]any{Header(lang)[0], Header(lang)[1], Header(lang)[2], Header(lang)[3], Header(lang)[4], Header(lang)[5], Header(lang)[6]}); err != nil {
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
	w.Write(Header(lang))
	for _, p := range people {
		w.Write([]string{strconv.FormatInt(p.ID, 10), Neutralise(p.Name), "", "", "", "", ""})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// Ledger is one person of an export and their standing; their entries are
// added to the LedgerBook one by one.
type Ledger struct {
	CandidateID int64
	Name        string
	Org         string
	Score       ledger.Score
	Eligibility ledger.Eligibility
}

// LedgerBook is the ledger export, written as it is read: every entry of
// every ledger on one sheet, row by row through a stream writer (which keeps
// up to 16 MB in memory and spills the rest to a temporary file), then each
// person's standing on another. Every text cell is neutralised, so a
// description typed as "=HYPERLINK(…)" stays text.
type LedgerBook struct {
	f       *excelize.File
	sw      *excelize.StreamWriter
	rubrics ledger.Rubrics
	lang    string
	t       T
	bold    int
	line    int
}

// NewLedgerBook starts an export with the entry sheet's header; Close
// releases it (and its temporary file) whether or not it was written.
func NewLedgerBook(rubrics ledger.Rubrics, lang string, t T) (*LedgerBook, error) {
	f := excelize.NewFile()
	b := &LedgerBook{f: f, rubrics: rubrics, lang: lang, t: t, line: 2}
	entries := t("sheet.ledger_sheet")
	if err := f.SetSheetName("Sheet1", entries); err != nil {
		f.Close()
		return nil, err
	}
	b.bold, _ = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	var err error
	if b.sw, err = f.NewStreamWriter(entries); err != nil {
		f.Close()
		return nil, err
	}
	cols := []string{"id", "name", "org", "seq", "kind", "occurred_on", "period", "category", "dimension", "points",
		"description", "reverses", "reversed_by", "reason", "late_reason", "evidence", "recorded_by", "recorded_at", "hash"}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{Value: t("sheet.col." + c), StyleID: b.bold}
	}
	if err := b.sw.SetRow("A1", head); err != nil {
		f.Close()
		return nil, err
	}
	return b, nil
}

// Close releases the workbook.
func (b *LedgerBook) Close() error { return b.f.Close() }

// Entry adds one row of l's ledger; rows appear in the order they are added.
func (b *LedgerBook) Entry(l Ledger, e ledger.Entry) error {
	cat, dim := e.Category, ""
	if p, err := ledger.ParsePeriod(e.Period); err == nil {
		if r, ok := b.rubrics.InForce(p); ok {
			if c, ok := r.Category(e.Category); ok {
				cat = categoryName(c, b.lang)
				if d, ok := r.Dimension(c.Dimension); ok {
					dim = dimensionName(d, b.lang)
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
	row := []any{l.CandidateID, Neutralise(l.Name), Neutralise(l.Org), e.Seq, b.t("ledger.kind." + e.Kind),
		e.OccurredOn.Format(seedling.DateLayout), e.Period, Neutralise(cat), Neutralise(dim), e.Points,
		Neutralise(e.Description), reverses, reversedBy, Neutralise(e.Reason), Neutralise(e.LateReason), Neutralise(strings.Join(files, "; ")),
		Neutralise(e.RecordedByName), e.RecordedAt.Format("2006-01-02 15:04:05Z"), fmt.Sprintf("%x", e.Hash)}
	if err := b.sw.SetRow(fmt.Sprintf("A%d", b.line), row); err != nil {
		return err
	}
	b.line++
	return nil
}

// WriteTo ends the entry sheet, adds the standings of ledgers (their
// entries are not read) and writes the workbook to w.
func (b *LedgerBook) WriteTo(w io.Writer, ledgers []Ledger) error {
	if err := b.sw.Flush(); err != nil {
		return err
	}
	scores := b.t("sheet.score_sheet")
	if _, err := b.f.NewSheet(scores); err != nil {
		return err
	}
	sw, err := b.f.NewStreamWriter(scores)
	if err != nil {
		return err
	}
	current, _ := b.rubrics.Latest()
	if len(ledgers) > 0 {
		current = b.rubrics[0]
		for _, r := range b.rubrics {
			if r.Version == ledgers[0].Score.Version {
				current = r
			}
		}
	}
	head := []any{b.t("sheet.col.id"), b.t("sheet.col.name"), b.t("sheet.col.org")}
	for _, d := range current.Dimensions {
		head = append(head, fmt.Sprintf("%s (%d)", dimensionName(d, b.lang), d.Cap))
	}
	head = append(head, b.t("sheet.col.total"), b.t("sheet.col.eligible"), b.t("sheet.col.reasons"))
	for i, v := range head {
		head[i] = excelize.Cell{Value: v, StyleID: b.bold}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for i, l := range ledgers {
		row := []any{l.CandidateID, Neutralise(l.Name), Neutralise(l.Org)}
		for _, d := range l.Score.Dimensions {
			row = append(row, d.Points)
		}
		eligible := b.t("sheet.no")
		if l.Eligibility.Eligible {
			eligible = b.t("sheet.yes")
		}
		var reasons []string
		for _, r := range l.Eligibility.Reasons {
			if b.lang == "en" {
				reasons = append(reasons, r.En())
			} else {
				reasons = append(reasons, r.Zh())
			}
		}
		row = append(row, l.Score.Total, eligible, Neutralise(strings.Join(reasons, "; ")))
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return Write(b.f, w)
}

// Write writes a workbook to w as it is zipped. excelize's own Write
// builds the whole file in a buffer first (v2.11); its zip writer hook,
// handed our writer instead of that buffer, makes the buffer stay empty.
// The only thing skipped is excelize's ZIP64 header fix-up of that buffer,
// which matters for parts over 4 GB, far beyond any export here.
func Write(f *excelize.File, w io.Writer) error {
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	_, err := f.WriteToBuffer()
	return err
}
