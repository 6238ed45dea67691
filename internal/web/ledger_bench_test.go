package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// benchBranch is a branch of fifty activists, each with a ledger of about
// twenty entries, and one more activist with two hundred; the demo
// secretary keeps it.
type benchBranch struct {
	app      *testApp
	base     string
	token    string
	branch   int64
	people   []int64
	heavy    int64
	client   *http.Client
	setupDur time.Duration
}

func newBenchBranch(b *testing.B) *benchBranch {
	b.Helper()
	start := time.Now()
	app := newTestApp(b)
	ctx := b.Context()
	parent, err := app.db.Orgs().ByCode(ctx, "meishan")
	if err != nil {
		b.Fatal(err)
	}
	var branch int64
	if err := app.db.GetContext(ctx, &branch, `INSERT INTO orgs (parent_id, kind, name, code) VALUES ($1, 'branch', '基准测试党支部', 'bench') RETURNING id`, parent.ID); err != nil {
		b.Fatal(err)
	}
	people := make([]int64, 51)
	for i := range people {
		if err := app.db.GetContext(ctx, &people[i], `
			INSERT INTO candidates (org_id, name, stage, applied_on, activist_since, stage_since)
			VALUES ($1, $2, 'activist', '2023-06-01', '2024-01-02', '2024-01-02') RETURNING id`, branch, fmt.Sprintf("测试%02d", i)); err != nil {
			b.Fatal(err)
		}
	}
	admin := seedling.Actor{Username: "bench"}
	if err := app.db.Users().Grant(ctx, seedling.Administrator{Actor: admin, Everywhere: true}, "secretary", seedling.RoleSecretary, branch); err != nil {
		b.Fatal(err)
	}
	// Ledgers: twenty entries each for fifty, two hundred for the last one,
	// spread over the quarters since 2024.
	cats := []struct {
		code string
		pts  int
	}{{"study_attendance", 2}, {"task_completion", 3}, {"activity_conduct", 2}, {"evaluation_result", 4}, {"exam_result", 9}, {"deduction", -2}}
	since := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	days := int(seedling.Today(time.Now()).Sub(since).Hours() / 24)
	var wg sync.WaitGroup
	work := make(chan int64)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				n := 20
				if id == people[50] {
					n = 200
				}
				for k := 0; k < n; k++ {
					c := cats[k%len(cats)]
					pts := c.pts
					d := ledger.Draft{Category: c.code, Points: &pts, OccurredOn: since.AddDate(0, 0, k*days/n).Format(seedling.DateLayout), Description: "基准测试"}
					if _, _, err := app.db.Ledger().Record(ctx, admin, id, d, "", nil); err != nil {
						b.Error(err)
						return
					}
				}
			}
		}()
	}
	for _, id := range people {
		work <- id
	}
	close(work)
	wg.Wait()
	bb := &benchBranch{app: app, base: app.serve(), token: app.login("secretary"), branch: branch, people: people[:50], heavy: people[50],
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}, setupDur: time.Since(start)}
	return bb
}

func (bb *benchBranch) do(method, path string, body any, headers ...string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		buf, _ := json.Marshal(body)
		rd = bytes.NewReader(buf)
	}
	req, _ := http.NewRequest(method, bb.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+bb.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := bb.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// BenchmarkRecordEntry32Clients records entries through HTTP from 32
// clients at once, over the fifty ledgers of one branch (so some clients
// wait on the same chain), and reports throughput and the 99th percentile.
func BenchmarkRecordEntry32Clients(b *testing.B) {
	bb := newBenchBranch(b)
	today := seedling.Today(time.Now()).Format(seedling.DateLayout)
	var next atomic.Int64
	lat := make([][]time.Duration, 32)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				cand := bb.people[int(i)%len(bb.people)]
				t0 := time.Now()
				status, body, err := bb.do("POST", fmt.Sprintf("/api/v1/candidates/%d/ledger", cand),
					map[string]any{"category": "study_attendance", "points": 1, "occurred_on": today, "description": "基准测试记分"},
					"Idempotency-Key", fmt.Sprintf("bench-%d", i))
				lat[w] = append(lat[w], time.Since(t0))
				if err != nil || status != 201 {
					b.Errorf("record: %d %v %s", status, err, body)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(percentile(all, 0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(all, 0.99).Microseconds())/1000, "p99-ms")
	if b.N > 100 {
		rep, err := bb.app.db.Ledger().VerifyChains(b.Context())
		if err != nil || len(rep.Broken) > 0 {
			b.Fatalf("chains after the run: %v %+v", err, rep.Broken)
		}
	}
}

// BenchmarkScore200Entries reads the score of an activist with two hundred
// entries over eleven quarters.
func BenchmarkScore200Entries(b *testing.B) {
	bb := newBenchBranch(b)
	path := fmt.Sprintf("/api/v1/candidates/%d/score", bb.heavy)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		status, body, err := bb.do("GET", path, nil)
		lat = append(lat, time.Since(t0))
		if err != nil || status != 200 {
			b.Fatalf("score: %d %v %s", status, err, body)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
}

// BenchmarkCandidateRead200Entries reads the page of the same activist:
// the candidate, score, eligibility and strikes (one statement after the
// session's).
func BenchmarkCandidateRead200Entries(b *testing.B) {
	bb := newBenchBranch(b)
	path := fmt.Sprintf("/api/v1/candidates/%d", bb.heavy)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if status, body, err := bb.do("GET", path, nil); err != nil || status != 200 {
			b.Fatalf("candidate: %d %v %s", status, err, body)
		}
	}
}

// BenchmarkRoster50 reads the roster of a branch of fifty, each scored.
func BenchmarkRoster50(b *testing.B) {
	bb := newBenchBranch(b)
	path := fmt.Sprintf("/api/v1/orgs/%d/roster", bb.branch)
	status, body, _ := bb.do("GET", path, nil)
	var roster struct{ Candidates []any }
	json.Unmarshal(body, &roster)
	if status != 200 || len(roster.Candidates) != 51 {
		b.Fatalf("roster: %d, %d lines", status, len(roster.Candidates))
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		status, body, err := bb.do("GET", path, nil)
		lat = append(lat, time.Since(t0))
		if err != nil || status != 200 {
			b.Fatalf("roster: %d %v %s", status, err, body)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
}
