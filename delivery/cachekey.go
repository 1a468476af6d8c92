package delivery

// AppendCacheKey appends the URL's cache key to dst: the path as received
// without any query (so ?_a= and the rest never split the cache), with the
// host's cloud in front for host-form URLs, and, when the response varies
// (f_auto, q_auto, dpr_auto: see Varies), "#" and the caller's variant
// token (such as "avif" or "webp" from Negotiate, and the DPR hint's
// value). Two spellings of the same transformation are two keys, as on
// Cloudinary; purges match entries by asset, not by key. A private-CDN host
// URL and the same URL with its /<cloud>/ segment get one key.
func (u *URL) AppendCacheKey(dst []byte, variant string) []byte {
	if u.HostForm {
		dst = append(dst, '/')
		dst = append(dst, u.Cloud...)
	}
	dst = append(dst, u.Path...)
	if variant != "" && u.Varies() {
		dst = append(dst, '#')
		dst = append(dst, variant...)
	}
	return dst
}
