package bench

import (
	"math"
	"math/bits"
	"time"
)

// Histogram buckets: values below 2^subBits ns are exact; above, each power
// of two is cut into 2^(subBits-1) buckets, so a bucket is at most 1/64 of
// its value wide (under 1.6% error).
const (
	subBits    = 7
	subCount   = 1 << (subBits - 1) // 64 buckets per power of two
	exactCount = 1 << subBits       // 128 exact values
	maxShift   = 64 - subBits
	numBuckets = exactCount + maxShift*subCount
)

// Histogram records durations in log-linear buckets, HdrHistogram style:
// constant memory, about 1.6% relative error, exact count, min, max and
// sum. The zero value is empty and ready; it is not safe for concurrent
// use (give each goroutine its own and Merge them).
type Histogram struct {
	counts   [numBuckets]uint64
	n        uint64
	min, max int64
	sum      float64
}

func bucketOf(v int64) int {
	if v < 0 {
		v = 0
	}
	if v < exactCount {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - subBits // >= 1
	top := int(v >> shift)                   // in [64, 128)
	return exactCount + (shift-1)*subCount + top - subCount
}

// bucketMid is the middle of bucket i's range, in nanoseconds.
func bucketMid(i int) int64 {
	if i < exactCount {
		return int64(i)
	}
	i -= exactCount
	shift := i/subCount + 1
	top := int64(i%subCount + subCount)
	return top<<shift + (int64(1)<<shift)/2
}

// Record adds one duration.
func (h *Histogram) Record(d time.Duration) {
	v := int64(d)
	h.counts[bucketOf(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.n++
	h.sum += float64(v)
}

// Merge adds o's records to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
	h.sum += o.sum
}

// Count is the number of records.
func (h *Histogram) Count() uint64 { return h.n }

// Max is the largest record.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Mean is the average record.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Quantile is the value at or below which a fraction q (0 to 1) of the
// records fall: the nearest-rank record's bucket middle, clamped to the
// exact min and max.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	if q <= 0 {
		return time.Duration(h.min)
	}
	if q >= 1 {
		return time.Duration(h.max)
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if c > 0 && seen >= rank {
			return time.Duration(min(max(bucketMid(i), h.min), h.max))
		}
	}
	return time.Duration(h.max)
}

// Percentiles is the latency at each quantile of cdfQuantiles, for CDF
// charts and the JSON report.
func (h *Histogram) Percentiles() []Percentile {
	qs := cdfQuantiles()
	out := make([]Percentile, 0, len(qs))
	for _, q := range qs {
		out = append(out, Percentile{Q: q, Ms: ms(h.Quantile(q))})
	}
	return out
}

// Percentile is one point of a latency distribution.
type Percentile struct {
	Q  float64 `json:"q"`  // quantile, 0 to 1
	Ms float64 `json:"ms"` // latency in milliseconds
}

// quantileOf returns the latency at q from a sorted-by-Q list, or 0.
func quantileOf(ps []Percentile, q float64) float64 {
	for _, p := range ps {
		if math.Abs(p.Q-q) < 1e-9 {
			return p.Ms
		}
	}
	return 0
}

// cdfQuantiles are the quantiles reported for every latency distribution.
func cdfQuantiles() []float64 {
	return []float64{0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95,
		0.975, 0.99, 0.995, 0.999, 0.9995, 0.9999, 1}
}

// ms converts a duration to fractional milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
