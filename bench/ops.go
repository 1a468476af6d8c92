package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// opStats is what runOps measured.
type opStats struct {
	Done     int64
	Errors   int64
	Elapsed  time.Duration
	Latency  *Histogram
	FirstErr string
}

// RPS is operations per second.
func (s *opStats) RPS() float64 { return float64(s.Done) / s.Elapsed.Seconds() }

// runOps runs op(0) … op(n-1) from clients goroutines, each taking the
// next index, until all are done, the deadline passes or ctx ends. done,
// when not nil, counts finished operations as they finish.
func runOps(ctx context.Context, n, clients int, deadline time.Time, done *atomic.Int64, op func(i int) error) *opStats {
	var next, errs atomic.Int64
	var first sync.Once
	var firstErr string
	hists := make([]*Histogram, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range clients {
		hists[w] = &Histogram{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				t0 := time.Now()
				err := op(int(i))
				hists[w].Record(time.Since(t0))
				if done != nil {
					done.Add(1)
				}
				if err != nil {
					errs.Add(1)
					first.Do(func() { firstErr = err.Error() })
				}
			}
		}()
	}
	wg.Wait()
	s := &opStats{Errors: errs.Load(), Elapsed: time.Since(start), Latency: &Histogram{}, FirstErr: firstErr}
	for _, h := range hists {
		s.Latency.Merge(h)
	}
	s.Done = int64(s.Latency.Count())
	return s
}
