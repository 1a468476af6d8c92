package delivery

import "strconv"

// AppendCanonical appends the URL's canonical path to dst:
//
//	/<cloud>/<resource_type>/<type>[/s--SIG--][/<transformation>][/v<N>]/<public_id>[.<ext>]
//
// always in the standard form with the cloud segment (an SEO, shortened or
// root-path URL, or a host-form one, becomes the standard URL for the same
// content; the SEO suffix, which nothing signs, is dropped), the
// transformation and signature as written, and the public ID escaped as the
// Go SDK escapes it. Where the decoded public ID would read back as
// something else (a first folder shaped like a transformation or a version
// in a URL without a version, a dot in a last segment without an
// extension), the formatter escapes the character that would mislead, so
// that Parse(u.String()) gives back the same asset, transformation, version
// and format.
//
// A search URL is written back as /<cloud>/search/... with its parts.
//
// A URL built by hand for formatting needs Cloud, Resource, Type and
// PublicID, and optionally Signature, Transformation, Version/HasVersion
// and Ext.
func (u *URL) AppendCanonical(dst []byte) []byte {
	dst = append(dst, '/')
	dst = append(dst, u.Cloud...)
	if u.Form == FormSearch {
		return u.Search.appendPath(dst)
	}
	dst = append(dst, '/')
	dst = append(dst, u.Resource.String()...)
	dst = append(dst, '/')
	dst = append(dst, u.Type.String()...)
	if u.Signature != "" {
		dst = append(dst, "/s--"...)
		dst = append(dst, u.Signature...)
		dst = append(dst, "--"...)
	}
	if u.Transformation != "" {
		dst = append(dst, '/')
		dst = append(dst, u.Transformation...)
	}
	if u.HasVersion {
		dst = append(dst, "/v"...)
		dst = strconv.AppendUint(dst, u.Version, 10)
	}
	dst = append(dst, '/')
	if u.Type == Fetch {
		// The remote URL, whose first segment may mislead too.
		dst, id := u.appendFirstFolder(dst, u.PublicID)
		return AppendEscaped(dst, id)
	}
	dst = u.appendEscapedID(dst)
	if u.Resource != Raw && u.Ext != "" {
		dst = append(dst, '.')
		dst = append(dst, u.Ext...)
	}
	return dst
}

// String returns the canonical path (see AppendCanonical).
func (u *URL) String() string { return string(u.AppendCanonical(nil)) }

// appendFirstFolder appends the first folder of id, if it has one, and
// returns the rest of id. Without a version before it, a first segment
// shaped like a signature, a transformation or a version would read back
// as one: its first byte is escaped so that it stays part of the ID.
func (u *URL) appendFirstFolder(dst []byte, id string) ([]byte, string) {
	first, rest, folders := cut(id, '/')
	if !folders || u.HasVersion {
		return dst, id
	}
	start := len(dst)
	dst = AppendEscaped(dst, first)
	if misleadsAsFirst(string(dst[start:])) {
		dst = appendEscapedByte(dst[:start], first[0], false)
		dst = AppendEscaped(dst, first[1:])
	}
	return append(dst, '/'), rest
}

func (u *URL) appendEscapedID(dst []byte) []byte {
	dst, id := u.appendFirstFolder(dst, u.PublicID)
	lastStart := 0
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '/' {
			lastStart = i + 1
			break
		}
	}
	dst = AppendEscaped(dst, id[:lastStart])
	// Without an extension, a "." in the last segment would read back as one.
	escapeDots := u.Resource != Raw && u.Ext == ""
	for i := lastStart; i < len(id); i++ {
		c := id[i]
		dst = appendEscapedByte(dst, c, keptByEscape(c) && !(escapeDots && c == '.'))
	}
	return dst
}

// misleadsAsFirst reports whether a first segment of a public ID would be
// read as a signature, a transformation or a version.
func misleadsAsFirst(seg string) bool {
	return isTransformationSegment(seg) || isVersion(seg) ||
		len(seg) >= 5 && seg[:3] == "s--" && seg[len(seg)-2:] == "--"
}
