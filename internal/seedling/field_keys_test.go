package seedling

import (
	"strings"
	"testing"
)

// Every refusal of the input parsers is coded, so that the reader sees it
// in their own language next to the field, not a sentence quoting the
// field's wire name.
func TestInputRefusalsAreCoded(t *testing.T) {
	text := func(s string) func() error {
		return func() error { _, err := Name("name", s, 10); return err }
	}
	cases := []struct {
		name string
		err  func() error
		key  string
	}{
		{"an id that is not one", func() error { _, err := ParseID("id", "0"); return err }, "problem.id_format"},
		{"a number out of range", func() error { _, err := ParseInt("year", "3000", MinYear, MaxYear); return err }, "problem.number_range"},
		{"broken UTF-8", text("\xff"), "problem.not_utf8"},
		{"a control character", text("a\x00b"), "problem.control_chars"},
		{"too long", text(strings.Repeat("名", 11)), "problem.too_long"},
		{"two lines", text("王\n李"), "problem.one_line"},
		{"a text-direction override", text("王\u202e李"), "problem.bidi_controls"},
		{"nothing visible", text("\u200b"), "problem.no_visible_char"},
	}
	for _, tc := range cases {
		if got := keyOf(t, tc.err(), fieldOf(tc.err())); got != tc.key {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.key)
		}
	}
}

// fieldOf is the one field err names.
func fieldOf(err error) string {
	e, _ := err.(*Error)
	if e == nil {
		return ""
	}
	for f := range e.Fields {
		return f
	}
	return ""
}
