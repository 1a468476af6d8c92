// Package imagemeta reads the metadata embedded in image files: EXIF
// (TIFF IFDs, with the Exif and GPS sub-IFDs), IPTC-IIM (Photoshop APP13)
// and XMP, from JPEG, PNG and WebP containers. It is pure Go, reads only
// the bytes it is given, and bounds everything it follows, so it is safe
// on hostile input.
//
// Files:
//
//	imagemeta.go   Metadata, Extract: the blocks of a file found, each parsed
//	containers.go  the metadata blocks of JPEG (APP1, APP13), PNG (eXIf, iTXt) and WebP (EXIF, XMP) files
//	exif.go        EXIF: a TIFF structure's IFDs, the Exif and GPS sub-IFDs, values as text
//	iptc.go        IPTC-IIM records from a Photoshop APP13 resource
//	xmp.go         XMP: an RDF/XML packet's properties, flattened
//	tags.go        the names of EXIF, GPS and IPTC tags
package imagemeta

// Metadata is what an image file carries, by tag name, every value as
// text (rationals as "n/d", lists joined with ", ").
type Metadata struct {
	EXIF map[string]string
	IPTC map[string]string
	XMP  map[string]string
}

// Empty reports whether nothing was found.
func (m Metadata) Empty() bool { return len(m.EXIF) == 0 && len(m.IPTC) == 0 && len(m.XMP) == 0 }

// All merges the three, EXIF names first, then IPTC, then XMP (a name
// already present is not overwritten), as Cloudinary's image_metadata
// lists them.
func (m Metadata) All() map[string]string {
	out := map[string]string{}
	for _, src := range []map[string]string{m.EXIF, m.IPTC, m.XMP} {
		for k, v := range src {
			if _, ok := out[k]; !ok {
				out[k] = v
			}
		}
	}
	return out
}

// maxSegment bounds one embedded block the parser looks at.
const maxSegment = 4 << 20

// Extract finds and parses the metadata blocks of a JPEG, PNG or WebP
// file; other files, and blocks that do not parse, give nothing.
func Extract(b []byte) Metadata {
	var blocks blocks
	switch {
	case len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8:
		blocks = jpegBlocks(b)
	case len(b) > 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		blocks = pngBlocks(b)
	case len(b) > 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		blocks = webpBlocks(b)
	}
	var m Metadata
	if blocks.exif != nil {
		m.EXIF = parseTIFF(blocks.exif)
	}
	if blocks.iptc != nil {
		m.IPTC = parseIPTC(blocks.iptc)
	}
	if blocks.xmp != nil {
		m.XMP = parseXMP(blocks.xmp)
	}
	return m
}

// blocks are the raw metadata blocks of a file.
type blocks struct {
	exif []byte // a TIFF structure
	iptc []byte // Photoshop image resources (APP13 after its signature)
	xmp  []byte // an XMP packet
}
