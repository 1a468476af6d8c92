package bench

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

func TestParseCounts(t *testing.T) {
	got, err := parseCounts(" 1, 4,16 ,32", 64)
	if err != nil || !slices.Equal(got, []int{1, 4, 16, 32}) {
		t.Errorf("%v, %v", got, err)
	}
	for _, bad := range []string{"", "1,,2", "0", "65", "4,2", "3,3", "x"} {
		if got, err := parseCounts(bad, 64); err == nil {
			t.Errorf("%q gave %v", bad, got)
		}
	}
}

// Each edge is polled every pollEvery until the edges together would
// take more than pollBudget polls a second.
func TestScalePoll(t *testing.T) {
	if scalePoll(1) != pollEvery || scalePoll(4) != pollEvery {
		t.Errorf("few edges: %v %v", scalePoll(1), scalePoll(4))
	}
	if got := scalePoll(32); got != 800*time.Microsecond {
		t.Errorf("32 edges: %v", got)
	}
}

func TestScalePurgeRatio(t *testing.T) {
	rows := []scalePurgeRow{{Edges: 1, P99Ms: 2}, {Edges: 4, P99Ms: 9}, {Edges: 32, P99Ms: 3}}
	r, lo, hi := scalePurgeRatio(rows)
	if r != 1.5 || lo.Edges != 1 || hi.Edges != 32 {
		t.Errorf("ratio %v between %d and %d", r, lo.Edges, hi.Edges)
	}
	if r, _, _ := scalePurgeRatio(rows[:1]); r != 0 {
		t.Errorf("one row: %v", r)
	}
	if r, _, _ := scalePurgeRatio([]scalePurgeRow{{Edges: 1}, {Edges: 2, P99Ms: 1}}); r != 0 {
		t.Errorf("no p99 at the first count: %v", r)
	}
}

// timeline counts answers by when they ended, per second of each
// bucket; a 503 is neither a success nor an error.
func TestTimeline(t *testing.T) {
	start := time.Unix(100, 0)
	at := func(ms int) time.Time { return start.Add(time.Duration(ms) * time.Millisecond) }
	events := []missEvent{
		{t1: at(10), ok: true}, {t1: at(90), ok: true}, {t1: at(150)}, {t1: at(250), shed: true},
		{t1: at(-5), ok: true}, {t1: at(320), ok: true},
	}
	ok, failed := timeline(events, start, 100*time.Millisecond)
	if !slices.Equal(ok, []float64{20, 0, 0, 10}) || !slices.Equal(failed, []float64{0, 10, 0, 0}) {
		t.Errorf("ok %v, failed %v", ok, failed)
	}
	if ok, failed := timeline(nil, start, time.Second); ok != nil || failed != nil {
		t.Errorf("no events: %v %v", ok, failed)
	}
}

// The i-th transformation differs from every other.
func TestMissPathDistinct(t *testing.T) {
	seen := map[string]bool{}
	for i := range 5000 {
		p := missPath("demo", "scale/src", i)
		if seen[p] {
			t.Fatalf("%s asked twice (i = %d)", p, i)
		}
		seen[p] = true
	}
}

func TestParseSchedstat(t *testing.T) {
	if got := parseSchedstat([]byte("123456789 987654321 42\n")); got != (schedTimes{run: 123456789, wait: 987654321}) {
		t.Errorf("schedstat: %+v", got)
	}
	if got := parseSchedstat([]byte("")); got != (schedTimes{}) {
		t.Errorf("empty: %+v", got)
	}
	psi := []byte("some avg10=96.73 avg60=97.82 avg300=79.08 total=8431116847\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
	if d, ok := parsePressure(psi); !ok || d != 8431116847*time.Microsecond {
		t.Errorf("pressure: %v %v", d, ok)
	}
	if _, ok := parsePressure([]byte("full avg10=0 total=1\n")); ok {
		t.Error("pressure without a some line")
	}
}

// Origins get GOMAXPROCS = max(1, CPUs / origins) unless told.
func TestOriginProcs(t *testing.T) {
	o := &Options{ScaleOriginProcs: -1}
	if got, want := o.originProcs(2), max(1, runtime.NumCPU()/2); got != want {
		t.Errorf("2 origins: %d, want %d", got, want)
	}
	if got := o.originProcs(runtime.NumCPU() + 1); got != 1 {
		t.Errorf("more origins than CPUs: %d", got)
	}
	for _, n := range []int{0, 3} {
		if got := (&Options{ScaleOriginProcs: n}).originProcs(2); got != n {
			t.Errorf("-scale-origin-procs %d: %d", n, got)
		}
	}
}
