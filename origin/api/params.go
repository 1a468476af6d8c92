package api

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
)

// Params are a request's parameters merged from the query, an urlencoded
// or JSON body (read even without a Content-Type, as the Go SDK sends some
// bodies) and multipart fields (params_body.go). Array parameters arrive as
// x, x[] or x[N] (and comma-joined strings); Values collects all of them
// under x in order.
type Params struct {
	vals map[string][]string
	// keys holds, for a parameter sent as x[N], the key each value came
	// with, parallel to vals (params_indexed.go): the values are put in
	// the order of N (the Go SDK sends a multipart body's fields in a
	// map's order), the signature's string in the order of the keys.
	keys map[string][]string
	// file is the Upload API's file parameter from the body, on disk: a
	// multipart file part, or, with fileText, the text of a file field (a
	// data URI, a URL or the file's own text; upload_source.go reads it). nil
	// when the body has none (a file in the query is in vals).
	file     *File
	fileText bool
}

func newParams() *Params {
	return &Params{vals: map[string][]string{}}
}

// Close removes the file read with the parameters, if any.
func (p *Params) Close() {
	if p != nil {
		p.file.Close()
		p.file = nil
	}
}

// TakeFile hands the body's file parameter over to the caller, who closes
// it: nil when the body had none. With text, the file holds the text of a
// file field (a data URI, a URL or the file's own text), not a file part.
func (p *Params) TakeFile() (f *File, text bool) {
	f, text, p.file = p.file, p.fileText, nil
	return f, text
}

// add records one value under its key, x[] and x[N] under x, in the order
// they arrive (x[N] put in the order of N by settle).
func (p *Params) add(key, value string) {
	base := key
	if i := strings.IndexByte(key, '['); i > 0 && strings.HasSuffix(key, "]") {
		base = key[:i]
		if _, ok := arrayIndex(key[i:]); ok || p.keys[base] != nil {
			p.addIndexed(base, key)
		}
	} else if p.keys[base] != nil { // a bare x after x[N]: keys stays parallel
		p.addIndexed(base, key)
	}
	p.vals[base] = append(p.vals[base], value)
}

// Get returns the first value of key ("" when absent).
func (p *Params) Get(key string) string {
	if v := p.vals[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Has reports whether key was sent (even empty); the body's file counts
// as file.
func (p *Params) Has(key string) bool {
	_, ok := p.vals[key]
	return ok || key == "file" && p.file != nil
}

// List returns an array parameter: every value, comma-split, trimmed,
// empties dropped.
func (p *Params) List(key string) []string {
	var out []string
	for _, v := range p.vals[key] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// Values returns an array parameter's values without splitting on commas.
func (p *Params) Values(key string) []string { return p.vals[key] }

// Bool parses a boolean parameter ("1", "true", "0", "false"); def when absent.
func (p *Params) Bool(key string, def bool) (bool, error) {
	v := p.Get(key)
	if !p.Has(key) || v == "" {
		return def, nil
	}
	switch strings.ToLower(v) {
	case "1", "true", "yes":
		return true, nil
	case "0", "false", "no":
		return false, nil
	}
	return false, BadRequest("Invalid value %s for parameter %s", Clip(v), key)
}

// Int parses an integer parameter; def when absent.
func (p *Params) Int(key string, def int) (int, error) {
	v := p.Get(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, BadRequest("Invalid value %s for parameter %s", Clip(v), key)
	}
	return n, nil
}

// stringToSign builds what the SDKs sign: every non-empty parameter except
// file, cloud_name, resource_type, api_key and signature; x[]/x[N] collapsed
// to x with values comma-joined; sorted by key; k=v joined by &. With
// escapeAmp (signature version 2), an & inside a value is %26.
func (p *Params) stringToSign(escapeAmp bool) string {
	keys := make([]string, 0, len(p.vals))
	for k, vs := range p.vals {
		switch k {
		case "file", "cloud_name", "resource_type", "api_key", "signature":
			continue
		}
		if strings.Join(vs, "") != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		v := strings.Join(nonEmpty(p.signOrder(k)), ",")
		if escapeAmp {
			v = strings.ReplaceAll(v, "&", "%26")
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	return b.String()
}

func nonEmpty(vs []string) []string {
	out := vs[:0:0]
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// ReadParams reads the query and the body of a request that carries no
// file (the Admin API, invalidations): all its parameters are fields, at
// most MaxFieldsBytes of them, in a body of at most limit bytes (more is
// refused before anything else is read).
func ReadParams(w http.ResponseWriter, r *http.Request, limit int64) (*Params, error) {
	r.Body = http.MaxBytesReader(Unwrapped(w), r.Body, limit)
	b := &bodyReader{p: newParams(), budget: MaxFieldsBytes}
	err := b.read(r)
	b.p.settle()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = BadRequest("Request parameters are too large")
		}
		return nil, err
	}
	return b.p, nil
}

// ReadUpload reads an Upload API request's parameters, at most
// MaxUploadFieldsBytes of fields, and its file parameter into a File of
// spool of at most fileLimit bytes. beforeFile, when set, judges the fields
// read before the file, as the file's value starts. The Params it returns
// (even with an error) hold the file, if any: the caller closes them.
func ReadUpload(r *http.Request, spool Spool, fileLimit int64, beforeFile func(*Params) error) (*Params, error) {
	b := &bodyReader{p: newParams(), budget: MaxUploadFieldsBytes, spool: spool, fileLimit: fileLimit,
		beforeFile: beforeFile}
	err := b.read(r)
	b.p.settle()
	return b.p, err
}

// FileTooLarge is the answer to a file larger than limit.
func FileTooLarge(got, limit int64) *delivery.Error {
	return BadRequest("File size too large. Got %d. Maximum is %d.", got, limit)
}
