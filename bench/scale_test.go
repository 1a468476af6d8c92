package bench

import (
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
