package delivery

import (
	"unicode"
	"unicode/utf8"
)

// Bounds for Echo.
const (
	// EchoLimit bounds one piece of request text quoted in an error
	// message (a transformation value, a public ID, a parameter).
	EchoLimit = 120
	// MessageLimit bounds a whole error message as it is answered, in
	// X-Cld-Error and in a body: the pieces are cut at EchoLimit, so only
	// text quoted without a cut can reach it.
	MessageLimit = 2048
)

// Echo makes text that came with a request safe to quote in an error
// message: in a header (X-Cld-Error), a text or JSON body, a log line.
// Every byte of invalid UTF-8 and every character that does not print is
// written as %XX escapes of its bytes: control characters (CR and LF
// among them, so no header can be injected), DEL, U+0080 to U+009F, format
// characters (bidirectional overrides, zero-width ones) and separators
// other than the ASCII space. Printable UTF-8 stays as it is ("café"), and
// so does "%" (the text may be a URL that is escaped already). When max
// is positive and the result would be longer than max bytes, it is cut
// after the last whole character or escape that fits and "..." is
// appended, so it is at most max+3 bytes. Text that needs neither is
// returned as it is, without allocating.
//
// Every error text that quotes a request, at edges and at the origin,
// goes through Echo.
func Echo(s string, max int) string {
	if !needsEcho(s, max) {
		return s
	}
	n := len(s) + 3
	if max > 0 && n > max+3 {
		n = max + 3
	}
	b := make([]byte, 0, n)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		unit := s[i : i+size]
		escape := r == utf8.RuneError && size == 1 || !unicode.IsPrint(r)
		width := len(unit)
		if escape {
			width = 3 * len(unit)
		}
		if max > 0 && len(b)+width > max {
			return string(append(b, "..."...))
		}
		if escape {
			for j := 0; j < len(unit); j++ {
				b = append(b, '%', upperHex[unit[j]>>4], upperHex[unit[j]&15])
			}
		} else {
			b = append(b, unit...)
		}
		i += size
	}
	return string(b)
}

// needsEcho reports whether Echo must change s: it holds a character to
// escape, or is longer than max (when max is positive).
func needsEcho(s string, max int) bool {
	if max > 0 && len(s) > max {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}
