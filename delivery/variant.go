package delivery

import "strconv"

// Variant is what the bytes of a varying URL (Varies) depend on besides
// the URL: the format token f_auto and q_auto negotiate from Accept, and
// the device pixel ratio dpr_auto reads from the client hints. An edge
// negotiates it once per request (NegotiateVariant), keys the cache on it
// (AppendCacheKey) and names it to the origin (HeaderVariant), which makes
// that variant; an origin asked without the header negotiates it the same
// way. The zero Variant is that of a URL that does not vary.
type Variant struct {
	// Negotiated is set for URLs with f_auto or q_auto; Format is then the
	// token from Accept: AVIF, WebP, or FormatNone for neither (the origin
	// then picks JPEG, or PNG for images with alpha).
	Negotiated bool
	Format     Format
	// DPR is dpr_auto's device pixel ratio (DPRHint: 1 to 4 in tenths),
	// 0 for URLs without dpr_auto.
	DPR float64
}

// NegotiateVariant is the variant of a URL whose bytes depend on Accept
// (negotiated: f_auto, q_auto) and on the DPR hint (autoDPR: dpr_auto), for
// a request with these Accept, Sec-CH-DPR and DPR headers ("" when absent;
// each is read only when the URL depends on it). It does not allocate: an
// edge calls it with a request's raw header bytes.
func NegotiateVariant(negotiated, autoDPR bool, accept, secCHDPR, dpr string) Variant {
	var v Variant
	if negotiated {
		v.Negotiated, v.Format = true, Negotiate(accept)
	}
	if autoDPR {
		v.DPR = DPRHint(secCHDPR, dpr)
	}
	return v
}

// Variant is the URL's variant for a request with these Accept, Sec-CH-DPR
// and DPR headers: the zero Variant when the URL does not vary.
func (u *URL) Variant(accept, secCHDPR, dpr string) Variant {
	return NegotiateVariant(u.Negotiated(), u.AutoDPR(), accept, secCHDPR, dpr)
}

// VariantFits reports whether v is a variant of the URL: it has the
// format token when the URL negotiates, and a DPR when the URL has
// dpr_auto, and nothing else.
func (u *URL) VariantFits(v Variant) bool {
	return v.Negotiated == u.Negotiated() && (v.DPR != 0) == u.AutoDPR() &&
		(v.Negotiated || v.Format == FormatNone)
}

// The variant's text form, in cache keys and in HeaderVariant:
//
//	variant = [ token ] [ ";dpr=" ratio ]
//	token   = "avif" / "webp" / "std"      (std: neither AVIF nor WebP)
//	ratio   = "1" / "2" / "3" / "4" / ( "1" / "2" / "3" ) "." ( "1" - "9" )
//
// "avif", ";dpr=2" and "std;dpr=1.5" are variants; "" is the zero
// Variant. The form is canonical: each Variant has one text, and
// ParseVariant accepts nothing else.
const (
	variantStd = "std"
	variantDPR = ";dpr="
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
	return dst
}

// String is the variant's text form.
func (v Variant) String() string {
	var buf [16]byte
	return string(v.Append(buf[:0]))
}

// ParseVariant reads a variant's text form (as HeaderVariant carries it);
// it reports false for anything that is not one. It does not allocate.
func ParseVariant(s string) (Variant, bool) {
	var v Variant
	tok, ratio, hasDPR := cut(s, ';')
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
	if !hasDPR {
		return v, true
	}
	const p = "dpr=" // variantDPR after the ';' cut at
	if len(ratio) < len(p) || ratio[:len(p)] != p {
		return Variant{}, false
	}
	tenths, ok := parseRatio(ratio[len(p):])
	if !ok {
		return Variant{}, false
	}
	v.DPR = float64(tenths) / 10
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
