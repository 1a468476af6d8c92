package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A JSON body is one object of parameters, read member by member as it
// streams: the file parameter's string is decoded straight into its
// temporary file; every other member's value (at most MaxFieldBytes as
// sent) is read into memory and turned into parameter values at once,
// each counted against the fields' budget as it is made. As with
// encoding/json into a map, a key given twice keeps its last value.

// json reads a JSON object body.
func (b *bodyReader) json(br *bufio.Reader) error {
	malformed := BadRequest("Malformed JSON body")
	if c, err := br.ReadByte(); err != nil || c != '{' {
		return malformed
	}
	members := map[string][]string{}
	add := func() error {
		for k, vs := range members {
			for _, v := range vs {
				b.p.add(k, v) // counted as they were made
			}
		}
		return nil
	}
	b.pending = func() *Params { // the query's and the members read so far
		view := &Params{vals: make(map[string][]string, len(b.p.vals))}
		for k, v := range b.p.vals {
			view.vals[k] = v[:len(v):len(v)]
		}
		for k, vs := range members {
			for _, v := range vs {
				view.add(k, v)
			}
		}
		return view
	}
	defer func() { b.pending = nil }()
	for first := true; ; first = false {
		if err := skipSpace(br); err != nil {
			return malformed
		}
		c, _ := br.ReadByte()
		switch {
		case c == '}' && first:
			return add()
		case c != '"':
			return malformed
		}
		raw, err := io.ReadAll(io.LimitReader(&jsonString{br: br}, MaxFieldBytes+1))
		if err != nil || len(raw) > MaxFieldBytes {
			return malformed
		}
		key := string(raw)
		if skipSpace(br) != nil {
			return malformed
		}
		if c, err := br.ReadByte(); err != nil || c != ':' {
			return malformed
		}
		if skipSpace(br) != nil {
			return malformed
		}
		if next, _ := br.Peek(1); b.isFile(key) && len(next) == 1 && next[0] == '"' {
			br.ReadByte()
			s := &jsonString{br: br}
			if err := b.file(s, "file", false, "Malformed JSON body"); err != nil {
				return err
			}
			if !s.done {
				return malformed
			}
		} else {
			vs, err := b.jsonValue(br, key)
			if err != nil {
				return err
			}
			members[key] = vs
		}
		if skipSpace(br) != nil {
			return malformed
		}
		switch c, _ := br.ReadByte(); c {
		case ',':
		case '}':
			return add() // what follows the object is ignored
		default:
			return malformed
		}
	}
}

// charge counts one value of key against the fields' budget.
func (b *bodyReader) charge(key, value string) error {
	if b.budget -= int64(len(key)+len(value)) + fieldOverhead; b.budget < 0 {
		return errFieldsTooLarge()
	}
	return nil
}

// jsonValue reads one JSON value of member key (at most MaxFieldBytes as
// sent) and returns the parameter values it makes: a scalar's text, an
// array's elements, an object (context, metadata) as k=v|k2=v2. An array
// or object is decoded one element at a time.
func (b *bodyReader) jsonValue(br *bufio.Reader, key string) ([]string, error) {
	malformed := BadRequest("Malformed JSON body")
	raw, err := rawJSONValue(br, key)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, malformed
	}
	var out []string
	switch tok {
	case json.Delim('['):
		for dec.More() {
			var e any
			if err := dec.Decode(&e); err != nil {
				return nil, malformed
			}
			v := jsonScalar(e)
			if err := b.charge(key, v); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	case json.Delim('{'):
		obj := map[string]string{}
		for dec.More() {
			kt, err := dec.Token()
			mk, ok := kt.(string)
			var e any
			if err != nil || !ok || dec.Decode(&e) != nil {
				return nil, malformed
			}
			v := jsonScalar(e)
			if err := b.charge(mk, v); err != nil {
				return nil, err
			}
			obj[mk] = v
		}
		keys := make([]string, 0, len(obj))
		for mk := range obj {
			keys = append(keys, mk)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, mk := range keys {
			parts[i] = escapeContext(mk) + "=" + escapeContext(obj[mk])
		}
		out = []string{strings.Join(parts, "|")}
		if err := b.charge(key, out[0]); err != nil { // kept, besides the parts made
			return nil, err
		}
	default:
		out = []string{jsonScalar(tok)}
		if err := b.charge(key, out[0]); err != nil {
			return nil, err
		}
	}
	if _, isDelim := tok.(json.Delim); isDelim {
		if _, err := dec.Token(); err != nil { // the closing bracket
			return nil, malformed
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, malformed
	}
	return out, nil
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

// rawJSONValue reads one JSON value of member key, at most MaxFieldBytes
// as sent, up to the ',' or '}' after it.
func rawJSONValue(br *bufio.Reader, key string) ([]byte, error) {
	malformed := BadRequest("Malformed JSON body")
	var raw bytes.Buffer
	depth, inString, escaped := 0, false, false
	for whole := false; !whole; {
		c, err := br.ReadByte()
		if err != nil {
			if err == io.EOF && depth == 0 && !inString {
				break // a scalar ends the body (the object is then malformed)
			}
			return nil, malformed
		}
		if depth == 0 && !inString && raw.Len() > 0 && (c == ',' || c == '}' || c == ']' || isSpace(c)) {
			br.UnreadByte() // ends a number, true, false or null
			break
		}
		if raw.Len() >= MaxFieldBytes {
			return nil, BadRequest("Parameter %s is too long", Clip(key))
		}
		raw.WriteByte(c)
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				whole = depth == 0
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth--; depth < 0 {
				return nil, malformed
			}
			whole = depth == 0
		}
	}
	return raw.Bytes(), nil
}

// jsonString reads the rest of a JSON string whose opening quote has been
// read, decoded (escapes, \u with surrogate pairs as UTF-8), up to its
// closing quote (consumed): done is then set.
type jsonString struct {
	br      *bufio.Reader
	pending []byte // decoded bytes not yet returned
	done    bool
}

func (s *jsonString) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(s.pending) > 0 {
			k := copy(p[n:], s.pending)
			s.pending = s.pending[k:]
			n += k
			continue
		}
		if s.done {
			break
		}
		if s.br.Buffered() == 0 {
			if _, err := s.br.Peek(1); err != nil {
				return n, io.ErrUnexpectedEOF
			}
		}
		// Copy the run of plain bytes buffered, then handle what ends it.
		buf, _ := s.br.Peek(s.br.Buffered())
		i := 0
		for i < len(buf) && n < len(p) && buf[i] != '"' && buf[i] != '\\' && buf[i] >= 0x20 {
			p[n] = buf[i]
			n++
			i++
		}
		s.br.Discard(i)
		if i == len(buf) || n == len(p) {
			continue
		}
		switch c, _ := s.br.ReadByte(); {
		case c == '"':
			s.done = true
		case c == '\\':
			if err := s.escape(); err != nil {
				return n, err
			}
		default:
			return n, BadRequest("Malformed JSON body")
		}
	}
	if n == 0 && s.done {
		return 0, io.EOF
	}
	return n, nil
}

// escape decodes an escape after its backslash into pending.
func (s *jsonString) escape() error {
	malformed := BadRequest("Malformed JSON body")
	c, err := s.br.ReadByte()
	if err != nil {
		return malformed
	}
	var r rune
	switch c {
	case '"', '\\', '/':
		r = rune(c)
	case 'b':
		r = '\b'
	case 'f':
		r = '\f'
	case 'n':
		r = '\n'
	case 'r':
		r = '\r'
	case 't':
		r = '\t'
	case 'u':
		var ok bool
		if r, ok = s.hex4(); !ok {
			return malformed
		}
		if utf16.IsSurrogate(r) {
			// A pair is \uD8xx\uDCxx; a lone half is U+FFFD, as in encoding/json.
			next, _ := s.br.Peek(2)
			if string(next) != `\u` {
				r = utf8.RuneError
				break
			}
			s.br.Discard(2)
			r2, ok := s.hex4()
			if !ok {
				return malformed
			}
			if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
				s.pending = utf8.AppendRune(s.pending, utf8.RuneError)
				if r = r2; utf16.IsSurrogate(r) {
					r = utf8.RuneError
				}
			}
		}
	default:
		return malformed
	}
	s.pending = utf8.AppendRune(s.pending, r)
	return nil
}

func (s *jsonString) hex4() (rune, bool) {
	var r rune
	for range 4 {
		c, err := s.br.ReadByte()
		if err != nil || !isHex(c) {
			return 0, false
		}
		r = r<<4 | rune(unhex(c))
	}
	return r, true
}
