// Package postgres is the one store of Seedling's state. Each file owns the
// SQL of one entity, written inline next to its scan. Public methods that
// change state own their transaction; lower-case helpers take the *sqlx.Tx.
package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"seedling/internal/pipeline"
	"seedling/internal/seedling"
	"seedling/migrations"
)

// DB wraps the connection pool. All stores hang off it so that a test can
// build the whole service on one throwaway database.
type DB struct {
	*sqlx.DB
	Now func() time.Time // the clock used for business dates; tests move it
	// Rules are the rule sets the stores' checks read (the late-record
	// bound of ledger entries); nil: the rules shipped with this build.
	Rules *pipeline.Registry
	dsn   string

	rubricCache  *rubricCache
	sessionCache *sessionCache
	stmts        *statements
}

// ruleSet is the rule set in force on a day, from Rules.
func (db *DB) ruleSet(on time.Time) (*pipeline.RuleSet, error) {
	reg := db.Rules
	if reg == nil {
		reg = pipeline.DefaultRegistry()
	}
	if rs := reg.InForce(on); rs != nil {
		return rs, nil
	}
	return nil, seedling.Errorf(seedling.ERule, "no rule set is in force on %s", on.Format(seedling.DateLayout)).
		Keyed("problem.no_rule_set", "Date", on.Format(seedling.DateLayout))
}

// AppRole is the group role holding the serving privileges; see migrations
// 00004 and 00006. Nobody logs in as it: the serving pool logs in as
// LoginRole, its only member.
const AppRole = "seedling_app"

// maxConns bounds the serving pool, within PostgreSQL's default
// max_connections of 100 for two instances and the tools.
const maxConns = 40

// Open connects and checks the server answers. The error is one line fit for
// a person: a wrong DATABASE_URL must not end in a stack trace.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("database address is not valid: %v", err)
	}
	// As many idle connections as open ones: a burst of requests returns
	// its connections together, and every one closed past the idle limit is
	// a backend the next burst forks again, its catalog caches and
	// prepared statements rebuilt (perf showed a quarter of the database's
	// CPU in backend start-up under 32 writers with an idle limit of 20).
	// ConnMaxIdleTime still closes what a quiet server does not use.
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot reach the database: %s", oneLine(err))
	}
	return &DB{DB: db, Now: time.Now, dsn: dsn, rubricCache: &rubricCache{}, sessionCache: newSessionCache(sessionCacheSize), stmts: newStatements(db)}, nil
}

// LoginRoleName is the role the serving pool of database dbname logs in as.
// Roles belong to the whole server, so it is named after the database: two
// Seedling databases on one server never share (and reset) one password.
func LoginRoleName(dbname string) string {
	if name := dbname + "_login"; len(name) <= 63 {
		return name
	}
	sum := sha256.Sum256([]byte(dbname))
	return "seedling_login_" + hex.EncodeToString(sum[:8])
}

// AsApp opens the pool the service serves with. The receiver is the owner's
// pool: it creates or repairs this database's login role (LOGIN, member of
// AppRole and of nothing else, no attribute that reaches further) and opens a
// pool that logs in as it. The password lives in the owner-only table
// serving_login, so every instance serving the database uses the same one; it
// is set anew only when it no longer works.
func (db *DB) AsApp(ctx context.Context) (*DB, error) {
	dsn, err := db.ensureLoginRole(ctx)
	if err != nil {
		return nil, err
	}
	app, err := OpenServing(ctx, dsn)
	if err != nil {
		return nil, err
	}
	app.Now = db.Now
	return app, nil
}

// OpenServing opens a serving pool from an address, e.g. the one a DBA gives
// in SEEDLING_APP_DATABASE_URL where the owner may not create roles, and
// refuses a role that could rewrite history or become someone else.
func OpenServing(ctx context.Context, dsn string) (*DB, error) {
	app, err := Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := app.checkServingRole(ctx); err != nil {
		app.Close()
		return nil, err
	}
	return app, nil
}

func (db *DB) ensureLoginRole(ctx context.Context) (string, error) {
	u, err := url.Parse(db.dsn)
	if err != nil || u.Scheme == "" {
		return "", errors.New("the database address must be a postgres:// URL so that the serving role can log in to the same database")
	}
	var dsn string
	err = db.tryTx(ctx, func(tx *sqlx.Tx) error {
		// Two instances starting at once take turns here; advisory locks
		// are per database, as the login role is.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('seedling serving login'))`); err != nil {
			return err
		}
		var dbname string
		if err := tx.GetContext(ctx, &dbname, `SELECT current_database()`); err != nil {
			return err
		}
		role := LoginRoleName(dbname)
		var stored struct {
			Rolname  string `db:"rolname"`
			Password string `db:"password"`
			Exists   bool   `db:"exists"`
		}
		err := tx.GetContext(ctx, &stored, `
			SELECT coalesce(s.rolname, '') AS rolname, coalesce(s.password, '') AS password,
			       EXISTS (SELECT FROM pg_roles WHERE rolname = $1) AS exists
			FROM (SELECT 1) one LEFT JOIN serving_login s ON true`, role)
		if err != nil {
			return fmt.Errorf("reading the serving login (is migration 00006 applied?): %s", oneLine(err))
		}
		if stored.Exists && stored.Rolname == role && stored.Password != "" {
			dsn = loginDSN(*u, role, stored.Password)
			if ping(ctx, dsn) == nil {
				return nil
			}
		}
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		pw := hex.EncodeToString(b)
		verb := "CREATE"
		if stored.Exists {
			verb = "ALTER"
		}
		if _, err := tx.ExecContext(ctx, verb+` ROLE `+pq.QuoteIdentifier(role)+
			` WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD `+pq.QuoteLiteral(pw)); err != nil {
			return fmt.Errorf("cannot manage the serving login role %s (%s): let a DBA create it and set SEEDLING_APP_DATABASE_URL, see README", role, oneLine(err))
		}
		if _, err := tx.ExecContext(ctx, `GRANT `+pq.QuoteIdentifier(AppRole)+` TO `+pq.QuoteIdentifier(role)); err != nil {
			return fmt.Errorf("cannot grant %s to %s: %s", AppRole, role, oneLine(err))
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO serving_login (rolname, password) VALUES ($1, $2)
			ON CONFLICT (one) DO UPDATE SET rolname = EXCLUDED.rolname, password = EXCLUDED.password, set_at = now()`, role, pw); err != nil {
			return err
		}
		dsn = loginDSN(*u, role, pw)
		return nil
	})
	return dsn, err
}

// loginDSN is the owner's address with the login role's name and password,
// without any option that would set a role.
func loginDSN(u url.URL, role, password string) string {
	u.User = url.UserPassword(role, password)
	q := u.Query()
	q.Del("options")
	q.Del("user")
	q.Del("password")
	u.RawQuery = q.Encode()
	return u.String()
}

func ping(ctx context.Context, dsn string) error {
	c, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return c.PingContext(ctx)
}

// checkServingRole refuses to serve as a role that can reach more than
// AppRole: a superuser, a member of the owner, of a predefined role such as
// pg_execute_server_program, or of anything owning the tables (an owner may
// drop the triggers that freeze history).
func (db *DB) checkServingRole(ctx context.Context) error {
	var r struct {
		Name      string         `db:"name"`
		Switched  bool           `db:"switched"`
		Powerful  bool           `db:"powerful"`
		Reachable pq.StringArray `db:"reachable"`
		Owns      bool           `db:"owns"`
	}
	err := db.GetContext(ctx, &r, `
		SELECT s.rolname AS name, current_user <> session_user AS switched,
		       bool_or(m.rolsuper OR m.rolcreaterole OR m.rolcreatedb OR m.rolreplication OR m.rolbypassrls) AS powerful,
		       coalesce(array_agg(m.rolname::text ORDER BY m.rolname) FILTER (WHERE m.oid <> s.oid), '{}') AS reachable,
		       EXISTS (SELECT FROM pg_class c WHERE pg_has_role(s.oid, c.relowner, 'MEMBER') AND c.relnamespace = 'public'::regnamespace)
		           OR EXISTS (SELECT FROM pg_database d WHERE d.datname = current_database() AND pg_has_role(s.oid, d.datdba, 'MEMBER')) AS owns
		FROM pg_roles s JOIN pg_roles m ON pg_has_role(s.oid, m.oid, 'MEMBER')
		WHERE s.rolname = session_user
		GROUP BY s.oid, s.rolname`)
	if err != nil {
		return fmt.Errorf("checking the serving role: %s", oneLine(err))
	}
	switch {
	case r.Switched:
		return fmt.Errorf("the serving address sets a role; log in as the serving role itself")
	case r.Powerful:
		return fmt.Errorf("database role %s may not serve: it or a role it belongs to has SUPERUSER, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS", r.Name)
	case r.Owns:
		return fmt.Errorf("database role %s may not serve: it owns the database or its tables", r.Name)
	case len(r.Reachable) != 1 || r.Reachable[0] != AppRole:
		return fmt.Errorf("database role %s may not serve: it must belong to %s and to nothing else (it belongs to %v)", r.Name, AppRole, []string(r.Reachable))
	}
	return nil
}

func oneLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// migrator builds a goose provider over the embedded migrations. The session
// lock keeps two instances starting at once from migrating twice: the second
// asks for the lock every second and waits up to half an hour, a long
// migration's worth, instead of failing.
func (db *DB) migrator(log *slog.Logger) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 1800))
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return goose.NewProvider(goose.DialectPostgres, db.DB.DB, migrations.FS,
		goose.WithSessionLocker(locker), goose.WithSlog(log))
}

// MigrateUp applies every pending migration, each in its own transaction.
func (db *DB) MigrateUp(ctx context.Context, log *slog.Logger) error {
	p, err := db.migrator(log)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migration failed: %s", oneLine(err))
	}
	return nil
}

// MigrateDown rolls back the newest migration. Production moves forward only;
// this exists for development and the tests that prove each Down works.
func (db *DB) MigrateDown(ctx context.Context, log *slog.Logger) error {
	p, err := db.migrator(log)
	if err != nil {
		return err
	}
	if _, err := p.Down(ctx); err != nil {
		return fmt.Errorf("migration down failed: %s", oneLine(err))
	}
	return nil
}

// MigrationStatus is one line of `seedling migrate status`.
type MigrationStatus struct {
	Version   int64
	Name      string
	AppliedAt *time.Time
}

// MigrateStatus lists every known migration and whether it is applied.
func (db *DB) MigrateStatus(ctx context.Context) ([]MigrationStatus, error) {
	p, err := db.migrator(nil)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %s", oneLine(err))
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		m := MigrationStatus{Version: s.Source.Version, Name: s.Source.Path}
		if s.State == goose.StateApplied {
			at := s.AppliedAt
			m.AppliedAt = &at
		}
		out = append(out, m)
	}
	return out, nil
}

// errPendingMigrations says the schema is behind the binary: the service
// waits for a migration rather than run on tables it does not know.
func errPendingMigrations() error {
	return seedling.Errorf(seedling.EUnavailable, "database has pending migrations").Keyed("problem.db_pending_migrations")
}

// Ready reports whether the database answers and has no pending migration;
// /readyz turns a false into 503 so a load balancer holds traffic back. The
// serving role has no rights on goose's table, so it asks schema_version()
// (migration 00006).
func (db *DB) Ready(ctx context.Context) error {
	var applied int64
	if err := db.GetContext(ctx, &applied, `SELECT schema_version()`); err != nil {
		var pe *pq.Error
		if errors.As(err, &pe) && pe.Code == "42883" { // before migration 00006
			return errPendingMigrations()
		}
		return seedling.Errorf(seedling.EUnavailable, "database unreachable").Keyed("problem.db_unreachable")
	}
	if applied < LatestMigration() {
		return errPendingMigrations()
	}
	return nil
}

// DSN is the address this pool was opened with, for the client programs
// (pg_dump, pg_restore) that backup and restore run.
func (db *DB) DSN() string { return db.dsn }

// Snapshot is one consistent view of the database, held open so that
// pg_dump --snapshot sees exactly what was read here.
type Snapshot struct {
	ID            string            // for pg_dump --snapshot
	SchemaVersion int64             // newest applied migration
	ChainHeads    map[string]string // candidate id -> hash of its newest ledger row, hex
	Evidence      []string          // SHA-256 of every evidence file the ledger names
	tx            *sqlx.Tx
}

// Close ends the snapshot's transaction.
func (s *Snapshot) Close() error { return s.tx.Rollback() }

// BeginSnapshot opens a read-only, repeatable-read transaction, exports its
// snapshot and reads what a backup's manifest records.
func (db *DB) BeginSnapshot(ctx context.Context) (*Snapshot, error) {
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	s := &Snapshot{tx: tx, ChainHeads: map[string]string{}}
	if err := s.read(ctx); err != nil {
		tx.Rollback()
		return nil, err
	}
	return s, nil
}

func (s *Snapshot) read(ctx context.Context) error {
	if err := s.tx.GetContext(ctx, &s.ID, `SELECT pg_export_snapshot()`); err != nil {
		return err
	}
	if err := s.tx.GetContext(ctx, &s.SchemaVersion, `SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied`); err != nil {
		return err
	}
	heads, err := chainHeads(ctx, s.tx)
	if err != nil {
		return err
	}
	s.ChainHeads = heads
	return s.tx.SelectContext(ctx, &s.Evidence, `SELECT DISTINCT sha256 FROM evidence_files ORDER BY sha256`)
}

// ChainHeads returns the hash of every candidate's newest ledger row, the
// fingerprint a restore compares with its manifest.
func (db *DB) ChainHeads(ctx context.Context) (map[string]string, error) {
	return chainHeads(ctx, db)
}

func chainHeads(ctx context.Context, q sqlx.QueryerContext) (map[string]string, error) {
	var rows []struct {
		Candidate string `db:"candidate_id"`
		Hash      string `db:"hash"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT DISTINCT ON (candidate_id) candidate_id::text AS candidate_id, encode(hash, 'hex') AS hash
		FROM ledger_entries ORDER BY candidate_id, seq DESC`); err != nil {
		return nil, err
	}
	heads := make(map[string]string, len(rows))
	for _, r := range rows {
		heads[r.Candidate] = r.Hash
	}
	return heads, nil
}

// PrepareRestore refuses a database that holds anything in its public
// schema and makes the group role the dump's grants name.
func (db *DB) PrepareRestore(ctx context.Context) error {
	var n int
	if err := db.GetContext(ctx, &n, `
		SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'public'`); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the target database is not empty (%d relations in schema public): restore only into a new, empty database", n)
	}
	_, err := db.ExecContext(ctx, `
		DO $$
		BEGIN
		    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'seedling_app') THEN
		        CREATE ROLE seedling_app NOLOGIN;
		    END IF;
		    IF NOT pg_has_role(current_user, 'seedling_app', 'MEMBER') THEN
		        EXECUTE format('GRANT seedling_app TO %I', current_user);
		    END IF;
		END $$`)
	if err != nil {
		return fmt.Errorf("preparing the role seedling_app (a DBA creates it where roles cannot be created): %s", oneLine(err))
	}
	return nil
}

// EvidenceRef names one evidence file attached to one entry.
type EvidenceRef struct {
	EntryID int64
	SHA256  string
}

// Integrity is what the fault test (seedling chaos) finds of the writes its
// clients saw acknowledged, and of writes that are only half there.
type Integrity struct {
	EntriesByKey map[string]int // ledger rows per idempotency key
	Reversals    int            // of the given entries, how many are reversed
	Evidence     int            // of the given files, how many are attached
	Unaudited    int            // ledger rows after the high-water mark without their audit row
	Unchained    int            // evidence files without their chain row
}

// LedgerHighWater is the newest ledger row's id; Integrity checks the rows
// after it.
func (db *DB) LedgerHighWater(ctx context.Context) (int64, error) {
	var id int64
	err := db.GetContext(ctx, &id, `SELECT coalesce(max(id), 0) FROM ledger_entries`)
	return id, err
}

// Integrity counts, in one snapshot, the given writes and the rows written
// after afterID that lack the audit row or chain row of the same action. An
// import audits each chain once, for the run from_seq..seq it wrote.
func (db *DB) Integrity(ctx context.Context, afterID int64, keys []string, reversed []int64, files []EvidenceRef) (Integrity, error) {
	in := Integrity{EntriesByKey: map[string]int{}}
	entryIDs := make([]int64, len(files))
	shas := make([]string, len(files))
	for i, f := range files {
		entryIDs[i], shas[i] = f.EntryID, f.SHA256
	}
	err := db.tryTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY`); err != nil {
			return err
		}
		var rows []struct {
			Key string `db:"key"`
			N   int    `db:"n"`
		}
		if err := tx.SelectContext(ctx, &rows, `
			SELECT idempotency_key AS key, count(*) AS n FROM ledger_entries
			WHERE idempotency_key = ANY($1) GROUP BY idempotency_key`, pq.Array(keys)); err != nil {
			return err
		}
		for _, r := range rows {
			in.EntriesByKey[r.Key] = r.N
		}
		return tx.QueryRowxContext(ctx, `
			SELECT (SELECT count(DISTINCT reverses) FROM ledger_entries WHERE kind = 'reversal' AND reverses = ANY($1)),
			       (SELECT count(*) FROM evidence_files f
			        JOIN unnest($2::bigint[], $3::text[]) AS r (entry_id, sha256) ON f.entry_id = r.entry_id AND f.sha256 = r.sha256),
			       (SELECT count(*) FROM ledger_entries e WHERE e.id > $4 AND NOT EXISTS (
			            SELECT FROM audit_events a WHERE a.target = 'candidate:' || e.candidate_id
			            AND (a.summary LIKE 'seq=' || e.seq || ' %'
			                 OR a.action = 'ledger.import' AND e.seq BETWEEN CAST(substring(a.summary FROM ' from_seq=(\d+) ') AS int)
			                                                            AND CAST(substring(a.summary FROM '^seq=(\d+) ') AS int)))),
			       (SELECT count(*) FROM evidence_files f WHERE NOT EXISTS (SELECT FROM ledger_entries e WHERE e.evidence_id = f.id))`,
			pq.Array(reversed), pq.Array(entryIDs), pq.Array(shas), afterID).Scan(&in.Reversals, &in.Evidence, &in.Unaudited, &in.Unchained)
	})
	return in, err
}

// durableSettings must be on for an acknowledged write to survive a crash
// of the server or the machine (docs/operations.md says why, one by one).
var durableSettings = []string{"fsync", "full_page_writes", "synchronous_commit"}

// UnsafeSettings names the durability settings the server has turned off.
func (db *DB) UnsafeSettings(ctx context.Context) ([]string, error) {
	var off []string
	for _, name := range durableSettings {
		var v string
		// SHOW takes no parameters; the names are our constants.
		if err := db.GetContext(ctx, &v, `SHOW `+name); err != nil {
			return nil, fmt.Errorf("SHOW %s: %s", name, oneLine(err))
		}
		if v == "off" {
			off = append(off, name)
		}
	}
	return off, nil
}

// LatestMigration is the newest migration this build carries.
func LatestMigration() int64 {
	var latest int64
	names, _ := fs.Glob(migrations.FS, "*.sql")
	for _, n := range names {
		if v, err := goose.NumericComponent(n); err == nil && v > latest {
			latest = v
		}
	}
	return latest
}

// inTx runs fn in one transaction: committed when fn returns nil, rolled back
// otherwise. A serialization failure is retried, since PostgreSQL asks for it.
func (db *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := db.tryTx(ctx, fn)
		if err == nil || attempt == 4 || !isRetryable(err) {
			return translate(err)
		}
	}
}

func (db *DB) tryTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	// Statements the transaction prepared for itself are kept for the
	// pool once its connection is back (prepared).
	defer db.stmts.keepPending(ctx)
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// lostConnection reports a database that is down, restarting or cut off:
// no answer, or the server ending the session (class 08, admin shutdown,
// crash shutdown, cannot connect now). The client may retry; it is a 503.
func lostConnection(err error) bool {
	var ne net.Error
	var pe *pq.Error
	switch {
	case errors.As(err, &ne), errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	case errors.As(err, &pe):
		return strings.HasPrefix(string(pe.Code), "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	return false
}

func isRetryable(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// translate turns driver errors into domain errors at the storage edge, so
// that no caller has to know PostgreSQL's codes.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var de *seedling.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return seedling.NotFound()
	}
	if lostConnection(err) {
		return seedling.Errorf(seedling.EUnavailable, "the database is not reachable, try again").Keyed("problem.db_unreachable")
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return seedling.Errorf(seedling.EConflict, "already exists").Keyed("problem.already_exists")
		case "23503":
			return seedling.Errorf(seedling.EInvalid, "refers to something that does not exist").Keyed("problem.refers_to_nothing")
		case "23514", "22001", "22P02", "22007", "22008":
			return seedling.Errorf(seedling.EInvalid, "value is not acceptable").Keyed("problem.invalid")
		case "40001", "40P01":
			return seedling.Errorf(seedling.EConflict, "the record changed meanwhile, try again").Keyed("problem.changed_meanwhile")
		}
	}
	return err
}
