package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

// cachedLoginDB is a database with the given accounts whose pool has one
// connection, so testdb.RanNothing can watch it, and whose change listener
// runs, so sessions are cached.
func cachedLoginDB(t *testing.T, usernames ...string) *postgres.DB {
	t.Helper()
	db := newLoginDB(t, usernames...)
	db.SetMaxOpenConns(1)
	if err := db.ListenForChanges(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	return db
}

func loginAs(t *testing.T, s *postgres.SessionStore, username string) string {
	t.Helper()
	sess, err := s.Login(t.Context(), username, rightPassword, seedling.Actor{IP: "192.0.2.8"})
	if err != nil {
		t.Fatal(err)
	}
	return sess.Token
}

// isLive looks a token up: true when its session is served, false when
// it is refused, fatal on any other answer.
func isLive(t *testing.T, s *postgres.SessionStore, token string) bool {
	t.Helper()
	_, err := s.Lookup(t.Context(), token)
	if err != nil && seedling.ErrorCode(err) != seedling.EUnauthorized {
		t.Fatal(err)
	}
	return err == nil
}

// within polls until ok holds, failing once a second has passed: what one
// connection changes must reach the cache within that time.
func within(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a second", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A session read once is served from memory: the pool's one backend runs
// no statement for the next lookups, and they return what the statement
// returned. Without the listener every lookup goes to the database.
func TestCachedSessionLookupRunsNoStatement(t *testing.T) {
	db := newLoginDB(t, "wang")
	db.SetMaxOpenConns(1)
	s := db.Sessions()
	token := loginAs(t, s, "wang")
	lookup := func() *postgres.Session {
		t.Helper()
		sess, err := s.Lookup(t.Context(), token)
		if err != nil {
			t.Fatal(err)
		}
		return sess
	}
	first := lookup()
	if testdb.RanNothing(t, db, func() { lookup() }) {
		t.Fatal("without a listener a lookup ran no statement: the check cannot see statements")
	}
	if err := db.ListenForChanges(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	lookup()
	var cached *postgres.Session
	if !testdb.RanNothing(t, db, func() {
		for range 5 {
			cached = lookup()
		}
	}) {
		t.Fatal("a cached session's lookup ran a statement")
	}
	if cached.CSRF != first.CSRF || cached.Principal.User != first.Principal.User || len(cached.Principal.Grants) != len(first.Principal.Grants) {
		t.Fatalf("cached session %+v differs from the database's %+v", cached, first)
	}
	// A request changing what it was handed does not change the next one's.
	cached.Principal.User.Username = "someone else"
	if lookup().Principal.User.Username != "wang" {
		t.Fatal("a request's change to its session reached the cache")
	}
	if _, err := s.Lookup(t.Context(), "0123456789abcdef0123456789abcdef"); seedling.ErrorCode(err) != seedling.EUnauthorized {
		t.Fatalf("unknown token: %v", err)
	}
}

// The cache holds only sessions the database found, and at most its
// limit: random tokens grow nothing, and past the limit the session used
// least recently goes (a hit counts as a use).
func TestSessionCacheIsBounded(t *testing.T) {
	db := cachedLoginDB(t, "wang", "li", "zhao", "qian")
	db.LimitSessionCache(3)
	s := db.Sessions()
	tokens := map[string]string{}
	for _, u := range []string{"wang", "li", "zhao", "qian"} {
		tokens[u] = loginAs(t, s, u)
	}
	for i := range 200 {
		if _, err := s.Lookup(t.Context(), fmt.Sprintf("%032x", i)); seedling.ErrorCode(err) != seedling.EUnauthorized {
			t.Fatalf("random token: %v", err)
		}
	}
	if n := db.CachedSessions(); n != 0 {
		t.Fatalf("random tokens left %d sessions in the cache", n)
	}
	for _, u := range []string{"wang", "li", "zhao", "wang", "qian"} {
		if !isLive(t, s, tokens[u]) {
			t.Fatalf("%s refused", u)
		}
	}
	if n := db.CachedSessions(); n != 3 {
		t.Fatalf("the cache holds %d sessions, want its limit of 3", n)
	}
	// li last: its lookup caches it again and pushes another out.
	for _, u := range []string{"wang", "zhao", "qian", "li"} {
		if cached := testdb.RanNothing(t, db, func() { isLive(t, s, tokens[u]) }); cached != (u != "li") {
			t.Errorf("%s served from memory: %v", u, cached)
		}
	}
}

// The cache keeps the idle and absolute limits of the statement. Shrinking
// a limit by d is, for the cache and the statement alike, the clock moving
// d on, so the edge is tested without waiting: a session inside its limits
// is served from memory; past one it is refused, by the database; one that
// only looks idle here because another instance refreshed seen_at (a
// forward move nobody announces) is read again and kept. Moving the stored
// clocks back, as the web tests do, is announced by the triggers.
func TestCachedSessionExpiresWhereTheStatementWould(t *testing.T) {
	db := newLoginDB(t, "wang", "li", "zhao")
	db.SetMaxOpenConns(1)
	s := db.Sessions()
	live := func(token string) bool { return isLive(t, s, token) }
	idle, old, moved := loginAs(t, s, "wang"), loginAs(t, s, "li"), loginAs(t, s, "zhao")
	mustExecSQL(t, db, `UPDATE sessions SET seen_at = now() - interval '40 seconds' WHERE user_id = (SELECT id FROM users WHERE username = 'wang')`)
	mustExecSQL(t, db, `UPDATE sessions SET created_at = now() - interval '11 hours 59 minutes 20 seconds' WHERE user_id = (SELECT id FROM users WHERE username = 'li')`)
	// Listening only now: the notifications of the moves above would
	// otherwise arrive at some point and empty the cache.
	if err := db.ListenForChanges(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if !live(idle) || !live(old) {
		t.Fatal("sessions inside their limits were refused")
	}

	s.Idle = 45 * time.Second
	if !testdb.RanNothing(t, db, func() {
		if !live(idle) || !live(old) {
			t.Fatal("a session inside its limits was refused")
		}
	}) {
		t.Fatal("a session inside its limits was not served from memory")
	}

	// Another instance refreshed seen_at; this one still holds the old one.
	mustExecSQL(t, db, `UPDATE sessions SET seen_at = now() WHERE user_id = (SELECT id FROM users WHERE username = 'wang')`)
	s.Idle = 35 * time.Second
	if testdb.RanNothing(t, db, func() {
		if !live(idle) {
			t.Fatal("a session kept alive elsewhere was refused")
		}
	}) {
		t.Fatal("a session idle by the cache's clock was kept without asking the database")
	}
	mustExecSQL(t, db, `UPDATE sessions SET seen_at = now() - interval '40 seconds' WHERE user_id = (SELECT id FROM users WHERE username = 'wang')`)
	within(t, "idle past the limit", func() bool { return !live(idle) })

	s.Absolute = 11*time.Hour + 59*time.Minute
	if live(old) {
		t.Fatal("a session past the absolute limit was served")
	}
	s.Idle, s.Absolute = 30*time.Minute, 12*time.Hour
	if !live(moved) {
		t.Fatal("a fresh session was refused")
	}
	mustExecSQL(t, db, `UPDATE sessions SET created_at = now() - interval '12 hours 1 minute' WHERE user_id = (SELECT id FROM users WHERE username = 'zhao')`)
	within(t, "created_at moved back past the absolute limit", func() bool { return !live(moved) })
}

// Ending a session or changing what it grants, by the application or by
// hand in psql, reaches the cache: logout, a password change, disabling,
// a grant added and revoked, a node renamed.
func TestCachedSessionsFollowEveryChange(t *testing.T) {
	db := cachedLoginDB(t, "wang", "li", "zhao", "qian", "sun")
	s, users := db.Sessions(), db.Users()
	ctx := t.Context()
	adm := seedling.Administrator{Actor: seedling.Actor{Username: "test"}, Everywhere: true}
	org, err := db.Orgs().Create(ctx, seedling.Actor{Username: "test"}, nil, seedling.KindCity, "市")
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, u := range []string{"wang", "li", "zhao", "qian", "sun"} {
		tokens[u] = loginAs(t, s, u)
		if _, err := s.Lookup(ctx, tokens[u]); err != nil {
			t.Fatal(err)
		}
	}
	principal := func(u string) *seedling.Principal {
		t.Helper()
		sess, err := s.Lookup(ctx, tokens[u])
		if seedling.ErrorCode(err) == seedling.EUnauthorized {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		return sess.Principal
	}
	gone := func(u string) func() bool { return func() bool { return principal(u) == nil } }
	if !testdb.RanNothing(t, db, func() {
		for u := range tokens {
			principal(u)
		}
	}) {
		t.Fatal("the sessions are not cached: this test proves nothing")
	}

	if err := s.Logout(ctx, tokens["wang"], seedling.Actor{Username: "wang"}); err != nil {
		t.Fatal(err)
	}
	if !gone("wang")() {
		t.Fatal("logout: the session is still served on this instance")
	}
	if err := users.SetPassword(ctx, adm, "li", "a brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	if !gone("li")() {
		t.Fatal("password reset: the session is still served")
	}
	if err := users.Grant(ctx, adm, "zhao", seedling.RoleCommittee, org.ID); err != nil {
		t.Fatal(err)
	}
	if p := principal("zhao"); p == nil || len(p.Grants) != 1 {
		t.Fatalf("after a grant: %+v", p)
	}
	mustExecSQL(t, db, `UPDATE orgs SET name = '新市' WHERE id = $1`, org.ID)
	within(t, "node renamed in psql", func() bool { p := principal("zhao"); return p != nil && p.Grants[0].OrgName == "新市" })
	if err := users.Revoke(ctx, adm, "zhao", seedling.RoleCommittee, org.ID); err != nil {
		t.Fatal(err)
	}
	if p := principal("zhao"); p == nil || len(p.Grants) != 0 {
		t.Fatalf("after the revocation: %+v", p)
	}
	if err := users.SetDisabled(ctx, adm, "qian", true); err != nil {
		t.Fatal(err)
	}
	if !gone("qian")() {
		t.Fatal("disabled: the session is still served")
	}
	mustExecSQL(t, db, `UPDATE users SET disabled = true WHERE username = 'sun'`)
	within(t, "disabled in psql", gone("sun"))
}

// While the listener is away, notifications are lost; the cache then stays
// off and is emptied, so what changed meanwhile is seen. A change the
// triggers do not announce (session_replication_role = replica skips
// them) stands for a lost notification: the cache cannot know of it until
// the listener's connection is killed. After the reconnect the cache fills
// again.
func TestListenerDownMeansNoCaching(t *testing.T) {
	db := cachedLoginDB(t, "wang", "li")
	s := db.Sessions()
	wang, li := loginAs(t, s, "wang"), loginAs(t, s, "li")
	live := func(token string) bool { return isLive(t, s, token) }
	if !live(wang) {
		t.Fatal("fresh session refused")
	}
	tx := db.MustBegin()
	tx.MustExec(`SET LOCAL session_replication_role = replica`)
	tx.MustExec(`UPDATE users SET disabled = true WHERE username = 'wang'`)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if !live(wang) {
		t.Fatal("an unannounced change reached the cache: this test proves nothing")
	}
	var killed int
	if err := db.Get(&killed, `
		SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %'`); err != nil || killed != 1 {
		t.Fatalf("killed %d listener backends (%v), want 1", killed, err)
	}
	within(t, "a change while the listener was away", func() bool { return !live(wang) })

	deadline := time.Now().Add(5 * time.Second)
	for !live(li) || !testdb.RanNothing(t, db, func() { live(li) }) {
		if time.Now().After(deadline) {
			t.Fatal("the cache did not fill again after the listener reconnected")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
