package postgres_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"seedling/internal/ledger"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

func intp(n int) *int { return &n }

func mustExecSQL(t *testing.T, db *postgres.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func candidateByCode(t *testing.T, db *postgres.DB, code string) seedling.Candidate {
	t.Helper()
	c, err := db.Candidates().ByCode(t.Context(), code)
	if err != nil {
		t.Fatalf("candidate %s: %v", code, err)
	}
	return c
}

func secretaryActor(t *testing.T, db *postgres.DB) seedling.Actor {
	t.Helper()
	u, err := db.Users().ByUsername(t.Context(), "secretary")
	if err != nil {
		t.Fatal(err)
	}
	return seedling.Actor{UserID: &u.ID, Username: u.Username, Role: seedling.RoleSecretary}
}

// The demo ledgers aim at the totals seeds/ledger.json names, some just
// short of 80 and some past it, and every chain holds.
func TestDemoLedgersScoreAsPlanned(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	ctx := t.Context()
	params, err := postgres.DemoLedgerSeed()
	if err != nil {
		t.Fatal(err)
	}
	all, err := db.Scores().Scored(ctx, postgres.StandingFilter{Stages: []seedling.Stage{seedling.StageActivist, seedling.StageTarget, seedling.StageProbationary}}, pipeline.Rules2014.Door())
	if err != nil {
		t.Fatal(err)
	}
	codes := map[int64]string{}
	var rows []struct {
		ID   int64  `db:"id"`
		Code string `db:"code"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT id, code FROM candidates`); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		codes[r.ID] = r.Code
	}
	var justUnder, eligible int
	for _, s := range all {
		code := codes[s.ID]
		if len(s.Sums) == 0 {
			t.Errorf("%s (%s) has no ledger", code, s.Stage)
		}
		if want, ok := params.Totals[code]; ok && s.Score.Total != want {
			t.Errorf("%s scores %d, want %d", code, s.Score.Total, want)
		}
		if s.Stage == seedling.StageActivist && s.Score.Total >= 75 && s.Score.Total < 80 {
			justUnder++
		}
		if s.Eligibility.Eligible {
			eligible++
		}
	}
	if justUnder < 3 || eligible < 3 {
		t.Errorf("%d activists just under 80 and %d eligible; want a few of each", justUnder, eligible)
	}

	a := candidateByCode(t, db, "activist-a")
	entries, err := db.Ledger().Entries(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	reversals := 0
	for _, e := range entries {
		if e.Kind == ledger.KindReversal {
			reversals++
		}
	}
	if len(entries) < 10 || reversals == 0 {
		t.Errorf("activist-a has %d entries and %d reversals", len(entries), reversals)
	}
	var withReversal int
	if err := db.GetContext(ctx, &withReversal, `SELECT count(DISTINCT candidate_id) FROM ledger_entries WHERE kind = 'reversal'`); err != nil {
		t.Fatal(err)
	}
	if withReversal < 5 {
		t.Errorf("only %d demo ledgers show a reversal", withReversal)
	}

	rep, err := db.Ledger().VerifyChains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Broken) > 0 || rep.Chains < 40 {
		t.Fatalf("demo chains: %+v", rep)
	}

	// Loading again writes nothing.
	var before, after int
	db.GetContext(ctx, &before, `SELECT count(*) FROM ledger_entries`)
	if err := db.LoadDemoLedgers(ctx, system, params); err != nil {
		t.Fatal(err)
	}
	db.GetContext(ctx, &after, `SELECT count(*) FROM ledger_entries`)
	if before != after {
		t.Fatalf("a second load wrote %d rows", after-before)
	}
}

// Neither the application's role nor the owner can rewrite the ledger.
func TestLedgerTablesRefuseUpdateDeleteAndTruncate(t *testing.T) {
	t.Parallel()
	owner := testdb.NewDemo(t)
	app, err := owner.AsApp(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	for _, db := range []*postgres.DB{owner, app} {
		for _, q := range []string{
			`UPDATE ledger_entries SET points = points + 1`,
			`DELETE FROM ledger_entries WHERE id = (SELECT max(id) FROM ledger_entries)`,
			`TRUNCATE ledger_entries CASCADE`,
			`UPDATE rubric_dimensions SET cap = 50`,
			`DELETE FROM rubric_categories`,
			`UPDATE ledger_keepers SET user_id = user_id`,
		} {
			if _, err := db.ExecContext(t.Context(), q); err == nil {
				t.Errorf("%q was allowed", q)
			}
		}
	}
}

// Two identical requests at once write one entry; the same key with another
// body is refused.
func TestIdempotentRecordUnderRace(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	ctx := t.Context()
	a := candidateByCode(t, db, "branch-a-03")
	sec := secretaryActor(t, db)
	d := ledger.Draft{Category: "task_completion", Points: intp(4), OccurredOn: seedling.Today(time.Now()).Format(seedling.DateLayout), Description: "完成走访"}
	var wg sync.WaitGroup
	ids := make([]int64, 8)
	replays := make([]bool, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, replayed, err := db.Ledger().Record(ctx, sec, a.ID, d, "same-key", nil)
			if err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			ids[i], replays[i] = e.ID, replayed
		}()
	}
	wg.Wait()
	fresh := 0
	for i := range ids {
		if ids[i] != ids[0] {
			t.Fatalf("ids differ: %v", ids)
		}
		if !replays[i] {
			fresh++
		}
	}
	if fresh != 1 {
		t.Fatalf("%d requests wrote, want 1", fresh)
	}
	other := d
	other.Points = intp(5)
	_, _, err := db.Ledger().Record(ctx, sec, a.ID, other, "same-key", nil)
	if seedling.ErrorCode(err) != seedling.ERule {
		t.Fatalf("same key, other body: %v", err)
	}
}

// Many writers on one chain take turns: the chain stays gapless and valid.
func TestConcurrentWritersKeepTheChainIntact(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	ctx := t.Context()
	a := candidateByCode(t, db, "branch-a-03")
	sec := secretaryActor(t, db)
	before, _ := db.Ledger().Entries(ctx, a.ID)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := ledger.Draft{Category: "study_attendance", Points: intp(1), OccurredOn: seedling.Today(time.Now()).Format(seedling.DateLayout), Description: fmt.Sprintf("学习 %d", i)}
			if _, _, err := db.Ledger().Record(ctx, sec, a.ID, d, fmt.Sprintf("k%d", i), nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	after, _ := db.Ledger().Entries(ctx, a.ID)
	if len(after) != len(before)+16 {
		t.Fatalf("%d entries, want %d", len(after), len(before)+16)
	}
	rep, err := db.Ledger().VerifyChains(ctx)
	if err != nil || len(rep.Broken) > 0 {
		t.Fatalf("verify: %v %+v", err, rep.Broken)
	}
}

// Whatever is changed behind the application's back, verify names the
// first row of the chain that no longer holds.
func TestVerifyNamesRowsAlteredOutsideTheApplication(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	ctx := t.Context()
	sec := secretaryActor(t, db)
	a := candidateByCode(t, db, "activist-a")
	b := candidateByCode(t, db, "branch-a-03")
	c := candidateByCode(t, db, "branch-a-07")
	today := seedling.Today(time.Now()).Format(seedling.DateLayout)
	e, _, err := db.Ledger().Record(ctx, sec, b.ID, ledger.Draft{Category: "task_completion", Points: intp(3), OccurredOn: today, Description: "附佐证"}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Ledger().Attach(ctx, sec, e.ID, ledger.Evidence{SHA256: strings.Repeat("a1", 32), Name: "照片.jpg", Size: 10, ContentType: "image/jpeg"}); err != nil {
		t.Fatal(err)
	}

	var evSeq, midSeq int
	if err := db.GetContext(ctx, &evSeq, `SELECT max(seq) FROM ledger_entries WHERE candidate_id = $1`, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(ctx, &midSeq, `
		SELECT min(e.seq) FROM ledger_entries e WHERE e.candidate_id = $1 AND e.seq > 1
		  AND e.seq < (SELECT max(seq) FROM ledger_entries WHERE candidate_id = $1)
		  AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)`, c.ID); err != nil {
		t.Fatal(err)
	}

	mustExecSQL(t, db, `ALTER TABLE ledger_entries DISABLE TRIGGER USER`)
	mustExecSQL(t, db, `ALTER TABLE evidence_files DISABLE TRIGGER USER`)
	// activist-a: one entry's points raised.
	mustExecSQL(t, db, `UPDATE ledger_entries SET points = points + 5 WHERE candidate_id = $1 AND seq = 3`, a.ID)
	// branch-a-03: the evidence row and its file removed from the end.
	mustExecSQL(t, db, `DELETE FROM ledger_entries WHERE evidence_id IS NOT NULL AND candidate_id = $1`, b.ID)
	mustExecSQL(t, db, `DELETE FROM evidence_files WHERE candidate_id = $1`, b.ID)
	// branch-a-07: a row in the middle removed.
	mustExecSQL(t, db, `DELETE FROM ledger_entries WHERE candidate_id = $1 AND seq = $2`, c.ID, midSeq)
	mustExecSQL(t, db, `ALTER TABLE ledger_entries ENABLE TRIGGER USER`)
	mustExecSQL(t, db, `ALTER TABLE evidence_files ENABLE TRIGGER USER`)

	rep, err := db.Ledger().VerifyChains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]ledger.Break{}
	for _, br := range rep.Broken {
		got[br.CandidateID] = br
	}
	if br, ok := got[a.ID]; !ok || br.Seq != 3 || !strings.Contains(br.Why, "altered") {
		t.Errorf("activist-a: %+v", br)
	}
	if br, ok := got[b.ID]; !ok || br.Seq != evSeq || !strings.Contains(br.Why, "audit trail") {
		t.Errorf("branch-a-03 (evidence row #%d cut): %+v", evSeq, br)
	}
	if br, ok := got[c.ID]; !ok || br.Seq != midSeq || !strings.Contains(br.Why, "missing") {
		t.Errorf("branch-a-07 (row #%d removed): %+v", midSeq, br)
	}
	if len(rep.Broken) != 3 {
		t.Errorf("%d chains broken, want 3: %+v", len(rep.Broken), rep.Broken)
	}
}

func mustEntries(t *testing.T, db *postgres.DB, id int64) []ledger.Entry {
	t.Helper()
	e, err := db.Ledger().Entries(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// recordRandom books n random entries on a candidate's ledger, dated at
// random over the whole candidacy (so many are late records), and
// reverses about one in five.
func recordRandom(t *testing.T, db *postgres.DB, sec seedling.Actor, c seedling.Candidate, rng *rand.Rand, n int) {
	t.Helper()
	ctx := t.Context()
	cats := []struct {
		code     string
		min, max int
	}{{"study_attendance", 1, 5}, {"task_completion", 1, 10}, {"deduction", -10, -1}, {"critical_moment", 1, 10}, {"study_absence", -5, -1}}
	since := *c.ActivistSince
	days := int(seedling.Today(db.Now()).Sub(since).Hours() / 24)
	for i := range n {
		cat := cats[rng.IntN(len(cats))]
		d := ledger.Draft{Category: cat.code, Points: intp(cat.min + rng.IntN(cat.max-cat.min+1)),
			OccurredOn: since.AddDate(0, 0, rng.IntN(days+1)).Format(seedling.DateLayout), Description: fmt.Sprintf("随机 %d", i),
			LateReason: "按档案补录"}
		e, _, err := db.Ledger().Record(ctx, sec, c.ID, d, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if rng.IntN(5) == 0 {
			if _, err := db.Ledger().Reverse(ctx, sec, e.ID, "测试冲销"); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// ledgerSums sums a ledger in Go straight from its rows, per quarter and
// dimension under the rubric version in force for the quarter, keeping
// the quarters up to last ("" keeps them all).
func ledgerSums(t *testing.T, db *postgres.DB, rubrics ledger.Rubrics, id int64, last string) map[string]int {
	t.Helper()
	want := map[string]int{}
	for _, e := range mustEntries(t, db, id) {
		if last != "" && e.Period > last {
			continue
		}
		p, _ := ledger.ParsePeriod(e.Period)
		r, _ := rubrics.InForce(p)
		cat, _ := r.Category(e.Category)
		want[e.Period+"/"+cat.Dimension] += e.Points
	}
	return want
}

func sumsOf(list []ledger.PeriodSum) map[string]int {
	got := map[string]int{}
	for _, s := range list {
		got[s.Period+"/"+s.Dimension] += s.Points
	}
	return got
}

// The score is the ledger: random entries and reversals, summed in Go
// straight from the rows, give what the SQL of the roster gives.
func TestStandingsEqualTheLedgerRowByRow(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	ctx := t.Context()
	sec := secretaryActor(t, db)
	a := candidateByCode(t, db, "branch-a-03")
	recordRandom(t, db, sec, a, rand.New(rand.NewPCG(1, 2)), 60)
	rubrics, _ := db.Rubric().Versions(ctx)
	want := ledgerSums(t, db, rubrics, a.ID, "")
	st, err := db.Scores().Standing(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := sumsOf(st.Sums); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("SQL sums %v\nledger sums %v", sumsOf(st.Sums), want)
	}
	roster, err := db.Scores().Standings(ctx, postgres.StandingFilter{Under: a.OrgPath})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roster {
		if r.ID == a.ID && fmt.Sprint(r.Sums) != fmt.Sprint(st.Sums) {
			t.Fatal("the roster and the single standing differ")
		}
	}
}

// A new rubric version applies from its quarter on; earlier quarters keep
// the version they were recorded under.
func TestNewRubricVersionAppliesFromItsQuarter(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	ctx := t.Context()
	admin := seedling.Actor{Username: "admin", Role: seedling.RoleOrgAdmin}
	rubrics, _ := db.Rubric().Versions(ctx)
	v1 := rubrics[0]
	next := ledger.PeriodOf(seedling.Today(time.Now())).Next()
	draft := v1
	draft.EffectiveFrom, draft.Note = next.Start(), "提高评议权重"
	draft.Dimensions = append([]ledger.Dimension(nil), v1.Dimensions...)
	draft.Dimensions[0].Cap, draft.Dimensions[3].Cap = 15, 35
	draft.Categories = nil
	for _, c := range v1.Categories {
		if c.Code == "exam_result" {
			c.Max = 15
		}
		if c.Code != "critical_moment" {
			draft.Categories = append(draft.Categories, c)
		}
	}
	v2, err := db.Rubric().Create(ctx, admin, draft)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 || len(v2.Categories) != len(v1.Categories)-1 {
		t.Fatalf("created %+v", v2)
	}
	if _, err := db.Rubric().Create(ctx, admin, draft); seedling.ErrorCode(err) != seedling.ERule {
		t.Fatalf("a second version on the same day: %v", err)
	}

	a := candidateByCode(t, db, "activist-a")
	before, _ := db.Scores().Scored(ctx, postgres.StandingFilter{IDs: []int64{a.ID}}, pipeline.Rules2014.Door())
	// Move the clock into the new quarter.
	db.Now = func() time.Time { return next.Start().Add(30 * time.Hour) }
	sec := secretaryActor(t, db)
	on := next.Start().Format(seedling.DateLayout)
	if _, _, err := db.Ledger().Record(ctx, sec, a.ID, ledger.Draft{Category: "critical_moment", Points: intp(5), OccurredOn: on, Description: "抗洪"}, "", nil); seedling.ErrorCode(err) != seedling.EInvalid {
		t.Fatalf("a category version 2 dropped: %v", err)
	}
	if _, _, err := db.Ledger().Record(ctx, sec, a.ID, ledger.Draft{Category: "evaluation_result", Points: intp(20), OccurredOn: on, Description: "评议"}, "", nil); err != nil {
		t.Fatal(err)
	}
	after, _ := db.Scores().Scored(ctx, postgres.StandingFilter{IDs: []int64{a.ID}}, pipeline.Rules2014.Door())
	s := after[0].Score
	if s.Version != 2 || s.Dimensions[0].Cap != 15 || s.Dimensions[3].Cap != 35 {
		t.Fatalf("score after the change: %+v", s)
	}
	last := s.Periods[len(s.Periods)-1]
	if last.Period != next.String() || last.Version != 2 {
		t.Fatalf("last quarter %+v", last)
	}
	for _, p := range s.Periods[:len(s.Periods)-1] {
		if p.Version != 1 {
			t.Fatalf("quarter %s moved to version %d", p.Period, p.Version)
		}
	}
	if before[0].Score.Version != 1 {
		t.Fatalf("before: version %d", before[0].Score.Version)
	}
}
