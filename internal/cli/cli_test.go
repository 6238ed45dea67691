package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"seedling/internal/demo"
	"seedling/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// runCmd runs one command line with the given environment and stdin.
func runCmd(t *testing.T, vars map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &environment{stdout: &out, stderr: &errb, stdin: strings.NewReader(stdin),
		getenv: func(k string) string { return vars[k] },
		log:    slog.New(slog.NewTextHandler(io.Discard, nil))}
	code := run(context.Background(), env, append([]string{"seedling"}, args...))
	return code, out.String(), errb.String()
}

// A wrong DATABASE_URL ends with one clear line and a non-zero exit.
func TestWrongDatabaseURLFailsInOneLine(t *testing.T) {
	t.Parallel()
	for _, url := range []string{"postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", "::not a url::"} {
		code, _, stderr := runCmd(t, map[string]string{"DATABASE_URL": url}, "", "migrate", "status")
		if code == 0 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.HasPrefix(stderr, "seedling: DATABASE_URL") {
			t.Fatalf("%s: exit %d, stderr %q", url, code, stderr)
		}
	}
}

func TestUnknownCommandAndVerb(t *testing.T) {
	t.Parallel()
	if code, _, _ := runCmd(t, nil, "", "fly"); code != 2 {
		t.Fatalf("unknown command exit %d", code)
	}
	if code, _, stderr := runCmd(t, nil, "", "migrate", "sideways"); code != 1 || !strings.Contains(stderr, "unknown migrate verb") {
		t.Fatalf("unknown verb: %d %q", code, stderr)
	}
}

// migrate, seed and user all find the database the same way and work on it.
func TestCommandsOnADatabase(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	vars := map[string]string{"DATABASE_URL": testdb.DSN(db)}
	if code, out, stderr := runCmd(t, vars, "", "migrate", "status"); code != 0 || strings.Contains(out, "pending") {
		t.Fatalf("status: %d %q %q", code, out, stderr)
	}
	for i := 0; i < 2; i++ { // seeding twice changes nothing
		if code, _, stderr := runCmd(t, vars, "", "seed"); code != 0 {
			t.Fatalf("seed: %d %q", code, stderr)
		}
	}
	var orgs, users int
	db.Get(&orgs, `SELECT count(*) FROM orgs`)
	db.Get(&users, `SELECT count(*) FROM users`)
	if orgs < 10 || users != len(demo.Accounts)+1 { // the demo accounts and the archive account of imported history
		t.Fatalf("after two seeds: %d orgs, %d users", orgs, users)
	}
	if code, _, stderr := runCmd(t, vars, "a long first password\n", "user", "add", "--name", "首位管理员", "chief"); code != 0 {
		t.Fatalf("user add: %d %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, vars, "", "user", "grant", "chief", "org_admin", "1"); code != 0 {
		t.Fatalf("user grant: %d %q", code, stderr)
	}
	code, _, stderr := runCmd(t, vars, "", "user", "grant", "chief", "emperor", "1")
	if code == 0 || !strings.Contains(stderr, "role: unknown role") {
		t.Fatalf("unknown role: %d %q", code, stderr)
	}
	code, _, stderr = runCmd(t, vars, "short\n", "user", "passwd", "chief")
	if code == 0 || !strings.Contains(stderr, "password") {
		t.Fatalf("short password: %d %q", code, stderr)
	}
	var out string
	code, out, stderr = runCmd(t, vars, "", "due")
	if code != 0 || !strings.Contains(out, "overdue") || !strings.Contains(out, "due items as of") {
		t.Fatalf("due: %d %q %q", code, out, stderr)
	}
	var actions []string
	db.Select(&actions, `SELECT action FROM audit_events WHERE target = 'user:chief' ORDER BY id`)
	if strings.Join(actions, ",") != "user.add,grant.add" {
		t.Fatalf("audit of the command line: %v", actions)
	}
}

// serve answers on its address and shuts down cleanly when told to; an
// address already in use ends in one line.
func TestServeStartsAndStops(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	vars := map[string]string{"DATABASE_URL": testdb.DSN(db)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	busy := ln.Addr().String()
	code, _, stderr := runCmd(t, vars, "", "serve", "--addr", busy)
	ln.Close()
	if code != 1 || !strings.HasPrefix(stderr, "seedling: cannot serve on "+busy) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("busy port: exit %d, %q", code, stderr)
	}

	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out bytes.Buffer
	go func() {
		env := &environment{stdout: &out, stderr: io.Discard, stdin: strings.NewReader(""),
			getenv: func(k string) string { return vars[k] }, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		done <- run(ctx, env, []string{"seedling", "serve", "--demo", "--addr", addr})
	}()
	ready := false
	// A bound, not a measure: a loaded CI machine may take long to load the demo.
	for i := 0; i < 1200 && !ready; i++ {
		if res, err := http.Get("http://" + addr + "/readyz"); err == nil {
			ready = res.StatusCode == 200
			res.Body.Close()
		}
		if !ready {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !ready {
		cancel()
		t.Fatal("serve never became ready")
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d after shutdown", code)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Without DATABASE_URL a command starts the embedded cluster in --data,
// creates the database, and leaves the server stopped when it is done.
func TestEmbeddedClusterFromTheCommandLine(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "seedling-cli-pg-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o711) // the server runs as an unprivileged user when we are root
	data := dir + "/pg"
	for i := 0; i < 2; i++ { // the second run reuses the cluster
		code, out, stderr := runCmd(t, map[string]string{}, "", "migrate", "--data", data, "up")
		if code != 0 {
			t.Fatalf("migrate up #%d: %d %q %q", i, code, out, stderr)
		}
	}
	code, out, stderr := runCmd(t, map[string]string{}, "", "migrate", "--data", data, "status")
	if code != 0 || !strings.Contains(out, "00001") || strings.Contains(out, "pending") {
		t.Fatalf("status: %d %q %q", code, out, stderr)
	}
	if _, err := os.Stat(data + "/postmaster.pid"); err == nil {
		t.Fatal("the embedded server is still running after the command ended")
	}
}
