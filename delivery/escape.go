package delivery

import "strings"

const upperHex = "0123456789ABCDEF"

func hasEscape(s string) bool { return strings.IndexByte(s, '%') >= 0 }

// unescape appends s to dst with %XX escapes decoded. A "+" stays a "+":
// this is a path, not a query.
func unescape(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			dst = append(dst, c)
			continue
		}
		if i+2 >= len(s) {
			return dst, false
		}
		hi, ok1 := hexVal(s[i+1])
		lo, ok2 := hexVal(s[i+2])
		if !ok1 || !ok2 {
			return dst, false
		}
		dst = append(dst, hi<<4|lo)
		i += 2
	}
	return dst, true
}

// keptByEscape reports whether the SDKs' escaping leaves c as is: the Go
// SDK's QueryEscape-based smartEscape keeps letters, digits, "-_.~" and
// restores ":" and "/".
func keptByEscape(c byte) bool {
	return isWord(c) || c == '-' || c == '.' || c == '~' || c == ':' || c == '/'
}

// AppendEscaped appends s escaped as the Go SDK escapes a public ID:
// everything but letters, digits, "-_.~:/" becomes %XX (a space is %20).
func AppendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = appendEscapedByte(dst, s[i], keptByEscape(s[i]))
	}
	return dst
}

func appendEscapedByte(dst []byte, c byte, keep bool) []byte {
	if keep {
		return append(dst, c)
	}
	return append(dst, '%', upperHex[c>>4], upperHex[c&15])
}
