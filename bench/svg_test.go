package bench

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"
)

// wellFormed parses an SVG as XML and returns its text.
func wellFormed(t *testing.T, svg []byte) string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
	}
	s := string(svg)
	if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
		t.Fatalf("non-finite coordinates:\n%s", s)
	}
	return s
}

func TestCDFChart(t *testing.T) {
	var a, b Histogram
	for i := 1; i <= 1000; i++ {
		a.Record(time.Duration(i) * time.Microsecond)
		b.Record(time.Duration(i) * 3 * time.Microsecond)
	}
	s := wellFormed(t, cdfChart("latency <p99> & more", map[string][]Percentile{"edge": a.Percentiles(), "nginx": b.Percentiles()},
		[]string{"edge", "nginx", "missing"}))
	for _, want := range []string{"latency &lt;p99&gt; &amp; more", ">edge<", ">nginx<", ">99.9%<", ">50%<", "<polyline"} {
		if !strings.Contains(s, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	if n := strings.Count(s, "<polyline"); n != 2 {
		t.Errorf("%d lines, want 2 (an empty series draws nothing)", n)
	}
	wellFormed(t, cdfChart("empty", nil, nil))
	pairs := wellFormed(t, cdfPairsChart("pairs", map[string][]Percentile{"a": a.Percentiles(), "b": b.Percentiles()}, []string{"a", "b"}))
	if strings.Count(pairs, `stroke="#1f77b4"`) != 4 || strings.Count(pairs, "stroke-dasharray=\"7 4\"") != 2 {
		t.Errorf("pairs should share a colour, the second dashed:\n%s", pairs)
	}
}

func TestHistogramChart(t *testing.T) {
	vals := []float64{1, 1.5, 2, 2, 2.5, 3, 40}
	s := wellFormed(t, histogramChart("purge", "ms", vals, []ref{{2, "p50 2"}}))
	if n := strings.Count(s, `fill-opacity="0.75"`); n != 40 {
		t.Errorf("%d bars, want 40", n)
	}
	if !strings.Contains(s, ">p50 2<") {
		t.Error("reference line label missing")
	}
	wellFormed(t, histogramChart("none", "ms", nil, nil))
}

func TestTimeChart(t *testing.T) {
	s := wellFormed(t, timeChart("soak", "MiB", []series{{Name: "rss", Points: []point{{0, 100}, {1, 600}}}},
		[]ref{{512, "budget"}, {612, "budget + 100 MiB"}}))
	for _, want := range []string{">rss<", ">budget<", "stroke-dasharray"} {
		if !strings.Contains(s, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
}

func TestAxes(t *testing.T) {
	a := linearAxis("x", 0, 7.3)
	if a.Min != 0 || a.Max < 7.3 || len(a.Ticks) < 4 || len(a.Ticks) > 10 {
		t.Errorf("linear axis %+v", a)
	}
	if a.pos(a.Min) != 0 || a.pos(a.Max) != 1 || a.pos(-5) != 0 {
		t.Error("linear positions")
	}
	l := logAxis("ms", 0.3, 47)
	if l.Min != 0.1 || l.Max != 100 || l.pos(1) <= 0.3 || l.pos(1) >= 0.4 {
		t.Errorf("log axis %v..%v pos(1)=%v", l.Min, l.Max, l.pos(1))
	}
	n := ninesAxis("q", 3)
	var labels []string
	for _, tk := range n.Ticks {
		labels = append(labels, tk.Label)
	}
	if strings.Join(labels, " ") != "0% 50% 90% 99% 99.9%" {
		t.Errorf("nines labels %v", labels)
	}
	if p := n.pos(0.99); p < 0.66 || p > 0.67 || n.pos(1) != 1 {
		t.Errorf("nines position of 0.99: %v", p)
	}
}

func TestScalingChart(t *testing.T) {
	s := wellFormed(t, scalingChart("purge", "edges", "ms", []float64{1, 4, 16, 32},
		[]series{{Name: "p99", Points: []point{{1, 2}, {4, 3}, {16, 5}, {32, 9}}}}, []ref{{4, "2 × p99 at 1"}}))
	for _, want := range []string{">p99<", ">2 × p99 at 1<", ">32<", ">16<", "<polyline"} {
		if !strings.Contains(s, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	wellFormed(t, scalingChart("one", "edges", "ms", []float64{1}, nil, nil))
	wellFormed(t, scalingChart("none", "edges", "ms", nil, nil, nil))
}

func TestGroupedBarChart(t *testing.T) {
	s := wellFormed(t, groupedBarChart("throughput", "per second", []string{"SQLite", "PG+S3"}, []string{"uploads", "misses"},
		[][]float64{{10, 20}, {5, 0}}))
	if n := strings.Count(s, `fill-opacity="0.75"`); n != 4 {
		t.Errorf("%d bars, want 4", n)
	}
	for _, want := range []string{">SQLite<", ">PG+S3<", ">uploads<", ">misses<", `fill="#d62728"`} {
		if !strings.Contains(s, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	wellFormed(t, groupedBarChart("none", "per second", nil, nil, nil))
}
