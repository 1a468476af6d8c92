package imaging

import (
	"math"

	"github.com/mediacdn/mediacdn/delivery"
)

// rect is an area; a zero width means "none".
type rect struct{ x, y, w, h int }

func (r rect) none() bool { return r.w == 0 }

// geometry is what one step does to the image's size, in order: an
// optional crop of the input (c_crop, zoomed c_thumb), a resize of the
// whole image, a crop of the result (c_fill and friends) and a padding
// canvas (c_pad and friends, x/y: where the image goes).
type geometry struct {
	pre      rect
	preSmart bool // pre is chosen by smart crop (only its size counts)
	scaleW   int  // resize to scaleW × scaleH; 0 = no resize
	scaleH   int
	crop     rect
	smart    bool
	pad      rect

	salient bool    // a salient crop to tw × th: measured on the pixels when it runs (crops.go)
	tw, th  float64 // salient only
}

// geometry computes the step's work on an image of w × h pixels.
func (s *step) geometry(w, h int) geometry {
	if s.crop == delivery.CropNone {
		return geometry{}
	}
	tw, th := s.target(w, h)
	switch s.crop {
	case delivery.CropCrop:
		return s.cropGeometry(w, h, tw, th)
	case delivery.CropThumb:
		return s.thumbGeometry(w, h, tw, th)
	}
	if tw == 0 && th == 0 {
		return geometry{}
	}
	switch s.crop {
	case delivery.CropFit, delivery.CropLimit, delivery.CropMFit:
		return s.fitGeometry(w, h, tw, th)
	case delivery.CropFill:
		return s.fillGeometry(w, h, tw, th, false)
	case delivery.CropLFill:
		return s.fillGeometry(w, h, tw, th, true)
	case delivery.CropPad, delivery.CropLPad, delivery.CropMPad:
		return s.padGeometry(w, h, tw, th)
	case delivery.CropAuto, delivery.CropFillPad, delivery.CropAutoPad:
		if tw > 0 && th > 0 {
			return salientEstimate(w, h, tw, th) // crops.go
		}
	}
	return scaleGeometry(w, h, tw, th)
}

// target is the requested size in pixels: w and h (fractions of the
// image), one derived from the other with ar, dpr applied. With ar alone,
// the largest box of that ratio inside the image (or, for the pad modes,
// the smallest around it); with dpr alone, the image's own size.
func (s *step) target(w, h int) (tw, th float64) {
	if s.w.set {
		tw = s.w.of(w)
	}
	if s.h.set {
		th = s.h.of(h)
	}
	if s.ar > 0 {
		switch {
		case tw > 0 && th == 0:
			th = tw / s.ar
		case th > 0 && tw == 0:
			tw = th * s.ar
		case tw == 0 && th == 0:
			tw, th = ratioBox(w, h, s.ar, s.crop)
		}
	}
	if tw == 0 && th == 0 && s.dpr != 1 {
		tw, th = float64(w), float64(h)
	}
	return tw * s.dpr, th * s.dpr
}

// ratioBox is the box of ratio ar inside w × h, or around it for the pad
// modes and scale (which keeps the width).
func ratioBox(w, h int, ar float64, c delivery.Crop) (float64, float64) {
	fw, fh := float64(w), float64(h)
	switch c {
	case delivery.CropScale:
		return fw, fw / ar
	case delivery.CropPad, delivery.CropLPad, delivery.CropMPad:
		if fw/fh > ar {
			return fw, fw / ar
		}
		return fh * ar, fh
	}
	if fw/fh > ar {
		return fh * ar, fh
	}
	return fw, fw / ar
}

// scaleGeometry resizes to tw × th, or keeps the aspect ratio when one is 0.
func scaleGeometry(w, h int, tw, th float64) geometry {
	switch {
	case tw == 0:
		tw = float64(w) * th / float64(h)
	case th == 0:
		th = float64(h) * tw / float64(w)
	}
	return resizeTo(w, h, pixels(tw), pixels(th))
}

// resizeTo is a resize, or nothing when the size does not change.
func resizeTo(w, h, rw, rh int) geometry {
	if rw == w && rh == h {
		return geometry{}
	}
	return geometry{scaleW: rw, scaleH: rh}
}

// fitFactor is the scale that fits w × h inside tw × th (either may be 0).
func fitFactor(w, h int, tw, th float64) float64 {
	f := math.Inf(1)
	if tw > 0 {
		f = tw / float64(w)
	}
	if th > 0 {
		f = math.Min(f, th/float64(h))
	}
	return f
}

// fillFactor is the scale that makes w × h cover tw × th.
func fillFactor(w, h int, tw, th float64) float64 {
	return math.Max(tw/float64(w), th/float64(h))
}

// fitGeometry: fit scales to fit inside, limit only shrinks, mfit only
// enlarges.
func (s *step) fitGeometry(w, h int, tw, th float64) geometry {
	f := fitFactor(w, h, tw, th)
	switch {
	case s.crop == delivery.CropLimit && f > 1, s.crop == delivery.CropMFit && f < 1:
		return geometry{}
	}
	return resizeTo(w, h, pixels(float64(w)*f), pixels(float64(h)*f))
}

// fillGeometry covers tw × th and crops to it; lfill never enlarges and
// then crops to the largest box of the requested ratio that fits.
func (s *step) fillGeometry(w, h int, tw, th float64, limit bool) geometry {
	if tw == 0 || th == 0 {
		if limit {
			return s.limitScale(w, h, tw, th)
		}
		return scaleGeometry(w, h, tw, th)
	}
	f := fillFactor(w, h, tw, th)
	if limit {
		f = math.Min(f, 1)
	}
	rw, rh := pixels(float64(w)*f), pixels(float64(h)*f)
	bw, bh := pixels(tw), pixels(th)
	if bw > rw || bh > rh {
		bw, bh = boxInside(rw, rh, tw/th)
	}
	g := resizeTo(w, h, rw, rh)
	s.placeCrop(&g, rw, rh, bw, bh, delivery.GravityCenter)
	return g
}

// limitScale is c_scale that never enlarges.
func (s *step) limitScale(w, h int, tw, th float64) geometry {
	if f := fitFactor(w, h, tw, th); f >= 1 {
		return geometry{}
	}
	return scaleGeometry(w, h, tw, th)
}

// boxInside is the largest box of ratio ar inside w × h.
func boxInside(w, h int, ar float64) (int, int) {
	if float64(w)/float64(h) > ar {
		return min(w, pixels(float64(h)*ar)), h
	}
	return w, min(h, pixels(float64(w)/ar))
}

// placeCrop sets g's crop of bw × bh out of a w × h image, by gravity.
func (s *step) placeCrop(g *geometry, w, h, bw, bh int, def delivery.GravityMode) {
	if bw == w && bh == h {
		return
	}
	if s.gravity == delivery.GravityAuto {
		g.crop, g.smart = rect{w: bw, h: bh}, true
		return
	}
	x, y := s.place(w, h, bw, bh, def)
	g.crop = rect{x, y, bw, bh}
}

// padGeometry fits inside tw × th and pads to it: pad scales either way,
// lpad only shrinks, mpad only enlarges (and leaves larger images alone).
func (s *step) padGeometry(w, h int, tw, th float64) geometry {
	f := fitFactor(w, h, tw, th)
	switch {
	case s.crop == delivery.CropLPad:
		f = math.Min(f, 1)
	case s.crop == delivery.CropMPad && f < 1:
		return geometry{}
	}
	rw, rh := pixels(float64(w)*f), pixels(float64(h)*f)
	g := resizeTo(w, h, rw, rh)
	cw, ch := rw, rh
	if tw > 0 {
		cw = max(rw, pixels(tw))
	}
	if th > 0 {
		ch = max(rh, pixels(th))
	}
	if cw != rw || ch != rh {
		gravity := s.gravity
		if gravity == delivery.GravityAuto {
			gravity = delivery.GravityCenter
		}
		x, y := placeBy(gravity, cw, ch, rw, rh, s.x, s.y, delivery.GravityCenter)
		g.pad = rect{x, y, cw, ch}
	}
	return g
}

// cropGeometry cuts tw × th (the whole width or height when not given) out
// of the image; with z_, a region 1/z that size is cut and scaled to it.
func (s *step) cropGeometry(w, h int, tw, th float64) geometry {
	bw, bh := pixels(tw), pixels(th)
	if tw == 0 {
		bw = w
	}
	if th == 0 {
		bh = h
	}
	rw, rh := bw, bh
	switch {
	case s.focus != nil && !s.w.set && !s.h.set:
		bw, bh = s.faceCropBox(w, h)
		rw, rh = bw, bh
	case s.zoom > 0:
		rw, rh = pixels(float64(bw)/s.zoom), pixels(float64(bh)/s.zoom)
	}
	rw, rh = min(rw, w), min(rh, h)
	var g geometry
	def := delivery.GravityCenter
	if (s.x.set || s.y.set) && s.gravity == delivery.GravityNone {
		def = delivery.GravityNorthWest
	}
	if rw != w || rh != h {
		if s.gravity == delivery.GravityAuto {
			g.pre, g.preSmart = rect{w: rw, h: rh}, true
		} else {
			x, y := s.place(w, h, rw, rh, def)
			g.pre = rect{x, y, rw, rh}
		}
	}
	if s.zoom > 0 && (rw != bw || rh != bh) {
		g.scaleW, g.scaleH = bw, bh
	}
	return g
}

// thumbGeometry is fill, after cutting a 1/z region around the gravity
// point when z_ zooms in.
func (s *step) thumbGeometry(w, h int, tw, th float64) geometry {
	if s.focus != nil {
		return s.faceThumbGeometry(w, h, tw, th)
	}
	var pre rect
	if s.zoom > 1 {
		rw, rh := pixels(float64(w)/s.zoom), pixels(float64(h)/s.zoom)
		x, y := s.place(w, h, rw, rh, delivery.GravityCenter)
		pre = rect{x, y, rw, rh}
		w, h = rw, rh
	}
	var g geometry
	if tw > 0 || th > 0 {
		g = s.fillGeometry(w, h, tw, th, false)
	}
	g.pre = pre
	return g
}

// pixels rounds a size to whole pixels, at least 1.
func pixels(v float64) int {
	if v >= math.MaxInt32 {
		return math.MaxInt32
	}
	return max(1, int(math.Round(v)))
}

func clamp(v, lo, hi int) int {
	if hi < lo {
		return lo
	}
	return max(lo, min(v, hi))
}

// shrinkFactor is the load-time shrink (1, 2, 4 or 8) for a first step
// that scales a w × h image down: the largest power of two the scale
// allows, as imgproxy does. libjpeg (and libwebp) then decode at that
// size directly, which is most of the cost saved.
func (g geometry) shrinkFactor(w, h int) int {
	if !g.pre.none() || g.scaleW == 0 {
		return 1
	}
	f := math.Max(float64(g.scaleW)/float64(w), float64(g.scaleH)/float64(h))
	if f <= 0 {
		return 1
	}
	inv := 1 / f
	switch {
	case inv >= 8:
		return 8
	case inv >= 4:
		return 4
	case inv >= 2:
		return 2
	}
	return 1
}
