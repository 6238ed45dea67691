// Package bench measures Seedling beside PostgreSQL alone: each measure runs
// the application's way (HTTP against a running server) and its raw twin
// (the same work as plain SQL, or plain Go) on the same database in the same
// run, so the ratio says what the application costs on this machine today.
package bench

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Stats is what one fixed-duration load found.
type Stats struct {
	Ops      int
	Errors   int
	Elapsed  time.Duration
	P50, P99 time.Duration
	FirstErr error
}

// PerSecond is the rate of successful operations.
func (s Stats) PerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Ops) / s.Elapsed.Seconds()
}

// run calls op from clients goroutines for d, each with its own worker
// number and a count of its calls, and keeps every latency: at the rates
// two cores reach, a few hundred thousand samples are cheaper to sort than
// a histogram is to get right. No call starts after d; calls under way
// then finish and count, so a slow request (a big list) is measured too.
func run(ctx context.Context, clients int, d time.Duration, op func(ctx context.Context, worker, n int) error) Stats {
	end := time.Now().Add(d)
	var mu sync.Mutex
	var all []time.Duration
	var st Stats
	var wg sync.WaitGroup
	start := time.Now()
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			errs := 0
			var first error
			for n := 0; ctx.Err() == nil && time.Now().Before(end); n++ {
				t := time.Now()
				err := op(ctx, w, n)
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			all = append(all, lat...)
			st.Errors += errs
			if st.FirstErr == nil {
				st.FirstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	st.Elapsed = time.Since(start)
	st.Ops = len(all)
	slices.Sort(all)
	if len(all) > 0 {
		st.P50 = all[len(all)*50/100]
		st.P99 = all[min(len(all)-1, len(all)*99/100)]
	}
	return st
}
