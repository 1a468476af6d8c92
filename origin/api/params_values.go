package api

// Map returns a copy of the parameters' values, each key's in order (the
// body's file is not among them): an async upload keeps them with its
// job.
func (p *Params) Map() map[string][]string {
	out := make(map[string][]string, len(p.vals))
	for k, v := range p.vals {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// ParamsOfValues makes parameters of what Map returned.
func ParamsOfValues(m map[string][]string) *Params {
	p := newParams()
	for k, v := range m {
		p.vals[k] = append([]string(nil), v...)
	}
	return p
}
