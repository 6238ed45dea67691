package ledger

import "testing"

// FuzzParsePeriod: a period that parses prints back as its input, and its
// quarter's days are inside it (issue 9.9).
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026Q3", "2026Q5", "2026Q0", "1899Q1", "9999Q4", "0000Q1", "-001Q1", "+026Q1", "2026H2", "2026q3", "２０２６Q3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			return
		}
		if p.String() != s || !p.Contains(p.Start()) || !p.Contains(p.End()) || p.Next().Prev() != p {
			t.Fatalf("%q read as %+v", s, p)
		}
	})
}
