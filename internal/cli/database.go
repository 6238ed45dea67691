package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/lib/pq"

	"seedling/internal/pgembed"
	"seedling/internal/postgres"
)

const defaultDataDir = "./data/pg"

// dbFlags are the flags of every command that needs the database.
type dbFlags struct {
	data     string
	explicit bool
}

// commandFlags starts the flag set of a command that needs the database,
// with the flags that say where it is.
func commandFlags(env *environment, name string) (*flag.FlagSet, *dbFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	dbf := &dbFlags{}
	dbf.register(fs)
	return fs, dbf
}

// parseAndOpen parses a command's arguments and opens its database; the
// caller closes it.
func parseAndOpen(ctx context.Context, env *environment, fs *flag.FlagSet, dbf *dbFlags, args []string) (*database, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return openDatabase(ctx, env, *dbf)
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.Func("data", "directory of the embedded PostgreSQL cluster, used when DATABASE_URL is unset (default "+defaultDataDir+")", func(s string) error {
		f.data, f.explicit = s, true
		return nil
	})
}

// database is an open database and how to let go of it.
type database struct {
	*postgres.DB
	cluster *pgembed.Cluster
}

// Close closes the pool and stops the embedded server if this process
// started it.
func (d *database) Close() error {
	d.DB.Close()
	if d.cluster != nil {
		return d.cluster.Stop()
	}
	return nil
}

// embeddedDB is the database created in the embedded cluster.
const embeddedDB = "seedling"

// openDatabase finds the database every command uses the same way: the
// server named by DATABASE_URL, else the embedded cluster in --data,
// attaching to it when a running server already holds it.
func openDatabase(ctx context.Context, env *environment, f dbFlags) (*database, error) {
	if url := env.getenv("DATABASE_URL"); url != "" {
		db, err := postgres.Open(ctx, url)
		if err != nil {
			return nil, fmt.Errorf("DATABASE_URL: %w", err)
		}
		// Someone else runs this server: say what is at risk, but it is
		// theirs to configure.
		off, err := db.UnsafeSettings(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		if len(off) > 0 {
			env.log.Warn("the database server may lose acknowledged writes in a crash: turn these settings on (docs/operations.md)", "off", off)
		}
		return &database{DB: db}, nil
	}
	dir := f.data
	if dir == "" {
		dir = defaultDataDir
	}
	cluster, err := pgembed.Start(ctx, pgembed.Options{DataDir: dir, Explicit: f.explicit, Logger: env.log})
	if err != nil {
		if errors.Is(err, pgembed.ErrNoBinaries) {
			return nil, err
		}
		return nil, fmt.Errorf("embedded PostgreSQL: %w", err)
	}
	if err := ensureDatabase(ctx, cluster); err != nil {
		cluster.Stop()
		return nil, err
	}
	db, err := postgres.Open(ctx, cluster.DSN(embeddedDB))
	if err != nil {
		cluster.Stop()
		return nil, err
	}
	// We start the embedded server durable; off means we attached to one
	// started otherwise (a test cluster), which must not hold real data.
	d := &database{DB: db, cluster: cluster}
	if off, err := db.UnsafeSettings(ctx); err != nil || len(off) > 0 {
		d.Close()
		if err == nil {
			err = fmt.Errorf("the PostgreSQL running on %s has %v off and could lose acknowledged writes: stop it and start seedling again", cluster.DataDir(), off)
		}
		return nil, err
	}
	return d, nil
}

// ensureDatabase creates the application database on first start.
func ensureDatabase(ctx context.Context, c *pgembed.Cluster) error {
	admin, err := postgres.Open(ctx, c.DSN("postgres"))
	if err != nil {
		return err
	}
	defer admin.Close()
	var n int
	if err := admin.GetContext(ctx, &n, `SELECT count(*) FROM pg_database WHERE datname = $1`, embeddedDB); err != nil {
		return err
	}
	if n == 0 {
		if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(embeddedDB)); err != nil {
			return fmt.Errorf("create database: %v", err)
		}
	}
	return nil
}

// servingPool opens the pool the service serves with: the address a DBA
// gives in SEEDLING_APP_DATABASE_URL where the owner may not create roles,
// else the login role the owner's pool creates and manages.
func servingPool(ctx context.Context, env *environment, db *database) (*postgres.DB, error) {
	if url := env.getenv("SEEDLING_APP_DATABASE_URL"); url != "" {
		app, err := postgres.OpenServing(ctx, url)
		if err != nil {
			return nil, fmt.Errorf("SEEDLING_APP_DATABASE_URL: %w", err)
		}
		app.Now = db.Now
		return app, nil
	}
	return db.AsApp(ctx)
}
