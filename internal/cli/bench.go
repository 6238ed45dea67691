package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"seedling/internal/bench"
	"seedling/internal/demo/synth"
	"seedling/internal/postgres"
)

// benchCmd measures the service beside PostgreSQL alone. It runs against
// the database of --url or DATABASE_URL, or else an embedded cluster in a
// temporary directory that it removes afterwards; it fills an empty
// database with a synthetic province, starts `seedling serve` on it as a
// separate process (so cold start and RSS are the server's own), and
// prints the table and writes bench.json.
//
// The rule that keeps it off production: the database must be empty or
// carry the generator's mark (migration 00015); anything else needs
// --i-know, since the bench writes thousands of entries.
func benchCmd(ctx context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	url := fs.String("url", env.getenv("DATABASE_URL"), "database to bench (default DATABASE_URL; unset: an embedded cluster in a temporary directory)")
	iKnow := fs.Bool("i-know", false, "bench a database that holds data the generator did not make")
	quick := fs.Bool("quick", false, "everything small, in well under a minute (the CI smoke test)")
	out := fs.String("out", "bench.json", "where to write the results")
	candidates := fs.Int("candidates", 20000, "candidates to generate into an empty database")
	entries := fs.Int("entries", 1000000, "ledger rows to generate into an empty database")
	duration := fs.Duration("duration", 10*time.Second, "length of each load, per side")
	clients := fs.Int("clients", 32, "concurrent clients")
	importRows := fs.Int("import-rows", 100000, "rows of the CSV and XLSX import measures")
	only := fs.String("only", "", "comma-separated measures to run (default: all), e.g. write_entry,csv_import,xlsx_import")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *quick {
		*candidates, *entries, *duration, *importRows = 800, 16000, 500*time.Millisecond, 500
	}
	work, err := os.MkdirTemp("", "seedling-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// The embedded PostgreSQL runs as its own user when we are root: it
	// must be able to enter the directory its cluster sits in.
	if err := os.Chmod(work, 0o755); err != nil {
		return err
	}

	db, dsn, err := benchDatabase(ctx, env, *url, work)
	if err != nil {
		return err
	}
	defer db.Close()
	runs, holds, err := db.SyntheticState(ctx)
	if err != nil {
		return err
	}
	if holds && runs == 0 && !*iKnow {
		return errors.New("this database holds data the generator did not make (no synthetic_runs row): bench only an empty or generated database, or pass --i-know")
	}
	if err := db.MigrateUp(ctx, env.log); err != nil {
		return err
	}
	if runs == 0 {
		fmt.Fprintf(env.stderr, "bench: generating %d candidates, %d ledger rows…\n", *candidates, *entries)
		started := time.Now()
		if _, err := synth.Generate(ctx, db.DB, synth.Params{Candidates: *candidates, Entries: *entries, Seed: 1}); err != nil {
			return err
		}
		fmt.Fprintf(env.stderr, "bench: generated in %s\n", time.Since(started).Round(time.Millisecond))
	}

	srv, err := startServer(ctx, dsn, work)
	if err != nil {
		return err
	}
	defer srv.stop()
	appDB, err := db.AsApp(ctx)
	if err != nil {
		return err
	}
	defer appDB.Close()

	var rep bench.Report
	rep.Add("cold_start", bench.Result{App: ms(srv.coldStart), Unit: "ms", Note: "exec to /readyz 200, database already running"})
	cfg := bench.Config{URL: srv.url, DB: appDB, Clients: *clients, Duration: *duration, ImportRows: *importRows, Grants: 100000, Progress: env.stderr}
	if *only != "" {
		cfg.Only = strings.Split(*only, ",")
	}
	if err := bench.Run(ctx, cfg, &rep); err != nil {
		return err
	}
	peak, now, err := srv.rssMB()
	if err != nil {
		return err
	}
	var n struct {
		Candidates int64 `db:"candidates"`
		Entries    int64 `db:"entries"`
	}
	if err := db.GetContext(ctx, &n, `SELECT (SELECT count(*) FROM candidates) AS candidates, (SELECT count(*) FROM ledger_entries) AS entries`); err != nil {
		return err
	}
	rep.Add("server_rss", bench.Result{App: peak, Unit: "MB", Note: fmt.Sprintf("peak over the loads (%.1f MB after them), %d candidates, %d ledger rows", now, n.Candidates, n.Entries)})
	rep.Print(env.stdout)
	return rep.WriteJSON(*out)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchDatabase opens the database to bench: the given one, or a new
// embedded cluster in work.
func benchDatabase(ctx context.Context, env *environment, url, work string) (*database, string, error) {
	if url != "" {
		db, err := postgres.Open(ctx, url)
		if err != nil {
			return nil, "", err
		}
		return &database{DB: db}, url, nil
	}
	noURL := *env
	noURL.getenv = func(k string) string {
		if k == "DATABASE_URL" {
			return ""
		}
		return env.getenv(k)
	}
	db, err := openDatabase(ctx, &noURL, dbFlags{data: filepath.Join(work, "pg"), explicit: true})
	if err != nil {
		return nil, "", err
	}
	return db, db.cluster.DSN(embeddedDB), nil
}

// server is `seedling serve` running as a child process.
type server struct {
	cmd       *exec.Cmd
	done      chan struct{} // closed when the process has exited
	waitErr   error
	url       string
	coldStart time.Duration
}

// startServer runs this very binary's serve command against dsn and waits
// until it is ready; the time that takes is the cold start.
func startServer(ctx context.Context, dsn, work string) (*server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(work, "serve.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "serve", "--addr", addr, "--evidence-dir", filepath.Join(work, "evidence"))
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn, "SEEDLING_LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, url: "http://" + addr, done: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		logFile.Close()
		close(s.done)
	}()
	for {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.coldStart = time.Since(started)
				return s, nil
			}
		}
		select {
		case <-s.done:
			b, _ := os.ReadFile(filepath.Join(work, "serve.log"))
			return nil, fmt.Errorf("the server stopped before it was ready (%v): %s", s.waitErr, lastLine(string(b)))
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Since(started) > time.Minute {
			s.stop()
			return nil, errors.New("the server was not ready within a minute")
		}
	}
}

func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// rssMB reads the server's resident set from /proc: its peak (VmHWM),
// which is what the machine must hold, and what it holds now.
func (s *server) rssMB() (peak, now float64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	found := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, rest, _ := strings.Cut(sc.Text(), ":")
		var into *float64
		switch key {
		case "VmHWM":
			into = &peak
		case "VmRSS":
			into = &now
		default:
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
		if err != nil {
			return 0, 0, err
		}
		*into = kb / 1024
		found++
	}
	if found != 2 {
		return 0, 0, errors.New("no VmHWM and VmRSS in /proc status")
	}
	return peak, now, sc.Err()
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
