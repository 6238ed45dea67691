package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/jmoiron/sqlx"

	"seedling/internal/seedling"
)

// SessionStore keeps server-side sessions and the login throttle.
type SessionStore struct {
	db       *DB
	Idle     time.Duration // a session unused this long is dead
	Absolute time.Duration // no session lives longer than this
	// MaxFailures failed logins for one username within Window answer 429
	// until the oldest of them leaves the window: a cool-off, never a lock.
	MaxFailures int
	Window      time.Duration
}

// Sessions returns the session store with the default timeouts.
func (db *DB) Sessions() *SessionStore {
	return &SessionStore{db: db, Idle: 30 * time.Minute, Absolute: 12 * time.Hour, MaxFailures: 5, Window: 15 * time.Minute}
}

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
func (s *SessionStore) Login(ctx context.Context, username, password string, a seedling.Actor) (*Session, error) {
	if len(username) > seedling.MaxUsernameLen || len(password) > seedling.MaxPasswordLen {
		return nil, seedling.Errorf(seedling.EUnauthorized, "wrong username or password")
	}
	var recent int
	if err := s.db.GetContext(ctx, &recent, `
		SELECT count(*) FROM login_failures WHERE username = $1 AND at > now() - make_interval(secs => $2)`,
		username, s.Window.Seconds()); err != nil {
		return nil, translate(err)
	}
	if recent >= s.MaxFailures {
		a.Username = username
		if err := s.db.Audit().Record(ctx, a, "login.throttled", "user:"+username, ""); err != nil {
			return nil, err
		}
		return nil, seedling.Errorf(seedling.ETooMany, "too many failed logins for this account; try again in a few minutes")
	}
	var r userRow
	err := s.db.GetContext(ctx, &r, `SELECT `+userColumns+` FROM users WHERE username = $1`, username)
	if err != nil && seedling.ErrorCode(translate(err)) != seedling.ENotFound {
		return nil, translate(err)
	}
	if !seedling.CheckPassword(password, r.PasswordHash) || r.Disabled {
		a.Username = username
		err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (username, ip) VALUES ($1, $2)`, username, a.IP); err != nil {
				return err
			}
			return audit(ctx, tx, a, "login.failed", "user:"+username, "")
		})
		if err != nil {
			return nil, err
		}
		return nil, seedling.Errorf(seedling.EUnauthorized, "wrong username or password")
	}
	sess := &Session{Token: randomToken(), CSRF: randomToken()}
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
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

// Lookup finds the live session of a token. It refreshes the idle clock at
// most once a minute, so reading pages does not turn into a write each time.
func (s *SessionStore) Lookup(ctx context.Context, token string) (*Session, error) {
	if len(token) != 32 {
		return nil, seedling.Errorf(seedling.EUnauthorized, "no valid session")
	}
	// One round trip for the session, the account and every grant with its
	// node: this runs on every request.
	var row struct {
		principalRow
		CSRF    string `db:"csrf"`
		Refresh bool   `db:"refresh"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT `+principalColumns+`, s.csrf, s.seen_at < now() - interval '1 minute' AS refresh
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND NOT u.disabled
		  AND s.seen_at > now() - make_interval(secs => $2)
		  AND s.created_at > now() - make_interval(secs => $3)`,
		tokenHash(token), s.Idle.Seconds(), s.Absolute.Seconds())
	if err != nil {
		if seedling.ErrorCode(translate(err)) == seedling.ENotFound {
			return nil, seedling.Errorf(seedling.EUnauthorized, "no valid session")
		}
		return nil, translate(err)
	}
	if row.Refresh {
		if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET seen_at = now() WHERE token_hash = $1`, tokenHash(token)); err != nil {
			return nil, translate(err)
		}
	}
	p, err := row.principal()
	if err != nil {
		return nil, err
	}
	return &Session{Token: token, CSRF: row.CSRF, Principal: p}, nil
}

// Logout ends every session of the user behind token: logging out on one
// device must not leave a forgotten one open on another.
func (s *SessionStore) Logout(ctx context.Context, token string, a seedling.Actor) error {
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var uid int64
		if err := tx.GetContext(ctx, &uid, `SELECT user_id FROM sessions WHERE token_hash = $1`, tokenHash(token)); err != nil {
			return seedling.Errorf(seedling.EUnauthorized, "no valid session")
		}
		if err := endSessions(ctx, tx, uid); err != nil {
			return err
		}
		return audit(ctx, tx, a, "logout", "user:"+a.Username, "")
	})
}

func endSessions(ctx context.Context, tx *sqlx.Tx, userID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return err
}

// Sweep removes dead sessions and old login failures; the serve loop calls it
// now and then so the tables stay small.
func (s *SessionStore) Sweep(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `
		DELETE FROM sessions WHERE seen_at < now() - make_interval(secs => $1) OR created_at < now() - make_interval(secs => $2);
		`, s.Idle.Seconds(), s.Absolute.Seconds())
	if err != nil {
		return translate(err)
	}
	_, err = s.db.ExecContext(ctx, `DELETE FROM login_failures WHERE at < now() - make_interval(secs => $1)`, s.Window.Seconds())
	return translate(err)
}
