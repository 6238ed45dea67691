package postgres_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lib/pq"

	"seedling/internal/display"
	"seedling/internal/ledger"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

// One snapshot of a subtree deals out the same rows as a person-by-person
// computation: random entries, reversals and late records on people of
// several branches (under a committee and under a general branch), summed
// in Go straight from each ledger, scored by ledger.Compute, with each
// chain's head and strikes read one person at a time, give every branch's
// display rows and hash, the single-branch display, and the committee-wide
// standings.
func TestSubtreeDisplaysEqualPerCandidateComputation(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	ctx := t.Context()
	sec := secretaryActor(t, db)
	rng := rand.New(rand.NewPCG(7, 11))
	for _, code := range []string{"activist-a", "branch-a-02", "branch-a-08", "meishan-liuzhuang-01", "meishan-liuzhuang-03",
		"meishan-tianqing-01", "fengxuelu-wangsong-1-01", "fengxuelu-wangsong-1-02", "fengxuelu-wangsong-2-03", "branch-b-04"} {
		recordRandom(t, db, sec, candidateByCode(t, db, code), rng, 15+rng.IntN(20))
	}
	city, err := db.Orgs().ByCode(ctx, "ruzhou")
	if err != nil {
		t.Fatal(err)
	}
	p := display.LastEnded(seedling.Today(db.Now()))
	last := p.LastQuarter()
	rules := pipeline.DefaultRegistry()
	rs := rules.InForce(p.Last())
	rubrics, _ := db.Rubric().Versions(ctx)

	// Person by person, from each ledger's own rows.
	var people []struct {
		ID    int64  `db:"id"`
		Name  string `db:"name"`
		Stage string `db:"stage"`
		Path  string `db:"path"`
	}
	if err := db.SelectContext(ctx, &people, `
		SELECT k.id, k.name, k.stage, o.path FROM candidates k JOIN orgs o ON o.id = k.org_id
		WHERE o.path LIKE $1 || '%' AND k.stage IN ('activist', 'probationary') ORDER BY k.id`, city.Path); err != nil {
		t.Fatal(err)
	}
	want := map[int64]display.Row{}
	allSums := map[int64]map[string]int{}
	for _, c := range people {
		var sums []ledger.PeriodSum
		for k, v := range ledgerSums(t, db, rubrics, c.ID, last.String()) {
			var s ledger.PeriodSum
			s.Period, s.Dimension, s.Points = k[:6], k[7:], v
			sums = append(sums, s)
		}
		allSums[c.ID] = ledgerSums(t, db, rubrics, c.ID, "")
		strikes, err := db.Pipeline().FailedReviews(ctx, c.ID, rs)
		if err != nil {
			t.Fatal(err)
		}
		seq, hash := 0, ledger.Genesis
		entries := mustEntries(t, db, c.ID)
		var evidence struct {
			Seq  int    `db:"seq"`
			Hash []byte `db:"hash"`
		}
		// The head is the last row of the chain, evidence rows included.
		if err := db.GetContext(ctx, &evidence, `SELECT seq, hash FROM ledger_entries WHERE candidate_id = $1 ORDER BY seq DESC LIMIT 1`, c.ID); err == nil {
			seq, hash = evidence.Seq, evidence.Hash
		} else if len(entries) > 0 {
			t.Fatal(err)
		}
		want[c.ID] = display.RowOf(c.ID, c.Name, seedling.Stage(c.Stage), ledger.Compute(sums, rubrics, last), strikes, seq, hash)
	}

	made, err := db.Displays().CreateUnder(ctx, sec, city, p, rules)
	if err != nil {
		t.Fatal(err)
	}
	var branches []seedling.Org
	if err := db.SelectContext(ctx, &branches, `SELECT id, kind, name, path FROM orgs WHERE kind = 'branch' AND path LIKE $1 || '%' ORDER BY path`, city.Path); err != nil {
		t.Fatal(err)
	}
	if len(made) != len(branches) || len(made) < 10 {
		t.Fatalf("%d displays for %d branches", len(made), len(branches))
	}
	shown := 0
	for i, d := range made {
		br := branches[i]
		if d.OrgID != br.ID || d.State != "draft" || d.Version != 1 || d.Period != p.String() {
			t.Fatalf("display %d: %+v for branch %+v", i, d, br)
		}
		var rows []display.Row
		for _, c := range people {
			if seedling.PathContains(br.Path, c.Path) {
				rows = append(rows, want[c.ID])
			}
		}
		if !sameRows(d.Rows, rows) {
			t.Fatalf("%s: snapshot rows\n%+v\nperson by person\n%+v", br.Name, d.Rows, rows)
		}
		if !bytes.Equal(d.Hash, display.Hash(br.ID, p.String(), 1, rows)) {
			t.Fatalf("%s: hash differs", br.Name)
		}
		stored, err := db.Displays().Get(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !sameRows(stored.Rows, rows) || !bytes.Equal(stored.Hash, d.Hash) {
			t.Fatalf("%s: the stored display differs from the one returned", br.Name)
		}
		shown += len(rows)
	}
	if shown != len(people) {
		t.Fatalf("%d rows shown for %d people", shown, len(people))
	}
	targets := make([]string, len(made))
	for i, d := range made {
		targets[i] = fmt.Sprintf("display:%d", d.ID)
	}
	var audited int
	if err := db.GetContext(ctx, &audited, `SELECT count(DISTINCT target) FROM audit_events WHERE action = 'display.create' AND target = ANY($1)`, pq.Array(targets)); err != nil || audited != len(made) {
		t.Fatalf("%d displays audited of %d: %v", audited, len(made), err)
	}

	// Every branch has its display now: a second pass takes none.
	again, err := db.Displays().CreateUnder(ctx, sec, city, p, rules)
	if err != nil || len(again) != 0 {
		t.Fatalf("second pass: %d displays, %v", len(again), err)
	}

	// The single-branch path gives the same display.
	a := branches[slices.IndexFunc(branches, func(o seedling.Org) bool { return o.Name == made[0].OrgName })]
	if err := db.Displays().Discard(ctx, sec, made[0].ID); err != nil {
		t.Fatal(err)
	}
	one, err := db.Displays().Create(ctx, sec, a, p, rules)
	if err != nil {
		t.Fatal(err)
	}
	if !sameRows(one.Rows, made[0].Rows) || !bytes.Equal(one.Hash, made[0].Hash) {
		t.Fatal("the single-branch display differs from the subtree's")
	}

	// The committee-wide standings carry the same sums, all quarters.
	list, err := db.Scores().Standings(ctx, postgres.StandingFilter{Under: city.Path, Stages: display.Stages})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(people) {
		t.Fatalf("%d standings for %d people", len(list), len(people))
	}
	for _, st := range list {
		if got := sumsOf(st.Sums); fmt.Sprint(got) != fmt.Sprint(allSums[st.ID]) {
			t.Fatalf("%s: standings %v\nledger %v", st.Name, got, allSums[st.ID])
		}
	}
}

func sameRows(a, b []display.Row) bool {
	return fmt.Sprintf("%+v", a) == fmt.Sprintf("%+v", b)
}
