package imaging

import (
	"bytes"

	"github.com/mediacdn/mediacdn/delivery"
)

// loader is one of the libvips loaders accepted for untrusted input. Its
// values are vips.h's MC_LOAD_*, which vips.go checks when it compiles.
type loader int

// Accepted loaders. loaderSVG is recognised for Probe only: libvips marks
// its SVG loader untrusted, so SVG is never decoded here.
const (
	loaderNone loader = iota
	loaderJPEG
	loaderPNG
	loaderWebP
	loaderGIF
	loaderTIFF
	loaderHEIF
	loaderBMP              // decoded in Go (bmp.go)
	loaderPDF              // rasterised by poppler (pdf.go)
	loaderSVG loader = 100 // no MC_LOAD_*: never handed to libvips
	loaderICO loader = 101 // no MC_LOAD_*: decoded in Go (ico.go)
	loaderJXL loader = 102 // no MC_LOAD_*: libvips' loader is untrusted; never decoded (jxl.go)
)

// sniff picks the loader from the file's magic bytes, without running any
// libvips code: libvips' own detection would also ask untrusted loaders
// (ImageMagick's catch-all among them) whether they recognise the bytes.
func sniff(b []byte) loader {
	switch {
	case len(b) >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff:
		return loaderJPEG
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return loaderPNG
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return loaderWebP
	case bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a")):
		return loaderGIF
	case bytes.HasPrefix(b, []byte("II*\x00")) || bytes.HasPrefix(b, []byte("MM\x00*")):
		return loaderTIFF
	case isHEIF(b):
		return loaderHEIF
	case isBMP(b):
		return loaderBMP
	case isICO(b):
		return loaderICO
	case isJXL(b):
		return loaderJXL
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return loaderPDF
	case isSVG(b):
		return loaderSVG
	}
	return loaderNone
}

// isHEIF checks an ISO BMFF "ftyp" box for a HEIF or AVIF brand.
func isHEIF(b []byte) bool {
	if len(b) < 12 || string(b[4:8]) != "ftyp" {
		return false
	}
	switch string(b[8:12]) {
	case "heic", "heix", "hevc", "heim", "heis", "hevm", "hevs", "mif1", "msf1", "avif", "avis":
		return true
	}
	return false
}

// isAVIF reports whether a HEIF file's ftyp box names an AVIF brand (major
// or compatible).
func isAVIF(b []byte) bool {
	if !isHEIF(b) {
		return false
	}
	size := int(b[0])<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	size = min(max(size, 16), len(b), 256)
	for i := 8; i+4 <= size; i += 4 {
		if i == 12 { // minor version
			continue
		}
		if brand := string(b[i : i+4]); brand == "avif" || brand == "avis" {
			return true
		}
	}
	return false
}

// format is the delivery format a loader reads; av1 tells AVIF from HEIC.
func (l loader) format(av1 bool) delivery.Format {
	switch l {
	case loaderJPEG:
		return delivery.JPG
	case loaderPNG:
		return delivery.PNG
	case loaderWebP:
		return delivery.WebP
	case loaderGIF:
		return delivery.GIF
	case loaderTIFF:
		return delivery.TIFF
	case loaderHEIF:
		if av1 {
			return delivery.AVIF
		}
		return delivery.HEIC
	case loaderBMP:
		return delivery.BMP
	case loaderSVG:
		return delivery.SVG
	case loaderICO:
		return delivery.ICO
	case loaderJXL:
		return delivery.JXL
	case loaderPDF:
		return delivery.PDF
	}
	return delivery.FormatNone
}
