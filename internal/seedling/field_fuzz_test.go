package seedling

import (
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Fuzz targets of the field kinds every input passes (issue 9.9). Each
// checks a property, not only the absence of a panic; docs/fuzzing.md says
// how to run them long.

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1", "2147483647", "2147483648", "9223372036854775807", "-1", "0", "+1", "", "1e9", "0x1f", " 7", "99999999999", "１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseID("id", s)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Code != EInvalid || e.Fields["id"] == "" {
				t.Fatalf("%q: not a field error: %v", s, err)
			}
			return
		}
		if n < 1 || n > MaxID || strconv.FormatInt(n, 10) != strings.TrimLeft(s, "0") {
			t.Fatalf("%q read as %d", s, n)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-03-01", "0000-01-01", "1899-12-31", "2100-12-31", "2101-01-01", "2026-02-29", "2024-02-29", "2026-13-01", "9999-99-99", "2026-3-1", "+2026-03-01", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.Year() < MinYear || d.Year() > MaxYear || d.Format(DateLayout) != s {
			t.Fatalf("%q read as %v", s, d)
		}
	})
}

func FuzzParseIDNumber(f *testing.F) {
	for _, s := range []string{"410482199001010029", "41048220000229003X", "41048220000229003x", "410482199001010028", "010482199001010029",
		"41048200000101002X", "410482199002300021", "4104821990010100", "", "XXXXXXXXXXXXXXXXXX", "41048219900101002９"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseIDNumber("id_number", s)
		if err != nil {
			return
		}
		again, err := ParseIDNumber("id_number", string(n))
		if err != nil || again != n || len(n) != 18 {
			t.Fatalf("%q normalised to %q, which does not parse back: %v", s, n, err)
		}
		if m := n.Masked(); len(m) != 18 || m[4:14] != strings.Repeat("*", 10) || m[:4] != string(n)[:4] {
			t.Fatalf("mask of %q is %q", n, m)
		}
		if b := n.BirthDate(); b.Year() < MinYear || b.Year() > MaxYear {
			t.Fatalf("%q carries birth date %v", n, b)
		}
	})
}

// FuzzName: whatever Name accepts is valid one-line UTF-8 within its
// length, without controls or direction overrides, with something visible.
func FuzzName(f *testing.F) {
	for _, s := range []string{"王小明", "\u200b\u200b", "\u202e\u202d", "\x00", "a\x00b", "\ufeff", "Zoë", "\xff", strings.Repeat("长", 51), "\u2066x\u2069", "\x1b[31m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, err := Name("name", s, 50)
		if err != nil || name == "" {
			return
		}
		if !utf8.ValidString(name) || utf8.RuneCountInString(name) > 50 || strings.ContainsAny(name, "\x00\n\r\t") {
			t.Fatalf("%q accepted as %q", s, name)
		}
		visible := false
		for _, r := range name {
			if unicode.IsControl(r) || bidiControl(r) {
				t.Fatalf("%q accepted with %U", s, r)
			}
			visible = visible || unicode.IsLetter(r) || unicode.IsNumber(r)
		}
		if !visible {
			t.Fatalf("%q accepted with nothing visible", s)
		}
	})
}
