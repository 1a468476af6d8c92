package delivery

import "strconv"

// maxPixels bounds pixel values in the grammar; the origin applies its own,
// smaller output limits.
const maxPixels = 1 << 20

// isDecimal reports whether s is a plain decimal number: an optional "-",
// digits, and at most one "." followed by digits. No exponents, no "+", no
// "inf" or "nan", at most 12 characters.
func isDecimal(s string) bool {
	if len(s) == 0 || len(s) > 12 {
		return false
	}
	i := 0
	if s[0] == '-' {
		i = 1
	}
	digits, dot := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			digits++
		case c == '.' && !dot && digits > 0:
			dot = true
			if i == len(s)-1 {
				return false
			}
		default:
			return false
		}
	}
	return digits > 0
}

// parseDecimal parses s as isDecimal describes it.
func parseDecimal(s string) (float64, bool) {
	if !isDecimal(s) {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// parseInt parses an optionally negative integer of at most 9 digits.
func parseInt(s string) (int, bool) {
	if len(s) == 0 || len(s) > 10 {
		return 0, false
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseRange parses an integer in [lo, hi].
func parseRange(s string, lo, hi int) (int, bool) {
	n, ok := parseInt(s)
	return n, ok && n >= lo && n <= hi
}

// appendFloat writes v as the shortest decimal that parses back to v,
// keeping a "." when keepDot is set (so that 1.0 stays relative).
func appendFloat(dst []byte, v float64, keepDot bool) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, v, 'f', -1, 64)
	if keepDot {
		for _, c := range dst[start:] {
			if c == '.' {
				return dst
			}
		}
		dst = append(dst, ".0"...)
	}
	return dst
}
