package api

import "sort"

// Names lists the parameters sent (the body's file as file), sorted.
func (p *Params) Names() []string {
	out := make([]string, 0, len(p.vals)+1)
	for k := range p.vals {
		out = append(out, k)
	}
	if p.file != nil && p.vals["file"] == nil {
		out = append(out, "file")
	}
	sort.Strings(out)
	return out
}

// Default sets key to value unless it was sent: an upload preset's
// settings under the call's own parameters.
func (p *Params) Default(key, value string) {
	if !p.Has(key) {
		p.vals[key] = []string{value}
	}
}

// ParamsOf makes parameters of a map, one value a key (an upload preset's
// settings, to check them as an upload would read them).
func ParamsOf(m map[string]string) *Params {
	p := newParams()
	for k, v := range m {
		p.vals[k] = []string{v}
	}
	return p
}
