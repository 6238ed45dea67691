package postgres_test

import (
	"reflect"
	"testing"

	"seedling/internal/demo/synth"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/testdb"
)

// Scoring a long list a batch at a time gives what scoring it whole gives,
// person for person in the list's order, and never more than ScoreBatch
// people at once: the ranking of a province holds one batch of scores, not
// a hundred thousand.
func TestEachScoredIsScoredInBatches(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := t.Context()
	if _, err := synth.Generate(ctx, db, synth.Params{Candidates: 2*postgres.ScoreBatch + 300, Entries: 40000, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	door := pipeline.DefaultRegistry().InForce(db.Now()).Door()
	f := postgres.StandingFilter{Under: "/"}
	whole, err := db.Scores().Scored(ctx, f, door)
	if err != nil {
		t.Fatal(err)
	}
	var batched []postgres.Scored
	batches := 0
	err = db.Scores().EachScored(ctx, f, door, func(b []postgres.Scored) error {
		batches++
		if len(b) == 0 || len(b) > postgres.ScoreBatch {
			t.Errorf("batch %d of %d people", batches, len(b))
		}
		batched = append(batched, b...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if batches != 3 || len(batched) != len(whole) {
		t.Fatalf("%d batches, %d people; scored whole: %d people", batches, len(batched), len(whole))
	}
	for i := range whole {
		if !reflect.DeepEqual(batched[i], whole[i]) {
			t.Fatalf("person %d: batched %+v, whole %+v", i, batched[i], whole[i])
		}
	}
}
