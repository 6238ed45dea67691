// Package pgembed starts a private PostgreSQL cluster for the service's demo
// mode and for tests, using the server binaries installed on the machine.
package pgembed

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lib/pq"
)

const (
	superuser    = "postgres"
	passwordFile = "seedling.password"
	logFile      = "server.log"
	pidFile      = "postmaster.pid"
	// relocateBase receives the default cluster when the server user
	// cannot reach ./data/pg (typically a checkout under /root).
	relocateBase = "/var/lib/seedling"
	// startAttempts is the first try plus three retries after losing the
	// picked port to another process.
	startAttempts = 4
	maxLogSize    = 10 << 20
)

// Options configures Start.
type Options struct {
	DataDir  string       // cluster directory; created if missing
	Explicit bool         // true when the user chose DataDir (flag --data); false when it is the default ./data/pg
	Logger   *slog.Logger // may be nil
	// Fast trades durability for speed; for tests only, whose clusters are
	// thrown away anyway. Without it fsync, full_page_writes and
	// synchronous_commit are forced on.
	Fast bool
	// Port, when set, is the port to listen on, so that a server
	// restarted on the same directory keeps its address (seedling chaos).
	Port int
}

// Cluster is a running PostgreSQL server, started or attached to by Start.
type Cluster struct {
	dataDir  string
	binDir   string
	user     *serverUser // nil unless we are root
	host     string
	port     int
	password string
	owned    bool // false when we attached to a server someone else started
	log      *slog.Logger

	mu      sync.Mutex
	stopped bool
}

// pickPort is a variable so tests can hand out a taken port first.
var pickPort = freePort

// Start makes sure a cluster exists in opts.DataDir and that a server is
// running on it, starting one unless one is already up.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.DataDir == "" {
		return nil, errors.New("no data directory given for PostgreSQL")
	}
	dir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %v", opts.DataDir, err)
	}
	l, err := inspect(dir)
	if err != nil {
		return nil, err
	}

	var su *serverUser
	if os.Geteuid() == 0 {
		if su, err = pickServerUser(l); err != nil {
			return nil, err
		}
		blocked, mode, err := firstBlocked(dir, su)
		if err != nil {
			return nil, err
		}
		if blocked != "" {
			if opts.Explicit {
				return nil, fmt.Errorf("data directory %s is not reachable by the %q user that runs PostgreSQL (%s is mode %04o): choose --data under a directory it can enter, e.g. %s",
					dir, su.name, blocked, uint32(mode), filepath.Join(relocateBase, "pg"))
			}
			alt := relocatedDir(dir)
			log.Info(fmt.Sprintf("using PostgreSQL data directory %s because %s is not reachable by the %q user that runs PostgreSQL (%s is mode %04o)",
				alt, dir, su.name, blocked, uint32(mode)), "data_dir", alt)
			dir = alt
			if l, err = inspect(dir); err != nil {
				return nil, err
			}
			if su, err = pickServerUser(l); err != nil {
				return nil, err
			}
			if blocked, mode, err = firstBlocked(dir, su); err != nil {
				return nil, err
			}
			if blocked != "" {
				return nil, fmt.Errorf("data directory %s is not reachable by the %q user that runs PostgreSQL (%s is mode %04o)", dir, su.name, blocked, uint32(mode))
			}
		}
	} else if l.exists && l.uid != uint32(os.Geteuid()) {
		return nil, fmt.Errorf("data directory %s is owned by uid %d, not by the current user", dir, l.uid)
	}

	if err := readCluster(dir, &l); err != nil {
		return nil, err
	}

	// Look for binaries before creating anything, so that a machine
	// without PostgreSQL is told so without getting an empty ./data/pg.
	bin, err := binDirFor(l.version)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dataDir: dir, binDir: bin, user: su, host: "127.0.0.1", log: log}
	if err := c.prepareDir(l); err != nil {
		return nil, err
	}
	if l.version == "" {
		t0 := time.Now()
		if err := c.initdb(ctx, opts.Fast); err != nil {
			return nil, err
		}
		log.Info("initialised PostgreSQL cluster", "data_dir", dir, "took", time.Since(t0).Round(time.Millisecond))
	}
	pw, err := os.ReadFile(filepath.Join(dir, passwordFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("data directory %s has no %s, so seedling did not initialise it (if an earlier initialisation was interrupted, delete the directory): point DATABASE_URL at its server or choose another directory", dir, passwordFile)
		}
		return nil, fmt.Errorf("reading PostgreSQL password: %v", err)
	}
	c.password = strings.TrimSpace(string(pw))

	attached, err := c.attach(ctx)
	if err != nil {
		return nil, err
	}
	if attached {
		log.Debug("attached to running PostgreSQL", "data_dir", dir, "port", c.port)
		return c, nil
	}

	t0 := time.Now()
	if err := c.start(ctx, opts.Fast, opts.Port); err != nil {
		return nil, err
	}
	c.owned = true
	if err := waitReady(ctx, c.DSN("postgres"), 30*time.Second); err != nil {
		_ = c.Stop()
		return nil, fmt.Errorf("postgres started on 127.0.0.1:%d but does not answer: %s", c.port, oneLine(err.Error()))
	}
	log.Debug("started PostgreSQL", "data_dir", dir, "port", c.port, "took", time.Since(t0).Round(time.Millisecond))
	return c, nil
}

// DSN returns a lib/pq URL for database dbname, connecting as the superuser.
func (c *Cluster) DSN(dbname string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(superuser, c.password),
		Host:     net.JoinHostPort(c.host, strconv.Itoa(c.port)),
		Path:     "/" + dbname,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// PID returns the process id of the server's postmaster, 0 when unknown.
func (c *Cluster) PID() int {
	pf, err := readPidFile(c.dataDir)
	if err != nil {
		return 0
	}
	return pf.pid
}

// DataDir returns the cluster directory in use, which differs from
// Options.DataDir when the default had to be relocated.
func (c *Cluster) DataDir() string { return c.dataDir }

// Stop shuts the server down if this Cluster started it.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.owned || c.stopped {
		return nil
	}
	// Someone may have stopped it behind our back; pg_ctl would call
	// that an error, but the goal is reached.
	if pf, err := readPidFile(c.dataDir); err != nil || !processAlive(pf.pid) {
		c.stopped = true
		return nil
	}
	t0 := time.Now()
	out, err := c.run(context.Background(), "pg_ctl", "stop", "-m", "fast", "-w", "-t", "60", "-D", c.dataDir)
	if err != nil {
		return fmt.Errorf("stopping postgres: %s", pgCtlMessage(out, err))
	}
	c.stopped = true
	c.log.Debug("stopped PostgreSQL", "data_dir", c.dataDir, "took", time.Since(t0).Round(time.Millisecond))
	return nil
}

// layout is what we found at the data directory before touching it.
type layout struct {
	exists   bool
	uid, gid uint32
	version  string // contents of PG_VERSION; empty when not initialised
}

func inspect(dir string) (layout, error) {
	var l layout
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("data directory %s: %v", dir, err)
	}
	if !fi.IsDir() {
		return l, fmt.Errorf("data directory %s is not a directory", dir)
	}
	l.exists = true
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		l.uid, l.gid = st.Uid, st.Gid
	}
	return l, nil
}

// readCluster fills in l.version, refusing a directory that holds
// something other than a cluster. It runs after the ownership checks,
// which explain a failure to read better than "permission denied".
func readCluster(dir string, l *layout) error {
	if !l.exists {
		return nil
	}
	v, err := os.ReadFile(filepath.Join(dir, "PG_VERSION"))
	if err == nil {
		l.version = strings.TrimSpace(string(v))
		if l.version == "" {
			return fmt.Errorf("data directory %s has an empty PG_VERSION", dir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("data directory %s: %v", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("data directory %s: %v", dir, err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("data directory %s is not empty and is not a PostgreSQL cluster (no PG_VERSION): choose an empty or new directory", dir)
	}
	return nil
}

func relocatedDir(defaultDir string) string {
	sum := sha256.Sum256([]byte(defaultDir))
	return filepath.Join(relocateBase, hex.EncodeToString(sum[:])[:12], "pg")
}

func (c *Cluster) prepareDir(l layout) error {
	if !l.exists {
		if err := mkdirParents(c.dataDir); err != nil {
			return fmt.Errorf("creating data directory %s: %v", c.dataDir, err)
		}
		if err := os.Mkdir(c.dataDir, 0o700); err != nil {
			return fmt.Errorf("creating data directory %s: %v", c.dataDir, err)
		}
		// The server checks the mode itself and refuses anything looser.
		if err := os.Chmod(c.dataDir, 0o700); err != nil {
			return fmt.Errorf("data directory %s: %v", c.dataDir, err)
		}
		if c.user != nil {
			if err := os.Lchown(c.dataDir, int(c.user.uid), int(c.user.gid)); err != nil {
				return fmt.Errorf("data directory %s: %v", c.dataDir, err)
			}
		}
		return nil
	}
	// As root we may have left files behind in an earlier run (or an
	// admin copied some in); the server refuses to start on any of them.
	if c.user != nil {
		if err := chownTree(c.dataDir, c.user.uid, c.user.gid); err != nil {
			return fmt.Errorf("giving data directory %s to %s: %v", c.dataDir, c.user.name, err)
		}
	}
	return nil
}

func (c *Cluster) initdb(ctx context.Context, fast bool) error {
	pw, err := randomHex(16)
	if err != nil {
		return err
	}
	pwPath, err := c.writeInitPassword(pw)
	if err != nil {
		return err
	}
	defer os.Remove(pwPath)

	args := []string{"-D", c.dataDir, "-U", superuser, "--auth=scram-sha-256", "--pwfile=" + pwPath, "-E", "UTF8"}
	if fast {
		args = append(args, "--no-sync")
	}
	// C.UTF-8 gives UTF-8 character classes with byte-order collation
	// that does not change across glibc upgrades; minimal images may lack
	// it, and plain C is the fallback.
	out, err := c.run(ctx, "initdb", append(args, "--locale=C.UTF-8")...)
	if err != nil && strings.Contains(out, "locale") {
		out, err = c.run(ctx, "initdb", append(args, "--no-locale")...)
	}
	if err != nil {
		// initdb cleans up after its own errors but not after being
		// killed; the directory was empty before, so make it so again
		// rather than leave a half cluster that later runs would refuse.
		c.emptyDataDir()
		if ctx.Err() != nil {
			return fmt.Errorf("initdb: %v", ctx.Err())
		}
		return fmt.Errorf("initdb failed: %s", initdbMessage(out, err))
	}

	path := filepath.Join(c.dataDir, passwordFile)
	if err := c.writeOwnedFile(path, pw+"\n"); err != nil {
		// Without the password the cluster is unusable to us; leave the
		// directory empty so the next run can initialise it again.
		c.emptyDataDir()
		return fmt.Errorf("saving PostgreSQL password: %v", err)
	}
	return nil
}

// writeInitPassword puts the password where initdb, running as the server
// user, can read it. As root that is next to the data directory, which we
// know the server user can reach; otherwise the temp dir is ours anyway.
func (c *Cluster) writeInitPassword(pw string) (string, error) {
	dir := os.TempDir()
	if c.user != nil {
		dir = filepath.Dir(c.dataDir)
	}
	f, err := os.CreateTemp(dir, ".seedling-initdb-*")
	if err != nil {
		return "", fmt.Errorf("writing initdb password file: %v", err)
	}
	path := f.Name()
	_, err = f.WriteString(pw + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && c.user != nil {
		err = os.Chown(path, int(c.user.uid), int(c.user.gid))
	}
	if err != nil {
		os.Remove(path)
		return "", fmt.Errorf("writing initdb password file: %v", err)
	}
	return path, nil
}

func (c *Cluster) writeOwnedFile(path, content string) error {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		return err
	}
	if c.user != nil {
		return os.Chown(path, int(c.user.uid), int(c.user.gid))
	}
	return nil
}

func (c *Cluster) emptyDataDir() {
	entries, _ := os.ReadDir(c.dataDir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(c.dataDir, e.Name()))
	}
}

// attach connects to a server already running on the data directory,
// e.g. a demo left running while tests or a second instance start.
func (c *Cluster) attach(ctx context.Context) (bool, error) {
	// A server that is still starting or shutting down, or a crashed one
	// whose process is not reaped yet, gets some time to settle.
	deadline := time.Now().Add(15 * time.Second)
	for {
		pf, err := readPidFile(c.dataDir)
		if err != nil {
			// Missing or half-written: postgres itself sorts out a
			// lock file that is not backed by a live server.
			return false, nil
		}
		if !processAlive(pf.pid) {
			return false, nil
		}
		if pf.port > 0 && pf.host != "" {
			c.host, c.port = pf.host, pf.port
			err = ping(ctx, c.DSN("postgres"), 2*time.Second)
			if err == nil {
				return true, nil
			}
			var pqErr *pq.Error
			if errors.As(err, &pqErr) {
				return false, fmt.Errorf("PostgreSQL running on data directory %s (pid %d) refuses us: %s", c.dataDir, pf.pid, oneLine(pqErr.Message))
			}
		}
		if time.Now().After(deadline) {
			if isZombie(pf.pid) {
				return false, fmt.Errorf("data directory %s is locked by process %d, which has exited but was never reaped (is there an init process in this container?): remove %s",
					c.dataDir, pf.pid, filepath.Join(c.dataDir, pidFile))
			}
			return false, fmt.Errorf("data directory %s is locked by process %d (%s) but no PostgreSQL answers on it: stop that process, or remove %s if it is not a PostgreSQL server",
				c.dataDir, pf.pid, pidFile, filepath.Join(c.dataDir, pidFile))
		}
		if err := sleepCtx(ctx, 250*time.Millisecond); err != nil {
			return false, fmt.Errorf("waiting for PostgreSQL on %s: %v", c.dataDir, err)
		}
	}
}

type pidInfo struct {
	pid  int
	port int
	host string
}

// readPidFile parses postmaster.pid: line 1 is the PID, line 4 the port,
// line 6 the first listen address.
func readPidFile(dataDir string) (pidInfo, error) {
	var pf pidInfo
	b, err := os.ReadFile(filepath.Join(dataDir, pidFile))
	if err != nil {
		return pf, err
	}
	lines := strings.Split(string(b), "\n")
	if pf.pid, err = strconv.Atoi(strings.TrimSpace(lines[0])); err != nil {
		return pf, fmt.Errorf("malformed %s", pidFile)
	}
	if len(lines) > 3 {
		pf.port, _ = strconv.Atoi(strings.TrimSpace(lines[3]))
	}
	if len(lines) > 5 {
		addr := strings.TrimSpace(strings.Split(lines[5], ",")[0])
		switch addr {
		case "*", "0.0.0.0":
			addr = "127.0.0.1"
		case "::":
			addr = "::1"
		}
		pf.host = addr
	}
	return pf, nil
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	// EPERM: alive, but run by another user.
	return err == nil || errors.Is(err, syscall.EPERM)
}

// isZombie reports whether pid has exited without being reaped. Such a
// process still answers kill(pid, 0), and postgres treats it as the owner
// of the lock file, so a stale postmaster.pid cannot be replaced until the
// parent (init, after pg_ctl daemonised the server) reaps it.
func isZombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The command name in parentheses may itself contain ") ".
	i := strings.LastIndex(string(b), ") ")
	if i < 0 {
		return false
	}
	state := string(b)[i+2:]
	return strings.HasPrefix(state, "Z") || strings.HasPrefix(state, "X")
}

func (c *Cluster) start(ctx context.Context, fast bool, fixed int) error {
	for attempt := 1; ; attempt++ {
		port, err := fixed, error(nil)
		if fixed == 0 {
			port, err = pickPort()
		}
		if err != nil {
			return fmt.Errorf("finding a free port for PostgreSQL: %v", err)
		}
		err = c.pgCtlStart(ctx, port, fast)
		if err == nil {
			c.port = port
			return nil
		}
		if errors.Is(err, errPortTaken) && attempt < startAttempts && fixed == 0 {
			c.log.Debug("port taken before PostgreSQL could bind it, retrying", "port", port)
			continue
		}
		return err
	}
}

var errPortTaken = errors.New("port already in use")

func (c *Cluster) pgCtlStart(ctx context.Context, port int, fast bool) error {
	logPath := filepath.Join(c.dataDir, logFile)
	if fi, err := os.Stat(logPath); err == nil && fi.Size() > maxLogSize {
		_ = os.Rename(logPath, logPath+".old")
	}
	var offset int64
	if fi, err := os.Stat(logPath); err == nil {
		offset = fi.Size()
	}
	// No Unix sockets: their directory (/var/run/postgresql) may not
	// exist or be writable, and TCP on loopback is all we need.
	serverOpts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories='' -c max_connections=200", port)
	// On the command line so that no edit of postgresql.conf can quietly
	// trade an acknowledged write for speed; see docs/operations.md.
	if fast {
		serverOpts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	} else {
		serverOpts += " -c fsync=on -c synchronous_commit=on -c full_page_writes=on"
	}
	out, err := c.run(ctx, "pg_ctl", "start", "-w", "-t", "60", "-D", c.dataDir, "-l", logPath, "-o", serverOpts)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		// pg_ctl was killed, but the server it forked may still come up.
		_, _ = c.run(context.Background(), "pg_ctl", "stop", "-m", "immediate", "-w", "-t", "30", "-D", c.dataDir)
		return fmt.Errorf("starting postgres: %v", ctx.Err())
	}
	tail := readFrom(logPath, offset)
	if strings.Contains(tail, "Address already in use") {
		return errPortTaken
	}
	if msg := serverLogMessage(tail); msg != "" {
		return fmt.Errorf("postgres failed to start: %s (log: %s)", msg, logPath)
	}
	return fmt.Errorf("postgres failed to start: %s", pgCtlMessage(out, err))
}

// run executes a server binary as the server user. Its own process group
// keeps the terminal's Ctrl-C away from it (and from the postmaster it
// may fork), so that only Stop shuts the server down, cleanly.
func (c *Cluster) run(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, name), args...)
	// "/" because the server user may not be allowed into our cwd.
	cmd.Dir = "/"
	cmd.Env = childEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if c.user != nil {
		cmd.SysProcAttr.Credential = c.user.credential()
	}
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	// Should a daemonised child keep our pipe open, do not hang on it.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	return buf.String(), err
}

// childEnv drops PG* variables, which would override what we pass, and
// the locale, so that messages we parse are in English.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PG") || strings.HasPrefix(k, "LC_") || k == "LANG" || k == "LANGUAGE" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitReady(ctx context.Context, dsn string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		err := ping(ctx, dsn, 2*time.Second)
		if err == nil {
			return nil
		}
		if serr := sleepCtx(ctx, 100*time.Millisecond); serr != nil {
			return err
		}
	}
}

func ping(ctx context.Context, dsn string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var one int
	return db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating PostgreSQL password: %v", err)
	}
	return hex.EncodeToString(b), nil
}

func readFrom(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	return string(b)
}

// serverLogMessage picks the line that explains a failed start: the last
// PANIC or FATAL, else the last ERROR, with the timestamp prefix removed.
func serverLogMessage(text string) string {
	lines := strings.Split(text, "\n")
	for _, sev := range [][]string{{"PANIC:", "FATAL:"}, {"ERROR:"}} {
		for i := len(lines) - 1; i >= 0; i-- {
			for _, s := range sev {
				k := strings.Index(lines[i], s)
				if k < 0 {
					continue
				}
				msg := oneLine(lines[i][k:])
				// "configuration file ... contains errors" says nothing
				// about which; the LOG line before it does.
				if strings.HasSuffix(msg, "contains errors") && i > 0 {
					if j := strings.Index(lines[i-1], "LOG:"); j >= 0 {
						msg += ": " + oneLine(lines[i-1][j+len("LOG:"):])
					}
				}
				return msg
			}
		}
	}
	return ""
}

func pgCtlMessage(out string, err error) string { return toolMessage("pg_ctl:", out, err) }

// toolMessage is the last line a server tool printed of its own (its
// lines start with its name), else err.
func toolMessage(prefix, out string, err error) string {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, prefix) {
			return oneLine(l)
		}
	}
	return oneLine(err.Error())
}

func initdbMessage(out string, err error) string {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "initdb: error:") || strings.HasPrefix(l, "FATAL:") || strings.HasPrefix(l, "PANIC:") {
			return oneLine(l)
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return oneLine(l)
		}
	}
	return oneLine(err.Error())
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Replica makes dir a streaming hot standby of c and starts it: a base
// backup taken over the replication protocol (pg_basebackup, run as the
// server's user like every server binary), with the standby.signal and
// primary_conninfo its -R writes, so the copy follows c from then on and
// answers reads only. It is how reports and exports can run beside the
// primary (docs/scaling.md); c must have been started by Start.
func (c *Cluster) Replica(ctx context.Context, dir string, fast bool) (*Cluster, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	l, err := inspect(dir)
	if err != nil {
		return nil, err
	}
	if l.exists {
		return nil, fmt.Errorf("replica directory %s exists already", dir)
	}
	r := &Cluster{dataDir: dir, binDir: c.binDir, user: c.user, host: c.host, log: c.log}
	if err := r.prepareDir(l); err != nil {
		return nil, err
	}
	// The password travels in the connection string, not in PGPASSWORD:
	// childEnv drops every PG* variable.
	if out, err := r.run(ctx, "pg_basebackup", "-D", dir, "-R", "-X", "stream", "-c", "fast", "-d", c.DSN("postgres")); err != nil {
		return nil, fmt.Errorf("base backup of the primary: %s", toolMessage("pg_basebackup:", out, err))
	}
	return Start(ctx, Options{DataDir: dir, Explicit: true, Logger: c.log, Fast: fast})
}
