package ledger

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// The four assessment dimensions of the 100-point assessment (育壮苗). Their
// codes are fixed; names and caps belong to each rubric version.
const (
	DimTheoryExam  = "theory_exam"  // 理论考试
	DimTheoryStudy = "theory_study" // 政治理论学习
	DimPractice    = "practice"     // 参加实践锻炼
	DimEvaluation  = "evaluation"   // 党员群众评议
)

// Dimensions lists the dimension codes in the order pages show them.
var Dimensions = []string{DimTheoryExam, DimTheoryStudy, DimPractice, DimEvaluation}

// MaxTotal caps the total score whatever the dimension caps add up to.
const MaxTotal = 100

// Dimension is one assessment dimension of a rubric version.
type Dimension struct {
	Code   string
	NameZh string
	NameEn string
	Cap    int
}

// Category is a kind of regular points (任务完成、活动表现、关键时刻表现 …)
// mapped onto a dimension. Min and Max bound the points of one entry; a
// deduction category has both negative (Max < 0), a regular one both
// positive, so an entry's sign follows from its category.
type Category struct {
	Code      string
	NameZh    string
	NameEn    string
	Dimension string
	Min, Max  int
}

// Deduction reports whether the category takes points away.
func (c Category) Deduction() bool { return c.Max < 0 }

// Rubric is one version of the scoring rubric (积分细则). A version applies to
// every quarter whose first day is on or after EffectiveFrom, until a later
// version takes over.
type Rubric struct {
	ID            int64
	Version       int
	EffectiveFrom time.Time
	Note          string
	CreatedBy     string
	CreatedAt     time.Time
	Dimensions    []Dimension
	Categories    []Category
}

// Dimension returns the dimension with the given code.
func (r Rubric) Dimension(code string) (Dimension, bool) {
	for _, d := range r.Dimensions {
		if d.Code == code {
			return d, true
		}
	}
	return Dimension{}, false
}

// Category returns the category with the given code.
func (r Rubric) Category(code string) (Category, bool) {
	for _, c := range r.Categories {
		if c.Code == code {
			return c, true
		}
	}
	return Category{}, false
}

// FindCategory accepts what a person types in a spreadsheet: the code or
// the Chinese or English name.
func (r Rubric) FindCategory(s string) (Category, bool) {
	s = strings.TrimSpace(s)
	for _, c := range r.Categories {
		if c.Code == s || c.NameZh == s || strings.EqualFold(c.NameEn, s) {
			return c, true
		}
	}
	return Category{}, false
}

// Rubrics is every version, ordered by EffectiveFrom.
type Rubrics []Rubric

// InForce returns the version in force for a quarter: the latest whose
// EffectiveFrom is on or before the quarter's first day. The first version
// also covers any quarter before it, so that no entry is ever without rules.
func (rs Rubrics) InForce(p Period) (Rubric, bool) {
	if len(rs) == 0 {
		return Rubric{}, false
	}
	best := rs[0]
	start := p.Start()
	for _, r := range rs[1:] {
		if !r.EffectiveFrom.After(start) {
			best = r
		}
	}
	return best, true
}

// Latest is the version with the latest effective date, which may not be in
// force yet.
func (rs Rubrics) Latest() (Rubric, bool) {
	if len(rs) == 0 {
		return Rubric{}, false
	}
	return rs[len(rs)-1], true
}

// ByVersion returns a version by its number.
func (rs Rubrics) ByVersion(v int) (Rubric, bool) {
	for _, r := range rs {
		if r.Version == v {
			return r, true
		}
	}
	return Rubric{}, false
}

var categoryCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// Limits of a draft, so that a pasted document cannot become a rubric.
const (
	MaxCategories = 40
	maxNameZh     = 50
	maxNameEn     = 80
	maxNote       = 500
)

// CheckDraft validates a new rubric version against the versions that
// exist. The new version must take effect on the first day of a quarter that
// has not begun (so no score already shown can change under anyone: every
// entry lies in a quarter that has begun) and after every existing version.
// Each of the four dimensions appears once with a cap of 1..100, and the caps
// add up to at least 100 so that the full score stays reachable (the total is
// capped at 100 whatever they add up to).
func CheckDraft(d Rubric, existing Rubrics, today time.Time) error {
	var p Problems
	switch {
	case d.EffectiveFrom.IsZero():
		p.invalid("effective_from", "date_format", "effective_from must be a date YYYY-MM-DD")
	case !IsQuarterStart(d.EffectiveFrom):
		p.rule("effective_from", "effective_quarter_start", "a rubric takes effect on the first day of a quarter (01-01, 04-01, 07-01 or 10-01)")
	case !d.EffectiveFrom.After(today):
		p.rule("effective_from", "effective_not_future", "a rubric can only take effect in a quarter that has not begun")
	default:
		if last, ok := existing.Latest(); ok && !d.EffectiveFrom.After(last.EffectiveFrom) {
			p.rule("effective_from", "effective_not_after_latest",
				fmt.Sprintf("a new version must take effect after version %d (%s)", last.Version, last.EffectiveFrom.Format("2006-01-02")),
				"Version", last.Version, "Date", last.EffectiveFrom.Format("2006-01-02"))
		}
	}
	if utf8.RuneCountInString(d.Note) > maxNote {
		p.invalid("note", "too_long", fmt.Sprintf("note is longer than %d characters", maxNote), "Max", maxNote)
	}

	seen := map[string]bool{}
	caps := 0
	for i, dim := range d.Dimensions {
		at := fmt.Sprintf("dimensions[%d]", i)
		if !isDimension(dim.Code) {
			p.invalid(at+".code", "dimension_unknown", "unknown dimension")
			continue
		}
		if seen[dim.Code] {
			p.invalid(at+".code", "duplicate", "dimension listed twice")
			continue
		}
		seen[dim.Code] = true
		checkName(&p, at, dim.NameZh, dim.NameEn)
		if dim.Cap < 1 || dim.Cap > MaxTotal {
			p.invalid(at+".cap", "cap_range", "cap must be between 1 and 100")
		}
		caps += dim.Cap
	}
	for _, code := range Dimensions {
		if !seen[code] {
			p.invalid("dimensions", "dimension_missing", "every dimension needs a cap: "+code, "Code", code)
		}
	}
	if len(seen) == len(Dimensions) && caps < MaxTotal {
		p.rule("dimensions", "caps_sum", fmt.Sprintf("the caps add up to %d; they must add up to at least %d", caps, MaxTotal), "Sum", caps)
	}

	if len(d.Categories) == 0 {
		p.invalid("categories", "required", "at least one category is required")
	}
	if len(d.Categories) > MaxCategories {
		p.invalid("categories", "too_many", fmt.Sprintf("at most %d categories", MaxCategories), "Max", MaxCategories)
	}
	codes := map[string]bool{}
	for i, c := range d.Categories {
		at := fmt.Sprintf("categories[%d]", i)
		switch {
		case !categoryCode.MatchString(c.Code):
			p.invalid(at+".code", "code_format", "code must be 2 to 40 lower-case latin letters, digits or _, starting with a letter")
		case codes[c.Code]:
			p.invalid(at+".code", "duplicate", "category code used twice")
		}
		codes[c.Code] = true
		checkName(&p, at, c.NameZh, c.NameEn)
		dim, ok := d.Dimension(c.Dimension)
		if !ok {
			p.invalid(at+".dimension", "dimension_unknown", "unknown dimension")
		}
		switch {
		case c.Min > c.Max:
			p.invalid(at+".min_points", "min_max_order", "min_points is greater than max_points")
		case c.Min <= 0 && c.Max >= 0:
			p.invalid(at+".min_points", "mixed_sign", "a category either awards points (both limits ≥ 1) or deducts them (both limits ≤ -1)")
		case ok && (c.Max > dim.Cap || c.Min < -dim.Cap):
			p.rule(at+".max_points", "limit_over_cap",
				fmt.Sprintf("one entry cannot be worth more than the dimension's cap of %d", dim.Cap), "Cap", dim.Cap)
		}
	}
	return p.Err()
}

func checkName(p *Problems, at, zh, en string) {
	switch n := utf8.RuneCountInString(strings.TrimSpace(zh)); {
	case n == 0:
		p.invalid(at+".name", "required", "the Chinese name is required")
	case n > maxNameZh:
		p.invalid(at+".name", "too_long", fmt.Sprintf("name is longer than %d characters", maxNameZh), "Max", maxNameZh)
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(en)); {
	case n == 0:
		p.invalid(at+".name_en", "required", "the English name is required")
	case n > maxNameEn:
		p.invalid(at+".name_en", "too_long", fmt.Sprintf("name is longer than %d characters", maxNameEn), "Max", maxNameEn)
	}
	if strings.ContainsAny(zh+en, "\x00\r\n\t") {
		p.invalid(at+".name", "one_line", "a name must be one line")
	}
}

func isDimension(code string) bool {
	for _, d := range Dimensions {
		if d == code {
			return true
		}
	}
	return false
}
