package cli

import (
	"context"
	"fmt"
	"testing"
	"time"

	"seedling/internal/display"
	"seedling/internal/evidence"
	"seedling/internal/ledger"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

// The fault test's checker finds what it is there to find: on writes made
// through the stores and then damaged behind the service's back (as the
// database owner, triggers off), it counts exactly the lost entry, the
// duplicate, the decision without its stage change, the upheld objection
// without its correction and the entry without its audit row, and reports
// the broken chain.
func TestChaosCheckFindsTampering(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.NewDemo(t)
	var marks chaosMarks
	var err error
	if marks.entry, err = db.LedgerHighWater(ctx); err != nil {
		t.Fatal(err)
	}
	if marks.submission, err = db.StepHighWater(ctx); err != nil {
		t.Fatal(err)
	}
	actor := seedling.Actor{Username: "chaos-test"}
	users := map[string]seedling.Actor{}
	for _, name := range []string{"secretary", "committee"} {
		u, err := db.Users().ByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		users[name] = seedling.Actor{UserID: &u.ID, Username: name}
	}
	today := seedling.Today(time.Now())
	var activists []int64
	if err := db.SelectContext(ctx, &activists, `SELECT id FROM candidates WHERE stage = 'activist' ORDER BY id LIMIT 2`); err != nil || len(activists) < 2 {
		t.Fatalf("two activists: %v %v", activists, err)
	}
	c := &chaosClient{cands: activists[:1]}
	pts := 2
	record := func(cand int64, key string) {
		t.Helper()
		if _, _, err := db.Ledger().Record(ctx, actor, cand, ledger.Draft{Category: "study_attendance", Points: &pts,
			OccurredOn: today.Format(seedling.DateLayout), Description: "chaos " + key}, key, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 3; i++ {
		key := fmt.Sprintf("k%d", i)
		record(activists[0], key)
		c.entries = append(c.entries, chaosEntry{key: key})
	}
	org, err := db.Candidates().ByID(ctx, activists[0])
	if err != nil {
		t.Fatal(err)
	}
	rules := pipeline.DefaultRegistry()
	rs := rules.InForce(today)
	for i, state := range []string{"approved", "pending"} {
		cand, err := db.Candidates().Create(ctx, actor, postgres.NewCandidate{OrgID: org.OrgID, Name: fmt.Sprintf("chaos-test-%d", i), AppliedOn: today.AddDate(0, 0, -40)})
		if err != nil {
			t.Fatal(err)
		}
		subj, err := db.Pipeline().Subject(ctx, cand.ID, today)
		if err != nil {
			t.Fatal(err)
		}
		day := func(n int) string { return today.AddDate(0, 0, -n).Format(seedling.DateLayout) }
		prop, err := rs.Check(subj, seedling.StageActivist, "", map[string]any{"talked_on": day(15), "recommended_by": "mass_org",
			"decided_on": day(10), "contacts": []any{"王建国"}}, today)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := db.Pipeline().Submit(ctx, users["secretary"], cand, prop)
		if err != nil {
			t.Fatal(err)
		}
		if state == "approved" {
			if _, err := db.Pipeline().Decide(ctx, users["committee"], sub.ID, postgres.Decision{Approve: true, On: today}, rules); err != nil {
				t.Fatal(err)
			}
		}
		c.applicants = append(c.applicants, &chaosApplicant{id: cand.ID, name: cand.Name, subs: []int64{sub.ID}, state: []string{state}})
	}
	if marks.objection, err = db.ObjectionHighWater(ctx); err != nil {
		t.Fatal(err)
	}
	branch, err := db.Orgs().ByID(ctx, org.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Displays().Create(ctx, users["secretary"], branch, display.Period{Year: 2023, Quarter: 1}, rules)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Displays().Publish(ctx, users["secretary"], d.ID); err != nil {
		t.Fatal(err)
	}
	var upheld int64
	for i, decision := range []string{display.Uphold, display.Reject} {
		text := fmt.Sprintf("chaos objection %d", i)
		o, err := db.Displays().Raise(ctx, users["secretary"], d.ID, display.Raise{CandidateID: d.Rows[0].CandidateID, Text: text,
			Channel: display.ChannelPaper, From: "群众来信"}, true, nil)
		if err != nil {
			t.Fatal(err)
		}
		var correction *ledger.Draft
		state := display.ObjectionRejected
		if decision == display.Uphold {
			correction, state, upheld = &ledger.Draft{Category: "study_attendance", Points: &pts,
				OccurredOn: today.Format(seedling.DateLayout), Description: "chaos correction"}, display.ObjectionUpheld, o.ID
		}
		if _, err := db.Displays().Resolve(ctx, users["secretary"], o.ID, display.Resolution{Decision: decision, Reason: "chaos"}, correction); err != nil {
			t.Fatal(err)
		}
		c.objections = append(c.objections, &chaosObjection{id: o.ID, text: text, state: state})
	}
	store := evidence.NewDir(t.TempDir())

	rep, err := checkWrites(ctx, db, store, marks, []*chaosClient{c})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Acknowledged != 3+2+2+1+2+2 || rep.Lost != 0 || rep.Duplicated != 0 || rep.HalfWritten != 0 || !rep.ChainsOK || !rep.ScoresOK {
		t.Fatalf("untouched writes: %+v", rep)
	}

	// The same key in another ledger: a write the client never saw acknowledged twice.
	record(activists[1], "k2")
	tamper := []string{
		`DELETE FROM ledger_entries WHERE idempotency_key = 'k1'`,
		`DELETE FROM audit_events WHERE target = 'candidate:' || ` + fmt.Sprint(activists[0]) +
			` AND summary LIKE 'seq=' || (SELECT seq FROM ledger_entries WHERE idempotency_key = 'k3') || ' %'`,
		`DELETE FROM stage_changes WHERE submission_id = ` + fmt.Sprint(c.applicants[0].subs[0]),
		`DELETE FROM ledger_entries WHERE objection_id = ` + fmt.Sprint(upheld),
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}
	for _, q := range tamper {
		if res, err := tx.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		} else if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%s: %d rows", q, n)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	rep, err = checkWrites(ctx, db, store, marks, []*chaosClient{c})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lost != 1 || rep.Duplicated != 1 || rep.HalfWritten != 3 || rep.ChainsOK {
		t.Fatalf("after tampering: %+v (want 1 lost, 1 duplicated, 3 half-written, chains broken)", rep)
	}
}
