package api

import (
	"sort"
	"strconv"
)

// Array parameters sent as x[N]. A multipart body's fields can arrive in
// any order (the Go SDK writes them from a map), so the values are put in
// the order of N once the fields are read (settle), while the string the
// SDK signs joins them in the order of their keys as text (it sorts the
// keys: x[10] before x[2]).

// arrayIndex reads the N of a key's "[N]" suffix.
func arrayIndex(suffix string) (int, bool) {
	if len(suffix) < 3 || len(suffix) > 12 || suffix[0] != '[' || suffix[len(suffix)-1] != ']' {
		return 0, false
	}
	n, err := strconv.Atoi(suffix[1 : len(suffix)-1])
	return n, err == nil && n >= 0
}

// addIndexed records the key of the value add is about to append to base
// (keys stays parallel to the values: a value of base that came without
// an index before the first indexed one gets its own key too).
func (p *Params) addIndexed(base, key string) {
	if p.keys == nil {
		p.keys = map[string][]string{}
	}
	ks := p.keys[base]
	for len(ks) < len(p.vals[base]) {
		ks = append(ks, base)
	}
	p.keys[base] = append(ks, key)
}

// settle puts every indexed parameter's values in the order of their N
// (values without one keep their place among themselves, after them):
// O(n log n), whatever order they came in.
func (p *Params) settle() {
	for base, ks := range p.keys {
		vs := p.vals[base]
		if len(ks) != len(vs) {
			continue
		}
		idx := make([]int, len(ks))
		for i, k := range ks {
			idx[i] = -1 // no index: after every indexed value, however large its N
			if n, ok := arrayIndex(k[len(base):]); ok {
				idx[i] = n
			}
		}
		order := make([]int, len(ks))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool {
			x, y := idx[order[a]], idx[order[b]]
			return y < 0 && x >= 0 || x >= 0 && x < y
		})
		nv, nk := make([]string, len(vs)), make([]string, len(ks))
		for i, o := range order {
			nv[i], nk[i] = vs[o], ks[o]
		}
		p.vals[base], p.keys[base] = nv, nk
	}
}

// signOrder returns base's values in the order the SDK signs them: of
// their keys as text for x[N] parameters, else as they are.
func (p *Params) signOrder(base string) []string {
	vs, ks := p.vals[base], p.keys[base]
	if len(ks) != len(vs) || len(ks) < 2 {
		return vs
	}
	order := make([]int, len(ks))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ks[order[a]] < ks[order[b]] })
	out := make([]string, len(vs))
	for i, o := range order {
		out[i] = vs[o]
	}
	return out
}
