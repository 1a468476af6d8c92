package origin

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Params are a request's parameters merged from the query, an urlencoded
// or JSON body (read even without a Content-Type, as the Go SDK sends some
// bodies) and multipart fields. Array parameters arrive as x, x[] or x[N]
// (and comma-joined strings); Values collects all of them under x in order.
type Params struct {
	vals map[string][]string
	// File is the multipart file part's content, if one was sent.
	File *FilePart
}

// FilePart is an uploaded file.
type FilePart struct {
	Name string // client's file name
	Data []byte
}

func newParams() *Params {
	return &Params{vals: map[string][]string{}}
}

// add records one value under its key, x[] and x[N] under x, in the order
// they arrive (which is also the order the SDKs sign them in).
func (p *Params) add(key, value string) {
	base := key
	if i := strings.IndexByte(key, '['); i > 0 && strings.HasSuffix(key, "]") {
		base = key[:i]
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

// Has reports whether key was sent (even empty).
func (p *Params) Has(key string) bool { _, ok := p.vals[key]; return ok }

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
	return false, badRequest("Invalid value %s for parameter %s", clip(v), key)
}

// Int parses an integer parameter; def when absent.
func (p *Params) Int(key string, def int) (int, error) {
	v := p.Get(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, badRequest("Invalid value %s for parameter %s", clip(v), key)
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
		v := strings.Join(nonEmpty(p.vals[k]), ",")
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

// Limits on request parameters.
const (
	maxFieldBytes  = 1 << 20 // one non-file field
	maxFieldsBytes = 8 << 20 // all non-file fields together
)

// parseParams reads the query and body. fileLimit bounds a multipart file
// part; a larger one fails with Cloudinary's "File size too large".
func parseParams(r *http.Request, fileLimit int64) (*Params, error) {
	p := newParams()
	if err := p.addQuery(r.URL.RawQuery); err != nil {
		return nil, err
	}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return p, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "multipart/form-data":
		return p, p.readMultipart(r.Body, ctParams["boundary"], fileLimit)
	case ct == "application/json":
		return p, p.readJSON(io.LimitReader(r.Body, maxFieldsBytes+fileLimit*4/3+1024))
	default:
		// urlencoded, or no Content-Type at all (Go SDK destroy/rename).
		body, err := io.ReadAll(io.LimitReader(r.Body, maxFieldsBytes+fileLimit*4/3+1024))
		if err != nil {
			return nil, badRequest("Could not read the request body")
		}
		body = bytes.TrimSpace(body)
		if len(body) > 0 && body[0] == '{' {
			return p, p.readJSON(bytes.NewReader(body))
		}
		if err := p.addQuery(string(body)); err != nil {
			return nil, badRequest("Malformed request body")
		}
		return p, nil
	}
}

// addQuery adds urlencoded pairs in the order they were sent (so that
// x[0]=a&x[1]=b stays a, b).
func (p *Params) addQuery(q string) error {
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return badRequest("Malformed query string")
		}
		p.add(key, val)
	}
	return nil
}

func (p *Params) readMultipart(body io.Reader, boundary string, fileLimit int64) error {
	if boundary == "" {
		return badRequest("Malformed multipart request: no boundary")
	}
	mr := multipart.NewReader(body, boundary)
	var fieldBytes int64
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return badRequest("Malformed multipart request")
		}
		name := part.FormName()
		if name == "file" && part.FileName() != "" {
			if err := p.readFilePart(part, fileLimit); err != nil {
				return err
			}
			continue
		}
		limit := int64(maxFieldBytes)
		if name == "file" {
			limit = fileLimit*4/3 + 1024 // a data URI or URL in a text field
		}
		v, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return badRequest("Malformed multipart request")
		}
		if int64(len(v)) > limit {
			return badRequest("Parameter %s is too long", clip(name))
		}
		if name != "file" {
			if fieldBytes += int64(len(v)); fieldBytes > maxFieldsBytes {
				return badRequest("Request parameters are too large")
			}
		}
		p.add(name, string(v))
	}
}

func (p *Params) readFilePart(part *multipart.Part, limit int64) error {
	data, err := io.ReadAll(io.LimitReader(part, limit+1))
	if err != nil {
		return badRequest("Malformed multipart request")
	}
	if int64(len(data)) > limit {
		n, _ := io.Copy(io.Discard, io.LimitReader(part, 4*limit))
		return fileTooLarge(int64(len(data))+n, limit)
	}
	p.File = &FilePart{Name: part.FileName(), Data: data}
	return nil
}

func fileTooLarge(got, limit int64) *APIError {
	return badRequest("File size too large. Got %d. Maximum is %d.", got, limit)
}

func (p *Params) readJSON(r io.Reader) error {
	var obj map[string]any
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return badRequest("Malformed JSON body")
	}
	for k, v := range obj {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				p.add(k, jsonScalar(e))
			}
		case map[string]any:
			// context / metadata objects: k=v|k2=v2
			keys := make([]string, 0, len(v))
			for mk := range v {
				keys = append(keys, mk)
			}
			sort.Strings(keys)
			parts := make([]string, len(keys))
			for i, mk := range keys {
				parts[i] = escapeContext(mk) + "=" + escapeContext(jsonScalar(v[mk]))
			}
			p.add(k, strings.Join(parts, "|"))
		default:
			p.add(k, jsonScalar(v))
		}
	}
	return nil
}

func jsonScalar(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return v.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}
