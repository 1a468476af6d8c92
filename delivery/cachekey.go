package delivery

// AppendCacheKey appends the URL's cache key to dst: the path as received
// without any query (so ?_a= and the rest never split the cache), with the
// host's cloud in front for host-form URLs, and, when the response varies
// (f_auto, q_auto, dpr_auto: see Varies), the variant's part
// (AppendVariantKey). Two spellings of the same transformation are two
// keys, as on Cloudinary; purges match entries by asset, not by key. A
// private-CDN host URL and the same URL with its /<cloud>/ segment get one
// key.
func (u *URL) AppendCacheKey(dst []byte, v Variant) []byte {
	if u.HostForm {
		dst = append(dst, '/')
		dst = append(dst, u.Cloud...)
	}
	dst = append(dst, u.Path...)
	if u.Varies() {
		dst = AppendVariantKey(dst, v)
	}
	return dst
}

// AppendVariantKey appends a variant's part of a cache key to the key of
// its URL without it: "#" and the variant's text form, nothing for the zero
// Variant. A varying URL's key without a variant is free for an edge's own
// use (a marker saying which headers make the variant).
func AppendVariantKey(key []byte, v Variant) []byte {
	if v == (Variant{}) {
		return key
	}
	return v.Append(append(key, '#'))
}

// AppendRequestKey appends the cache key, without its variant, of a
// request URI as received, without parsing it: the key AppendCacheKey
// gives the URL the URI parses to (with ParseHost when hostCloud, the cloud
// of the request's private-CDN host, is not ""), when it parses. An edge
// looks a request up by it before parsing anything: only URLs that parsed
// have entries. It does not allocate when dst has room.
func AppendRequestKey(dst []byte, hostCloud, uri string) []byte {
	if hostCloud != "" && !CloudPrefixed(hostCloud, uri) {
		dst = append(dst, '/')
		dst = append(dst, hostCloud...)
	}
	return append(dst, pathOf(uri)...)
}

// pathOf is a request URI's path: what comes before any query (or
// fragment).
func pathOf(uri string) string {
	for i := 0; i < len(uri); i++ {
		if uri[i] == '?' || uri[i] == '#' {
			return uri[:i]
		}
	}
	return uri
}
