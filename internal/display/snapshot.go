package display

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// Stages are the people a display shows: activists and probationary
// members (入党积极分子、预备党员).
var Stages = []seedling.Stage{seedling.StageActivist, seedling.StageProbationary}

// Dim is the points of one assessment dimension in a row.
type Dim struct {
	Code   string `json:"code"`
	Points int    `json:"points"`
}

// Row is one person's standing at the period's end, frozen in the display,
// with the head of their ledger chain at the moment of the snapshot: the
// hash over the rows and heads ties the display to the ledgers it came from.
type Row struct {
	CandidateID int64
	Name        string
	Stage       seedling.Stage
	Points      int
	Dimensions  []Dim
	Strikes     int // failed reviews used, of the three
	HeadSeq     int
	HeadHash    []byte
}

// RowOf turns a score into a row.
func RowOf(candidateID int64, name string, stage seedling.Stage, sc ledger.Score, strikes, headSeq int, headHash []byte) Row {
	r := Row{CandidateID: candidateID, Name: name, Stage: stage, Points: sc.Total, Strikes: strikes, HeadSeq: headSeq, HeadHash: headHash}
	for _, d := range sc.Dimensions {
		r.Dimensions = append(r.Dimensions, Dim{Code: d.Code, Points: d.Points})
	}
	return r
}

// Hash is SHA-256 over the display's node, period, version and every row
// with its chain head, one canonical line each in the order given. The
// store keeps rows in candidate order, so the same rows give the same hash.
func Hash(orgID int64, period string, version int, rows []Row) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "seedling-display-v1\norg=%d\nperiod=%s\nversion=%d\n", orgID, period, version)
	for _, r := range rows {
		fmt.Fprintf(h, "%d\t%q\t%s\t%d\t%d\t%d\t%s", r.CandidateID, r.Name, r.Stage, r.Points, r.Strikes, r.HeadSeq, hex.EncodeToString(r.HeadHash))
		for _, d := range r.Dimensions {
			fmt.Fprintf(h, "\t%s=%d", d.Code, d.Points)
		}
		h.Write([]byte{'\n'})
	}
	return h.Sum(nil)
}

// VerificationCode is the short code printed on the notice: the first 40
// bits of the hash in base32 (no 0/1/8/9 to misread), as XXXX-XXXX. Anyone
// holding the paper can compare it with the system's copy.
func VerificationCode(hash []byte) string {
	if len(hash) < 5 {
		return ""
	}
	s := base32.StdEncoding.EncodeToString(hash[:5])
	return s[:4] + "-" + s[4:8]
}

// Mask hides a name on the notice for readers outside the branch, keeping
// the first and last characters: 张华 → 张*, 张小华 → 张*华, 欧阳小华 → 欧**华.
func Mask(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// Change is one row of a reissue that differs from the display it replaces:
// Before or After is nil for a person who left or joined.
type Change struct {
	CandidateID int64
	Name        string
	Before      *Row
	After       *Row
}

// Diff lists the rows that changed between two versions, in the order of
// the new version, then those that left.
func Diff(before, after []Row) []Change {
	old := make(map[int64]*Row, len(before))
	for i := range before {
		old[before[i].CandidateID] = &before[i]
	}
	var out []Change
	seen := map[int64]bool{}
	for i := range after {
		a := &after[i]
		seen[a.CandidateID] = true
		b := old[a.CandidateID]
		if b == nil || !sameStanding(*b, *a) {
			out = append(out, Change{CandidateID: a.CandidateID, Name: a.Name, Before: b, After: a})
		}
	}
	for i := range before {
		if b := &before[i]; !seen[b.CandidateID] {
			out = append(out, Change{CandidateID: b.CandidateID, Name: b.Name, Before: b})
		}
	}
	return out
}

func sameStanding(a, b Row) bool {
	if a.Points != b.Points || a.Stage != b.Stage || a.Strikes != b.Strikes || a.Name != b.Name || len(a.Dimensions) != len(b.Dimensions) {
		return false
	}
	for i := range a.Dimensions {
		if a.Dimensions[i] != b.Dimensions[i] {
			return false
		}
	}
	return true
}
