//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import (
	"errors"
	"math"
	"net/http"
	"unsafe"

	"github.com/mediacdn/mediacdn/delivery"
)

// applyLayer makes the layer (an asset's original from Request.Layers, or
// text), runs its own steps on it, and composites it over (or under) the
// current image, which keeps its size.
func (pl *pipeline) applyLayer(ls *layerSpec) error {
	base, baseSeq, lw, lh := pl.img, pl.seq, pl.lw, pl.lh
	bg, hasBG := pl.bg, pl.hasBG
	bw, bh := pl.size()
	err := pl.makeLayer(ls, bw, bh)
	if err == nil && ls.tiled {
		err = pl.materialize() // tiles read the layer over and over
	}
	layer := pl.img
	pl.img, pl.seq, pl.lw, pl.lh, pl.bg, pl.hasBG = base, baseSeq, lw, lh, bg, hasBG
	if err != nil {
		return err
	}
	// The composite reads the part under the layer before the rest: the
	// image is made once, in memory (else the part would be made twice,
	// and a sequential loader cannot read out of order).
	var out *C.VipsImage
	if C.mc_copy_memory(pl.img, &out) != 0 {
		return pl.fail("copy_memory")
	}
	pl.set(out)
	pl.seq = false
	x, y := 0, 0
	if ls.tiled {
		if C.mc_layer_tile(layer, C.int(bw), C.int(bh), &out) != 0 {
			return pl.fail("layer tile")
		}
		layer = pl.a.keep(out)
	} else {
		x, y = ls.position(bw, bh, int(layer.Xsize), int(layer.Ysize))
	}
	if C.mc_layer_composite(pl.img, layer, C.int(x), C.int(y), cbool(ls.under), &out) != 0 {
		return pl.fail("layer composite")
	}
	pl.set(out)
	return nil
}

// position is where a lw × lh layer's top-left corner goes on a bw × bh
// image: by gravity (centre when none), x and y measured inwards from the
// gravity's edges (relative ones of the image's size); xy_center centres
// the layer on (x, y). Unlike a crop's placement it may stick out: what
// does is cut off.
func (ls *layerSpec) position(bw, bh, lw, lh int) (int, int) {
	g := ls.gravity
	if g == delivery.GravityNone {
		g = delivery.GravityCenter
	}
	ox, oy := ls.x.of(bw), ls.y.of(bh)
	var x, y float64
	if g == delivery.GravityXYCenter {
		x, y = ox-float64(lw)/2, oy-float64(lh)/2
	} else {
		x = edge(bw-lw, ox, west(g), east(g))
		y = edge(bh-lh, oy, north(g), south(g))
	}
	return int(math.Round(x)), int(math.Round(y))
}

// makeLayer leaves the layer, with its own steps applied, as the current
// image; bw × bh is the image it goes on (fl_relative sizes are of it).
func (pl *pipeline) makeLayer(ls *layerSpec, bw, bh int) error {
	var err error
	if ls.layer.Kind == delivery.LayerText {
		err = pl.textLayer(&ls.text)
	} else {
		err = pl.imageLayer(ls)
	}
	if err != nil {
		return err
	}
	for i := range ls.steps {
		s := ls.steps[i]
		if ls.relative && i == 0 {
			if s.w.rel {
				s.w = length{v: s.w.v * float64(bw), set: true}
			}
			if s.h.rel {
				s.h = length{v: s.h.v * float64(bh), set: true}
			}
		}
		if err := pl.run(&s, false); err != nil {
			return err
		}
	}
	return nil
}

// imageLayer opens an image layer's original, checked against the input
// limits and the cost budget like any input.
func (pl *pipeline) imageLayer(ls *layerSpec) error {
	data, ok := pl.layerData[ls.key]
	if !ok {
		name := ls.layer.PublicID
		if ls.layer.Kind == delivery.LayerFetch {
			name = ls.layer.URL
		}
		return delivery.Errorf(http.StatusNotFound, "Resource not found - %s", name)
	}
	kind, err := pl.proc.admit(data)
	if err != nil {
		return err
	}
	if kind == loaderSVG {
		return delivery.Errorf(http.StatusBadRequest, "SVG layers are not supported - %s", ls.layer.PublicID)
	}
	if kind == loaderJXL {
		return delivery.Errorf(http.StatusBadRequest, "JPEG XL layers are not supported - %s", ls.layer.PublicID)
	}
	src := newSource(data, kind)
	pl.layerSources = append(pl.layerSources, src) // freed by close, after the images reading it
	im, h, err := readHeader(&pl.a, src)
	if err != nil {
		return err
	}
	if err := pl.proc.checkPixels(h, kind, 0); err != nil {
		return err
	}
	if err := pl.proc.checkCost(&plan{steps: ls.steps}, h, kind, 0, 1, false, pl.out); err != nil {
		return err
	}
	if im, err = decodeInGo(&pl.a, src, im); err != nil {
		return err
	}
	pl.img, pl.seq = im, true
	if err := pl.finishLoad(h.orientation); err != nil {
		return err
	}
	pl.lw, pl.lh = pl.size()
	return nil
}

// textLayer renders a text layer.
func (pl *pipeline) textLayer(t *textLayer) error {
	if t.pixels > float64(pl.cfg.MaxOutputPixels) {
		return delivery.Errorf(http.StatusBadRequest, "Text image too large - reduce the text or the font size")
	}
	markup, font := C.CString(t.markup), C.CString(t.font)
	defer C.free(unsafe.Pointer(markup))
	defer C.free(unsafe.Pointer(font))
	r, g, b, a := rgba(t.colour)
	var out *C.VipsImage
	if C.mc_layer_text(&out, markup, font, C.int(t.width), C.int(t.align), cbool(t.justify),
		C.int(t.spacing), r, g, b, a) != 0 {
		return internalError(failed("text layer"))
	}
	pl.set(out)
	pl.seq = false
	w, h := pl.size()
	if w <= 0 || h <= 0 {
		return internalError(errors.New("empty text layer"))
	}
	pl.lw, pl.lh = w, h
	return pl.checkSize(w, h)
}
