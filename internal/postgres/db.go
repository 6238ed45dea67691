// Package postgres is the one store of Seedling's state. Each file owns the
// SQL of one entity, written inline next to its scan. Public methods that
// change state own their transaction; lower-case helpers take the *sqlx.Tx.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"seedling/internal/seedling"
	"seedling/migrations"
)

// DB wraps the connection pool. All stores hang off it so that a test can
// build the whole service on one throwaway database.
type DB struct {
	*sqlx.DB
	Now func() time.Time // the clock used for business dates; tests move it
	dsn string
}

// AppRole is the database role the service runs as; see migration 00004.
const AppRole = "seedling_app"

// Open connects and checks the server answers. The error is one line fit for
// a person: a wrong DATABASE_URL must not end in a stack trace.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("database address is not valid: %v", err)
	}
	db.SetMaxOpenConns(40)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot reach the database: %s", oneLine(err))
	}
	return &DB{DB: db, Now: time.Now, dsn: dsn}, nil
}

// AsApp opens a second pool on the same database that runs as AppRole, which
// has no UPDATE or DELETE on the append-only tables. The owner pool migrates;
// this one serves.
func (db *DB) AsApp(ctx context.Context) (*DB, error) {
	u, err := url.Parse(db.dsn)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("the database address must be a postgres:// URL to run as %s", AppRole)
	}
	q := u.Query()
	q.Set("options", "-c role="+AppRole)
	u.RawQuery = q.Encode()
	app, err := Open(ctx, u.String())
	if err != nil {
		return nil, err
	}
	var role string
	if err := app.GetContext(ctx, &role, `SELECT current_user`); err != nil || role != AppRole {
		app.Close()
		return nil, fmt.Errorf("cannot run as database role %s (is the migration applied and the role granted?)", AppRole)
	}
	app.Now = db.Now
	return app, nil
}

func oneLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// migrator builds a goose provider over the embedded migrations. The session
// lock keeps two instances starting at once from migrating twice.
func (db *DB) migrator(log *slog.Logger) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
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

// Ready reports whether the database answers and has no pending migration;
// /readyz turns a false into 503 so a load balancer holds traffic back.
func (db *DB) Ready(ctx context.Context) error {
	p, err := db.migrator(nil)
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return seedling.Errorf(seedling.EUnavailable, "database unreachable")
	}
	if pending {
		return seedling.Errorf(seedling.EUnavailable, "database has pending migrations")
	}
	return nil
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
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
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
		return seedling.Errorf(seedling.ENotFound, "not found")
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return seedling.Errorf(seedling.EConflict, "already exists")
		case "23503":
			return seedling.Errorf(seedling.EInvalid, "refers to something that does not exist")
		case "23514", "22001", "22P02", "22007", "22008":
			return seedling.Errorf(seedling.EInvalid, "value is not acceptable")
		case "40001", "40P01":
			return seedling.Errorf(seedling.EConflict, "the record changed meanwhile, try again")
		}
	}
	return err
}
