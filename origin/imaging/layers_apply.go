//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import (
	"crypto/sha256"
	"errors"
	"math"
	"net/http"
	"strconv"
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
// image; bw × bh is the image it goes on (fl_relative sizes are of it) A
// layer the cache holds is opened from it; one it may hold is kept there.
func (pl *pipeline) makeLayer(ls *layerSpec, bw, bh int) error {
	key, cached := pl.layerKey(ls, bw, bh)
	if cached {
		if e, ok := pl.proc.layers.get(key); ok {
			pl.proc.layerHits.Add(1)
			return pl.openLayer(e)
		}
	}
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
	if !cached {
		return nil
	}
	return pl.keepLayer(key)
}

// layerKey is the layer cache's key of the layer (cached false when it is
// not cached): a hash of the layer's bytes, the text of its own
// components, the device pixel ratio its steps were sized at (dpr_auto),
// whether the output keeps alpha (c_pad's colour is transparent then),
// and for fl_relative the size of the image under it. Image and fetch
// layers are cached, both bytes given in Request.Layers; text layers are
// rendered each time (Pango's work, not a decode), and a layer holding a
// layer is not cached (the inner one is).
func (pl *pipeline) layerKey(ls *layerSpec, bw, bh int) (string, bool) {
	if pl.proc.layers == nil || ls.layer.Kind == delivery.LayerText || ls.nested {
		return "", false
	}
	data, ok := pl.layerData[ls.key]
	if !ok {
		return "", false // imageLayer answers 404
	}
	if !ls.hashed {
		ls.digest, ls.hashed = sha256.Sum256(data), true // once per request, not per frame
	}
	b := make([]byte, 0, len(ls.digest)+len(ls.own)+48)
	b = append(b, ls.digest[:]...)
	b = append(b, ls.own...)
	for i := range ls.steps {
		b = append(b, '|')
		b = strconv.AppendFloat(b, ls.steps[i].dpr, 'g', -1, 64)
	}
	b = append(b, '|', byte('0'+pl.out.alpha))
	if ls.relative {
		b = append(b, '|')
		b = strconv.AppendInt(b, int64(bw), 10)
		b = append(b, 'x')
		b = strconv.AppendInt(b, int64(bh), 10)
	}
	return string(b), true
}

// keepLayer writes the prepared layer (the current image) to memory, keeps
// it in the layer cache under key and reopens it as the current image: the
// pixels composited are the same with the cache and from it.
func (pl *pipeline) keepLayer(key string) error {
	var buf unsafe.Pointer
	var n C.size_t
	if C.mc_layer_pixels(pl.img, &buf, &n) != 0 {
		return pl.fail("layer pixels")
	}
	pix := C.GoBytes(buf, C.int(n))
	C.g_free(C.gpointer(buf))
	e := &layerEntry{key: key, pix: pix, width: int(pl.img.Xsize), height: int(pl.img.Ysize),
		bands: int(pl.img.Bands), format: int(pl.img.BandFmt), interpretation: int(pl.img.Type)}
	pl.proc.layers.put(e)
	return pl.openLayer(e)
}

// openLayer makes a prepared layer the current image.
func (pl *pipeline) openLayer(e *layerEntry) error {
	var out *C.VipsImage
	if C.mc_layer_open(unsafe.Pointer(&e.pix[0]), C.size_t(len(e.pix)), C.int(e.width), C.int(e.height),
		C.int(e.bands), C.int(e.format), C.int(e.interpretation), &out) != 0 {
		return internalError(failed("layer open"))
	}
	pl.set(out)
	pl.seq = false
	pl.lw, pl.lh = e.width, e.height
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
	pl.proc.layerDecodes.Add(1)
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
