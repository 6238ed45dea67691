package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	rtmetrics "runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"seedling/internal/seedling"
	"seedling/internal/synth"
	"seedling/internal/testdb"
)

// province is a generated province served over a real socket, logged in
// as its organisation department, whose grant covers every ledger.
type province struct {
	app   *testApp
	base  string
	token string
	root  int64
}

func newProvince(t testing.TB, candidates, entries int) province {
	t.Helper()
	db := testdb.New(t)
	res, err := synth.Generate(t.Context(), db, synth.Params{Candidates: candidates, Entries: entries, Seed: 11, Today: seedling.Today(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	p := province{app: newTestAppOn(t, db)}
	for _, a := range res.Accounts {
		if a.Role == seedling.RoleOrgAdmin {
			p.root = a.OrgID
			r := p.app.call("POST", "/api/v1/login", "", map[string]string{"username": a.Username, "password": synth.Password})
			expectStatus(t, r, 200)
			p.token = r.JSON(t)["token"].(string)
			break
		}
	}
	if p.token == "" {
		t.Fatal("the province has no organisation department account")
	}
	p.base = p.app.serve()
	return p
}

// get downloads path into w and returns the status.
func (p province) get(path string, w io.Writer) (int, error) {
	req, _ := http.NewRequest("GET", p.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+p.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, err = io.Copy(w, res.Body)
	return res.StatusCode, err
}

// heapPeak samples the bytes of live heap objects until stopped and
// returns the highest reading above the first: what an export holds at its
// fullest, which a count of bytes allocated does not tell.
func heapPeak() (stop func() uint64) {
	sample := []rtmetrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { rtmetrics.Read(sample); return sample[0].Value.Uint64() }
	base, peak := read(), uint64(0)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
				if v := read(); v > base && v-base > peak {
					peak = v - base
				}
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak }
}

// BenchmarkExportOrgLedgers downloads the ledger workbook of a generated
// province over HTTP, at two sizes (1,000 and 4,000 people, about 70% of
// them at the ledger stages, 100 ledger rows each), and reports the peak of
// the live heap beside the bytes allocated: a streamed export's peak stays
// the same as the rows grow fourfold.
func BenchmarkExportOrgLedgers(b *testing.B) {
	for _, people := range []int{1000, 4000} {
		b.Run(fmt.Sprintf("people=%d", people), func(b *testing.B) { benchExport(b, people) })
	}
}

func benchExport(b *testing.B, people int) {
	p := newProvince(b, people, people*100)
	var rows int
	if err := p.app.db.GetContext(context.Background(), &rows, `
		SELECT count(*) FROM ledger_entries e JOIN candidates k ON k.id = e.candidate_id
		WHERE e.kind <> 'evidence' AND k.stage IN ('activist', 'target', 'probationary')`); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var peak, size uint64
	for i := 0; i < b.N; i++ {
		stop := heapPeak()
		var n countWriter
		status, err := p.get(fmt.Sprintf("/api/v1/orgs/%d/ledger.xlsx", p.root), &n)
		peak = max(peak, stop())
		if err != nil || status != 200 {
			b.Fatalf("status %d, %v", status, err)
		}
		size = uint64(n)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(size)/(1<<20), "xlsx-MB")
	b.ReportMetric(float64(rows), "rows")
}

type countWriter int

func (w *countWriter) Write(p []byte) (int, error) { *w += countWriter(len(p)); return len(p), nil }

// The org export of a province is streamed (chunked, no length known up
// front) and holds every ledger row of everyone at the ledger stages, person
// by person in the roster's order and each ledger in chain order, with the
// standings sheet in the same order.
func TestOrgExportIsStreamedWithEveryRowInOrder(t *testing.T) {
	t.Parallel()
	p := newProvince(t, 600, 15000)
	ctx := context.Background()
	var root string
	if err := p.app.db.GetContext(ctx, &root, `SELECT path FROM orgs WHERE id = $1`, p.root); err != nil {
		t.Fatal(err)
	}
	var want []struct {
		Candidate int64 `db:"candidate_id"`
		Seq       int   `db:"seq"`
	}
	if err := p.app.db.SelectContext(ctx, &want, `
		SELECT e.candidate_id, e.seq FROM ledger_entries e
		JOIN candidates k ON k.id = e.candidate_id JOIN orgs o ON o.id = k.org_id
		WHERE e.kind <> 'evidence' AND k.stage IN ('activist', 'target', 'probationary') AND o.path LIKE $1 || '%'
		ORDER BY o.path, k.name, k.id, e.seq`, root); err != nil {
		t.Fatal(err)
	}
	var people []int64
	if err := p.app.db.SelectContext(ctx, &people, `
		SELECT k.id FROM candidates k JOIN orgs o ON o.id = k.org_id
		WHERE k.stage IN ('activist', 'target', 'probationary') AND o.path LIKE $1 || '%'
		ORDER BY o.path, k.name, k.id`, root); err != nil {
		t.Fatal(err)
	}
	if len(want) < 5000 || len(people) < 300 {
		t.Fatalf("the province is too small to prove anything: %d rows, %d people", len(want), len(people))
	}

	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/orgs/%d/ledger.xlsx", p.base, p.root), nil)
	req.Header.Set("Authorization", "Bearer "+p.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || res.ContentLength != -1 || len(res.TransferEncoding) != 1 || res.TransferEncoding[0] != "chunked" {
		t.Fatalf("status %d, length %d, transfer %v: not streamed", res.StatusCode, res.ContentLength, res.TransferEncoding)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	rows, err := x.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows)-1 != len(want) {
		t.Fatalf("%d entry rows, want %d", len(rows)-1, len(want))
	}
	for i, w := range want {
		got := fmt.Sprintf("%s #%s", rows[i+1][0], rows[i+1][3])
		if exp := fmt.Sprintf("%d #%d", w.Candidate, w.Seq); got != exp {
			t.Fatalf("entry row %d is %s, want %s", i+2, got, exp)
		}
	}
	scores, err := x.GetRows(sheets[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(scores)-1 != len(people) {
		t.Fatalf("%d standing rows, want %d", len(scores)-1, len(people))
	}
	for i, id := range people {
		if scores[i+1][0] != strconv.FormatInt(id, 10) {
			t.Fatalf("standing row %d is %s, want %d", i+2, scores[i+1][0], id)
		}
	}
}
