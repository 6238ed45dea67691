package ledger

import (
	"fmt"
	"strings"
	"time"

	"seedling/internal/seedling"
)

// ImportColumn is one column of the bulk-entry sheet.
type ImportColumn struct {
	Field  string // the field of an entry it fills
	Letter string // its spreadsheet column
	Zh, En string // its header, in either language
	// Optional columns may be missing from a sheet made from an older
	// template; the others must be there, headed as here.
	Optional bool
}

// ImportColumns is the layout of the bulk-entry sheet, the template and the
// export alike. The candidate is named by id and name together, so a typo
// in either is caught rather than booked to someone else.
var ImportColumns = []ImportColumn{
	{"candidate_id", "A", "编号", "ID", false},
	{"name", "B", "姓名", "Name", false},
	{"occurred_on", "C", "日期", "Date", false},
	{"category", "D", "类别", "Category", false},
	{"points", "E", "分值", "Points", false},
	{"description", "F", "说明", "Description", false},
	{"late_reason", "G", "补录原因", "Late-record reason", true},
}

// CanImportAt says whether points are imported at a node: one branch or
// party group at a time (HasRoster), whose people one sheet lists.
func CanImportAt(kind seedling.OrgKind) error {
	if HasRoster(kind) {
		return nil
	}
	var p Problems
	p.rule("org_id", "import_not_branch", "points are imported for one branch or party group at a time")
	return p.Err()
}

// MaxImportRows bounds one file.
const MaxImportRows = 2000

// Cell names the cell of a field on a sheet line ("E7"); fields that are not
// columns (a whole-row rule) name the row's first cell.
func Cell(line int, field string) string {
	for _, c := range ImportColumns {
		if c.Field == field {
			return fmt.Sprintf("%s%d", c.Letter, line)
		}
	}
	return fmt.Sprintf("A%d", line)
}

// ColumnOf is the inverse of Cell's column: the field of a column letter.
func ColumnOf(letter string) string {
	for _, c := range ImportColumns {
		if c.Letter == letter {
			return c.Field
		}
	}
	return ""
}

// ImportRow is one data line of a sheet, parsed but not yet checked.
type ImportRow struct {
	Line        int // the spreadsheet's row number, header = 1
	CandidateID int64
	Name        string
	Draft       Draft
	// Problems the reader found in the row's cells (text where a number
	// belongs, a formula); they are reported with the rest.
	Problems []Problem
}

// ImportSubject is a candidate a sheet may name: one of the branch's.
type ImportSubject struct {
	Name string
	Subject
}

// RowProblem builds a problem located at a cell, for the sheet reader.
func RowProblem(line int, field, code, text string, args ...any) Problem {
	pr := Problem{Field: Cell(line, field), Code: code, Text: fmt.Sprintf("row %d, %s: %s", line, field, text), Args: pairs(args)}
	if pr.Args == nil {
		pr.Args = map[string]any{}
	}
	pr.Args["Row"], pr.Args["Col"] = line, field
	return pr
}

// CheckImport checks every row of one quarter's sheet against the
// candidates of the branch and the rubric, and reports every problem at its
// cell. It returns the checked entries in row order, or an *InputError.
func CheckImport(rows []ImportRow, period Period, people map[int64]ImportSubject, rubrics Rubrics, late LateRule, today time.Time) ([]Valid, error) {
	var p Problems
	if len(rows) == 0 {
		p.invalid("file", "no_rows", "the file has no data rows")
	}
	if len(rows) > MaxImportRows {
		p.invalid("file", "too_many_rows", fmt.Sprintf("at most %d rows per file", MaxImportRows), "Max", MaxImportRows)
	}
	if period.Start().After(today) {
		p.rule("period", "period_not_begun", "that quarter has not begun", "Period", period.String())
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	out := make([]Valid, len(rows))
	for i, r := range rows {
		at := func(field, code, text string, rule bool, args ...any) {
			pr := RowProblem(r.Line, field, code, text, args...)
			pr.Rule = rule
			p.add(pr)
		}
		reported := map[string]bool{}
		for _, pr := range r.Problems {
			p.add(pr)
			reported[pr.Field] = true
		}
		person, ok := people[r.CandidateID]
		if !ok {
			if !reported[Cell(r.Line, "candidate_id")] {
				at("candidate_id", "candidate_unknown", "no candidate with this ID in the branch", false)
			}
			continue
		}
		if r.Name != person.Name {
			at("name", "name_mismatch", "the name does not match the ID (the record says "+person.Name+")", false, "Name", person.Name)
		}
		// A sheet may name a category by its code or by its name in the
		// rubric of the row's quarter.
		d := r.Draft
		q := period
		if t, err := seedling.ParseDate(strings.TrimSpace(d.OccurredOn)); err == nil {
			q = PeriodOf(t)
		}
		if rb, ok := rubrics.InForce(q); ok {
			if c, ok := rb.FindCategory(d.Category); ok {
				d.Category = c.Code
			}
		}
		v, err := CheckEntry(d, person.Subject, rubrics, late, today)
		if ie, ok := err.(*InputError); ok {
			for _, pr := range ie.Problems {
				field := pr.Field
				if field == "candidate" {
					field = "candidate_id"
				}
				if !reported[Cell(r.Line, field)] {
					at(field, pr.Code, pr.Text, pr.Rule, flatten(pr.Args)...)
				}
			}
			continue
		} else if err != nil {
			return nil, err
		}
		if len(r.Problems) > 0 {
			continue
		}
		if v.Period != period {
			at("occurred_on", "period_mismatch", "the date is not in "+period.String(), true, "Period", period.String())
			continue
		}
		out[i] = v
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func flatten(m map[string]any) []any {
	out := make([]any, 0, 2*len(m))
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}
