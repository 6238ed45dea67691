package pipeline

import (
	"slices"
	"time"
)

// Ranked is one eligible activist in a branch's ranking (优中选优).
type Ranked struct {
	ID            int64
	Score         int
	ActivistSince time.Time
	AppliedOn     time.Time
}

// Rank orders eligible activists for naming as development targets, best
// first. The Ruzhou plan says to pick the best where activists are many; the
// seed gives no tie rule, so Seedling's is, in order:
//  1. the higher score;
//  2. the longer training as an activist (earlier activist_since): more time
//     under observation is more evidence;
//  3. the earlier application (applied_on): who asked first;
//  4. the lower record number, so that the order never changes by chance.
//
// Membership of a priority group or the reserve pool does not move anyone;
// the ranking marks it so the branch can weigh it openly.
func Rank(list []Ranked) []Ranked {
	out := slices.Clone(list)
	slices.SortStableFunc(out, func(a, b Ranked) int {
		switch {
		case a.Score != b.Score:
			return b.Score - a.Score
		case !a.ActivistSince.Equal(b.ActivistSince):
			return a.ActivistSince.Compare(b.ActivistSince)
		case !a.AppliedOn.Equal(b.AppliedOn):
			return a.AppliedOn.Compare(b.AppliedOn)
		}
		return int(a.ID - b.ID)
	})
	return out
}
