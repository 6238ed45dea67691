package postgres_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"seedling/internal/ledger"
	"seedling/internal/pipeline"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

// Issue 10 item 8 for ledger entries, in the store: the rule set in force
// today (its late_record_days) decides what is a late record; the reason is
// stored, shown on the timeline and covered by the chain's hash, so that
// `seedling verify` holds for rows written before the column and after it
// and names a reason changed behind the application's back.
func TestLateEntryReasonIsStoredAndChained_LateRecordDays(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	ctx := t.Context()
	sec := secretaryActor(t, db)
	c := candidateByCode(t, db, "branch-a-03")
	today := seedling.Today(time.Now())
	days := pipeline.DefaultRegistry().InForce(today).LateRecordDays
	on := today.AddDate(0, 0, -days-1).Format(seedling.DateLayout)
	d := ledger.Draft{Category: "task_completion", Points: intp(2), OccurredOn: on, Description: "协助整理档案"}

	_, _, err := db.Ledger().Record(ctx, sec, c.ID, d, "late-a", nil)
	if seedling.ErrorCode(err) != seedling.ERule {
		t.Fatalf("late without a reason: %v", err)
	}
	if de, ok := errors.AsType[*seedling.Error](err); !ok || de.FieldKeys["late_reason"].Key != "problem.late_reason_required" {
		t.Fatalf("not a coded late_reason problem: %v", err)
	}
	// A rule set that allows more days (a province's own) does not ask.
	lenient := *pipeline.DefaultRegistry().InForce(today)
	lenient.LateRecordDays = days + 5
	reg, err := pipeline.NewRegistry(&lenient)
	if err != nil {
		t.Fatal(err)
	}
	db.Rules = reg
	if _, _, err := db.Ledger().Record(ctx, sec, c.ID, d, "late-lenient", nil); err != nil {
		t.Fatalf("under a rule set allowing %d days: %v", lenient.LateRecordDays, err)
	}
	db.Rules = nil

	d.LateReason = "纸质台账补录"
	d.Points = intp(3)
	e, _, err := db.Ledger().Record(ctx, sec, c.ID, d, "late-b", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Late() || e.LateReason != "纸质台账补录" {
		t.Fatalf("entry: %+v", e)
	}
	events, err := db.Pipeline().Timeline(ctx, c.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	marked := false
	for _, ev := range events {
		marked = marked || ev.Kind == "ledger_late" && ev.Ref == e.ID && ev.LateReason == "纸质台账补录"
	}
	if !marked {
		t.Fatalf("the timeline does not mark the late record: %+v", events)
	}

	// Old rows (the demo's, written without a reason) and the new one verify.
	rep, err := db.Ledger().VerifyChains(ctx)
	if err != nil || len(rep.Broken) > 0 {
		t.Fatalf("verify: %v %+v", err, rep.Broken)
	}
	mustExecSQL(t, db, `ALTER TABLE ledger_entries DISABLE TRIGGER USER`)
	mustExecSQL(t, db, `UPDATE ledger_entries SET late_reason = '改过的原因' WHERE id = $1`, e.ID)
	mustExecSQL(t, db, `ALTER TABLE ledger_entries ENABLE TRIGGER USER`)
	rep, err = db.Ledger().VerifyChains(ctx)
	if err != nil || len(rep.Broken) != 1 || rep.Broken[0].Seq != e.Seq || !strings.Contains(rep.Broken[0].Why, "altered") {
		t.Fatalf("a changed late reason is not caught: %v %+v", err, rep.Broken)
	}
}

// The keeper rule (专人负责) is the ledger's: the store loads the node and
// the person's grant and asks ledger.CanNameKeeper, whose coded refusal
// reaches the caller.
func TestNameKeeperAsksTheLedgerRule(t *testing.T) {
	t.Parallel()
	db := testdb.NewDemo(t)
	ctx := t.Context()
	sec := secretaryActor(t, db)
	branch, err := db.Orgs().ByCode(ctx, "branch-a")
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.Users().ByUsername(ctx, "secretary2")
	if err != nil {
		t.Fatal(err)
	}
	code := func(err error) string {
		de, ok := errors.AsType[*seedling.Error](err)
		if !ok {
			return ""
		}
		for _, k := range de.FieldKeys {
			return k.Key
		}
		return ""
	}
	if err := db.Ledger().NameKeeper(ctx, sec, branch.ID, other.ID); code(err) != "problem.keeper_not_secretary" {
		t.Fatalf("a secretary of another branch: %v", err)
	}
	if err := db.Ledger().NameKeeper(ctx, sec, branch.ID, 0); code(err) != "problem.keeper_choose" {
		t.Fatalf("nobody: %v", err)
	}
	if err := db.Ledger().NameKeeper(ctx, sec, *branch.ParentID, *sec.UserID); code(err) != "problem.keeper_not_branch" {
		t.Fatalf("named above the branch: %v", err)
	}
	if err := db.Ledger().NameKeeper(ctx, sec, branch.ID, *sec.UserID); err != nil {
		t.Fatalf("the branch's own secretary: %v", err)
	}
}
