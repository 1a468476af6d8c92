package origin

import (
	"net/url"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// fl_attachment[:name] delivers a derived image as a download:
// Content-Disposition: attachment; filename="<name>.<ext>", the extension
// being the delivered format's, as Cloudinary adds it (names are written
// without one). Without a name, an uploaded asset's original file name is
// used, as on Cloudinary (whose discard_original_filename upload parameter
// exists for this), else the last segment of its public ID; for fetch, the
// last segment of the remote URL's path, without its extension. The name is
// decoded twice: once from the URL, once more as Cloudinary does, so that
// %252E (its spelling of a dot, which would otherwise separate flags)
// gives ".".

// attachmentName is the file name fl_attachment asks for, extension
// included, or "" without the flag.
func attachmentName(tr delivery.Transformation, a *meta.Asset, contentType string) string {
	for _, c := range tr.Components {
		if !c.Has(delivery.KeyFlags) || !c.Flags.Has(delivery.FlagAttachment) {
			continue
		}
		name := safeFileName(decodeTwice(c.Flags.AttachmentName))
		if name == "" {
			name = defaultAttachmentName(a)
		}
		if ext := delivery.FormatOf(contentType).String(); ext != "" {
			name += "." + ext
		}
		return name
	}
	return ""
}

// defaultAttachmentName is an uploaded asset's original file name, else
// the last segment of its public ID; for a fetched URL, the last segment
// of its path without the extension.
func defaultAttachmentName(a *meta.Asset) string {
	remote := a.Type == delivery.Fetch
	if !remote {
		if name := safeFileName(a.OriginalFilename); name != "" {
			return name
		}
	}
	name := a.PublicID
	if remote {
		if u, err := url.Parse(a.PublicID); err == nil {
			name = u.Path
		}
	}
	name = name[strings.LastIndexByte(name, '/')+1:]
	if remote {
		if i := strings.LastIndexByte(name, '.'); i > 0 {
			name = name[:i]
		}
	}
	if name = safeFileName(name); name == "" {
		return "file"
	}
	return name
}

// decodeTwice undoes percent-escapes up to twice, keeping the last result
// that decoded.
func decodeTwice(s string) string {
	for i := 0; i < 2 && strings.IndexByte(s, '%') >= 0; i++ {
		d, err := url.PathUnescape(s)
		if err != nil {
			break
		}
		s = d
	}
	return s
}

// safeFileName replaces what must not reach a file name: invalid UTF-8,
// control characters and path separators become "_".
func safeFileName(s string) string {
	s = strings.ToValidUTF8(s, "_")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, s)
}

// contentDisposition is the Content-Disposition header of a download named
// filename (RFC 6266): the name quoted when it is plain printable ASCII;
// otherwise an ASCII stand-in quoted (each other character "_") for old
// clients, and the exact name UTF-8 encoded in filename* for the rest.
func contentDisposition(filename string) string {
	// One "_" for each character that is not plain ASCII, however many
	// bytes it has.
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, filename)
	if ascii == filename {
		return `attachment; filename="` + filename + `"`
	}
	var b strings.Builder
	b.WriteString(`attachment; filename="`)
	b.WriteString(ascii)
	b.WriteString(`"; filename*=UTF-8''`)
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(filename); i++ {
		if c := filename[i]; isAttrChar(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// isAttrChar reports whether c may appear unescaped in an RFC 8187 value.
func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
