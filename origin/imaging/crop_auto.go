//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import "unsafe"

// salient replaces a salient crop's estimate (crops.go) with its geometry
// on the current image, once its salient region is measured.
func (pl *pipeline) salient(s *step, g geometry) (geometry, error) {
	if err := pl.materialize(); err != nil {
		return geometry{}, err
	}
	var m *C.float
	var w, h C.int
	if C.mc_crop_saliency(pl.img, &m, &w, &h) != 0 {
		return geometry{}, pl.fail("crop_saliency")
	}
	defer C.mc_free(unsafe.Pointer(m))
	iw, ih := pl.size()
	sal := saliency{w: int(w), h: int(h), iw: iw, ih: ih, v: make([]float32, int(w)*int(h))}
	copy(sal.v, unsafe.Slice((*float32)(unsafe.Pointer(m)), len(sal.v)))
	return s.salientGeometry(iw, ih, &sal, g.tw, g.th), nil
}

// padFill is the padding's colour: b_auto's, measured on the current
// image, else padColour's.
func (pl *pipeline) padFill(s *step) (r, g, b, a C.double, err error) {
	if s.autoBG == nil {
		r, g, b, a = rgba(pl.padColour(s))
		return r, g, b, a, nil
	}
	if err := pl.materialize(); err != nil {
		return 0, 0, 0, 0, err
	}
	var mr, mg, mb C.double
	if s.autoBG.Predominant {
		if C.mc_fx_predominant(pl.img, &mr, &mg, &mb) != 0 {
			return 0, 0, 0, 0, pl.fail("predominant")
		}
	} else if C.mc_crop_border_colour(pl.img, &mr, &mg, &mb) != 0 {
		return 0, 0, 0, 0, pl.fail("border_colour")
	}
	c := autoColour(s.autoBG, float64(mr), float64(mg), float64(mb))
	r, g, b, a = rgba(c)
	return r, g, b, a, nil
}
