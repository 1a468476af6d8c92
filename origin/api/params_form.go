package api

import (
	"bufio"
	"io"
	"net/url"
	"strings"
)

// An urlencoded body (k=v&k2=v2, + for a space, %XX escapes) is read pair
// by pair as it streams: the file parameter's value is decoded straight
// into its temporary file, every other value into memory within the
// fields' budget.

// form reads an urlencoded body.
func (b *bodyReader) form(br *bufio.Reader) error {
	for {
		key, end, err := formToken(br, true, "")
		if err != nil {
			return err
		}
		if end != '=' { // a key without a value, or the end of the body
			if key = strings.TrimRight(key, " \t\r\n"); key != "" {
				if err := b.field(key, ""); err != nil {
					return err
				}
			}
			if end == 0 {
				return nil
			}
			continue
		}
		// end is '=': the value follows.
		if b.isFile(key) {
			if err := b.file(&formValue{br: br}, "file", false, "Malformed request body"); err != nil {
				return err
			}
			continue
		}
		value, end, err := formToken(br, false, key)
		if err != nil {
			return err
		}
		if end == 0 {
			value = strings.TrimRight(value, " \t\r\n") // the body's trailing white space
		}
		if err := b.field(key, value); err != nil {
			return err
		}
	}
}

// formToken reads a key (up to '=' or '&') or the value of key (up to
// '&'), decoded, at most MaxFieldBytes as sent. end is the byte that ended
// it, 0 at the end of the body.
func formToken(br *bufio.Reader, isKey bool, key string) (tok string, end byte, err error) {
	var sb strings.Builder
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", 0, readFailure(err, "Could not read the request body")
		}
		if c == '&' || isKey && c == '=' {
			end = c
			break
		}
		if sb.Len() >= MaxFieldBytes {
			if isKey {
				key = sb.String()
			}
			return "", 0, BadRequest("Parameter %s is too long", Clip(key))
		}
		sb.WriteByte(c)
	}
	tok, err = unescapeQuery(sb.String())
	if err != nil {
		return "", 0, BadRequest("Malformed request body")
	}
	return tok, end, nil
}

func unescapeQuery(s string) (string, error) { return url.QueryUnescape(s) }

// formValue reads one urlencoded value as it streams, decoded, up to the
// '&' that ends it (consumed) or the end of the body. It decodes the bytes
// buffered in br in place of reading them one by one (a file of 100 MB).
type formValue struct {
	br   *bufio.Reader
	done bool
}

func (v *formValue) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && !v.done {
		if v.br.Buffered() == 0 {
			if _, err := v.br.Peek(1); err == io.EOF {
				v.done = true
				break
			} else if err != nil {
				return n, err
			}
		}
		buf, _ := v.br.Peek(v.br.Buffered())
		i := 0
	scan:
		for ; i < len(buf) && n < len(p); i++ {
			c := buf[i]
			switch c {
			case '&':
				i++
				v.done = true
				break scan
			case '+':
				c = ' '
			case '%':
				if i+2 >= len(buf) {
					if i > 0 {
						break scan // decoded with what follows, next round
					}
					esc, err := v.br.Peek(3)
					if err != nil && err != io.EOF {
						return n, err
					}
					if len(esc) < 3 {
						return n, BadRequest("Malformed request body")
					}
					buf = esc
				}
				if !isHex(buf[i+1]) || !isHex(buf[i+2]) {
					return n, BadRequest("Malformed request body")
				}
				c = unhex(buf[i+1])<<4 | unhex(buf[i+2])
				i += 2
			}
			p[n] = c
			n++
		}
		v.br.Discard(i)
	}
	if n == 0 && v.done {
		return 0, io.EOF
	}
	return n, nil
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
