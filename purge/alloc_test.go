//go:build !race

package purge

import "testing"

// Covered's common path (no rule for the asset) allocates nothing, with an
// empty index and with 100,000 rules in the log; so does the path that
// finds the asset's own rule.
func TestCoveredAllocs(t *testing.T) {
	for _, n := range []int{0, 100_000} {
		ix := benchIndex(n)
		miss := target(t, "/demo/image/upload/c_fill,w_300/v17/folder/sample.jpg", false)
		if a := testing.AllocsPerRun(1000, func() { ix.Covered(&miss, 0) }); a != 0 {
			t.Errorf("%d rules, no rule for the asset: %v allocs per Covered", n, a)
		}
		if n == 0 {
			continue
		}
		hit := target(t, "/demo/image/upload/c_fill,w_300/folder/asset-7.jpg", false)
		if a := testing.AllocsPerRun(1000, func() { ix.Covered(&hit, 0) }); a != 0 {
			t.Errorf("%d rules, rule for the asset: %v allocs per Covered", n, a)
		}
	}
}
