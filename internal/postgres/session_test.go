package postgres_test

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

const rightPassword = "the right password 42"

func newLoginDB(t *testing.T, usernames ...string) *postgres.DB {
	t.Helper()
	db := testdb.New(t)
	for _, u := range usernames {
		if _, err := db.Users().Create(t.Context(), seedling.Actor{Username: "test"}, postgres.NewUser{Username: u, Password: rightPassword}); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// Twenty wrong passwords racing for one account are counted one after the
// other: no more than five are checked, the rest are refused with 429.
func TestRacingWrongPasswordsAreThrottled(t *testing.T) {
	t.Parallel()
	db := newLoginDB(t, "wang")
	s := db.Sessions()
	// Every racer waits its turn at the hashes: this test is about the count.
	s.LimitHashing(runtime.NumCPU(), time.Hour)
	codes := make([]string, 20)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Login(t.Context(), "wang", "wrong password guess", seedling.Actor{IP: "198.51.100." + string(rune('a'+i))})
			codes[i] = seedling.ErrorCode(err)
		}()
	}
	wg.Wait()
	count := map[string]int{}
	for _, c := range codes {
		count[c]++
	}
	if count[seedling.EUnauthorized] > 5 || count[seedling.EUnauthorized]+count[seedling.ETooMany] != 20 || count[seedling.ETooMany] < 15 {
		t.Fatalf("racing logins answered %v, want at most 5 unauthorized and the rest too_many", count)
	}
	if _, err := s.Login(t.Context(), "wang", rightPassword, seedling.Actor{}); seedling.ErrorCode(err) != seedling.ETooMany {
		t.Fatalf("right password during the cool-off: %v", err)
	}
}

// One address spraying many usernames is cooled off as a whole, even for
// an account it never tried; another address is not.
func TestLoginLimitPerAddress(t *testing.T) {
	t.Parallel()
	db := newLoginDB(t, "wang")
	s := db.Sessions()
	s.MaxAddressFailures = 3
	spray := seedling.Actor{IP: "203.0.113.7"}
	for _, name := range []string{"li", "zhao", "qian"} {
		if _, err := s.Login(t.Context(), name, "password123", spray); seedling.ErrorCode(err) != seedling.EUnauthorized {
			t.Fatalf("spray %s: %v", name, err)
		}
	}
	if _, err := s.Login(t.Context(), "wang", rightPassword, spray); seedling.ErrorCode(err) != seedling.ETooMany {
		t.Fatalf("fourth attempt from the spraying address: %v, want too_many", err)
	}
	if _, err := s.Login(t.Context(), "wang", rightPassword, seedling.Actor{IP: "192.0.2.1"}); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

// Usernames compare without regard to case: at login, at lookup, and a
// second account cannot take a name that differs only in case.
func TestUsernamesIgnoreCase(t *testing.T) {
	t.Parallel()
	db := newLoginDB(t, "Wang.Li")
	if _, err := db.Sessions().Login(t.Context(), "wang.li", rightPassword, seedling.Actor{}); err != nil {
		t.Fatalf("login in lower case: %v", err)
	}
	if u, err := db.Users().ByUsername(t.Context(), "WANG.LI"); err != nil || u.Username != "Wang.Li" {
		t.Fatalf("lookup in upper case: %v %v", u, err)
	}
	_, err := db.Users().Create(t.Context(), seedling.Actor{}, postgres.NewUser{Username: "wang.LI", Password: rightPassword})
	if seedling.ErrorCode(err) != seedling.EInvalid || !strings.Contains(err.Error(), "taken") {
		t.Fatalf("second account differing in case: %v", err)
	}
}

// A failed login for a name that is no account leaves the typed name
// nowhere; the failures of an address reach the audit trail as one
// aggregated row when they leave the window.
func TestUnknownUsernameIsNeverStored(t *testing.T) {
	t.Parallel()
	db := newLoginDB(t, "wang")
	s := db.Sessions()
	typed := "MyS3cretPassw0rd"
	for range 3 {
		if _, err := s.Login(t.Context(), typed, "anything at all", seedling.Actor{IP: "203.0.113.9"}); seedling.ErrorCode(err) != seedling.EUnauthorized {
			t.Fatalf("unknown username: %v", err)
		}
	}
	assertNowhere := func() {
		t.Helper()
		var n int
		if err := db.Get(&n, `
			SELECT (SELECT count(*) FROM audit_events e WHERE strpos(lower(e::text), lower($1)) > 0)
			     + (SELECT count(*) FROM login_failures f WHERE strpos(lower(f::text), lower($1)) > 0)`, typed); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("the typed username is stored in %d rows", n)
		}
	}
	assertNowhere()
	var rows int
	db.Get(&rows, `SELECT count(*) FROM audit_events WHERE ip = '203.0.113.9'`)
	if rows != 0 {
		t.Fatalf("%d audit rows for anonymous failures before aggregation, want 0", rows)
	}
	if _, err := db.Exec(`UPDATE login_failures SET at = at - interval '16 minutes'`); err != nil {
		t.Fatal(err)
	}
	if err := s.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	var summary string
	if err := db.Get(&summary, `SELECT summary FROM audit_events WHERE action = 'login.failed.aggregate' AND ip = '203.0.113.9'`); err != nil {
		t.Fatalf("no aggregated audit row: %v", err)
	}
	if !strings.Contains(summary, "unknown_username=3") {
		t.Fatalf("aggregate: %q", summary)
	}
	assertNowhere()
}

// Sweep removes sessions past their idle or absolute limit and keeps live ones.
func TestSweepPurgesExpiredSessions(t *testing.T) {
	t.Parallel()
	db := newLoginDB(t, "wang", "li")
	s := db.Sessions()
	for _, u := range []string{"wang", "li"} {
		if _, err := s.Login(t.Context(), u, rightPassword, seedling.Actor{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`UPDATE sessions SET seen_at = now() - interval '31 minutes' WHERE user_id = (SELECT id FROM users WHERE username = 'wang')`); err != nil {
		t.Fatal(err)
	}
	if err := s.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	var left []string
	db.Select(&left, `SELECT u.username FROM sessions s JOIN users u ON u.id = s.user_id`)
	if len(left) != 1 || left[0] != "li" {
		t.Fatalf("sessions after sweep: %v", left)
	}
}

// Password checks run at most HashLimit at once; a login that cannot get
// a turn within the wait is refused with 429 instead of piling up.
func TestPasswordChecksAreBounded(t *testing.T) {
	t.Parallel()
	db := newLoginDB(t, "wang")
	s := db.Sessions()
	s.LimitHashing(1, time.Millisecond)
	var uid int64
	db.Get(&uid, `SELECT id FROM users WHERE username = 'wang'`)
	// Hold the account's login lock, so the first login waits inside its turn.
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), `SELECT pg_advisory_lock(hashtextextended('seedling.login.user:' || $1, 0))`, uid); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Login(t.Context(), "wang", rightPassword, seedling.Actor{})
		done <- err
	}()
	for waiting := 0; waiting == 0; {
		db.Get(&waiting, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)
	}
	if _, err := s.Login(t.Context(), "wang", rightPassword, seedling.Actor{}); seedling.ErrorCode(err) != seedling.ETooMany {
		t.Fatalf("second login while the only turn is taken: %v, want too_many", err)
	}
	if _, err := conn.ExecContext(t.Context(), `SELECT pg_advisory_unlock_all()`); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("first login: %v", err)
	}
}

// BenchmarkParallelAnonymousLogins sends logins of unknown names from 40
// goroutines at once: the argon2 checks run one per core, the rest wait
// their turn or are refused (too_many), and memory stays at a few hashes'
// worth. Run under /usr/bin/time -v to see the peak RSS.
func BenchmarkParallelAnonymousLogins(b *testing.B) {
	db := testdb.New(b)
	s := db.Sessions()
	s.MaxAddressFailures = 1 << 30
	b.SetParallelism(20)
	var refused atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			_, err := s.Login(b.Context(), "nobody", "a guessed password", seedling.Actor{IP: "192.0.2.1"})
			if seedling.ErrorCode(err) == seedling.ETooMany {
				refused.Add(1)
			}
		}
	})
	b.ReportMetric(float64(refused.Load())/float64(b.N), "refused/op")
}
