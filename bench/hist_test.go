package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketRoundTrip(t *testing.T) {
	for _, v := range []int64{0, 1, 127, 128, 129, 1000, 123456, 1e9, 7e12, math.MaxInt64 / 2} {
		i := bucketOf(v)
		if i < 0 || i >= numBuckets {
			t.Fatalf("bucketOf(%d) = %d out of range", v, i)
		}
		mid := bucketMid(i)
		if err := math.Abs(float64(mid-v)) / math.Max(float64(v), 1); err > 1.0/64 {
			t.Errorf("v=%d: bucket middle %d, relative error %.4f", v, mid, err)
		}
	}
}

func TestHistogramQuantiles(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	var exact []float64
	for range 20000 {
		d := time.Duration(r.ExpFloat64() * float64(time.Millisecond))
		h.Record(d)
		exact = append(exact, float64(d))
	}
	slices.Sort(exact)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		want := exact[int(math.Ceil(q*float64(len(exact))))-1]
		got := float64(h.Quantile(q))
		if math.Abs(got-want)/want > 0.02 {
			t.Errorf("q%.3f: got %v, want %v", q, time.Duration(got), time.Duration(want))
		}
	}
	if h.Quantile(0) != time.Duration(exact[0]) || h.Quantile(1) != time.Duration(exact[len(exact)-1]) || h.Max() != h.Quantile(1) {
		t.Errorf("min/max: %v %v %v", h.Quantile(0), h.Quantile(1), h.Max())
	}
	if h.Count() != 20000 {
		t.Errorf("count %d", h.Count())
	}
}

func TestHistogramMerge(t *testing.T) {
	var a, b, all Histogram
	for i := 1; i <= 100; i++ {
		d := time.Duration(i) * time.Microsecond
		all.Record(d)
		if i%2 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	var empty Histogram
	a.Merge(&b)
	a.Merge(&empty)
	if a.Count() != all.Count() || a.Mean() != all.Mean() || a.Quantile(0.5) != all.Quantile(0.5) || a.Quantile(0) != all.Quantile(0) {
		t.Errorf("merged %v/%v/%v, want %v/%v/%v", a.Count(), a.Mean(), a.Quantile(0.5), all.Count(), all.Mean(), all.Quantile(0.5))
	}
	if empty.Quantile(0.5) != 0 || empty.Mean() != 0 {
		t.Error("empty histogram should answer 0")
	}
}

func TestPercentiles(t *testing.T) {
	var h Histogram
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	ps := h.Percentiles()
	if len(ps) != len(cdfQuantiles()) || ps[0].Q != 0 || ps[len(ps)-1].Q != 1 {
		t.Fatalf("percentiles %v", ps)
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Ms < ps[i-1].Ms {
			t.Fatalf("not monotonic at %d: %v", i, ps)
		}
	}
	if got := quantileOf(ps, 0.99); math.Abs(got-990) > 990*0.02 {
		t.Errorf("p99 %v ms", got)
	}
	if quantileOf(ps, 0.123) != 0 {
		t.Error("a quantile not in the list should be 0")
	}
}

func TestStats(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	if median(xs) != 3 || quantile(xs, 0.99) != 5 || quantile(xs, 0) != 1 || quantile(nil, 0.5) != 0 {
		t.Errorf("median %v q99 %v q0 %v", median(xs), quantile(xs, 0.99), quantile(xs, 0))
	}
	if !slices.Equal(xs, []float64{5, 1, 4, 2, 3}) {
		t.Error("quantile sorted its input")
	}
	if median([]float64{4, 1, 3, 2}) != 2 || ratio(1, 0) != 0 || ratio(3, 2) != 1.5 {
		t.Error("median of an even count is the lower middle; ratio by zero is 0")
	}
}
