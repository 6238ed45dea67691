package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"seedling/internal/evidence"
	"seedling/internal/ledger"
	"seedling/internal/pgembed"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// chaos is the fault test: its own durable PostgreSQL and its own service on
// loopback, several clients writing, SIGKILL for the service and for
// PostgreSQL at random moments, retries with the same keys, then a count of
// what was acknowledged against what is there. Its last line is one JSON
// object; it fails on any loss, duplicate or half-written write.
func chaos(ctx context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	kills := fs.Int("kills", 4, "SIGKILLs to deal, alternately to the service and to PostgreSQL")
	duration := fs.Duration("duration", time.Minute, "how long the clients write")
	seed := fs.Uint64("seed", 1, "seed of the random schedule and load")
	clients := fs.Int("clients", 4, "concurrent clients")
	keep := fs.Bool("keep", false, "keep the scratch directory (database, evidence, service log)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "seedling-chaos-")
	if err != nil {
		return err
	}
	// The server runs as an unprivileged user when we are root.
	if err := os.Chmod(dir, 0o711); err != nil {
		return err
	}
	if *keep {
		fmt.Fprintln(env.stderr, "chaos: scratch directory", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	h := &chaosRun{env: env, dir: dir, rng: rand.New(rand.NewPCG(*seed, 0x5eed))}
	defer h.stop()
	if err := h.startDB(ctx); err != nil {
		return err
	}
	if err := ensureDatabase(ctx, h.cluster); err != nil {
		return err
	}
	if err := h.killDuringMigrations(ctx); err != nil {
		return err
	}
	if err := h.startService(ctx); err != nil {
		return err
	}
	if err := h.readHighWater(ctx); err != nil {
		return err
	}

	// The load lasts the duration, or until the last kill is dealt and its
	// victim is back when restarts take longer than planned.
	start := time.Now()
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var wg sync.WaitGroup
	results := make([]*chaosClient, *clients)
	for i := range results {
		c := &chaosClient{run: h, n: i, rng: rand.New(rand.NewPCG(*seed, uint64(i+1)))}
		results[i] = c
		wg.Add(1)
		go func() { defer wg.Done(); c.load(loadCtx, ctx) }()
	}
	kc := &chaosClient{run: h, n: *clients, rng: rand.New(rand.NewPCG(*seed, uint64(*clients+1)))}
	if err := kc.login(ctx); err != nil {
		return err
	}
	results = append(results, kc)
	killErr := h.killer(ctx, *kills, *duration, kc)
	sleepCtx(ctx, time.Until(start.Add(*duration)))
	stopLoad()
	wg.Wait()
	if killErr != nil {
		return killErr
	}
	if err := h.waitReady(ctx); err != nil {
		return fmt.Errorf("chaos: the service did not recover: %v", err)
	}
	rep, err := h.check(ctx, results)
	if err != nil {
		return err
	}
	for _, c := range results {
		if c.firstFailure != nil {
			fmt.Fprintf(env.stderr, "chaos: client %d: %d operations failed, the first: %v\n", c.n, c.failed, c.firstFailure)
		}
	}
	b, _ := json.Marshal(rep)
	fmt.Fprintln(env.stdout, string(b))
	if rep.failed() {
		return errors.New("chaos: writes were lost, duplicated or half-written, or the service did not recover")
	}
	return nil
}

func (r chaosReport) failed() bool {
	return r.Lost > 0 || r.Duplicated > 0 || r.HalfWritten > 0 || !r.ChainsOK || !r.ScoresOK || !r.Recovered
}

// chaosRun owns the database and service processes.
type chaosRun struct {
	env            *environment
	dir            string
	rng            *rand.Rand
	cluster        *pgembed.Cluster
	pgPort         int
	addr           string
	service        *exec.Cmd
	exited         <-chan struct{} // closed when service has exited
	marks          chaosMarks
	migrationKills int
	kills          atomic.Int64
	// recovered turns false when the service did not answer again by
	// itself after PostgreSQL came back.
	recovered atomic.Bool
}

func (h *chaosRun) startDB(ctx context.Context) error {
	if h.pgPort == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		h.pgPort = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		h.recovered.Store(true)
	}
	// A killed postmaster leaves backends that take a moment to notice;
	// the new one refuses to start until they are gone.
	var err error
	for attempt := 0; attempt < 60; attempt++ {
		h.cluster, err = pgembed.Start(ctx, pgembed.Options{DataDir: filepath.Join(h.dir, "pg"), Explicit: true, Port: h.pgPort})
		if err == nil {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("chaos: PostgreSQL does not start again: %v", err)
}

func (h *chaosRun) startService(ctx context.Context) error {
	if err := h.spawnService(); err != nil {
		return err
	}
	return h.waitReady(ctx)
}

// spawnService starts the service and does not wait for it to be ready.
func (h *chaosRun) spawnService() error {
	if h.addr == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		h.addr = ln.Addr().String()
		ln.Close()
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(h.dir, "service.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(self, "serve", "--demo", "--addr", h.addr, "--evidence-dir", filepath.Join(h.dir, "evidence"))
	cmd.Env = append(os.Environ(), "DATABASE_URL="+h.cluster.DSN(embeddedDB), "SEEDLING_LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	logf.Close()
	h.service = cmd
	exited := make(chan struct{})
	h.exited = exited
	go func() { cmd.Wait(); close(exited) }()
	return nil
}

func (h *chaosRun) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+h.addr+"/readyz", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

// killer deals the kills at random moments of the load, alternating the
// victim, and brings each back. Every other kill of the service comes while
// an import is half-sent (by c, the killer's own client).
func (h *chaosRun) killer(ctx context.Context, kills int, d time.Duration, c *chaosClient) error {
	at := make([]time.Duration, kills)
	for i := range at {
		at[i] = d/10 + time.Duration(h.rng.Int64N(int64(d*8/10)))
	}
	slices.Sort(at)
	start := time.Now()
	for i, t := range at {
		if err := sleepCtx(ctx, time.Until(start.Add(t))); err != nil {
			return nil
		}
		switch {
		case i%4 == 2:
			if err := h.halfSentImport(context.Background(), c); err != nil {
				return err
			}
		case i%2 == 0:
			if err := h.killService(context.Background()); err != nil {
				return err
			}
		default:
			if err := h.killDB(); err != nil {
				return err
			}
			h.kills.Add(1)
			// The service was not restarted: it must find the database again.
			if err := h.waitReady(context.Background()); err != nil {
				h.recovered.Store(false)
			}
		}
	}
	return nil
}

// killService SIGKILLs the service, waits for it to be gone and starts it
// again.
func (h *chaosRun) killService(ctx context.Context) error {
	h.service.Process.Kill()
	<-h.exited
	h.kills.Add(1)
	if err := h.startService(ctx); err != nil {
		return fmt.Errorf("chaos: the service does not start again: %v", err)
	}
	return nil
}

// killDB SIGKILLs the postmaster and starts PostgreSQL again on its port.
func (h *chaosRun) killDB() error {
	pid := h.cluster.PID()
	if pid <= 0 {
		return errors.New("chaos: no PostgreSQL to kill")
	}
	syscall.Kill(pid, syscall.SIGKILL)
	for syscall.Kill(pid, 0) == nil {
		time.Sleep(20 * time.Millisecond)
	}
	return h.startDB(context.Background())
}

// killDuringMigrations kills the service, then PostgreSQL, while the
// service is inside a migration: the schema is migrated to just before
// 00008, whose ALTER TABLE is then held up by a lock until the kill. The
// service started afterwards must migrate the rest and serve.
func (h *chaosRun) killDuringMigrations(ctx context.Context) error {
	for victim := 0; victim < 2; victim++ {
		db, err := postgres.Open(ctx, h.cluster.DSN(embeddedDB))
		if err != nil {
			return err
		}
		if victim == 0 {
			if err := db.MigrateUp(ctx, nil); err != nil {
				db.Close()
				return err
			}
			if err := migrateDownTo(ctx, db, 7); err != nil {
				db.Close()
				return err
			}
		}
		release, err := db.BlockMigration(ctx)
		if err != nil {
			db.Close()
			return err
		}
		if err := h.spawnService(); err != nil {
			release()
			db.Close()
			return err
		}
		waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
		for {
			waiting, err := db.MigrationWaiting(waitCtx)
			if err != nil {
				cancel()
				release()
				db.Close()
				return fmt.Errorf("chaos: the service never reached migration 00008: %v", err)
			}
			if waiting {
				break
			}
			sleepCtx(waitCtx, 20*time.Millisecond)
		}
		cancel()
		if victim == 1 {
			if err := h.killDB(); err != nil {
				return err
			}
		}
		// After PostgreSQL the service goes too (its migration failed), so
		// that the start below is a fresh one.
		h.service.Process.Kill()
		<-h.exited
		h.migrationKills++
		release()
		db.Close()
	}
	return nil
}

// migrateDownTo rolls migrations back until version is the newest applied.
func migrateDownTo(ctx context.Context, db *postgres.DB, version int64) error {
	for {
		st, err := db.MigrateStatus(ctx)
		if err != nil {
			return err
		}
		var applied int64
		for _, m := range st {
			if m.AppliedAt != nil && m.Version > applied {
				applied = m.Version
			}
		}
		if applied <= version {
			return nil
		}
		if err := db.MigrateDown(ctx, nil); err != nil {
			return err
		}
	}
}

func (h *chaosRun) readHighWater(ctx context.Context) error {
	db, err := postgres.Open(ctx, h.cluster.DSN(embeddedDB))
	if err != nil {
		return err
	}
	defer db.Close()
	if h.marks.entry, err = db.LedgerHighWater(ctx); err != nil {
		return err
	}
	if h.marks.submission, err = db.StepHighWater(ctx); err != nil {
		return err
	}
	h.marks.objection, err = db.ObjectionHighWater(ctx)
	return err
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

func (h *chaosRun) stop() {
	if h.service != nil {
		h.service.Process.Signal(syscall.SIGTERM)
		select {
		case <-h.exited:
		case <-time.After(30 * time.Second):
			h.service.Process.Kill()
			<-h.exited
		}
	}
	if h.cluster != nil {
		h.cluster.Stop()
	}
}

// chaosClient is one client of the load and what it saw acknowledged.
type chaosClient struct {
	run   *chaosRun
	n     int
	rng   *rand.Rand
	token string
	cands []int64

	committee string        // the token of the committee member who decides
	branch    int64         // the branch the client creates applicants in
	importOrg int64         // the node the client imports sheets for
	people    []chaosPerson // the candidates of the imports
	made      int           // applicants and sheets made, for their names

	attempted, retried int          // writes sent; repeats of a write after no answer
	entries            []chaosEntry // acknowledged entries
	reversed           []int64      // entries whose reversal was acknowledged
	evidence           []chaosEvidence
	applicants         []*chaosApplicant
	imports            []string // the idempotency keys of acknowledged imported rows
	importFiles        int      // acknowledged imports
	draft              int64    // the client's display, once created
	display            *chaosDisplay
	failed             int   // operations that ended in an answer the client did not expect
	firstFailure       error // the first of them
	displays           int   // acknowledged creations and publications of displays
	objections         []*chaosObjection
}

type chaosEntry struct {
	id       int64
	key      string
	reversed bool
}

type chaosEvidence struct {
	entryID int64
	sha     string
}

// chaosOps is the mix of writes, each retried by key or by state.
var chaosOps = []struct {
	weight int
	run    func(c *chaosClient, ctx context.Context) error
}{
	{6, (*chaosClient).entry},
	{2, (*chaosClient).reversal},
	{2, (*chaosClient).upload},
	{2, (*chaosClient).propose},
	{3, (*chaosClient).decide},
	{1, (*chaosClient).importSheet},
	{1, (*chaosClient).object},
	{1, (*chaosClient).resolve},
}

func (c *chaosClient) load(loadCtx, ctx context.Context) {
	if err := c.login(ctx); err != nil {
		return
	}
	total := 0
	for _, op := range chaosOps {
		total += op.weight
	}
	for loadCtx.Err() == nil {
		pick := c.rng.IntN(total)
		for _, op := range chaosOps {
			if pick -= op.weight; pick < 0 {
				// An operation started is carried to its answer even
				// after the load ends: a client retries what it sent.
				if err := op.run(c, ctx); err != nil {
					if c.failed++; c.firstFailure == nil {
						c.firstFailure = err
					}
				}
				break
			}
		}
	}
}

// call sends one request until it gets an answer that is not a failure of
// the service itself, with the same body (and key) every time.
func (c *chaosClient) call(ctx context.Context, method, path, ctype string, body []byte, key string, out any) (int, error) {
	return c.callAs(ctx, c.token, method, path, ctype, body, key, out)
}

// callAs is call with another login's token.
func (c *chaosClient) callAs(ctx context.Context, token, method, path, ctype string, body []byte, key string, out any) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	for try := 0; ; try++ {
		if try > 0 {
			c.retried++
			if err := sleepCtx(ctx, 200*time.Millisecond); err != nil {
				return 0, err
			}
		}
		req, _ := http.NewRequestWithContext(ctx, method, "http://"+c.run.addr+path, bytes.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		res.Body.Close()
		// 429 (too busy to check a password now) did nothing: try again.
		if err != nil || res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests {
			continue
		}
		if out != nil && res.StatusCode < 300 {
			json.Unmarshal(b, out)
		}
		return res.StatusCode, nil
	}
}

func (c *chaosClient) login(ctx context.Context) error {
	var err error
	if c.token, err = c.signIn(ctx, "secretary"); err != nil {
		return err
	}
	if c.committee, err = c.signIn(ctx, "committee"); err != nil {
		return err
	}
	var orgs struct {
		Orgs []struct {
			ID   int64  `json:"id"`
			Kind string `json:"kind"`
		} `json:"orgs"`
	}
	if code, err := c.call(ctx, "GET", "/api/v1/orgs", "", nil, "", &orgs); err != nil || code != 200 {
		return fmt.Errorf("orgs: %d %v", code, err)
	}
	for _, o := range orgs.Orgs {
		if o.Kind == "branch" && c.branch == 0 {
			c.branch = o.ID
		}
	}
	var list struct {
		Candidates []struct {
			ID    int64  `json:"id"`
			Name  string `json:"name"`
			Stage string `json:"stage"`
			OrgID int64  `json:"org_id"`
		} `json:"candidates"`
	}
	if code, err := c.call(ctx, "GET", "/api/v1/candidates", "", nil, "", &list); err != nil || code != 200 {
		return fmt.Errorf("candidates: %d %v", code, err)
	}
	for _, k := range list.Candidates {
		if k.Stage == "activist" || k.Stage == "target" {
			c.cands = append(c.cands, k.ID)
			c.people = append(c.people, chaosPerson{id: k.ID, org: k.OrgID, name: k.Name})
		}
	}
	if len(c.cands) == 0 || c.branch == 0 {
		return errors.New("no candidate to write for, or no branch")
	}
	c.importOrg = c.people[0].org
	return nil
}

func (c *chaosClient) signIn(ctx context.Context, username string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": username, "password": "seedling-demo"})
	var res struct {
		Token string `json:"token"`
	}
	if code, err := c.call(ctx, "POST", "/api/v1/login", "application/json", body, "", &res); err != nil || code != 200 {
		return "", fmt.Errorf("login %s: %d %v", username, code, err)
	}
	return res.Token, nil
}

func (c *chaosClient) entry(ctx context.Context) error {
	c.attempted++
	key := fmt.Sprintf("chaos-%d-%d", c.n, c.attempted)
	body, _ := json.Marshal(map[string]any{"category": "study_attendance", "points": 1 + c.rng.IntN(5),
		"occurred_on": time.Now().Format("2006-01-02"), "description": "chaos " + key})
	var res struct {
		ID int64 `json:"id"`
	}
	code, err := c.call(ctx, "POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", c.cands[c.rng.IntN(len(c.cands))]),
		"application/json", body, key, &res)
	if err == nil && (code == 200 || code == 201) && res.ID > 0 {
		c.entries = append(c.entries, chaosEntry{id: res.ID, key: key})
	}
	return err
}

func (c *chaosClient) reversal(ctx context.Context) error {
	i := slices.IndexFunc(c.entries, func(e chaosEntry) bool { return !e.reversed })
	if i < 0 {
		return c.entry(ctx)
	}
	c.attempted++
	e := &c.entries[i]
	body, _ := json.Marshal(map[string]string{"reason": "chaos reversal"})
	retriedBefore := c.retried
	code, err := c.call(ctx, "POST", fmt.Sprintf("/api/v1/ledger/%d/reverse", e.id), "application/json", body, "", nil)
	// A 409 after a retry is this client's own earlier attempt, which
	// committed before its answer was lost: only this client reverses
	// its entries.
	if err == nil && (code == 201 || code == 409 && c.retried > retriedBefore) {
		e.reversed = true
		c.reversed = append(c.reversed, e.id)
	}
	return err
}

func (c *chaosClient) upload(ctx context.Context) error {
	if len(c.entries) == 0 {
		return c.entry(ctx)
	}
	c.attempted++
	e := c.entries[c.rng.IntN(len(c.entries))]
	content := append([]byte("\xff\xd8\xff\xe0 chaos "), strconv.AppendUint(nil, c.rng.Uint64(), 16)...)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", "chaos.jpg")
	fw.Write(content)
	w.Close()
	var res struct {
		SHA256 string `json:"sha256"`
	}
	code, err := c.call(ctx, "POST", fmt.Sprintf("/api/v1/ledger/%d/evidence", e.id), w.FormDataContentType(), buf.Bytes(), "", &res)
	if err == nil && (code == 200 || code == 201) && res.SHA256 != "" {
		c.evidence = append(c.evidence, chaosEvidence{entryID: e.id, sha: res.SHA256})
	}
	return err
}

// chaosReport is the last line chaos prints.
type chaosReport struct {
	Attempted    int  `json:"attempted"`
	Acknowledged int  `json:"acknowledged"`
	Retried      int  `json:"retried"`
	Kills        int  `json:"kills"`
	Lost         int  `json:"lost"`
	Duplicated   int  `json:"duplicated"`
	HalfWritten  int  `json:"half_written"`
	ChainsOK     bool `json:"chains_ok"`
	ScoresOK     bool `json:"scores_ok"`
	Recovered    bool `json:"recovered"`
	// MigrationKills are dealt before the load, while the schema is being
	// migrated: one to the service, one to PostgreSQL.
	MigrationKills int `json:"migration_kills"`
	// FailedOps are operations that got an answer the client did not
	// expect (a refusal by a rule, say): nothing acknowledged, nothing
	// counted, but worth a look when not 0.
	FailedOps int `json:"failed_ops"`
	// Kinds splits acknowledged by kind of write.
	Kinds map[string]int `json:"acknowledged_by_kind"`
}

func (h *chaosRun) check(ctx context.Context, clients []*chaosClient) (chaosReport, error) {
	db, err := postgres.Open(ctx, h.cluster.DSN(embeddedDB))
	if err != nil {
		return chaosReport{}, err
	}
	defer db.Close()
	rep, err := checkWrites(ctx, db, evidence.NewDir(filepath.Join(h.dir, "evidence")), h.marks, clients)
	rep.Kills, rep.MigrationKills, rep.Recovered = int(h.kills.Load()), h.migrationKills, h.recovered.Load()
	return rep, err
}

// chaosMarks are the newest rows before the load: the rows after them are
// checked for their other halves.
type chaosMarks struct {
	entry, submission, objection int64
}

// checkWrites counts what the clients saw acknowledged against what the
// database holds, and the rows after the marks that are half-written.
func checkWrites(ctx context.Context, db *postgres.DB, store evidence.Store, marks chaosMarks, clients []*chaosClient) (chaosReport, error) {
	rep := chaosReport{Kinds: map[string]int{}}
	var keys, names []string
	var reversed, applicants, people, objections []int64
	var texts []string
	var files []postgres.EvidenceRef
	var acks []postgres.StepAck
	for _, c := range clients {
		rep.Attempted += c.attempted
		rep.Retried += c.retried
		rep.FailedOps += c.failed
		rep.Kinds["entry"] += len(c.entries)
		rep.Kinds["reversal"] += len(c.reversed)
		rep.Kinds["evidence"] += len(c.evidence)
		rep.Kinds["import"] += c.importFiles
		rep.Kinds["display"] += c.displays
		for _, o := range c.objections {
			rep.Kinds["objection"]++
			if o.state != "open" {
				rep.Kinds["resolution"]++
			}
			texts, objections = append(texts, o.text), append(objections, o.id)
		}
		for _, e := range c.entries {
			keys = append(keys, e.key)
		}
		keys = append(keys, c.imports...)
		reversed = append(reversed, c.reversed...)
		for _, f := range c.evidence {
			files = append(files, postgres.EvidenceRef{EntryID: f.entryID, SHA256: f.sha})
		}
		for _, a := range c.applicants {
			rep.Kinds["candidate"]++
			names, applicants = append(names, a.name), append(applicants, a.id)
			for i, id := range a.subs {
				rep.Kinds["submission"]++
				if a.state[i] != "pending" {
					rep.Kinds["decision"]++
				}
				acks = append(acks, postgres.StepAck{SubmissionID: id, State: a.state[i]})
			}
		}
		people = append(people, c.cands...)
	}
	for _, n := range rep.Kinds {
		rep.Acknowledged += n
	}
	in, err := db.Integrity(ctx, marks.entry, keys, reversed, files)
	if err != nil {
		return rep, err
	}
	for _, k := range keys {
		rep.count(in.EntriesByKey[k])
	}
	rep.Lost += len(reversed) - in.Reversals + len(files) - in.Evidence
	rep.HalfWritten = in.Unaudited + in.Unchained

	steps, err := db.StepIntegrity(ctx, marks.submission, names, applicants, acks)
	if err != nil {
		return rep, err
	}
	for _, c := range clients {
		for _, a := range c.applicants {
			rep.count(steps.CandidatesByName[a.name])
			switch n := steps.SubmissionsOf[a.id]; {
			case n < len(a.subs):
				rep.Lost += len(a.subs) - n
			case n > len(a.subs):
				rep.Duplicated += n - len(a.subs)
			}
		}
	}
	for _, a := range acks {
		// A decision acknowledged but not there is lost; a submission
		// missing altogether is counted above.
		if got, ok := steps.StateOf[a.SubmissionID]; ok && got != a.State {
			rep.Lost++
		}
	}
	rep.HalfWritten += steps.Unaudited + steps.Unstaged

	objs, err := db.ObjectionIntegrity(ctx, marks.objection, texts, objections)
	if err != nil {
		return rep, err
	}
	for _, t := range texts {
		rep.count(objs.ByText[t])
	}
	for _, c := range clients {
		for _, o := range c.objections {
			if got, ok := objs.StateOf[o.id]; ok && got != o.state {
				rep.Lost++
			}
		}
	}
	rep.HalfWritten += objs.Unaudited + objs.Uncorrected

	chains, err := db.Ledger().VerifyChains(ctx)
	if err != nil {
		return rep, err
	}
	_, badDisplays, err := db.Ledger().VerifyDisplays(ctx)
	if err != nil {
		return rep, err
	}
	rep.ChainsOK = len(chains.Broken) == 0 && len(badDisplays) == 0
	err = db.Ledger().EvidenceFiles(ctx, func(ev ledger.Evidence, _ int64) error {
		if checkFile(ctx, store, ev.SHA256, ev.Size) != "" {
			rep.ChainsOK = false
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	slices.Sort(people)
	rep.ScoresOK, err = scoresMatchLedgers(ctx, db, slices.Compact(people))
	return rep, err
}

// count adds one acknowledged write found n times.
func (r *chaosReport) count(n int) {
	switch {
	case n == 0:
		r.Lost++
	case n > 1:
		r.Duplicated += n - 1
	}
}

// scoresMatchLedgers recomputes each candidate's score entry by entry from
// the ledger and compares it with the score the service shows, which SQL
// sums per quarter and dimension.
func scoresMatchLedgers(ctx context.Context, db *postgres.DB, ids []int64) (bool, error) {
	rubrics, err := db.Rubric().Versions(ctx)
	if err != nil {
		return false, err
	}
	asOf := ledger.PeriodOf(seedling.Today(time.Now()))
	standings, err := db.Scores().Standings(ctx, postgres.StandingFilter{IDs: ids})
	if err != nil {
		return false, err
	}
	if len(standings) != len(ids) {
		return false, nil
	}
	for _, st := range standings {
		entries, err := db.Ledger().Entries(ctx, st.ID)
		if err != nil {
			return false, err
		}
		var sums []ledger.PeriodSum
		for _, e := range entries {
			p, err := ledger.ParsePeriod(e.Period)
			if err != nil {
				return false, nil
			}
			r, _ := rubrics.InForce(p)
			cat, ok := r.FindCategory(e.Category)
			if !ok {
				return false, nil
			}
			sums = append(sums, ledger.PeriodSum{Period: e.Period, Dimension: cat.Dimension, Points: e.Points})
		}
		if ledger.Compute(sums, rubrics, asOf).Total != ledger.Compute(st.Sums, rubrics, asOf).Total {
			return false, nil
		}
	}
	return true, nil
}
