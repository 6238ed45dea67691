package demo_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"seedling/internal/demo"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
	"seedling/seeds"
)

// openDemoTestDB gives the test an empty migrated database of its own.
func openDemoTestDB(t *testing.T) *postgres.DB { return testdb.New(t) }

type demoSnapshot struct {
	Orgs       map[string]string // code → path
	Candidates map[string]string // code → org, stage and dates
}

func takeDemoSnapshot(t *testing.T, db *postgres.DB) demoSnapshot {
	t.Helper()
	s := demoSnapshot{Orgs: map[string]string{}, Candidates: map[string]string{}}
	var orgs []struct{ Code, Path string }
	if err := db.SelectContext(t.Context(), &orgs, `SELECT code, path FROM orgs`); err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		s.Orgs[o.Code] = o.Path
	}
	var cands []struct{ Code, Row string }
	if err := db.SelectContext(t.Context(), &cands, `
		SELECT c.code, concat_ws('|', o.code, c.stage, c.applied_on, c.activist_since, c.stage_since) AS row
		FROM candidates c JOIN orgs o ON o.id = c.org_id`); err != nil {
		t.Fatal(err)
	}
	for _, c := range cands {
		s.Candidates[c.Code] = c.Row
	}
	return s
}

func TestLoadDemoTwice(t *testing.T) {
	db := openDemoTestDB(t)
	ctx := t.Context()
	d, err := seeds.Demo(seedling.Today(time.Now()))
	if err != nil {
		t.Fatal(err)
	}

	if err := demo.LoadTree(ctx, db, d); err != nil {
		t.Fatalf("first load: %v", err)
	}
	first := takeDemoSnapshot(t, db)
	if err := demo.LoadTree(ctx, db, d); err != nil {
		t.Fatalf("second load: %v", err)
	}
	second := takeDemoSnapshot(t, db)

	if len(second.Orgs) != len(d.Orgs) || len(second.Candidates) != len(d.Candidates) {
		t.Errorf("after two loads: %d orgs and %d candidates, want %d and %d",
			len(second.Orgs), len(second.Candidates), len(d.Orgs), len(d.Candidates))
	}
	if !reflect.DeepEqual(first, second) {
		t.Error("the second load changed rows written by the first")
	}

	// An empty field in the dataset must arrive as NULL, not as '' or a
	// zero date.
	var noGroup, noActivistSince, wantNoGroup, wantNoActivistSince int
	for _, c := range d.Candidates {
		if c.PriorityGroup == "" {
			wantNoGroup++
		}
		if c.ActivistSince == "" {
			wantNoActivistSince++
		}
	}
	if err := db.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE priority_group IS NULL), count(*) FILTER (WHERE activist_since IS NULL)
		FROM candidates`).Scan(&noGroup, &noActivistSince); err != nil {
		t.Fatal(err)
	}
	if noGroup != wantNoGroup || noActivistSince != wantNoActivistSince {
		t.Errorf("NULL priority_group %d, NULL activist_since %d; want %d and %d",
			noGroup, noActivistSince, wantNoGroup, wantNoActivistSince)
	}
	if got, want := second.Candidates["activist-a"], "branch-a|activist|2025-03-10|2025-09-15|2025-09-15"; got != want {
		t.Errorf("activist-a stored as %q, want %q", got, want)
	}

	var stages []string
	if err := db.SelectContext(ctx, &stages, `SELECT DISTINCT stage FROM candidates`); err != nil {
		t.Fatal(err)
	}
	if len(stages) != len(seedling.Stages) {
		t.Errorf("stages present: %v, want all of %v", stages, seedling.Stages)
	}

	var committees, branches int
	if err := db.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE kind = 'committee'), count(*) FILTER (WHERE kind = 'branch')
		FROM orgs`).Scan(&committees, &branches); err != nil {
		t.Fatal(err)
	}
	if committees < 3 || branches < 10 {
		t.Errorf("%d committees and %d branches, want at least 3 and 10", committees, branches)
	}

	// Scope tests later put a secretary of branch-a next to branch-b and
	// expect a committee to see one and not the other.
	var shared []string
	if err := db.SelectContext(ctx, &shared, `
		SELECT c.code FROM orgs c, orgs a, orgs b
		WHERE c.kind = 'committee' AND a.code = 'branch-a' AND b.code = 'branch-b'
		  AND a.path LIKE c.path || '%' AND b.path LIKE c.path || '%'`); err != nil {
		t.Fatal(err)
	}
	if len(shared) > 0 {
		t.Errorf("branch-a and branch-b share committee(s) %v", shared)
	}
	if a, b := second.Orgs["branch-a"], second.Orgs["branch-b"]; a == "" || b == "" {
		t.Errorf("branch-a at %q, branch-b at %q: both must exist", a, b)
	}
}

func TestLoadDemoRejectsInvalidDataset(t *testing.T) {
	db := openDemoTestDB(t)
	d, err := seeds.Demo(seedling.Today(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	d.Candidates[0].Org = "no-such-branch"
	err = demo.LoadTree(t.Context(), db, d)
	if seedling.ErrorCode(err) != seedling.EInvalid {
		t.Fatalf("LoadTree = %v, want an invalid error", err)
	}
	var n int
	if err := db.GetContext(t.Context(), &n, `SELECT count(*) FROM orgs`); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d orgs written from an invalid dataset, want none", n)
	}
}

// The demo shows the late-record step (补录, 细则 review item 8): a waiting
// proposal dated more than the rule set's days before it was sent, with
// the reason; and probationary members, whose membership can be cancelled
// (取消预备党员资格, 细则 第三十二条).
func TestDemoShowsLateRecordAndProbation(t *testing.T) {
	db := testdb.NewDemo(t)
	var late int
	if err := db.GetContext(t.Context(), &late, `
		SELECT count(*) FROM submissions s JOIN candidates c ON c.id = s.candidate_id
		WHERE s.state = 'pending' AND s.facts ? 'late_reason'
		  AND submitted_at::date - (s.facts->>'decided_on')::date > 30`); err != nil {
		t.Fatal(err)
	}
	if late == 0 {
		t.Error("no waiting late-recorded (补录) proposal in the demo")
	}
	var probationary int
	if err := db.GetContext(t.Context(), &probationary, `SELECT count(*) FROM candidates WHERE stage = 'probationary' AND probation_since IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	if probationary < 2 {
		t.Errorf("%d probationary members, want some to extend and cancel", probationary)
	}
}

// The demo shows a late-recorded ledger entry (补录, 细则 review item 8):
// 郭晓雯 (activist-a) has one entry booked more than the rule set's
// late_record_days after the date it claims, with its reason, shown as a
// late record on her timeline; her total stays the 76 the walkthrough
// speaks of; and no demo entry anywhere is booked that late without a
// reason.
func TestDemoShowsLateLedgerEntry_LateRecordDays(t *testing.T) {
	db := testdb.NewDemo(t)
	ctx := t.Context()
	today := seedling.Today(time.Now())
	rs := pipeline.DefaultRegistry().InForce(today)
	cand, err := db.Candidates().ByCode(ctx, "activist-a")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := db.Ledger().Entries(ctx, cand.ID)
	if err != nil {
		t.Fatal(err)
	}
	var late []string
	for _, e := range entries {
		if by := rs.Late().LateBy(e.OccurredOn, seedling.Today(e.RecordedAt)); by > 0 && e.Late() {
			late = append(late, e.LateReason)
		}
	}
	if len(late) != 1 || late[0] == "" {
		t.Errorf("activist-a's late records %q, want one with its reason", late)
	}
	var silent int
	if err := db.GetContext(ctx, &silent, `
		SELECT count(*) FROM ledger_entries
		WHERE kind = 'entry' AND late_reason = ''
		  AND CAST((recorded_at AT TIME ZONE 'UTC') + INTERVAL '8 hours' AS date) - occurred_on > $1`, rs.LateRecordDays); err != nil {
		t.Fatal(err)
	}
	if silent > 0 {
		t.Errorf("%d demo entries booked more than %d days late without a reason", silent, rs.LateRecordDays)
	}
	scored, err := db.Scores().Scored(ctx, postgres.StandingFilter{IDs: []int64{cand.ID}}, rs.Door())
	if err != nil || len(scored) != 1 {
		t.Fatalf("standing: %v %v", scored, err)
	}
	if scored[0].Score.Total != 76 {
		t.Errorf("activist-a's total %d, want 76", scored[0].Score.Total)
	}
	events, err := db.Pipeline().Timeline(ctx, cand.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	shown := 0
	for _, e := range events {
		if e.Kind == postgres.TimelineLedgerLate && len(late) == 1 && e.LateReason == late[0] {
			shown++
		}
	}
	if shown != 1 {
		t.Errorf("%d late-record events with the reason on activist-a's timeline, want 1", shown)
	}
}

// The demo shows a probationary membership cancelled through the reviewed
// step (取消预备党员资格, 细则 第三十二条): 常国栋 was admitted, then the
// branch proposed the cancellation after its general meeting and the
// committee approved it; his timeline shows the admission, the proposal,
// the approval and the change of stage with the reason.
func TestDemoShowsCancelledProbation_Article32(t *testing.T) {
	db := testdb.NewDemo(t)
	ctx := t.Context()
	cand, err := db.Candidates().ByCode(ctx, "yanglou-xinzhuang-05")
	if err != nil {
		t.Fatal(err)
	}
	var probationSince *time.Time
	if err := db.GetContext(ctx, &probationSince, `SELECT probation_since FROM candidates WHERE id = $1`, cand.ID); err != nil {
		t.Fatal(err)
	}
	if cand.Stage != seedling.StageDisqualified || probationSince == nil {
		t.Fatalf("stage %s, probation since %v: want a disqualified former probationary member", cand.Stage, probationSince)
	}
	var cancels int
	if err := db.GetContext(ctx, &cancels, `
		SELECT count(*) FROM submissions s JOIN stage_changes sc ON sc.submission_id = s.id
		WHERE s.candidate_id = $1 AND s.kind = $2 AND s.state = 'approved' AND s.from_stage = 'probationary'
		  AND sc.to_stage = 'disqualified' AND sc.effective_on = s.effective_on AND s.facts->>'meeting_on' = to_char(s.effective_on, 'YYYY-MM-DD')`,
		cand.ID, pipeline.KindCancel); err != nil {
		t.Fatal(err)
	}
	if cancels != 1 {
		t.Errorf("%d approved cancellations of the probation with their stage change, want 1", cancels)
	}
	events, err := db.Pipeline().Timeline(ctx, cand.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, e := range events {
		if e.ToStage == "probationary" || e.FromStage == "probationary" {
			seen = append(seen, e.Kind+":"+e.FromStage+">"+e.ToStage)
			if e.Kind == "stage" && e.ToStage == "disqualified" && !strings.Contains(e.Text, "不履行党员义务") {
				t.Errorf("the cancellation's stage change gives no reason: %q", e.Text)
			}
		}
	}
	want := []string{"submitted:target>probationary", "approved:target>probationary", "stage:target>probationary",
		// The change dates from the meeting, before the committee's decision.
		"submitted:probationary>disqualified", "stage:probationary>disqualified", "approved:probationary>disqualified"}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("timeline around the probation: %v, want %v", seen, want)
	}
}

// Loading the whole demo again over a demo database writes nothing, in
// any table the demo fills.
func TestLoadWholeDemoTwice(t *testing.T) {
	db := testdb.NewDemo(t)
	ctx := t.Context()
	count := func() map[string]int {
		out := map[string]int{}
		for _, table := range []string{"orgs", "candidates", "users", "grants", "ledger_keepers", "ledger_entries", "audit_events", "submissions",
			"stage_changes", "filings", "political_reviews", "branch_records", "quotas", "displays", "objections"} {
			var n int
			if err := db.GetContext(ctx, &n, `SELECT count(*) FROM `+table); err != nil {
				t.Fatal(err)
			}
			out[table] = n
		}
		return out
	}
	before := count()
	if err := demo.Load(ctx, db, seedling.Actor{Username: "test"}); err != nil {
		t.Fatal(err)
	}
	if after := count(); !reflect.DeepEqual(before, after) {
		t.Errorf("rows before a second load %v, after %v", before, after)
	}
}

// The demo's group leader leads a group with people in it: activists, one
// whose door to development target is open by the points the ledgers aim
// at, a development target and an applicant, so the leader's start page
// shows a real group.
func TestDemoGroupLeaderHasPeople(t *testing.T) {
	d, err := seeds.Demo(seedling.Today(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	lp, err := demo.LedgerSeed()
	if err != nil {
		t.Fatal(err)
	}
	leaders := 0
	for _, a := range demo.Accounts {
		if a.Role != seedling.RoleGroupLeader {
			continue
		}
		leaders++
		stages, open := map[string]int{}, 0
		for _, c := range d.Candidates {
			if c.Org != a.OrgCode {
				continue
			}
			stages[c.Stage]++
			if c.Stage == string(seedling.StageActivist) && lp.Totals[c.Code] >= 80 {
				open++
			}
		}
		if stages["activist"] < 3 || stages["target"] == 0 || stages["applicant"] == 0 || open == 0 {
			t.Errorf("%s leads %s, which holds %v with %d activists at 80 points or more; want activists, one of them at 80, a target and an applicant",
				a.Username, a.OrgCode, stages, open)
		}
	}
	if leaders == 0 {
		t.Fatal("no demo group leader")
	}
}

// The demo's objections are about people with points on the display they
// object to: a display lists the branch's people as they stand when it is
// taken, so someone named an activist after the period shows with nothing,
// and an objection to their points would make no sense. Each demo display
// still has its three, in every state.
func TestDemoObjectionsAreAboutPoints(t *testing.T) {
	db := testdb.NewDemo(t)
	var rows []struct {
		Display int64 `db:"display_id"`
		Name    string
		Points  int
	}
	if err := db.SelectContext(t.Context(), &rows, `
		SELECT o.display_id, r.name, r.points FROM objections o
		JOIN display_rows r ON r.display_id = o.display_id AND r.candidate_id = o.candidate_id
		WHERE o.display_id IS NOT NULL ORDER BY o.id`); err != nil {
		t.Fatal(err)
	}
	per := map[int64]int{}
	for _, r := range rows {
		per[r.Display]++
		if r.Points <= 0 {
			t.Errorf("display %d: an objection about %s, who has %d points on it", r.Display, r.Name, r.Points)
		}
	}
	var displays int
	if err := db.GetContext(t.Context(), &displays, `SELECT count(*) FROM displays WHERE state = 'published'`); err != nil {
		t.Fatal(err)
	}
	if displays == 0 || len(per) != displays {
		t.Errorf("objections on %d of %d published displays", len(per), displays)
	}
	for d, n := range per {
		if n != 3 {
			t.Errorf("display %d has %d objections, want 3", d, n)
		}
	}
}
