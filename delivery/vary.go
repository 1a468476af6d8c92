package delivery

import "strconv"

// Varies reports whether the URL's bytes depend on request headers besides
// the URL: f_auto and q_auto on Accept, dpr_auto on the DPR client hint,
// w_auto on the width hints. Such URLs are made and cached per Variant and
// answered with the Vary header Vary gives.
func (u *URL) Varies() bool { return u.Depends().Varies() }

// The Vary values, one per combination of what a URL depends on.
const (
	varyDPR   = HeaderSecCHDPR + ", " + HeaderDPR
	varyWidth = HeaderSecCHWidth + ", " + HeaderWidth + ", " + HeaderSecCHViewportWidth + ", " +
		HeaderViewportWidth + ", " + varyDPR
)

// Vary is the Vary header of the URL's responses: the request headers its
// bytes depend on, "" for none. f_auto and q_auto pick the format and
// quality from Accept; dpr_auto reads the device pixel ratio from the
// Sec-CH-DPR client hint or the older DPR header, as Cloudinary does;
// w_auto reads the width from Sec-CH-Width or Width, else from the
// viewport's width (Sec-CH-Viewport-Width or Viewport-Width) times the DPR
// hint. It does not allocate.
func (u *URL) Vary() string {
	d := u.Depends()
	switch {
	case d.Negotiated && d.AutoWidth.Has():
		return HeaderAccept + ", " + varyWidth
	case d.Negotiated && d.AutoDPR:
		return HeaderAccept + ", " + varyDPR
	case d.Negotiated:
		return HeaderAccept
	case d.AutoWidth.Has():
		return varyWidth
	case d.AutoDPR:
		return varyDPR
	}
	return ""
}

// DPRHint is the device pixel ratio a dpr_auto URL is made for, from the
// request's Sec-CH-DPR client hint, else its older DPR header (each "" when
// absent): rounded to a tenth and bounded to 1-4; 1 when neither is a
// positive number.
func DPRHint(secCHDPR, dpr string) float64 {
	for _, v := range [...]string{secCHDPR, dpr} {
		if f, err := strconv.ParseFloat(trimSpace(v), 64); err == nil && f > 0 {
			return float64(int(min(max(f, 1), 4)*10+0.5)) / 10
		}
	}
	return 1
}
