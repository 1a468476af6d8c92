package purge

import (
	"fmt"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
)

// benchIndex returns an index holding n asset rules for other assets of
// the same cloud (plus, when n > 0, one prefix and one named rule that do
// not match), all newer than sequence 0.
func benchIndex(n int) *Index {
	ix := NewIndex(IndexConfig{MaxRules: n + 10})
	seq := uint64(0)
	for i := 0; i < n; i++ {
		seq++
		ix.Apply(seqd(NewAsset("demo", Mode{}, delivery.Image, delivery.Upload, fmt.Sprintf("folder/asset-%d", i), 0), seq))
	}
	if n > 0 {
		seq++
		ix.Apply(seqd(NewPrefix("demo", Mode{}, 0, 0, "elsewhere/"), seq))
		seq++
		ix.Apply(seqd(NewNamed("demo", "banner"), seq))
	}
	return ix
}

// The common path of Covered: the entry is older than every rule, and no
// rule is for its asset. With 0 rules Covered returns on its first load;
// with 1 rule it walks the same path as with 100,000 (map hit, lists).
func BenchmarkCovered(b *testing.B) {
	for _, n := range []int{0, 1, 100_000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			ix := benchIndex(n)
			tg := target(b, "/demo/image/upload/c_fill,w_300/v17/folder/sample.jpg", false)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if ix.Covered(&tg, 0) {
					b.Fatal("covered")
				}
			}
		})
	}
}

func BenchmarkCoveredParallel(b *testing.B) {
	ix := benchIndex(100_000)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		tg := target(b, "/demo/image/upload/c_fill,w_300/v17/folder/sample.jpg", false)
		for pb.Next() {
			if ix.Covered(&tg, 0) {
				b.Fatal("covered")
			}
		}
	})
}

// The hit path of an entry that has a rule of its own to check.
func BenchmarkCoveredMatch(b *testing.B) {
	ix := benchIndex(100_000)
	tg := target(b, "/demo/image/upload/c_fill,w_300/v17/folder/asset-500.jpg", false)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !ix.Covered(&tg, 0) {
			b.Fatal("not covered")
		}
	}
}

func BenchmarkApply(b *testing.B) {
	ix := NewIndex(IndexConfig{MaxRules: 100_000})
	rules := make([]*Rule, b.N)
	for i := range rules {
		rules[i] = seqd(NewAsset("demo", Mode{}, delivery.Image, delivery.Upload, fmt.Sprintf("a/%d", i%50_000), 0), uint64(i+1))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for _, r := range rules {
		ix.Apply(r)
	}
}
