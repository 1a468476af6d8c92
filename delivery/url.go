package delivery

import (
	"net/http"
	"unicode/utf8"
)

// DefaultMaxLength is the longest request URI Parse accepts: 8 KiB.
const DefaultMaxLength = 8 << 10

// maxPublicIDRunes is Cloudinary's public ID length limit.
const maxPublicIDRunes = 255

// MaxFetchIDBytes bounds a fetch URL's public ID (the remote URL), in
// bytes: the metadata stores index public IDs, and PostgreSQL's btree
// indexes hold at most 2,704 bytes a row (a longer ID failed the write).
const MaxFetchIDBytes = 2048

// URL is a parsed delivery URL. Its strings are substrings of the parsed
// input, except PublicID when the URL percent-escapes it (or, for a raw file
// in the SEO form, when its extension follows the suffix).
type URL struct {
	// Path is the path as received, without the query.
	Path string
	// Cloud is the cloud name: the first segment, or the host's cloud for
	// ParseHost.
	Cloud string
	// HostForm is set when the cloud came from the host (a private CDN
	// name), not from the path.
	HostForm bool
	// Form is how the URL spells the resource type and type.
	Form     Form
	Resource ResourceType
	Type     DeliveryType
	// Signature is the URL signature between "s--" and "--", or "".
	Signature string
	// Transformation is the transformation components as written,
	// "/"-joined, or "" for the original.
	Transformation string
	// Version is the v<N> cache buster; HasVersion tells v0 from none.
	Version    uint64
	HasVersion bool
	// RawPublicID is the public ID as written: still escaped, without the
	// extension and the SEO suffix.
	RawPublicID string
	// PublicID is the decoded public ID. For raw files it includes the
	// extension; for fetch it is the remote URL.
	PublicID string
	// Suffix is the SEO suffix, or "".
	Suffix string
	// Ext is the extension as written, without the dot ("" for none). For
	// raw files it is part of the public ID and Format stays FormatNone.
	Ext    string
	Format Format
	// Search is a search URL's parts (Form FormSearch), zero otherwise.
	Search SearchURL

	features  uint8
	autoWidth AutoWidth // w_auto's rounding, zero without w_auto
	idStart   int       // offset of the public ID in Path
}

const (
	featAutoFormat  uint8 = 1 << iota // f_auto somewhere in the transformation
	featAutoQuality                   // q_auto
	featNamed                         // t_
	featAutoDPR                       // dpr_auto
)

// Parser parses delivery URLs. The zero value is ready to use.
type Parser struct {
	// MaxLength is the longest request URI accepted, in bytes; longer ones
	// fail with status 414. Zero means DefaultMaxLength.
	MaxLength int
}

// Parse parses a path-form request URI: /<cloud>/<resource_type>/<type>/...
// The query, if any, is ignored.
func Parse(uri string) (URL, error) { return Parser{}.Parse(uri) }

// ParseHost parses a request URI that arrived on a private-CDN host, whose
// cloud is given and whose path has no cloud segment (or has the cloud's
// own: see CloudPrefixed).
func ParseHost(cloud, uri string) (URL, error) { return Parser{}.ParseHost(cloud, uri) }

// Parse parses a path-form request URI.
func (p Parser) Parse(uri string) (URL, error) {
	var u URL
	err := p.parse(&u, "", uri)
	return u, err
}

// ParseHost parses a host-form request URI for the given cloud. A path that
// starts with the cloud's own /<cloud>/ segment (CloudPrefixed) is parsed
// in path form: it is the same URL, and gets the same cache key.
func (p Parser) ParseHost(cloud, uri string) (URL, error) {
	var u URL
	if !validCloud(cloud) {
		return u, badRequest("Invalid cloud name - %s", Echo(cloud, EchoLimit))
	}
	if CloudPrefixed(cloud, uri) {
		err := p.parse(&u, "", uri)
		return u, err
	}
	err := p.parse(&u, cloud, uri)
	return u, err
}

// CloudPrefixed reports whether a request URI that arrived on cloud's
// private-CDN host names the cloud in its path anyway, as the SDKs write
// URLs for a cname without private_cdn: /<cloud>/ followed by a resource
// type and a type (/<cloud>/image/upload/...), an SEO segment
// (/<cloud>/images/...), /iu/ or /search/. A root-form path (use_root_path) keeps its
// host-form meaning: on the host, /<cloud>/pic.jpg is the public ID
// "<cloud>/pic".
func CloudPrefixed(cloud, uri string) bool {
	if len(uri) < len(cloud)+2 || uri[0] != '/' || uri[1:1+len(cloud)] != cloud || uri[1+len(cloud)] != '/' {
		return false
	}
	seg, rest, more := cut(uri[len(cloud)+2:], '/')
	if !more || rest == "" {
		return false
	}
	if _, ok := ParseResourceType(seg); ok {
		return true
	}
	_, _, seo := seoSegment(seg)
	return seo || seg == "iu" || seg == "search"
}

func (p Parser) parse(u *URL, hostCloud, uri string) error {
	max := p.MaxLength
	if max <= 0 {
		max = DefaultMaxLength
	}
	if len(uri) > max {
		return &Error{Status: http.StatusRequestURITooLong, Message: "URL too long"}
	}
	path := pathOf(uri)
	if len(path) < 2 || path[0] != '/' {
		return badRequest("Invalid URL - %s", Echo(path, EchoLimit))
	}
	u.Path = path
	rest := path[1:]
	if hostCloud != "" {
		u.Cloud, u.HostForm = hostCloud, true
	} else {
		var more bool
		u.Cloud, rest, more = cut(rest, '/')
		if !validCloud(u.Cloud) {
			return badRequest("Invalid cloud name - %s", Echo(u.Cloud, EchoLimit))
		}
		if !more {
			return badRequest("Missing public ID")
		}
	}
	if seg, after, more := cut(rest, '/'); seg == "search" && more {
		return u.parseSearch(after) // search.go
	}
	rest, err := u.parseKind(rest)
	if err != nil {
		return err
	}
	if rest, err = u.parseSignature(rest); err != nil {
		return err
	}
	if rest, err = u.parseTransformations(rest); err != nil {
		return err
	}
	if rest, err = u.parseVersion(rest); err != nil {
		return err
	}
	return u.parsePublicID(rest)
}

// parseKind reads the resource type and type (or the segment that stands
// for them) and returns what follows.
func (u *URL) parseKind(rest string) (string, error) {
	seg, after, more := cut(rest, '/')
	if rt, ok := ParseResourceType(seg); ok && more {
		typ, after2, more2 := cut(after, '/')
		t, ok := ParseDeliveryType(typ)
		if !ok {
			return "", badRequest("Invalid delivery type - %s", Echo(typ, EchoLimit))
		}
		if !more2 || after2 == "" {
			return "", badRequest("Missing public ID")
		}
		u.Form, u.Resource, u.Type = FormStandard, rt, t
		return after2, nil
	}
	if rt, t, ok := seoSegment(seg); ok && more {
		u.Form, u.Resource, u.Type = FormSEO, rt, t
		return after, nil
	}
	if seg == "iu" && more {
		u.Form, u.Resource, u.Type = FormShort, Image, Upload
		return after, nil
	}
	u.Form, u.Resource, u.Type = FormRoot, Image, Upload
	return rest, nil
}

// parseSignature reads an s--SIG-- segment, if one comes first and is not
// the last segment.
func (u *URL) parseSignature(rest string) (string, error) {
	seg, after, more := cut(rest, '/')
	if !more || len(seg) < 5 || seg[:3] != "s--" || seg[len(seg)-2:] != "--" {
		return rest, nil
	}
	sig := seg[3 : len(seg)-2]
	if len(sig) != ShortSignatureLength && len(sig) != LongSignatureLength || !isBase64URL(sig) {
		return "", badRequest("Invalid URL signature - %s", Echo(seg, EchoLimit))
	}
	u.Signature = sig
	return after, nil
}

// parseTransformations consumes the transformation components. The last
// segment is always the public ID, never a transformation.
func (u *URL) parseTransformations(rest string) (string, error) {
	start := len(u.Path) - len(rest)
	end := start
	var flow Flow
	for {
		seg, after, more := cut(rest, '/')
		if !more || !isTransformationSegment(seg) {
			break
		}
		var c Component
		if err := parseComponent(seg, &c); err != nil {
			return "", err
		}
		if err := flow.check(&c); err != nil {
			return "", err
		}
		if err := u.noteFeatures(&c); err != nil {
			return "", err
		}
		end = len(u.Path) - len(after) - 1
		rest = after
	}
	if end > start {
		u.Transformation = u.Path[start:end]
	}
	return rest, nil
}

func (u *URL) noteFeatures(c *Component) error {
	if c.Has(KeyFormat) && c.Format == FormatAuto {
		u.features |= featAutoFormat
	}
	if c.Has(KeyQuality) && c.Quality.Auto != AutoQualityNone {
		u.features |= featAutoQuality
	}
	if c.Has(KeyNamed) {
		u.features |= featNamed
	}
	if c.Has(KeyDPR) && c.DPR.Auto {
		u.features |= featAutoDPR
	}
	return u.noteAutoWidth(c)
}

// parseVersion reads a v<digits> segment that is not the last segment.
func (u *URL) parseVersion(rest string) (string, error) {
	seg, after, more := cut(rest, '/')
	if !more || !isVersion(seg) {
		return rest, nil
	}
	if len(seg) > 20 {
		return "", badRequest("Invalid version - %s", Echo(seg, EchoLimit))
	}
	var v uint64
	for i := 1; i < len(seg); i++ {
		v = v*10 + uint64(seg[i]-'0')
	}
	u.Version, u.HasVersion = v, true
	return after, nil
}

func isVersion(seg string) bool {
	if len(seg) < 2 || seg[0] != 'v' {
		return false
	}
	for i := 1; i < len(seg); i++ {
		if !isDigit(seg[i]) {
			return false
		}
	}
	return true
}

// parsePublicID reads the public ID, the SEO suffix and the extension.
func (u *URL) parsePublicID(rest string) error {
	if rest == "" {
		return badRequest("Missing public ID")
	}
	u.idStart = len(u.Path) - len(rest)
	if u.Type == Fetch {
		u.RawPublicID = rest
		return u.decodePublicID(rest, "", MaxFetchIDBytes)
	}
	last := rest
	prefix := ""
	for i := len(rest) - 1; i >= 0; i-- {
		if rest[i] == '/' {
			prefix, last = rest[:i], rest[i+1:]
			break
		}
	}
	stem, ext, dot := last, "", false
	for i := len(last) - 1; i >= 0; i-- {
		if last[i] == '.' {
			stem, ext, dot = last[:i], last[i+1:], true
			break
		}
	}
	seo := u.Form == FormSEO && prefix != ""
	if dot && (u.Resource != Raw || seo) {
		f, ok := ParseFormat(ext)
		if u.Resource != Raw && !ok || ext == "" {
			return invalidParam("extension", ext)
		}
		if u.Resource != Raw {
			u.Format = f
		}
	}
	if dot {
		u.Ext = ext
	}
	if seo {
		if stem == "" {
			return badRequest("Invalid URL suffix - %s", Echo(last, EchoLimit))
		}
		u.Suffix = stem
		u.RawPublicID = prefix
	} else {
		u.RawPublicID = rest[:len(rest)-len(last)+len(stem)]
	}
	switch {
	case u.Resource != Raw || !dot:
		return u.decodePublicID(u.RawPublicID, "", maxPublicIDRunes)
	case seo:
		// A raw file's extension belongs to its public ID; the SEO form
		// writes it after the suffix.
		return u.decodePublicID(u.RawPublicID, ext, maxPublicIDRunes)
	}
	return u.decodePublicID(rest, "", maxPublicIDRunes)
}

// decodePublicID sets PublicID from raw (plus "."+ext when ext is set) and
// checks it: at most limit characters, or for a fetch URL limit bytes.
func (u *URL) decodePublicID(raw, ext string, limit int) error {
	id := raw
	if hasEscape(raw) || ext != "" {
		b, ok := unescape(make([]byte, 0, len(raw)+1+len(ext)), raw)
		if !ok {
			return badRequest("Invalid public ID - %s", Echo(raw, EchoLimit))
		}
		if ext != "" {
			b = append(append(b, '.'), ext...)
		}
		id = string(b)
	}
	n := len(id)
	if u.Type != Fetch {
		n = utf8.RuneCountInString(id)
	}
	if !validPublicID(id, u.Type == Fetch) || n > limit {
		return badRequest("Invalid public ID - %s", Echo(raw, EchoLimit))
	}
	u.PublicID = id
	return nil
}

// validPublicID refuses control characters, empty segments and "." or ".."
// segments (remote fetch URLs may have empty segments).
func validPublicID(id string, remote bool) bool {
	if id == "" {
		return false
	}
	segStart := 0
	for i := 0; i <= len(id); i++ {
		if i < len(id) {
			c := id[i]
			if c < 0x20 || c == 0x7f {
				return false
			}
			if c != '/' {
				continue
			}
		}
		if !remote {
			switch id[segStart:i] {
			case "", ".", "..":
				return false
			}
		}
		segStart = i + 1
	}
	return true
}

func validCloud(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isWord(c) && c != '-' {
			return false
		}
	}
	return true
}

func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isWord(c) && c != '-' {
			return false
		}
	}
	return true
}

// AutoFormat reports whether the URL asks for f_auto.
func (u *URL) AutoFormat() bool { return u.features&featAutoFormat != 0 }

// AutoQuality reports whether the URL asks for q_auto.
func (u *URL) AutoQuality() bool { return u.features&featAutoQuality != 0 }

// Negotiated reports whether the response depends on the client's Accept
// header (f_auto or q_auto): such URLs are cached per negotiated format and
// answered with Vary: Accept.
func (u *URL) Negotiated() bool { return u.features&(featAutoFormat|featAutoQuality) != 0 }

// UsesNamed reports whether the transformation refers to a named
// transformation (t_).
func (u *URL) UsesNamed() bool { return u.features&featNamed != 0 }

// AutoDPR reports whether the URL asks for dpr_auto.
func (u *URL) AutoDPR() bool { return u.features&featAutoDPR != 0 }

// Derived reports whether the URL has a transformation.
func (u *URL) Derived() bool { return u.Transformation != "" }

// Signed reports whether the URL carries a signature.
func (u *URL) Signed() bool { return u.Signature != "" }
