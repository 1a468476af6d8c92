package purge

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
)

// seqd gives r the sequence seq.
func seqd(r *Rule, seq uint64) *Rule { r.Seq = seq; return r }

func asset(id string) *Rule { return NewAsset("demo", Mode{}, delivery.Image, delivery.Upload, id, 0) }

// A fill that started before a purge does not survive it: the entry is
// stamped with the sequence seen when the fill started (S); rule S+1 lands
// while the fill runs; the lookup after it sees the entry covered.
func TestIndexFillRace(t *testing.T) {
	ix := NewIndex(IndexConfig{})
	ix.Apply(seqd(asset("other"), 1))
	stamp := ix.Seq() // fill starts
	ix.Apply(seqd(asset("sample"), 2))
	// fill finishes, entry stored with since = stamp
	tg := target(t, "/demo/image/upload/sample.jpg", false)
	if stamp >= ix.Seq() {
		t.Fatalf("stamp %d, Seq %d: the edge would not check", stamp, ix.Seq())
	}
	if !ix.Covered(&tg, stamp) {
		t.Error("entry filled across the purge is not covered")
	}
	// A fill started after the rule is not covered.
	if ix.Covered(&tg, ix.Seq()) {
		t.Error("entry filled after the purge is covered")
	}
	other := target(t, "/demo/image/upload/sample2.jpg", false)
	if ix.Covered(&other, stamp) {
		t.Error("another asset is covered")
	}
}

func TestIndexOnlyNewerRulesCover(t *testing.T) {
	ix := NewIndex(IndexConfig{})
	ix.Apply(seqd(asset("a"), 5))
	ix.Apply(seqd(NewPrefix("demo", Mode{}, 0, 0, "p/"), 6))
	ix.Apply(seqd(NewNamed("demo", "thumb"), 7))
	ix.Apply(seqd(NewCreated("demo", delivery.Image, delivery.Upload, "n"), 8))
	tests := []struct {
		uri   string
		neg   bool
		since uint64
		want  bool
	}{
		{"/demo/image/upload/a.jpg", false, 4, true},
		{"/demo/image/upload/a.jpg", false, 5, false},
		{"/demo/image/upload/v2/p/x.jpg", false, 5, true},
		{"/demo/image/upload/v2/p/x.jpg", false, 6, false},
		{"/demo/image/upload/t_thumb/z.jpg", false, 6, true},
		{"/demo/image/upload/t_thumb/z.jpg", false, 7, false},
		{"/demo/image/upload/n.jpg", true, 7, true},
		{"/demo/image/upload/n.jpg", false, 7, false},
		{"/other/image/upload/a.jpg", false, 0, false},
	}
	for _, tc := range tests {
		tg := target(t, tc.uri, tc.neg)
		if got := ix.Covered(&tg, tc.since); got != tc.want {
			t.Errorf("Covered(%s neg=%v, %d) = %v, want %v", tc.uri, tc.neg, tc.since, got, tc.want)
		}
	}
	// A duplicate (already applied sequence) is ignored.
	ix.Apply(seqd(asset("b"), 8))
	tg := target(t, "/demo/image/upload/b.jpg", false)
	if ix.Covered(&tg, 0) {
		t.Error("a rule with an old sequence was applied")
	}
}

func TestIndexFlushIsAGeneration(t *testing.T) {
	ix := NewIndex(IndexConfig{})
	ix.Apply(seqd(asset("a"), 1))
	ix.Apply(seqd(NewFlush("demo"), 2))
	a := target(t, "/demo/image/upload/zzz.jpg", false)
	b := target(t, "/other/image/upload/zzz.jpg", false)
	if !ix.Covered(&a, 1) || ix.Covered(&a, 2) {
		t.Error("cloud flush: wrong coverage of demo")
	}
	if ix.Covered(&b, 1) {
		t.Error("cloud flush covers another cloud")
	}
	ix.Flush("", 10)
	if ix.Seq() != 10 {
		t.Errorf("Seq after Flush = %d, want 10", ix.Seq())
	}
	if !ix.Covered(&b, 9) || ix.Covered(&b, 10) {
		t.Error("flush of every cloud: wrong coverage")
	}
	ix.Advance(12)
	if ix.Seq() != 12 || ix.Covered(&b, 10) {
		t.Error("Advance: wrong Seq or coverage")
	}
}

// Rules past the retention are dropped and whatever was filled before them
// counts as covered.
func TestIndexRetention(t *testing.T) {
	now := time.Unix(1e9, 0)
	ix := NewIndex(IndexConfig{Retention: time.Hour, MaxRules: 3, Now: func() time.Time { return now }})
	for i := uint64(1); i <= 3; i++ {
		ix.Apply(seqd(asset(fmt.Sprint("a", i)), i))
	}
	unrelated := target(t, "/demo/image/upload/zzz.jpg", false)
	if ix.Covered(&unrelated, 0) || ix.Len() != 3 {
		t.Fatalf("before trimming: covered or Len %d", ix.Len())
	}
	ix.Apply(seqd(asset("a4"), 4)) // over MaxRules: rule 1 dropped
	if ix.Len() != 3 || !ix.Covered(&unrelated, 0) || ix.Covered(&unrelated, 1) {
		t.Errorf("after count trim: Len %d, coverage below watermark wrong", ix.Len())
	}
	now = now.Add(2 * time.Hour)
	ix.Trim()
	if ix.Len() != 0 || !ix.Covered(&unrelated, 3) || ix.Covered(&unrelated, 4) {
		t.Errorf("after time trim: Len %d, coverage wrong", ix.Len())
	}
	a4 := target(t, "/demo/image/upload/a4.jpg", false)
	if ix.Covered(&a4, 4) {
		t.Error("covered at the newest sequence")
	}
}

// Many lookups while the subscriber applies rules (run with -race).
func TestIndexConcurrent(t *testing.T) {
	ix := NewIndex(IndexConfig{MaxRules: 500})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tg := target(t, "/demo/image/upload/c_fill,w_10/a7.jpg", false)
			for {
				select {
				case <-stop:
					return
				default:
				}
				since := ix.Seq()
				_ = ix.Covered(&tg, since/2)
			}
		}()
	}
	for i := uint64(1); i <= 2000; i++ {
		var r *Rule
		switch i % 4 {
		case 0:
			r = NewPrefix("demo", Mode{}, 0, 0, "a")
		case 1:
			r = NewNamed("demo", "x")
		default:
			r = asset(fmt.Sprint("a", i%10))
			r.Scope, r.Transformations = ScopeTransformations, []string{"w_10,c_fill"}
		}
		ix.Apply(seqd(r, i))
	}
	close(stop)
	wg.Wait()
	tg := target(t, "/demo/image/upload/c_fill,w_10/a7.jpg", false)
	if !ix.Covered(&tg, 1990) {
		t.Error("a7 not covered by its rules")
	}
}
