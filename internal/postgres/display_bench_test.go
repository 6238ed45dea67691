package postgres_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/lib/pq"

	"seedling/internal/bench"
	"seedling/internal/display"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

// Bench sizes: a committee of 100 branches × 100 activists, 100 entries
// each (1,000,000 ledger rows), the brief's scale for one subtree.
const (
	benchBranches  = 100
	benchPerBranch = 100
	benchEntries   = 100
)

// loadBenchSubtree builds the committee with COPY: candidates and ledger
// rows go in as bulk loads, not through the ledger's chain writer (the
// snapshot does not re-verify hashes, `seedling verify` does).
func loadBenchSubtree(b *testing.B, db *postgres.DB) (committee seedling.Org, branches []seedling.Org) {
	ctx := context.Background()
	a := seedling.Actor{Username: "bench"}
	city, err := db.Orgs().Create(ctx, a, nil, seedling.KindCity, "基准市")
	if err != nil {
		b.Fatal(err)
	}
	com, err := db.Orgs().Create(ctx, a, &city.ID, seedling.KindCommittee, "基准党委")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < benchBranches; i++ {
		br, err := db.Orgs().Create(ctx, a, &com.ID, seedling.KindBranch, fmt.Sprintf("基准支部%03d", i))
		if err != nil {
			b.Fatal(err)
		}
		branches = append(branches, br)
	}
	tx := db.MustBegin()
	st, err := tx.Prepare(`COPY candidates (org_id, name, stage, applied_on, activist_since, stage_since) FROM STDIN`)
	if err != nil {
		b.Fatal(err)
	}
	since := time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)
	for _, br := range branches {
		for j := 0; j < benchPerBranch; j++ {
			if _, err := st.Exec(br.ID, fmt.Sprintf("积极分子%d", j), "activist", since.AddDate(-1, 0, 0), since, since); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := st.Exec(); err != nil {
		b.Fatal(err)
	}
	st.Close()
	var ids []int64
	if err := tx.Select(&ids, `SELECT id FROM candidates ORDER BY id`); err != nil {
		b.Fatal(err)
	}
	st, err = tx.Prepare(`COPY ledger_entries (candidate_id, seq, kind, category, points, occurred_on, period,
		description, recorded_by_name, recorded_at, prev_hash, hash) FROM STDIN`)
	if err != nil {
		b.Fatal(err)
	}
	cats := []string{"study_attendance", "task_completion", "activity_conduct", "critical_moment", "exam_result", "evaluation_result"}
	at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for _, id := range ids {
		prev := make([]byte, 32)
		for k := 1; k <= benchEntries; k++ {
			day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (k*6)%630)
			period := fmt.Sprintf("%dQ%d", day.Year(), (int(day.Month())-1)/3+1)
			h := sha256.Sum256(append(prev, byte(k)))
			if _, err := st.Exec(id, k, "entry", cats[k%len(cats)], 1+k%3, day, period, "基准记录", "bench", at, prev, h[:]); err != nil {
				b.Fatal(err)
			}
			prev = h[:]
		}
	}
	if _, err := st.Exec(); err != nil {
		b.Fatal(err)
	}
	st.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return com, branches
}

// BenchmarkDisplaysOfASubtree takes (and discards) the 2026Q3 displays of
// every branch under the committee, through the store, in the one action
// that does it (DisplayStore.CreateUnder): the subtree's sums, heads,
// strikes, hashes and row inserts. Standings is the committee's scored
// standings alone (ScoreStore.Scored). RawAggregate is the raw twin of
// both, bench.RawSubtreeSums: the same per-quarter, per-dimension sums of
// the same people in SQL alone, the floor either has to pay.
func BenchmarkDisplaysOfASubtree(b *testing.B) {
	db := testdb.New(b)
	db.Now = func() time.Time { return time.Date(2026, 10, 12, 2, 0, 0, 0, time.UTC) }
	com, _ := loadBenchSubtree(b, db)
	ctx := context.Background()
	a := seedling.Actor{Username: "bench"}
	p, _ := display.ParsePeriod("2026Q3")

	b.Run("Store", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			made, err := db.Displays().CreateUnder(ctx, a, com, p, pipeline.DefaultRegistry())
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			rows := 0
			for _, d := range made {
				rows += len(d.Rows)
				if err := db.Displays().Discard(ctx, a, d.ID); err != nil {
					b.Fatal(err)
				}
			}
			if len(made) != benchBranches || rows != benchBranches*benchPerBranch {
				b.Fatalf("%d displays, %d rows", len(made), rows)
			}
			b.StartTimer()
		}
	})
	b.Run("Standings", func(b *testing.B) {
		door := pipeline.Rules2014.Door()
		for i := 0; i < b.N; i++ {
			list, err := db.Scores().Scored(ctx, postgres.StandingFilter{Under: com.Path, Stages: display.Stages}, door)
			if err != nil || len(list) != benchBranches*benchPerBranch {
				b.Fatal(len(list), err)
			}
		}
	})
	b.Run("RawAggregate", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var n int
			if err := db.QueryRowContext(ctx, bench.RawSubtreeSums, com.Path, pq.Array([]string{"activist", "probationary"})).Scan(&n); err != nil || n == 0 {
				b.Fatal(n, err)
			}
		}
	})
}
