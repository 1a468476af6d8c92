package metrics

import (
	"fmt"
	"io"
	"math"
	"sync/atomic"
	"time"
)

// Histogram is a latency histogram with fixed buckets in seconds. Observe
// touches two atomics and allocates nothing; Write renders it at scrape
// time. It is safe for concurrent use; a scrape racing observations may
// see a sum a few observations apart from the count.
type Histogram struct {
	bounds []float64      // upper bounds in seconds, ascending; read-only
	counts []atomic.Int64 // per bucket (not cumulative); the last is +Inf
	sumNs  atomic.Int64   // total observed, in nanoseconds
}

// NewHistogram returns a histogram with the given bucket upper bounds, in
// seconds; a +Inf bucket is implied. It panics unless the bounds are
// strictly ascending and finite, as a programming error.
func NewHistogram(bounds ...float64) *Histogram {
	for i, b := range bounds {
		if math.IsNaN(b) || math.IsInf(b, 0) || (i > 0 && b <= bounds[i-1]) {
			panic(fmt.Sprintf("metrics: histogram bounds %v are not ascending and finite", bounds))
		}
	}
	return &Histogram{bounds: append([]float64(nil), bounds...), counts: make([]atomic.Int64, len(bounds)+1)}
}

// Observe records one duration. A duration equal to a bound counts in that
// bound's bucket (Prometheus' le, less or equal).
func (h *Histogram) Observe(d time.Duration) {
	s := d.Seconds()
	i := 0
	for i < len(h.bounds) && s > h.bounds[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sumNs.Add(int64(d))
}

// Write renders the histogram as a family named name: HELP and TYPE lines,
// then cumulative name_bucket{le="..."} series ending with le="+Inf", then
// name_sum in seconds and name_count.
func (h *Histogram) Write(w io.Writer, name, help string) {
	header(w, name, help, "histogram")
	var cum int64
	for i, b := range h.bounds {
		cum += h.counts[i].Load()
		fmt.Fprintf(w, "%s_bucket{le=\"%g\"} %d\n", name, b, cum)
	}
	cum += h.counts[len(h.bounds)].Load()
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n%s_sum %g\n%s_count %d\n", name, cum, name,
		float64(h.sumNs.Load())/1e9, name, cum)
}
