//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import "unsafe"

// The savers of format_more.go's formats. TIFF (LZW with a horizontal
// predictor, lossless), HEIC (libheif's HEVC encoder, x265) and JPEG XL
// (libjxl) go through libvips (mc_save_more); BMP and ICO are written in
// Go from the pixels libvips hands over (bmp_encode.go, ico.go).

// savers says which optional encoders work in this process: libheif may
// lack an HEVC encoder, libvips its JPEG XL module. Probed once, when
// libvips is configured (initVips).
type savers struct {
	heic, jxl bool
}

// saversWork allows the JPEG XL saver (its loader stays blocked) and
// probes the optional encoders.
func saversWork() savers {
	C.mc_formats_configure()
	return savers{
		heic: C.mc_saver_works(C.MC_SAVE_HEIC) == 0,
		jxl:  C.mc_saver_works(C.MC_SAVE_JXL) == 0,
	}
}

// available refuses an encoder this process lacks with a 400 naming the
// format, as f_avif is refused without an AV1 encoder.
func (s savers) available(e encoder) error {
	switch {
	case e == encHEIC && !s.heic:
		return unsupported("f_heic")
	case e == encJXL && !s.jxl:
		return unsupported("f_jxl")
	}
	return nil
}

// writtenInGo reports whether enc is encoded by saveInGo.
func writtenInGo(enc encoder) bool { return enc == encBMP || enc == encICO }

// saveInGo encodes the current image as BMP or ICO (an icon over 256×256
// answers 400 before any pixel is computed).
func (pl *pipeline) saveInGo(enc encoder) ([]byte, error) {
	w, h := pl.size()
	if enc == encICO {
		if err := checkICOSize(w, h); err != nil {
			return nil, err
		}
	}
	var buf unsafe.Pointer
	var n C.size_t
	var bands C.int
	if C.mc_pixels(pl.img, &buf, &n, &bands) != 0 {
		return nil, pl.fail("pixels")
	}
	defer C.mc_free(buf)
	pix := unsafe.Slice((*byte)(buf), int(n))
	if enc == encBMP {
		return encodeBMP(pix, w, h, int(bands)), nil
	}
	return encodeICO(pix, w, h, int(bands)), nil
}
