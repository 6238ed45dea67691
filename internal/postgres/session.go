package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"time"

	"github.com/jmoiron/sqlx"

	"seedling/internal/seedling"
)

// SessionStore keeps server-side sessions and the login throttle.
type SessionStore struct {
	db       *DB
	Idle     time.Duration // a session unused this long is dead
	Absolute time.Duration // no session lives longer than this
	// MaxFailures failed logins for one account within Window answer 429
	// until the oldest of them leaves the window: a cool-off, never a lock.
	MaxFailures int
	// MaxAddressFailures failed logins from one address within Window,
	// whatever the usernames, cool that address off the same way: a
	// password spray over many accounts stops there.
	MaxAddressFailures int
	Window             time.Duration
	// hashing bounds the argon2 hashes running at once: each takes tens of
	// megabytes and a core, so unbounded parallel logins exhaust memory.
	hashing *hashGate
}

// Sessions returns the session store with the default timeouts; its
// password checks are bounded to one per core, and a login that waits more
// than two seconds for its turn answers 429.
func (db *DB) Sessions() *SessionStore {
	return &SessionStore{db: db, Idle: 30 * time.Minute, Absolute: 12 * time.Hour, MaxFailures: 5, MaxAddressFailures: 30,
		Window: 15 * time.Minute, hashing: newHashGate(runtime.NumCPU(), 2*time.Second)}
}

// LimitHashing lets n password checks run at once; a login waits at most
// wait for a turn.
func (s *SessionStore) LimitHashing(n int, wait time.Duration) { s.hashing = newHashGate(n, wait) }

// hashGate is a semaphore with a bounded wait.
type hashGate struct {
	slots chan struct{}
	wait  time.Duration
}

func newHashGate(n int, wait time.Duration) *hashGate {
	return &hashGate{slots: make(chan struct{}, max(n, 1)), wait: wait}
}

func (g *hashGate) enter(ctx context.Context) error {
	select {
	case g.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-t.C:
		return seedling.Errorf(seedling.ETooMany, "the service is busy checking passwords; try again shortly").Keyed("problem.login_busy")
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *hashGate) leave() { <-g.slots }

// Session is a live login.
type Session struct {
	Token     string // only ever in the client's hands and this value
	CSRF      string
	Principal *seedling.Principal
}

// randomToken returns 128 bits of randomness as hex.
func randomToken() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the OS has no entropy: nothing is safe
	}
	return hex.EncodeToString(b[:])
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Login checks a password and opens a new session with a new id, so a
// session id planted before login is worthless after it. Unknown usernames
// and wrong passwords fail alike and take the same time.
//
// The failure is counted before the password is checked, in one step with
// the count under a lock per account and per address: twenty racing
// guesses see each other, and the sixth is refused. A right password then
// takes its own failure back.
func (s *SessionStore) Login(ctx context.Context, username, password string, a seedling.Actor) (*Session, error) {
	if len(username) > seedling.MaxUsernameLen || len(password) > seedling.MaxPasswordLen {
		return nil, seedling.Errorf(seedling.EUnauthorized, "wrong username or password").Keyed("login.wrong_credentials")
	}
	if err := s.hashing.enter(ctx); err != nil {
		return nil, err
	}
	defer s.hashing.leave()
	var r userRow
	err := s.db.GetContext(ctx, &r, `SELECT `+userColumns+` FROM users WHERE lower(username) = lower($1)`, username)
	known := err == nil
	if err != nil && seedling.ErrorCode(translate(err)) != seedling.ENotFound {
		return nil, translate(err)
	}
	var uid *int64
	if known {
		uid = &r.ID
	}
	failure, err := s.countFailure(ctx, uid, a.IP)
	if err != nil {
		return nil, err
	}
	if failure == 0 {
		return nil, seedling.Errorf(seedling.ETooMany, "too many failed logins; try again in a few minutes").Keyed("problem.login_throttled")
	}
	if !seedling.CheckPassword(password, r.PasswordHash) || r.Disabled {
		if !known {
			// Folded into one audit row per address by Sweep: the typed
			// name is never stored.
			return nil, seedling.Errorf(seedling.EUnauthorized, "wrong username or password").Keyed("login.wrong_credentials")
		}
		a.Username = r.Username
		if err := s.db.Audit().Record(ctx, a, "login.failed", "user:"+r.Username, ""); err != nil {
			return nil, err
		}
		return nil, seedling.Errorf(seedling.EUnauthorized, "wrong username or password").Keyed("login.wrong_credentials")
	}
	sess := &Session{Token: randomToken(), CSRF: randomToken()}
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE id = $1`, failure); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, ip) VALUES ($1, $2, $3, $4)`,
			tokenHash(sess.Token), r.ID, sess.CSRF, a.IP); err != nil {
			return err
		}
		a.UserID, a.Username = &r.ID, r.Username
		return audit(ctx, tx, a, "login", "user:"+r.Username, "")
	})
	if err != nil {
		return nil, err
	}
	sess.Principal, err = s.db.Users().Principal(ctx, r.ID)
	return sess, err
}

// countFailure books one failed attempt for the account (nil: no such
// account) and the address, unless either is cooling off, and returns the
// new row's id; 0 means the attempt is throttled (and booked as such, for
// the aggregated audit row). The advisory locks make the count and the new
// row one step; the account's is always taken before the address's, so two
// attempts never wait on each other in a circle.
func (s *SessionStore) countFailure(ctx context.Context, userID *int64, ip string) (int64, error) {
	var id int64
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		id = 0
		if userID != nil {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('seedling.login.user:' || $1, 0))`, *userID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('seedling.login.ip:' || $1, 0))`, ip); err != nil {
			return err
		}
		var n struct {
			User int `db:"by_user"`
			IP   int `db:"by_ip"`
		}
		if err := tx.GetContext(ctx, &n, `
			SELECT count(*) FILTER (WHERE user_id = $1) AS by_user, count(*) FILTER (WHERE ip = $2) AS by_ip
			FROM login_failures
			WHERE NOT throttled AND (user_id = $1 OR ip = $2) AND at > now() - make_interval(secs => $3)`,
			userID, ip, s.Window.Seconds()); err != nil {
			return err
		}
		throttled := n.User >= s.MaxFailures || n.IP >= s.MaxAddressFailures
		var newID int64
		if err := tx.GetContext(ctx, &newID, `INSERT INTO login_failures (user_id, ip, throttled) VALUES ($1, $2, $3) RETURNING id`,
			userID, ip, throttled); err != nil {
			return err
		}
		if !throttled {
			id = newID
		}
		return nil
	})
	return id, err
}

// sessionLookupSQL finds a live session with its account and grants, and
// the times the session cache needs to expire it where this would refuse
// it.
const sessionLookupSQL = `
	SELECT ` + principalColumns + `, s.csrf, s.seen_at < now() - interval '1 minute' AS refresh,
	       s.seen_at, s.created_at, now() AS db_now
	FROM sessions s JOIN users u ON u.id = s.user_id
	WHERE s.token_hash = $1 AND NOT u.disabled
	  AND s.seen_at > now() - make_interval(secs => $2)
	  AND s.created_at > now() - make_interval(secs => $3)`

// Lookup finds the live session of a token: from memory while this
// instance's listener hears every change (session_cache.go), else with one
// prepared statement. It refreshes the idle clock at most once a minute, so
// reading pages does not turn into a write each time; the refresh goes
// through the statement, so a cached session is read afresh at least once a
// minute while it is used.
func (s *SessionStore) Lookup(ctx context.Context, token string) (*Session, error) {
	if len(token) != 32 {
		return nil, errNoSession()
	}
	key := sha256.Sum256([]byte(token))
	cache := s.db.sessionCache
	if e, ok := cache.fresh(key, time.Now(), s.Idle, s.Absolute); ok {
		return e.session(token), nil
	}
	gen, sent := cache.generation(), time.Now()
	// One round trip for the session, the account and every grant with its
	// node, prepared: this runs on every request the cache cannot answer.
	var row struct {
		principalRow
		CSRF      string    `db:"csrf"`
		Refresh   bool      `db:"refresh"`
		SeenAt    time.Time `db:"seen_at"`
		CreatedAt time.Time `db:"created_at"`
		DBNow     time.Time `db:"db_now"`
	}
	st, err := s.db.prepared(ctx, nil, sessionLookupSQL)
	if err != nil {
		return nil, translate(err)
	}
	if err := st.GetContext(ctx, &row, key[:], s.Idle.Seconds(), s.Absolute.Seconds()); err != nil {
		if seedling.ErrorCode(translate(err)) == seedling.ENotFound {
			cache.remove(key)
			return nil, errNoSession()
		}
		return nil, translate(err)
	}
	e := &cachedSession{key: key, csrf: row.CSRF,
		seen: sent.Add(row.SeenAt.Sub(row.DBNow)), created: sent.Add(row.CreatedAt.Sub(row.DBNow))}
	if row.Refresh {
		// greatest: a refresh racing another instance's never moves the
		// clock back, which the triggers would announce as a change.
		sent = time.Now()
		res, err := s.db.ExecContext(ctx, `UPDATE sessions SET seen_at = greatest(seen_at, now()) WHERE token_hash = $1`, key[:])
		if err != nil {
			return nil, translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 { // ended between the two statements
			return nil, errNoSession()
		}
		e.seen = sent
	}
	p, err := row.principal()
	if err != nil {
		return nil, err
	}
	e.principal = *p
	cache.put(gen, e)
	return e.session(token), nil
}

func errNoSession() error {
	return seedling.Errorf(seedling.EUnauthorized, "no valid session").Keyed("error.unauthorized")
}

// Logout ends every session of the user behind token: logging out on one
// device must not leave a forgotten one open on another.
func (s *SessionStore) Logout(ctx context.Context, token string, a seedling.Actor) error {
	var uid int64
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &uid, `SELECT user_id FROM sessions WHERE token_hash = $1`, tokenHash(token)); err != nil {
			return errNoSession()
		}
		if err := endSessions(ctx, tx, uid); err != nil {
			return err
		}
		return audit(ctx, tx, a, "logout", "user:"+a.Username, "")
	})
	return s.db.sessionsChanged(err, uid)
}

// endSessions deletes a user's sessions; migration 00024's trigger tells
// every instance's cache at commit, and the caller that committed calls
// sessionsChanged so that its own cache need not wait for that.
func endSessions(ctx context.Context, tx *sqlx.Tx, userID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return err
}

// Sweep removes dead sessions and the login failures that have left the
// window; the serve loop calls it every few minutes so the tables stay
// small. Failures of unknown usernames and throttled attempts have no audit
// row of their own (an attacker could otherwise grow the trail at will):
// before they go, each address gets one row saying how many there were.
func (s *SessionStore) Sweep(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `
		DELETE FROM sessions WHERE seen_at < now() - make_interval(secs => $1) OR created_at < now() - make_interval(secs => $2)`,
		s.Idle.Seconds(), s.Absolute.Seconds())
	if err != nil {
		return translate(err)
	}
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var gone []struct {
			IP        string    `db:"ip"`
			Unknown   int       `db:"unknown"`
			Throttled int       `db:"throttled"`
			First     time.Time `db:"first"`
			Last      time.Time `db:"last"`
		}
		if err := tx.SelectContext(ctx, &gone, `
			WITH gone AS (
				DELETE FROM login_failures WHERE at < now() - make_interval(secs => $1)
				RETURNING ip, at, user_id, throttled)
			SELECT ip, count(*) FILTER (WHERE user_id IS NULL AND NOT throttled) AS unknown,
			       count(*) FILTER (WHERE throttled) AS throttled, min(at) AS first, max(at) AS last
			FROM gone WHERE throttled OR user_id IS NULL
			GROUP BY ip ORDER BY ip`, s.Window.Seconds()); err != nil {
			return err
		}
		for _, g := range gone {
			summary := fmt.Sprintf("unknown_username=%d throttled=%d from=%s to=%s", g.Unknown, g.Throttled,
				g.First.UTC().Format(time.RFC3339), g.Last.UTC().Format(time.RFC3339))
			if err := audit(ctx, tx, seedling.Actor{IP: g.IP}, "login.failed.aggregate", "", summary); err != nil {
				return err
			}
		}
		return nil
	})
}
