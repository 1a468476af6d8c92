package bench

import (
	"errors"
	"math/rand/v2"
)

// zipfMix is a popularity law over n items: item ranks follow Zipf's law
// with exponent s (rank k is requested in proportion to 1/(1+k)^s), and
// ranks are assigned to items by a fixed random permutation, so that
// popularity does not follow the order the items were listed in (the
// largest transformation of the first photo is not always the hottest).
// A zipfMix is read-only; each goroutine draws through its own sampler.
type zipfMix struct {
	s    float64
	perm []int32 // perm[rank] = item index
}

// newZipfMix makes the law for n items; seed fixes the permutation.
func newZipfMix(n int, s float64, seed uint64) (*zipfMix, error) {
	switch {
	case n < 1:
		return nil, errors.New("bench: zipf mix needs at least one item")
	case s <= 1:
		return nil, errors.New("bench: zipf exponent must be greater than 1")
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	perm := make([]int32, n)
	for i, p := range r.Perm(n) {
		perm[i] = int32(p)
	}
	return &zipfMix{s: s, perm: perm}, nil
}

// zipfSampler draws item indexes; not safe for concurrent use.
type zipfSampler struct {
	z    *rand.Zipf
	perm []int32
}

// sampler returns an independent stream of draws.
func (m *zipfMix) sampler(seed uint64) *zipfSampler {
	r := rand.New(rand.NewPCG(seed, seed+1))
	return &zipfSampler{z: rand.NewZipf(r, m.s, 1, uint64(len(m.perm)-1)), perm: m.perm}
}

// next is the index of the next item requested.
func (z *zipfSampler) next() int { return int(z.perm[z.z.Uint64()]) }

// sequence draws n indexes: a fixed request order for tools that replay a
// list (wrk's Lua script).
func (m *zipfMix) sequence(n int, seed uint64) []int {
	z := m.sampler(seed)
	out := make([]int, n)
	for i := range out {
		out[i] = z.next()
	}
	return out
}
