package delivery

// Varies reports whether the URL's bytes depend on request headers besides
// the URL: f_auto and q_auto on Accept, dpr_auto on the DPR client hint.
// Such URLs are cached per variant (AppendCacheKey) and answered with the
// Vary header Vary gives.
func (u *URL) Varies() bool { return u.Negotiated() || u.AutoDPR() }

// Vary is the Vary header of the URL's responses: the request headers its
// bytes depend on, "" for none. f_auto and q_auto pick the format and
// quality from Accept; dpr_auto reads the device pixel ratio from the
// Sec-CH-DPR client hint or the older DPR header, as Cloudinary does.
func (u *URL) Vary() string {
	switch neg, dpr := u.Negotiated(), u.AutoDPR(); {
	case neg && dpr:
		return "Accept, Sec-CH-DPR, DPR"
	case neg:
		return "Accept"
	case dpr:
		return "Sec-CH-DPR, DPR"
	}
	return ""
}
