package ledger

import (
	"bytes"
	"errors"
	"testing"

	"seedling/internal/seedling"
)

// Item 8 of issue 10 for ledger entries: an entry dated more than the rule
// set's late_record_days before the day it is recorded is a late record
// (补录): refused (422, late_reason_required) without a reason, kept with
// one; an entry on time keeps no reason. An entry may not be dated before
// the person became an activist (application ≤ talk ≤ activist decision ≤
// entries; the pipeline checks the first three).
func TestLateEntryNeedsAReason_LateRecordDays(t *testing.T) {
	rs := testRubrics()
	today := day("2026-11-26")
	late := LateRule{Days: 30}
	activist := Subject{Stage: seedling.StageActivist, ActivistSince: ptr(day("2025-09-15"))}
	draft := func(on, reason string) Draft {
		return Draft{Category: "task_completion", Points: ptr(5), OccurredOn: on, Description: "入户走访", LateReason: reason}
	}

	// 31 days back, no reason: the rule says no, in a coded problem.
	_, err := CheckEntry(draft("2026-10-26", ""), activist, rs, late, today)
	var ie *InputError
	if !errors.As(err, &ie) || seedling.ErrorCode(err) != seedling.ERule {
		t.Fatalf("late without a reason: %v", err)
	}
	if pr := ie.Problems[0]; pr.Field != "late_reason" || pr.Code != "late_reason_required" || pr.Args["Late"] != 31 || pr.Args["Days"] != 30 {
		t.Fatalf("problem %+v", pr)
	}
	// With a reason it is accepted and the reason kept.
	v, err := CheckEntry(draft("2026-10-26", "  季度末集中补记 "), activist, rs, late, today)
	if err != nil || v.LateReason != "季度末集中补记" {
		t.Fatalf("late with a reason: %q, %v", v.LateReason, err)
	}
	// Exactly 30 days back is on time; a reason given then is not kept.
	if v, err := CheckEntry(draft("2026-10-27", "不必要"), activist, rs, late, today); err != nil || v.LateReason != "" {
		t.Fatalf("on time: %q, %v", v.LateReason, err)
	}
	// The rule off (a rule set without the bound) asks nothing.
	if _, err := CheckEntry(draft("2026-01-05", ""), activist, rs, LateRule{}, today); err != nil {
		t.Fatalf("rule off: %v", err)
	}
	// Every problem at once: a late date without a reason and a bad category.
	d := draft("2026-10-01", "")
	d.Category = "bravery"
	_, err = CheckEntry(d, activist, rs, late, today)
	if !errors.As(err, &ie) || len(ie.Problems) != 2 {
		t.Fatalf("want both problems, got %v", err)
	}
	// The reason is too long like any text.
	if _, err := CheckEntry(draft("2026-10-01", string(bytes.Repeat([]byte("长"), MaxDescription+1))), activist, rs, late, today); seedling.ErrorCode(err) != seedling.EInvalid {
		t.Fatalf("long reason: %v", err)
	}
	// Ordering: never before the activist decision, late reason or not.
	if _, err := CheckEntry(draft("2025-09-14", "补记"), activist, rs, late, today); !errors.As(err, &ie) || ie.Problems[0].Code != "date_before_activist" {
		t.Fatalf("before the activist decision: %v", err)
	}
}

// The late reason is part of the row's hash, and a row without one hashes
// as every row written before the reason existed: old chains verify
// unchanged, a changed reason breaks the chain.
func TestLateReasonIsHashedOnlyWhenGiven(t *testing.T) {
	r := Record{CandidateID: 1, Seq: 1, Kind: KindEntry, Category: "task_completion", Points: 5, OccurredOn: "2026-10-01", Period: "2026Q4", Description: "x"}
	plain := Hash(Genesis, r)
	r.LateReason = "补记"
	withReason := Hash(Genesis, r)
	if bytes.Equal(plain, withReason) {
		t.Fatal("the late reason is not covered by the hash")
	}
	r.LateReason = "补记了"
	if bytes.Equal(withReason, Hash(Genesis, r)) {
		t.Fatal("a changed late reason keeps the hash")
	}
}

// A retry of the same draft matches; a draft written before late reasons
// existed (a re-uploaded sheet) keeps its fingerprint; a reason changes it.
func TestLateReasonInRequestHash(t *testing.T) {
	d := Draft{Category: "c", Points: ptr(1), OccurredOn: "2026-10-01", Description: "x"}
	before := d.RequestHash()
	d.LateReason = " "
	if !bytes.Equal(before, d.RequestHash()) {
		t.Fatal("a blank reason changed the fingerprint")
	}
	d.LateReason = "补记"
	if bytes.Equal(before, d.RequestHash()) {
		t.Fatal("a reason does not change the fingerprint")
	}
}
