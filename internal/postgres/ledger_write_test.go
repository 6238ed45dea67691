package postgres_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"seedling/internal/ledger"
	"seedling/internal/postgres"
	"seedling/internal/testdb"
)

// A ledger write costs four round trips once its statements are kept:
// BEGIN, the chain's lock with its head and the retry check, the entry with
// its audit event (answering the row as the API shows it), COMMIT.
// Each trip is a wait for a backend on a busy machine; the write's tail
// latency is made of them. The entry answered is the one a read gives.
func TestALedgerWriteIsFourRoundTrips(t *testing.T) {
	t.Parallel()
	owner := testdb.NewDemo(t)
	proxy := testdb.NewProxy(t, testdb.DSN(owner))
	db, err := postgres.Open(t.Context(), proxy.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	db.Now = owner.Now
	// As a server runs: the rubric comes from the cache the listener keeps.
	if err := db.ListenForChanges(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	a := secretaryActor(t, db)
	cand := candidateByCode(t, db, "activist-a")
	day := db.Now().AddDate(0, 0, -1).Format("2006-01-02")
	write := func(n int) ledger.Entry {
		t.Helper()
		e, _, err := db.Ledger().Record(t.Context(), a, cand.ID,
			ledger.Draft{Category: "study_attendance", Points: intp(1), OccurredOn: day, Description: fmt.Sprintf("write %d", n)}, fmt.Sprintf("trips-%d", n), nil)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	// The first writes prepare and keep the statements.
	for n := range 3 {
		write(n)
	}
	before := proxy.Trips()
	e := write(3)
	if n := proxy.Trips() - before; n != 4 {
		t.Fatalf("a ledger write made %d round trips, want 4", n)
	}
	read, err := db.Ledger().Entry(t.Context(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(read.Evidence) == 0 {
		read.Evidence = nil // a fresh entry has none
	}
	if !reflect.DeepEqual(e, read) {
		t.Fatalf("the write answered\n%+v\nand a read gives\n%+v", e, read)
	}
}

// A transaction never waits for a second connection to keep a statement:
// on a cold pool of one connection, a write (whose transaction holds that
// connection) goes through instead of waiting for ever.
func TestAColdPoolOfOneConnectionWrites(t *testing.T) {
	t.Parallel()
	owner := testdb.NewDemo(t)
	db, err := owner.AsApp(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	a := secretaryActor(t, db)
	cand := candidateByCode(t, db, "activist-a")
	day := db.Now().AddDate(0, 0, -1).Format("2006-01-02")
	for n := range 3 {
		// A hang detector, not a timing: a write takes milliseconds.
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		_, _, err := db.Ledger().Record(ctx, a, cand.ID,
			ledger.Draft{Category: "study_attendance", Points: intp(1), OccurredOn: day, Description: "cold"}, fmt.Sprintf("cold-%d", n), nil)
		cancel()
		if err != nil {
			t.Fatalf("write %d on a cold pool of one: %v", n, err)
		}
	}
}
