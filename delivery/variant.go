package delivery

import (
	"strconv"
	"strings"
)

// Variant is what the bytes of a varying URL (Varies) depend on besides
// the URL: the format token f_auto and q_auto negotiate from Accept, the
// device pixel ratio dpr_auto reads from the client hints, and the width
// w_auto reads from them. An edge negotiates it once per request
// (NegotiateVariant), keys the cache on it (AppendCacheKey) and names it
// to the origin (HeaderVariant), which makes that variant; an origin asked
// without the header negotiates it the same way. The zero Variant is that
// of a URL that does not vary.
type Variant struct {
	// Negotiated is set for URLs with f_auto or q_auto; Format is then the
	// token from Accept: AVIF, WebP, or FormatNone for neither (the origin
	// then picks JPEG, or PNG for images with alpha).
	Negotiated bool
	Format     Format
	// DPR is dpr_auto's device pixel ratio (DPRHint: 1 to 4 in tenths),
	// 0 for URLs without dpr_auto.
	DPR float64
	// AutoWidth is set for URLs with w_auto; Width is then the width in
	// device pixels the hints give (AutoWidth.Width: rounded up to the
	// step, or the fallback), 0 for the image's own width.
	AutoWidth bool
	Width     int
}

// Depends is what a URL's bytes depend on besides the URL (URL.Depends):
// the zero Depends for a URL that does not vary. An edge keeps it with a
// varying URL's plain key, to make a request's variant without parsing the
// URL again.
type Depends struct {
	Negotiated bool      // f_auto, q_auto: Accept
	AutoDPR    bool      // dpr_auto: Sec-CH-DPR, DPR
	AutoWidth  AutoWidth // w_auto: the width hints, and the DPR hint for a viewport width
}

// Varies reports whether d depends on any request header.
func (d Depends) Varies() bool { return d.Negotiated || d.AutoDPR || d.AutoWidth.Has() }

// Hints are the request headers a variant is negotiated from, each "" when
// absent (the names in headers.go).
type Hints struct {
	Accept             string
	SecCHDPR, DPR      string
	SecCHWidth, Width  string
	SecCHViewportWidth string
	ViewportWidth      string
}

// NegotiateVariant is the variant of a URL whose bytes depend on d, for a
// request with these hints; each header is read only when the URL depends
// on it. It does not allocate: an edge calls it with a request's raw
// header bytes.
func NegotiateVariant(d Depends, h Hints) Variant {
	var v Variant
	if d.Negotiated {
		v.Negotiated, v.Format = true, Negotiate(h.Accept)
	}
	if d.AutoDPR {
		v.DPR = DPRHint(h.SecCHDPR, h.DPR)
	}
	if d.AutoWidth.Has() {
		v.AutoWidth = true
		v.Width = d.AutoWidth.Width(h.SecCHWidth, h.Width, h.SecCHViewportWidth, h.ViewportWidth,
			DPRHint(h.SecCHDPR, h.DPR))
	}
	return v
}

// Depends is what the URL's bytes depend on besides the URL.
func (u *URL) Depends() Depends {
	return Depends{Negotiated: u.Negotiated(), AutoDPR: u.AutoDPR(), AutoWidth: u.autoWidth}
}

// Variant is the URL's variant for a request with these hints: the zero
// Variant when the URL does not vary.
func (u *URL) Variant(h Hints) Variant { return NegotiateVariant(u.Depends(), h) }

// VariantFits reports whether v is a variant of the URL: it has the
// format token when the URL negotiates, a DPR when the URL has dpr_auto,
// and a width the URL's w_auto can give (AutoWidth.Fits) when it has one,
// and nothing else.
func (u *URL) VariantFits(v Variant) bool {
	d := u.Depends()
	width := v.Width == 0
	if v.AutoWidth {
		width = d.AutoWidth.Fits(v.Width)
	}
	return v.Negotiated == d.Negotiated && (v.DPR != 0) == d.AutoDPR && v.AutoWidth == d.AutoWidth.Has() && width &&
		(v.Negotiated || v.Format == FormatNone)
}

// The variant's text form, in cache keys and in HeaderVariant:
//
//	variant = [ token ] [ ";dpr=" ratio ] [ ";w=" width ]
//	token   = "avif" / "webp" / "std"      (std: neither AVIF nor WebP)
//	ratio   = "1" / "2" / "3" / "4" / ( "1" / "2" / "3" ) "." ( "1" - "9" )
//	width   = "0" / a whole number of pixels, no leading zeros: up to
//	          MaxAutoWidth, or a w_auto fallback up to 1048576 (VariantFits
//	          checks it is one the URL can give)
//
// "avif", ";dpr=2", "std;dpr=1.5" and "webp;w=400" are variants; "" is
// the zero Variant. The form is canonical: each Variant has one text, and
// ParseVariant accepts nothing else.
const (
	variantStd   = "std"
	variantDPR   = ";dpr="
	variantWidth = ";w="
	// variantMaxLen bounds the text form (the longest is
	// "webp;dpr=1.5;w=1048576", a w_auto fallback's width).
	variantMaxLen = 24
)

// Append appends the variant's text form to dst. It does not
// allocate when dst has room.
func (v Variant) Append(dst []byte) []byte {
	if v.Negotiated {
		switch v.Format {
		case AVIF, WebP:
			dst = append(dst, v.Format.String()...)
		default:
			dst = append(dst, variantStd...)
		}
	}
	if v.DPR != 0 {
		dst = append(dst, variantDPR...)
		dst = strconv.AppendFloat(dst, v.DPR, 'f', -1, 64)
	}
	if v.AutoWidth {
		dst = append(dst, variantWidth...)
		dst = strconv.AppendInt(dst, int64(v.Width), 10)
	}
	return dst
}

// String is the variant's text form.
func (v Variant) String() string {
	var buf [variantMaxLen]byte
	return string(v.Append(buf[:0]))
}

// ParseVariant reads a variant's text form (as HeaderVariant carries it);
// it reports false for anything that is not one. It does not allocate.
func ParseVariant(s string) (Variant, bool) {
	var v Variant
	tok, rest, more := cut(s, ';')
	switch tok {
	case "":
	case "avif":
		v.Negotiated, v.Format = true, AVIF
	case "webp":
		v.Negotiated, v.Format = true, WebP
	case variantStd:
		v.Negotiated = true
	default:
		return Variant{}, false
	}
	if !more {
		return v, true
	}
	part, after, more := cut(rest, ';')
	if ratio, ok := strings.CutPrefix(part, variantDPR[1:]); ok {
		tenths, ok := parseRatio(ratio)
		if !ok {
			return Variant{}, false
		}
		v.DPR = float64(tenths) / 10
		if !more {
			return v, true
		}
		part, _, more = cut(after, ';')
	}
	width, ok := strings.CutPrefix(part, variantWidth[1:])
	if !ok || more {
		return Variant{}, false
	}
	if width != "0" {
		if v.Width, ok = parseWholePixels(width, maxPixels); !ok { // a fallback may pass MaxAutoWidth
			return Variant{}, false
		}
	}
	v.AutoWidth = true
	return v, true
}

// parseRatio reads a DPR in its canonical form ("2", "1.5"; 1 to 4) as
// tenths.
func parseRatio(s string) (int, bool) {
	switch {
	case len(s) == 1 && '1' <= s[0] && s[0] <= '4':
		return int(s[0]-'0') * 10, true
	case len(s) == 3 && '1' <= s[0] && s[0] <= '3' && s[1] == '.' && '1' <= s[2] && s[2] <= '9':
		return int(s[0]-'0')*10 + int(s[2]-'0'), true
	}
	return 0, false
}
