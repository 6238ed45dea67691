package seedling

import (
	"strings"
	"testing"
	"time"
)

func TestParseIDBoundsEveryID(t *testing.T) {
	for s, ok := range map[string]bool{
		"1": true, "2147483647": true, "42": true,
		"": false, "0": false, "-1": false, "+5": false, "2147483648": false, "9223372036854775807": false,
		"99999999999999999999": false, "1e3": false, " 1": false, "0x10": false, "1\x00": false,
	} {
		if _, err := ParseID("candidate_id", s); (err == nil) != ok {
			t.Errorf("%q: %v", s, err)
		} else if err != nil && err.(*Error).Fields["candidate_id"] == "" {
			t.Errorf("%q: error does not name the field: %v", s, err)
		}
	}
}

func TestParseIntKeepsItsRange(t *testing.T) {
	if _, err := ParseInt("year", "9223372036854775807", MinYear, MaxYear); err == nil {
		t.Fatal("a year past 2100 was accepted")
	}
	if n, err := ParseInt("year", "2026", MinYear, MaxYear); err != nil || n != 2026 {
		t.Fatal(n, err)
	}
}

// Dates of this process lie between 1900 and 2100; 0000-01-01 is a probe.
func TestParseDateRange(t *testing.T) {
	for s, ok := range map[string]bool{
		"2026-03-01": true, "1900-01-01": true, "2100-12-31": true,
		"0000-01-01": false, "1899-12-31": false, "2101-01-01": false, "9999-12-31": false, "2026-02-30": false, "2026-3-1": false,
	} {
		if _, err := ParseDate(s); (err == nil) != ok {
			t.Errorf("%q: %v", s, err)
		}
	}
}

func TestTextRefusesControlCharacters(t *testing.T) {
	for s, ok := range map[string]bool{
		"ordinary reason": true, "two\nlines\tand tab": true, "": true, "  trimmed  ": true,
		"nul\x00byte": false, "bell\a": false, "esc\x1b[31m": false, "del\x7f": false, "c1\u0085x": false, "bad\xffutf8": false,
	} {
		if _, err := Text("reasons", s, 100); (err == nil) != ok {
			t.Errorf("%q: %v", s, err)
		}
	}
	if _, err := Text("note", strings.Repeat("长", 11), 10); err == nil {
		t.Error("11 characters passed a 10-character limit")
	}
}

// A name must be visible: only zero-width, bidi-override or control
// characters are refused, and so is a direction override inside a name.
func TestNameMustBeVisible(t *testing.T) {
	for s, ok := range map[string]bool{
		"王小明": true, "Li Ming": true, "阿卜杜拉·买买提": true, "Zoë 2": true,
		"":             true, // required-ness is the caller's
		"\u200b\u200b": false, "\u202e\u202d": false, "\u2066\u2069": false, "\ufeff": false, "\x01\x02": false,
		"\u200d": false, "abc\u202egpj.exe": false, "two\nlines": false, "nul\x00": false, "   ": true,
	} {
		if _, err := Name("name", s, 50); (err == nil) != ok {
			t.Errorf("%q: %v", s, err)
		}
	}
}

// GB 11643-1999: 18 characters, a valid birth date in 7-14 and the ISO 7064
// MOD 11-2 check character.
func TestParseIDNumberGB11643(t *testing.T) {
	for s, ok := range map[string]bool{
		"410482199001010029": true, "41048220000229003X": true, "41048220000229003x": true, "410404198808080024": true,
		"410482199001010028":  false, // wrong check digit
		"41048219900101002":   false, // 17 characters
		"4104821990010100299": false,
		"410482199013010029":  false, // month 13
		"410482199002300029":  false, // 30 February (and the check digit does not save it)
		"010482199001010029":  false, // no region starts with 0
		"41048200000101002X":  false, // year 0000
		"4104821990O1010029":  false, // letter O
		"":                    false,
	} {
		if _, err := ParseIDNumber("id_number", s); (err == nil) != ok {
			t.Errorf("%q: %v", s, err)
		}
	}
	n, _ := ParseIDNumber("id_number", "41048220000229003x")
	if n != "41048220000229003X" || n.Masked() != "4104**********003X" {
		t.Fatalf("normalised %q masked %q", n, n.Masked())
	}
	if b := n.BirthDate(); !b.Equal(time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Fatal(b)
	}
}

// Applicants must have turned 18 on the date they apply; a leap-day child
// turns 18 on 1 March.
func TestOldEnoughAtEighteen(t *testing.T) {
	d := func(s string) time.Time { v, _ := ParseDate(s); return v }
	cases := []struct {
		birth, on string
		ok        bool
	}{
		{"2008-03-01", "2026-03-01", true},
		{"2008-03-01", "2026-02-28", false},
		{"2000-02-29", "2018-02-28", false},
		{"2000-02-29", "2018-03-01", true},
	}
	for _, c := range cases {
		if OldEnough(d(c.birth), d(c.on)) != c.ok {
			t.Errorf("born %s, on %s: want %v", c.birth, c.on, c.ok)
		}
	}
}
