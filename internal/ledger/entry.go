package ledger

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"seedling/internal/seedling"
)

// Draft is a new entry as a person typed it.
type Draft struct {
	Category    string
	Points      *int
	OccurredOn  string
	Description string
	// LateReason says why an entry dated long before the day it is recorded
	// comes late (补录); required then, ignored otherwise.
	LateReason string
	// PointsText is the points as a form typed them when they are not a
	// whole number ("2.5", "abc"), so that the refusal says why rather
	// than that the points are missing.
	PointsText string
}

// RequestHash fingerprints a draft for idempotent retries: the same key
// with the same fingerprint is the same request, whatever the JSON's key
// order or spacing. Fields are length-prefixed, so no two drafts collide.
func (d Draft) RequestHash() []byte {
	points := ""
	if d.Points != nil {
		points = fmt.Sprint(*d.Points)
	}
	var b []byte
	for _, f := range []string{strings.TrimSpace(d.Category), points, strings.TrimSpace(d.OccurredOn), strings.TrimSpace(d.Description)} {
		b = appendField(b, f)
	}
	// Only when given, so that a retry of a draft written before late
	// reasons existed (an imported file uploaded again) still matches.
	if r := strings.TrimSpace(d.LateReason); r != "" {
		b = appendField(b, r)
	}
	h := sha256.Sum256(b)
	return h[:]
}

// Subject is what the entry rules need to know about the candidate.
type Subject struct {
	Stage         seedling.Stage
	ActivistSince *time.Time
}

// KeepsLedger reports whether points are recorded at this stage: from being
// named an activist until full membership (activists and probationary
// members are displayed every quarter; development targets keep theirs).
func (s Subject) KeepsLedger() bool {
	switch s.Stage {
	case seedling.StageActivist, seedling.StageTarget, seedling.StageProbationary:
		return s.ActivistSince != nil
	}
	return false
}

// Valid is a checked entry, ready to be appended.
type Valid struct {
	Category    Category
	Rubric      int // the version whose limits it passed
	Points      int
	OccurredOn  time.Time
	Period      Period
	Description string
	LateReason  string // set only for a late record (补录)
}

// LateRule is the rule set's bound on backdating (pipeline.RuleSet.Late, the
// one source of the number): an entry dated more than Days before the day it
// is recorded is a late record (补录), allowed only with a reason, so that
// points booked long after the fact stay visible as such. Days 0 turns the
// rule off.
type LateRule struct{ Days int }

// LateBy is how many days date lies before recordedOn when that is more than
// the rule allows (a late record), else 0.
func (r LateRule) LateBy(date, recordedOn time.Time) int {
	if r.Days <= 0 {
		return 0
	}
	if n := int(recordedOn.Sub(date).Hours() / 24); n > r.Days {
		return n
	}
	return 0
}

// MaxDescription bounds an entry's description and a reversal's reason.
const MaxDescription = 500

// CheckEntry validates a draft against the rubric in force for the quarter
// of its date. Malformed input (a missing field, a bad date, an unknown
// category) is a 400; the process saying no (points beyond the category's
// per-entry limit, a date in the future or before the person became an
// activist, a stage without a ledger, a late record without its reason) is a
// 422. Every problem is reported. today is the day of recording (China's,
// seedling.Today).
func CheckEntry(d Draft, subj Subject, rubrics Rubrics, late LateRule, today time.Time) (Valid, error) {
	var p Problems
	v := Valid{Description: strings.TrimSpace(d.Description)}
	if !subj.KeepsLedger() {
		p.rule("candidate", "no_ledger", "no points are recorded for a candidate at stage "+string(subj.Stage), "Stage", string(subj.Stage))
	}

	date, dateOK := time.Time{}, false
	switch s := strings.TrimSpace(d.OccurredOn); {
	case s == "":
		p.invalid("occurred_on", "required", "occurred_on is required")
	default:
		t, err := seedling.ParseDate(s)
		switch {
		case err != nil:
			p.invalid("occurred_on", "date_format", "occurred_on must be a date YYYY-MM-DD")
		case t.After(today):
			p.rule("occurred_on", "date_future", "occurred_on is in the future")
		case subj.ActivistSince != nil && t.Before(*subj.ActivistSince):
			since := subj.ActivistSince.Format(seedling.DateLayout)
			p.rule("occurred_on", "date_before_activist", "occurred_on is before the candidate became an activist on "+since, "Date", since)
		default:
			date, dateOK = t, true
			v.LateReason = checkLate(&p, late, t, today, d.LateReason)
		}
	}
	// Without a usable date the rubric of today's quarter judges the
	// category, so that a bad date does not hide a bad category.
	period := PeriodOf(today)
	if dateOK {
		period = PeriodOf(date)
	}
	rubric, ok := rubrics.InForce(period)
	if !ok {
		return Valid{}, seedling.Errorf(seedling.EInternal, "no rubric")
	}

	code := strings.TrimSpace(d.Category)
	cat, catOK := rubric.Category(code)
	switch {
	case code == "":
		p.invalid("category", "required", "category is required")
	case !catOK:
		p.invalid("category", "category_unknown", fmt.Sprintf("unknown category %q in rubric version %d", code, rubric.Version), "Version", rubric.Version)
	}
	switch {
	case d.Points == nil && strings.TrimSpace(d.PointsText) != "":
		p.invalid("points", "points_whole", "points must be a whole number")
	case d.Points == nil:
		p.invalid("points", "required", "points is required")
	case *d.Points == 0:
		p.invalid("points", "points_zero", "points must not be 0")
	case catOK && (*d.Points < cat.Min || *d.Points > cat.Max):
		p.rule("points", "points_range",
			fmt.Sprintf("one %s entry is worth %d to %d points", cat.Code, cat.Min, cat.Max), "Min", cat.Min, "Max", cat.Max)
	}
	checkText(&p, "description", v.Description, true)
	if err := p.Err(); err != nil {
		return Valid{}, err
	}
	v.Category, v.Rubric, v.Points, v.OccurredOn, v.Period = cat, rubric.Version, *d.Points, date, period
	return v, nil
}

// checkLate applies the late-record rule to a usable date and returns the
// reason to keep: the given one for a late record, "" otherwise.
func checkLate(p *Problems, late LateRule, date, today time.Time, reason string) string {
	n := late.LateBy(date, today)
	if n == 0 {
		return ""
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		p.rule("late_reason", "late_reason_required",
			fmt.Sprintf("occurred_on lies %d days before today, more than %d: a late record (补录) needs late_reason", n, late.Days),
			"Late", n, "Days", late.Days)
		return ""
	}
	checkText(p, "late_reason", reason, true)
	return reason
}

// Correcting is the draft of an entry that corrects an upheld objection: the
// objection's resolution is why it comes late, unless the draft says more.
func (d Draft) Correcting(resolution string) Draft {
	if strings.TrimSpace(d.LateReason) == "" {
		d.LateReason = resolution
	}
	return d
}

// CheckReason validates the reason of a reversal.
func CheckReason(reason string) (string, error) {
	var p Problems
	reason = strings.TrimSpace(reason)
	checkText(&p, "reason", reason, true)
	return reason, p.Err()
}

func checkText(p *Problems, field, s string, required bool) {
	switch n := utf8.RuneCountInString(s); {
	case n == 0 && required:
		p.invalid(field, "required", field+" is required")
	case n > MaxDescription:
		p.invalid(field, "too_long", fmt.Sprintf("%s is longer than %d characters", field, MaxDescription), "Max", MaxDescription)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }):
		p.invalid(field, "control_chars", field+" contains control characters")
	}
}

// CanReverse says whether an entry may be reversed: an entry is reversed at
// most once (a conflict the second time), and a reversal is never reversed —
// a new entry corrects it (the ledger is append-only: 平时积分台账 keeps every
// correction visible). Evidence rows are not entries.
func CanReverse(orig Entry) error {
	switch {
	case orig.Kind == KindEvidence:
		return seedling.NotFound()
	case orig.Kind == KindReversal:
		var p Problems
		p.rule("entry_id", "reversal_of_reversal", "a reversal cannot be reversed; record a new entry instead")
		return p.Err()
	case orig.ReversedBy != nil:
		return &seedling.Error{Code: seedling.EConflict, Message: "this entry has already been reversed",
			Fields: map[string]string{"entry_id": "already_reversed"}}
	}
	return nil
}
