package seedling

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Field kinds: every value that comes from outside (a JSON body, a form, a
// query, a path) is one of these, and each kind is checked here once, so the
// HTTP edge can run every field through its kind before anything else sees
// it. PostgreSQL refuses NUL in text and int4 past 2^31, and people must not
// be named with invisible characters: all of that is decided here, not
// discovered as a driver error.

// MaxID is the largest record id the service accepts. Ids are bigserial, but
// a city's records will never come near 2^31; the bound keeps every id safe
// wherever it meets an int4 parameter and exact in a JavaScript client.
const MaxID = 1<<31 - 1

// ParseID reads a record id: decimal digits, 1..MaxID.
func ParseID(field, s string) (int64, error) {
	n, err := ParseInt(field, s, 1, MaxID)
	if err != nil {
		return 0, FieldProblem(EInvalid, field, "problem.id_format", field+" must be an id between 1 and "+strconv.Itoa(MaxID))
	}
	return n, nil
}

// ParseInt reads a decimal integer within [lo, hi]; a sign is allowed only
// where lo is negative.
func ParseInt(field, s string, lo, hi int64) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi || (lo >= 0 && strings.HasPrefix(s, "+")) {
		return 0, FieldProblem(EInvalid, field, "problem.number_range", fmt.Sprintf("%s must be a whole number from %d to %d", field, lo, hi), "Min", lo, "Max", hi)
	}
	return n, nil
}

// Years the service deals in: nobody living applied before 1900, and no plan
// reaches past 2100. Dates and years outside are typing mistakes or probes.
const (
	MinYear = 1900
	MaxYear = 2100
)

// CheckText refuses what no text field may hold: invalid UTF-8, NUL and the
// other control characters (tab, newline and carriage return are text).
func CheckText(field, s string) error {
	if !utf8.ValidString(s) {
		return FieldProblem(EInvalid, field, "problem.not_utf8", field+" is not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return FieldProblem(EInvalid, field, "problem.control_chars", field+" must not contain control characters")
		}
	}
	return nil
}

// Text trims s and checks it as free text of at most max characters
// (reasons, notes, descriptions). An empty result is allowed; the caller
// says whether the field is required.
func Text(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if err := CheckText(field, s); err != nil {
		return "", err
	}
	if utf8.RuneCountInString(s) > max {
		return "", FieldProblem(EInvalid, field, "problem.too_long", fmt.Sprintf("%s is longer than %d characters", field, max), "Max", max)
	}
	return s, nil
}

// Name checks a name a person reads in a list or an audit row (a candidate,
// an account's display name, an occupation): one line, no bidi overrides that
// would make it read as something else, and at least one letter or digit, so
// a name of zero-width or invisible characters is refused.
func Name(field, s string, max int) (string, error) {
	s, err := Text(field, s, max)
	if err != nil || s == "" {
		return s, err
	}
	visible := false
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return "", FieldProblem(EInvalid, field, "problem.one_line", field+" must be one line")
		case bidiControl(r):
			return "", FieldProblem(EInvalid, field, "problem.bidi_controls", field+" must not contain text-direction controls")
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			visible = true
		}
	}
	if !visible {
		return "", FieldProblem(EInvalid, field, "problem.no_visible_char", field+" must contain a letter or a digit")
	}
	return s, nil
}

// bidiControl reports the embedding, override and isolate controls (and the
// Arabic letter mark) that reorder how the text around them is shown.
func bidiControl(r rune) bool {
	return r == '\u061c' || r == '\u200e' || r == '\u200f' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// minDate and maxDate bound every civil date (ParseDate): see MinYear.
var (
	minDate = time.Date(MinYear, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(MaxYear, 12, 31, 0, 0, 0, 0, time.UTC)
)
