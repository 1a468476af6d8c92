package purge

import (
	"testing"
	"time"
)

// The applies ring keeps the newest appliesKept applies, oldest first, and
// since returns those above a sequence.
func TestAppliesRing(t *testing.T) {
	var r applies
	if got := r.since(0); len(got) != 0 {
		t.Fatalf("empty ring: %v", got)
	}
	t0 := time.Unix(1_800_000_000, 0)
	total := appliesKept + 10
	for i := 1; i <= total; i++ {
		r.add(Apply{Seq: uint64(i), Stored: t0, Applied: t0.Add(time.Duration(i))})
	}
	all := r.since(0)
	if len(all) != appliesKept || all[0].Seq != uint64(total-appliesKept+1) || all[len(all)-1].Seq != uint64(total) {
		t.Fatalf("after %d applies: %d kept, %d…%d", total, len(all), all[0].Seq, all[len(all)-1].Seq)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq != all[i-1].Seq+1 {
			t.Fatalf("not in order at %d: %d after %d", i, all[i].Seq, all[i-1].Seq)
		}
	}
	if got := r.since(uint64(total - 3)); len(got) != 3 || got[0].Seq != uint64(total-2) {
		t.Errorf("since %d: %v", total-3, got)
	}
	if got := r.since(uint64(total)); len(got) != 0 {
		t.Errorf("since the last: %v", got)
	}
}
