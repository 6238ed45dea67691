// Package testdb gives each test its own PostgreSQL database, cloned from a
// template that was migrated once. Tests use the server in TEST_DATABASE_URL
// when it is set (fast on a developer machine), otherwise an embedded cluster
// started once per test binary, the same launcher `seedling serve` uses. No
// test ever talks to a fake database.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"seedling/internal/demo"
	"seedling/internal/pgembed"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/migrations"
	"seedling/seeds"
)

var (
	mu         sync.Mutex
	server     string // DSN of the maintenance database on the test server
	cluster    *pgembed.Cluster
	clusterDir string
	mainCalled bool
)

// Main runs the tests of a package and stops the embedded cluster afterwards.
// Call it from TestMain: os.Exit(testdb.Main(m)).
func Main(m *testing.M) int {
	mu.Lock()
	mainCalled = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if cluster != nil {
		if err := cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "testdb: stopping embedded PostgreSQL:", err)
		}
		os.RemoveAll(clusterDir)
	}
	return code
}

// New returns a fresh, migrated, empty database for one test, dropped when
// the test ends.
func New(t testing.TB) *postgres.DB {
	t.Helper()
	admin := setup(t)
	return clone(t, admin, templates[0].name)
}

// NewDemo returns a fresh database holding the demo data and accounts that
// `seedling serve --demo` shows, so tests prove what a newcomer sees.
func NewDemo(t testing.TB) *postgres.DB {
	t.Helper()
	admin := setup(t)
	return clone(t, admin, templates[1].name)
}

func clone(t testing.TB, admin *postgres.DB, tpl string) *postgres.DB {
	t.Helper()
	ctx := context.Background()
	name := "t_" + randomHex(8)
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)+` TEMPLATE `+pq.QuoteIdentifier(tpl)); err != nil {
		t.Fatalf("testdb: create database: %v", err)
	}
	db, err := postgres.Open(ctx, withDB(server, name))
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		if _, err := admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+` WITH (FORCE)`); err != nil {
			t.Logf("testdb: drop %s: %v", name, err)
		}
		// The serving login role AsApp made belongs to the server, not
		// to the dropped database.
		if _, err := admin.ExecContext(context.Background(), `DROP ROLE IF EXISTS `+pq.QuoteIdentifier(postgres.LoginRoleName(name))); err != nil {
			t.Logf("testdb: drop role of %s: %v", name, err)
		}
	})
	return db
}

// DSN returns the address of a database New made, for tests that start the
// binary or a second pool.
func DSN(db *postgres.DB) string {
	var name string
	if err := db.Get(&name, `SELECT current_database()`); err != nil {
		panic(err)
	}
	return withDB(server, name)
}

var adminDB *postgres.DB

// templates are built in order, each from scratch; their names carry a hash
// of what went into them.
var templates = []struct {
	prefix, name string
	prepare      func(context.Context, *postgres.DB) error
}{
	{"seedling_tpl_", "", func(context.Context, *postgres.DB) error { return nil }},
	{"seedling_demo_", "", func(ctx context.Context, db *postgres.DB) error {
		return demo.Load(ctx, db, seedling.Actor{Username: "test-setup"})
	}},
}

// setup finds or starts the server and makes the templates once per binary.
func setup(t testing.TB) *postgres.DB {
	mu.Lock()
	defer mu.Unlock()
	if adminDB != nil {
		return adminDB
	}
	ctx := context.Background()
	server = os.Getenv("TEST_DATABASE_URL")
	if server == "" {
		if !mainCalled {
			t.Fatal("testdb: call testdb.Main from TestMain, so the embedded PostgreSQL is stopped after the tests")
		}
		dir, err := os.MkdirTemp("", "seedling-test-pg-")
		if err != nil {
			t.Fatalf("testdb: %v", err)
		}
		// MkdirTemp makes the folder 0700; when the tests run as root the
		// server runs as an unprivileged user, who must be able to enter it.
		if err := os.Chmod(dir, 0o711); err != nil {
			t.Fatalf("testdb: %v", err)
		}
		c, err := pgembed.Start(ctx, pgembed.Options{DataDir: dir + "/pg", Explicit: true, Fast: true})
		if err != nil {
			os.RemoveAll(dir)
			t.Fatalf("testdb: no TEST_DATABASE_URL and the embedded PostgreSQL did not start: %v", err)
		}
		cluster, clusterDir, server = c, dir, c.DSN("postgres")
	}
	admin, err := postgres.Open(ctx, server)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	fp := fingerprint()
	for i := range templates {
		templates[i].name = templates[i].prefix + fp
		if err := ensureTemplate(ctx, admin, templates[i].name, templates[i].prepare); err != nil {
			t.Fatalf("testdb: template %s: %v", templates[i].name, err)
		}
	}
	adminDB = admin
	return admin
}

// ensureTemplate names the template after the migrations' content, so that
// test binaries (and runs) share it until a migration changes. An advisory
// lock keeps parallel binaries from building it twice; building under a
// temporary name and renaming means a crash never leaves a half-made one.
func ensureTemplate(ctx context.Context, admin *postgres.DB, name string, prepare func(context.Context, *postgres.DB) error) error {
	conn, err := admin.Connx(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(74657374)`); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(74657374)`)
	var n int
	if err := conn.GetContext(ctx, &n, `SELECT count(*) FROM pg_database WHERE datname = $1`, name); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	building := name + "_building"
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(building)+` WITH (FORCE)`); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(building)); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, withDB(server, building))
	if err != nil {
		return err
	}
	err = db.MigrateUp(ctx, nil)
	if err == nil {
		err = prepare(ctx, db)
	}
	db.Close()
	if err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `ALTER DATABASE `+pq.QuoteIdentifier(building)+` RENAME TO `+pq.QuoteIdentifier(name))
	return err
}

// fingerprint hashes every migration, the demo data, the demo accounts and
// the Go code that generates the demo: a change to any makes new templates.
func fingerprint() string {
	h := sha256.New()
	fmt.Fprintf(h, "%+v", demo.Accounts)
	// The demo resolves some dates relative to the day it is loaded
	// (seeds.RelativeDate), so yesterday's template is not today's demo.
	h.Write([]byte(seedling.Today(time.Now()).Format(seedling.DateLayout)))
	inputs := fingerprintInputs()
	names := make([]string, 0, len(inputs))
	for n := range inputs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		h.Write([]byte(n))
		h.Write(inputs[n])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// fingerprintInputs are the files a template is made from, by a name that
// says where each comes from.
func fingerprintInputs() map[string][]byte {
	out := map[string][]byte{}
	for _, src := range []struct {
		dir, glob string
		fs        fs.FS
	}{
		{"migrations", "*.*", migrations.FS},
		{"seeds", "*.*", seeds.FS},
		{"internal/demo", "*.go", demo.Source},
	} {
		names, _ := fs.Glob(src.fs, src.glob)
		for _, n := range names {
			b, _ := fs.ReadFile(src.fs, n)
			out[src.dir+"/"+n] = b
		}
	}
	return out
}

func withDB(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
