package bench

import (
	"slices"
	"testing"
)

func TestZipfMixRejects(t *testing.T) {
	if _, err := newZipfMix(0, 1.1, 1); err == nil {
		t.Error("no items accepted")
	}
	if _, err := newZipfMix(10, 1, 1); err == nil {
		t.Error("exponent 1 accepted")
	}
}

func TestZipfMixSkew(t *testing.T) {
	const n = 1000
	m, err := newZipfMix(n, 1.1, 7)
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int, n)
	for _, i := range m.sequence(100000, 3) {
		if i < 0 || i >= n {
			t.Fatalf("index %d out of range", i)
		}
		counts[i]++
	}
	// The top-ranked item is perm[0]: far more popular than a mid-ranked one.
	top, mid := counts[m.perm[0]], counts[m.perm[n/2]]
	if top < 10*max(mid, 1) {
		t.Errorf("top item %d requests, rank %d item %d: not Zipf-like", top, n/2, mid)
	}
	distinct := 0
	for _, c := range counts {
		if c > 0 {
			distinct++
		}
	}
	if distinct < n/4 {
		t.Errorf("only %d of %d items requested", distinct, n)
	}
}

func TestZipfMixDeterministic(t *testing.T) {
	a, _ := newZipfMix(500, 1.2, 9)
	b, _ := newZipfMix(500, 1.2, 9)
	if !slices.Equal(a.sequence(1000, 4), b.sequence(1000, 4)) {
		t.Error("same seeds, different sequences")
	}
	if slices.Equal(a.sequence(1000, 4), a.sequence(1000, 5)) {
		t.Error("different sampler seeds, same sequence")
	}
	// Ranks are shuffled: the hottest item is not simply item 0 every time.
	c, _ := newZipfMix(500, 1.2, 10)
	if a.perm[0] == c.perm[0] && a.perm[1] == c.perm[1] && a.perm[2] == c.perm[2] {
		t.Error("the permutation does not depend on the seed")
	}
}
