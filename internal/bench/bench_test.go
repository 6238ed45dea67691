package bench

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"seedling/internal/authz"
	"seedling/internal/demo/synth"
	"seedling/internal/evidence"
	"seedling/internal/testdb"
	"seedling/internal/web"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// One short run over a small generated province yields every measure with
// both sides measured, and what the raw twin of the write appended to the
// ledgers still verifies: the twin is the handler's transaction, not a
// cheaper imitation.
func TestEveryMeasureHasBothSides(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	if _, err := synth.Generate(ctx, db, synth.Params{Candidates: 120, Entries: 3000, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	appDB, err := db.AsApp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer appDB.Close()
	az, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{}, web.Deps{DB: appDB, Sessions: appDB.Sessions(), Authz: az,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Evidence: evidence.NewDir(t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.App.Listener(ln)
	defer srv.Shutdown(5 * time.Second)

	var rep Report
	cfg := Config{URL: "http://" + ln.Addr().String(), DB: appDB, Clients: 4, Duration: 300 * time.Millisecond,
		ImportRows: 40, Grants: 1000, Progress: io.Discard}
	if err := Run(ctx, cfg, &rep); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"write_entry", "read_candidate", "branch_roster", "committee_list", "standings", "display", "session_lookup", "authz_decision", "csv_import", "xlsx_import"} {
		r, ok := rep.Results[name]
		if !ok || r.App <= 0 || r.Raw <= 0 || r.Ratio <= 0 || r.Unit == "" {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if w := rep.Results["write_entry"]; w.P99 < w.P50 || w.Note != "" {
		t.Errorf("write_entry: %+v", w)
	}
	// The display measure throws its drafts away again.
	var drafts int
	if err := db.GetContext(ctx, &drafts, `SELECT count(*) FROM displays WHERE state = 'draft' AND created_by_name = 'bench'`); err != nil || drafts != 0 {
		t.Errorf("%d drafts left by the display measure: %v", drafts, err)
	}
	chains, err := db.Ledger().VerifyChains(ctx)
	if err != nil || len(chains.Broken) > 0 {
		t.Fatalf("after the bench: %+v %v", chains, err)
	}
	path := t.TempDir() + "/bench.json"
	if err := rep.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
}

// The sizes prepare picks its branch and committee by are the people under
// each node, its own and its descendants', as a prefix match of the paths
// counts them.
func TestSubtreeSizesCountEveryoneBelow(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	if _, err := synth.Generate(ctx, db, synth.Params{Candidates: 400, Entries: 0, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	var orgs []struct {
		ID   int64  `db:"id"`
		Path string `db:"path"`
	}
	if err := db.SelectContext(ctx, &orgs, `SELECT o.id, o.path FROM candidates c JOIN orgs o ON o.id = c.org_id`); err != nil {
		t.Fatal(err)
	}
	var nodes []struct {
		ID   int64  `db:"id"`
		Path string `db:"path"`
	}
	if err := db.SelectContext(ctx, &nodes, `SELECT id, path FROM orgs`); err != nil {
		t.Fatal(err)
	}
	want := map[int64]int{}
	for _, n := range nodes {
		for _, c := range orgs {
			if strings.HasPrefix(c.Path, n.Path) {
				want[n.ID]++
			}
		}
	}
	var got []struct {
		Node int64 `db:"node"`
		N    int   `db:"n"`
	}
	if err := db.SelectContext(ctx, &got, subtreeSizes+` SELECT node, n FROM under`); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("%d nodes with people, want %d", len(got), len(want))
	}
	for _, g := range got {
		if g.N != want[g.Node] {
			t.Errorf("node %d: %d people under it, want %d", g.Node, g.N, want[g.Node])
		}
	}
}
