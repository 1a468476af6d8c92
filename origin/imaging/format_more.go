package imaging

import (
	"net/http"

	"github.com/mediacdn/mediacdn/delivery"
)

// The output formats beyond the five browsers show: TIFF, HEIC and JPEG XL
// through libvips' savers, BMP and ICO written in Go (save_formats.go).
// They are written when asked for (f_ or the extension) and never chosen
// by f_auto, nor kept by default from an input in the same format
// (chooseOutput).

// moreEncoderFor maps the formats of this file.
func moreEncoderFor(f delivery.Format) (encoder, bool) {
	switch f {
	case delivery.TIFF:
		return encTIFF, true
	case delivery.HEIC:
		return encHEIC, true
	case delivery.JXL:
		return encJXL, true
	case delivery.BMP:
		return encBMP, true
	case delivery.ICO:
		return encICO, true
	}
	return 0, false
}

// moreFormat is the format an encoder of this file writes.
func (e encoder) moreFormat() delivery.Format {
	switch e {
	case encTIFF:
		return delivery.TIFF
	case encHEIC:
		return delivery.HEIC
	case encJXL:
		return delivery.JXL
	case encBMP:
		return delivery.BMP
	}
	return delivery.ICO
}

// checkICOSize refuses an icon larger than an ICO can hold (256×256);
// the transformation is what must make it smaller (w_256 and the like).
func checkICOSize(w, h int) error {
	if w > maxICOSide || h > maxICOSide {
		return delivery.Errorf(http.StatusBadRequest,
			"Requested image size %dx%d exceeds the limit of %d pixels per side for ico", w, h, maxICOSide)
	}
	return nil
}

// moreEncodeCost is the cost per output pixel (cost.go) of an encoder of
// this file, measured as cost.go's are (LadyBird filled to 800x500, CPU
// time less the same transform to JPEG): HEIC is libheif's x265 at its
// default preset, by far the slowest encoder here; its encoding, once
// libvips has handed over the pixels, is not stopped by the timeout, so
// the cost budget is what bounds it.
func moreEncodeCost(e encoder) float64 {
	switch e {
	case encTIFF:
		return 40
	case encHEIC:
		return 1000
	case encJXL:
		return 60
	}
	return 5 // BMP, ICO: a copy to memory and a loop in Go
}
