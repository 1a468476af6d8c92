package delivery

// Negotiate collapses an Accept header into the one token that selects an
// f_auto/q_auto variant: "avif" when the client accepts image/avif, else
// "webp" for image/webp, else "" (the origin then picks JPEG, or PNG for
// images with alpha). The raw header never reaches a cache key. A type
// refused with q=0 does not count.
func Negotiate(accept string) Format {
	switch {
	case acceptsType(accept, "image/avif"):
		return AVIF
	case acceptsType(accept, "image/webp"):
		return WebP
	}
	return FormatNone
}

// acceptsType reports whether the Accept header lists typ with a non-zero
// q. It does not allocate.
func acceptsType(accept, typ string) bool {
	for accept != "" {
		item, rest, _ := cut(accept, ',')
		accept = rest
		mt, params, _ := cut(item, ';')
		if !equalFoldTrim(mt, typ) {
			continue
		}
		return !zeroQ(params)
	}
	return false
}

func equalFoldTrim(s, want string) bool {
	s = trimSpace(s)
	if len(s) != len(want) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != want[i] {
			return false
		}
	}
	return true
}

// zeroQ reports whether media-type parameters say q=0 (q=0, q=0.0, q=0.000).
func zeroQ(params string) bool {
	for params != "" {
		p, rest, _ := cut(params, ';')
		params = rest
		p = trimSpace(p)
		if len(p) < 2 || p[0] != 'q' && p[0] != 'Q' || p[1] != '=' {
			continue
		}
		v := p[2:]
		if v == "" || v[0] != '0' {
			return false
		}
		for i := 1; i < len(v); i++ {
			if v[i] != '.' && v[i] != '0' {
				return false
			}
		}
		return true
	}
	return false
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
