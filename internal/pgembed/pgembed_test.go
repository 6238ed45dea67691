package pgembed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testBase returns a directory the server user can enter. t.TempDir is not
// one when we are root: the testing package creates its parent with mode
// 0700, so the postgres user could not reach a cluster inside it.
func testBase(t *testing.T) string {
	t.Helper()
	base, err := os.MkdirTemp("", "pgembed-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(base, 0o711); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	return base
}

func skipWithoutBinaries(t *testing.T) {
	t.Helper()
	if _, err := BinDir(); err != nil {
		t.Skip(err)
	}
}

func start(t *testing.T, opts Options) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return c
}

func open(t *testing.T, c *Cluster) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", c.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func port(t *testing.T, c *Cluster) string {
	t.Helper()
	u, err := url.Parse(c.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

func TestStartStopReuse(t *testing.T) {
	skipWithoutBinaries(t)
	dir := filepath.Join(testBase(t), "pg")
	opts := Options{DataDir: dir, Explicit: true, Fast: true}

	t0 := time.Now()
	c := start(t, opts)
	t.Logf("cold start (initdb + start + ready): %v", time.Since(t0))
	if c.DataDir() != dir {
		t.Errorf("DataDir() = %s, want %s", c.DataDir(), dir)
	}
	if p := port(t, c); p == "5432" || p == "" {
		t.Errorf("unexpected port %q", p)
	}
	db := open(t, c)
	var version string
	if err := db.QueryRow("SELECT version()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	t.Logf("version: %s", version)
	if _, err := db.Exec("CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	fi, err := os.Stat(filepath.Join(dir, passwordFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("password file mode %04o, want 0600", fi.Mode().Perm())
	}
	t0 = time.Now()
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("stop: %v", time.Since(t0))
	if err := c.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, pidFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("server still running after Stop (%s: %v)", pidFile, err)
	}

	t0 = time.Now()
	c2 := start(t, opts)
	t.Logf("warm start (start + ready): %v", time.Since(t0))
	var id int
	if err := open(t, c2).QueryRow("SELECT id FROM kept").Scan(&id); err != nil || id != 42 {
		t.Fatalf("data not kept across restarts: id=%d err=%v", id, err)
	}
	if err := c2.Stop(); err != nil {
		t.Fatal(err)
	}
}

func TestAttach(t *testing.T) {
	skipWithoutBinaries(t)
	dir := filepath.Join(testBase(t), "pg")
	first := start(t, Options{DataDir: dir, Explicit: true, Fast: true})

	t0 := time.Now()
	second := start(t, Options{DataDir: dir, Explicit: true, Fast: true})
	t.Logf("attach: %v", time.Since(t0))
	if port(t, first) != port(t, second) {
		t.Fatalf("second Start did not attach: ports %s and %s", port(t, first), port(t, second))
	}
	if err := second.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := ping(context.Background(), first.DSN("postgres"), 5*time.Second); err != nil {
		t.Fatalf("Stop of an attached cluster shut the server down: %v", err)
	}
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := ping(context.Background(), first.DSN("postgres"), 2*time.Second); err == nil {
		t.Fatal("server still answers after Stop of the cluster that started it")
	}
}

func TestStalePidFile(t *testing.T) {
	skipWithoutBinaries(t)
	dir := filepath.Join(testBase(t), "pg")
	opts := Options{DataDir: dir, Explicit: true, Fast: true}
	c := start(t, opts)
	stale, err := os.ReadFile(filepath.Join(dir, pidFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	// The old postmaster's PID is dead now, like after a crash or reboot.
	if err := os.WriteFile(filepath.Join(dir, pidFile), stale, 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := chownTree(dir, c.user.uid, c.user.gid); err != nil {
			t.Fatal(err)
		}
	}
	c2 := start(t, opts)
	if err := ping(context.Background(), c2.DSN("postgres"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c2.Stop(); err != nil {
		t.Fatal(err)
	}
}

func TestPortTakenIsRetried(t *testing.T) {
	skipWithoutBinaries(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port
	calls := 0
	pickPort = func() (int, error) {
		calls++
		if calls == 1 {
			return taken, nil
		}
		return freePort()
	}
	t.Cleanup(func() { pickPort = freePort })

	c := start(t, Options{DataDir: filepath.Join(testBase(t), "pg"), Explicit: true, Fast: true})
	if calls < 2 {
		t.Fatalf("port picked %d times, want a retry", calls)
	}
	if port(t, c) == strconv.Itoa(taken) {
		t.Fatalf("cluster claims the port held by another listener")
	}
}

func TestStartFailureIsOneLine(t *testing.T) {
	skipWithoutBinaries(t)
	dir := filepath.Join(testBase(t), "pg")
	opts := Options{DataDir: dir, Explicit: true, Fast: true}
	c := start(t, opts)
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("\nshared_buffers = 'lots'\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()

	c2, err := Start(context.Background(), opts)
	if err == nil {
		c2.Stop()
		t.Fatal("Start succeeded with a broken postgresql.conf")
	}
	t.Logf("error: %v", err)
	msg := err.Error()
	if !strings.HasPrefix(msg, "postgres failed to start: FATAL:") || strings.Contains(msg, "\n") {
		t.Fatalf("want one line starting with the FATAL message, got %q", msg)
	}
}

func TestNonEmptyDirWithoutCluster(t *testing.T) {
	dir := filepath.Join(testBase(t), "stuff")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hi"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), Options{DataDir: dir, Explicit: true})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("want a not-empty error, got %v", err)
	}
}

func TestOwnedBySomeoneElse(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may use any directory")
	}
	fi, err := os.Stat(os.TempDir())
	if err != nil || fi.Sys().(*syscall.Stat_t).Uid == uint32(os.Geteuid()) {
		t.Skip("need a directory owned by someone else")
	}
	_, err = Start(context.Background(), Options{DataDir: os.TempDir(), Explicit: true})
	if err == nil || !strings.Contains(err.Error(), "not by the current user") {
		t.Fatalf("want an ownership error, got %v", err)
	}
}

// lockedDir returns a path below a root-owned 0700 directory, which the
// server user cannot enter whatever the umask or the temp dir's mode.
func lockedDir(t *testing.T) (locked, dataDir string) {
	t.Helper()
	locked = filepath.Join(testBase(t), "locked")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	return locked, filepath.Join(locked, "data", "pg")
}

func TestExplicitUnreachable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root has to hand the cluster to another user")
	}
	skipWithoutBinaries(t)
	locked, dir := lockedDir(t)
	_, err := Start(context.Background(), Options{DataDir: dir, Explicit: true})
	if err == nil {
		t.Fatal("Start succeeded on an unreachable directory")
	}
	t.Logf("error: %v", err)
	msg := err.Error()
	if !strings.Contains(msg, "not reachable") || !strings.Contains(msg, locked+" is mode 0700") || strings.Contains(msg, "\n") {
		t.Fatalf("unexpected error %q", msg)
	}
	if _, err := os.Stat(filepath.Join(locked, "data")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Start created directories before failing")
	}
}

func TestDefaultUnreachableIsRelocated(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root has to hand the cluster to another user")
	}
	skipWithoutBinaries(t)
	_, dir := lockedDir(t)
	want := relocatedDir(dir)
	if _, err := os.Stat(want); err == nil {
		t.Fatalf("%s already exists", want)
	}
	t.Cleanup(func() {
		os.RemoveAll(filepath.Dir(want))
		os.Remove(relocateBase) // only if nothing else lives there
	})

	c := start(t, Options{DataDir: dir, Explicit: false, Fast: true})
	if c.DataDir() != want {
		t.Fatalf("DataDir() = %s, want %s", c.DataDir(), want)
	}
	if err := ping(context.Background(), c.DSN("postgres"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
}

func TestFindBinDir(t *testing.T) {
	empty := t.TempDir()
	onlyInitdb := t.TempDir()
	full := t.TempDir()
	for dir, names := range map[string][]string{onlyInitdb: {"initdb"}, full: {"initdb", "pg_ctl"}} {
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	notExec := t.TempDir()
	for _, n := range []string{"initdb", "pg_ctl"} {
		if err := os.WriteFile(filepath.Join(notExec, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name string
		dirs []string
		want string
	}{
		{"nothing", nil, ""},
		{"empty dir", []string{empty}, ""},
		{"missing dir", []string{filepath.Join(empty, "nope")}, ""},
		{"only initdb", []string{onlyInitdb}, ""},
		{"not executable", []string{notExec}, ""},
		{"relative entry ignored", []string{"", "."}, ""},
		{"found", []string{full}, full},
		{"first match wins", []string{empty, onlyInitdb, full, t.TempDir()}, full},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := findBinDir(tt.dirs)
			if tt.want == "" {
				if !errors.Is(err, ErrNoBinaries) {
					t.Fatalf("got %q, %v; want ErrNoBinaries", got, err)
				}
				if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "apt-get install -y postgresql") {
					t.Fatalf("unhelpful error %q", msg)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestCompareVersions(t *testing.T) {
	if compareVersions("10", "9.6") <= 0 || compareVersions("15", "16") >= 0 || compareVersions("15", "15") != 0 {
		t.Fatal("versions must compare numerically")
	}
}

func TestCancelledStartCanBeRetried(t *testing.T) {
	skipWithoutBinaries(t)
	dir := filepath.Join(testBase(t), "pg")
	opts := Options{DataDir: dir, Explicit: true, Fast: true}
	// Short enough to interrupt initdb on most machines; whatever step it
	// interrupts, the next Start must not trip over what is left behind.
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if c, err := Start(ctx, opts); err == nil {
		t.Log("Start finished before the deadline")
		c.Stop()
	} else {
		t.Logf("interrupted: %v", err)
	}
	c := start(t, opts)
	if err := ping(context.Background(), c.DSN("postgres"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

// Without Fast the server is durable whatever postgresql.conf says: the
// settings that keep an acknowledged write through a crash are forced on.
func TestDurableUnlessFast(t *testing.T) {
	skipWithoutBinaries(t)
	dir := filepath.Join(testBase(t), "pg")
	c := start(t, Options{DataDir: dir, Explicit: true, Fast: true})
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "fsync = off\nfull_page_writes = off\nsynchronous_commit = off")
	f.Close()
	db := open(t, start(t, Options{DataDir: dir, Explicit: true}))
	for _, name := range []string{"fsync", "full_page_writes", "synchronous_commit"} {
		var v string
		if err := db.QueryRow("SHOW " + name).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != "on" {
			t.Errorf("%s = %s", name, v)
		}
	}
}
