package metrics

import (
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHistogramWrite(t *testing.T) {
	h := NewHistogram(0.001, 0.0025, 1)
	for _, d := range []time.Duration{0, 500 * time.Microsecond, 2 * time.Millisecond, 3 * time.Second} {
		h.Observe(d)
	}
	var b strings.Builder
	h.Write(&b, "x_duration_seconds", "Latency.")
	want := `# HELP x_duration_seconds Latency.
# TYPE x_duration_seconds histogram
x_duration_seconds_bucket{le="0.001"} 2
x_duration_seconds_bucket{le="0.0025"} 3
x_duration_seconds_bucket{le="1"} 3
x_duration_seconds_bucket{le="+Inf"} 4
x_duration_seconds_sum 3.0025
x_duration_seconds_count 4
`
	if got := b.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// A duration equal to a bound counts in that bound's bucket (le); one a
// nanosecond over counts in the next.
func TestHistogramBucketEdges(t *testing.T) {
	bounds := []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}
	for i, bound := range bounds {
		d := time.Duration(bound * 1e9)
		h := NewHistogram(bounds...)
		h.Observe(d)
		h.Observe(d + 1)
		if n := h.counts[i].Load(); n != 1 {
			t.Errorf("%v: bucket le=%g has %d, want 1", d, bound, n)
		}
		if n := h.counts[i+1].Load(); n != 1 {
			t.Errorf("%v + 1ns: next bucket has %d, want 1", d, n)
		}
	}
}

func TestHistogramEmpty(t *testing.T) {
	var b strings.Builder
	NewHistogram().Write(&b, "x_seconds", "Nothing yet.")
	want := "# HELP x_seconds Nothing yet.\n# TYPE x_seconds histogram\n" +
		"x_seconds_bucket{le=\"+Inf\"} 0\nx_seconds_sum 0\nx_seconds_count 0\n"
	if got := b.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestHistogramBadBounds(t *testing.T) {
	for _, bounds := range [][]float64{{1, 1}, {2, 1}, {1, math.NaN()}, {math.Inf(1)}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewHistogram(%v) did not panic", bounds)
				}
			}()
			NewHistogram(bounds...)
		}()
	}
}

// Concurrent observations and scrapes lose nothing (run with -race).
func TestHistogramConcurrent(t *testing.T) {
	h := NewHistogram(0.001, 0.01)
	const goroutines, each = 8, 1000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				h.Observe(time.Duration(g*each+i) * time.Microsecond / 100)
			}
		})
	}
	wg.Go(func() {
		for range 10 {
			var b strings.Builder
			h.Write(&b, "x_seconds", "Scraped while observing.")
		}
	})
	wg.Wait()
	var total int64
	for i := range h.counts {
		total += h.counts[i].Load()
	}
	if total != goroutines*each {
		t.Fatalf("%d observations counted, want %d", total, goroutines*each)
	}
	var b strings.Builder
	h.Write(&b, "x_seconds", "Done.")
	if !strings.Contains(b.String(), "x_seconds_count 8000\n") {
		t.Fatalf("count missing:\n%s", b.String())
	}
}

func TestHistogramObserveAllocs(t *testing.T) {
	h := NewHistogram(0.001, 0.01)
	if n := testing.AllocsPerRun(100, func() { h.Observe(time.Millisecond) }); n != 0 {
		t.Fatalf("Observe allocates %v times", n)
	}
}
