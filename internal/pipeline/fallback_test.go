package pipeline

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"seedling/internal/seedling"
)

// Without the recorded dates, the start of the current stage stands in; with
// neither, the rule says it cannot check rather than letting the step pass.
func TestStageStartStandsInForMissingDates(t *testing.T) {
	s := activist
	s.ActivistSince = nil
	n := stepTo(t, Rules2014.NextSteps(s, day("2026-09-01")), seedling.StageTarget, KindAdvance)
	if n.EarliestOn == nil || fmtDate(*n.EarliestOn) != "2027-03-01" {
		t.Errorf("earliest from stage start: %v", n.EarliestOn)
	}
	s.StageSince = time.Time{} // no date at all: the parser refuses year 1
	_, err := Rules2014.Check(s, seedling.StageTarget, "", toTargetFacts, today)
	if e := asError(t, err); !strings.Contains(e.Fields["training_one_year"], "未记录") {
		t.Errorf("fields %v", e.Fields)
	}

	p := probationary
	p.ProbationSince = nil
	if _, err := Rules2014.Check(p, seedling.StageFull, "", toFullFacts, today); err != nil {
		t.Errorf("probation from stage start: %v", err)
	}
	p.StageSince = time.Time{}
	_, err = Rules2014.Check(p, seedling.StageFull, "", toFullFacts, today)
	if e := asError(t, err); !strings.Contains(e.Fields["probation_one_year"], "未记录") {
		t.Errorf("fields %v", e.Fields)
	}
}

// Go callers (the demo seeder, tests) may pass Go types instead of decoded JSON.
func TestGoTypedFacts(t *testing.T) {
	facts := merge(toProbationaryFacts, map[string]any{
		"introducers":      []string{"王五", "赵六"},
		"members_entitled": 12,
		"members_present":  int64(9),
		"votes_for":        json.Number("8"),
	})
	if _, err := Rules2014.Check(target, seedling.StageProbationary, "", facts, today); err != nil {
		t.Fatal(err)
	}
	bad := merge(facts, map[string]any{"votes_for": json.Number("8.5")})
	if _, err := Rules2014.Check(target, seedling.StageProbationary, "", bad, today); seedling.ErrorCode(err) != seedling.EInvalid {
		t.Fatalf("json.Number 8.5: %v", err)
	}
}

func TestNextStepsFactsAreCopies(t *testing.T) {
	n := stepTo(t, Rules2014.NextSteps(applicant, today), seedling.StageActivist, KindAdvance)
	n.Facts[0].Name = "changed"
	if Rules2014.Steps[0].Facts[0].Name != "talked_on" {
		t.Fatal("NextSteps hands out the rule set's own facts")
	}
}
