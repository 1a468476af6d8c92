//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import (
	"github.com/mediacdn/mediacdn/delivery"
)

// run applies one step: geometry, effect, rounded corners and border,
// angle, opacity, then background. first marks the step applied to the
// input, whose geometry is computed on the input's size before any
// shrink-on-load.
func (pl *pipeline) run(s *step, first bool) error {
	if s.layer != nil {
		return pl.applyLayer(s.layer)
	}
	if s.needsFaces() {
		fs, err := pl.faceStep(s, first)
		if err != nil {
			return err
		}
		s = fs
	}
	w, h := pl.size()
	if first {
		w, h = pl.lw, pl.lh
	}
	g := s.geometry(w, h)
	steps := []func(*step) error{
		func(s *step) error { return pl.geometry(s, g) },
		pl.effect, pl.corners, pl.angle, pl.opacity, pl.background,
	}
	for _, f := range steps {
		if err := f(s); err != nil {
			return err
		}
	}
	return nil
}

// geometry applies pre-crop, resize, crop and padding.
func (pl *pipeline) geometry(s *step, g geometry) error {
	if g.salient {
		var err error
		if g, err = pl.salient(s, g); err != nil { // crop_auto.go
			return err
		}
	}
	if err := pl.cut(g.pre, g.preSmart); err != nil {
		return err
	}
	if g.scaleW > 0 {
		if err := pl.resize(g.scaleW, g.scaleH); err != nil {
			return err
		}
	}
	if err := pl.cut(g.crop, g.smart); err != nil {
		return err
	}
	if g.pad.none() {
		return nil
	}
	if err := pl.checkSize(g.pad.w, g.pad.h); err != nil {
		return err
	}
	r, gr, b, a, err := pl.padFill(s) // crop_auto.go: b_auto
	if err != nil {
		return err
	}
	var out *C.VipsImage
	if C.mc_embed(pl.img, &out, C.int(g.pad.x), C.int(g.pad.y), C.int(g.pad.w), C.int(g.pad.h), r, gr, b, a) != 0 {
		return pl.fail("embed")
	}
	pl.set(out)
	return nil
}

// cut extracts r (or smart-crops to its size).
func (pl *pipeline) cut(r rect, smart bool) error {
	if r.none() {
		return nil
	}
	var out *C.VipsImage
	if smart {
		if err := pl.materialize(); err != nil {
			return err
		}
		if C.mc_smartcrop(pl.img, &out, C.int(r.w), C.int(r.h)) != 0 {
			return pl.fail("smartcrop")
		}
	} else if C.mc_extract(pl.img, &out, C.int(r.x), C.int(r.y), C.int(r.w), C.int(r.h)) != 0 {
		return pl.fail("extract")
	}
	pl.set(out)
	return nil
}

// resize scales the current image to exactly w × h.
func (pl *pipeline) resize(w, h int) error {
	if err := pl.checkSize(w, h); err != nil {
		return err
	}
	cw, ch := pl.size()
	if cw == w && ch == h {
		return nil
	}
	var out *C.VipsImage
	if C.mc_resize(pl.img, &out, C.double(float64(w)/float64(cw)), C.double(float64(h)/float64(ch))) != 0 {
		return pl.fail("resize")
	}
	pl.set(out)
	if rw, rh := pl.size(); rw != w || rh != h {
		if C.mc_fit(pl.img, &out, C.int(w), C.int(h)) != 0 {
			return pl.fail("fit")
		}
		pl.set(out)
	}
	return nil
}

// padColour is b_, else white, or transparent where the output can keep
// alpha.
func (pl *pipeline) padColour(s *step) delivery.Color {
	switch {
	case s.hasBG:
		return s.background
	case pl.out.alpha == alphaAlways, pl.out.alpha == alphaIfPresent && pl.hasAlpha():
		return transparent()
	}
	return white()
}

// angle applies a_: clockwise degrees, then flips.
func (pl *pipeline) angle(s *step) error {
	a := s.angle
	if deg := ((a.Degrees % 360) + 360) % 360; a.HasDegrees && deg != 0 {
		if err := pl.rotate(s, deg); err != nil {
			return err
		}
	}
	if a.Modes&delivery.AngleHFlip != 0 {
		if err := pl.flip(true); err != nil {
			return err
		}
	}
	if a.Modes&delivery.AngleVFlip != 0 {
		return pl.flip(false)
	}
	return nil
}

func (pl *pipeline) rotate(s *step, deg int) error {
	if err := pl.materialize(); err != nil {
		return err
	}
	var out *C.VipsImage
	if deg%90 == 0 {
		if C.mc_rot(pl.img, &out, C.int(deg/90)) != 0 {
			return pl.fail("rot")
		}
	} else {
		r, g, b, al := rgba(pl.padColour(s))
		if C.mc_rotate(pl.img, &out, C.double(deg), r, g, b, al) != 0 {
			return pl.fail("rotate")
		}
	}
	pl.set(out)
	w, h := pl.size()
	return pl.checkSize(w, h)
}

func (pl *pipeline) flip(horizontal bool) error {
	if !horizontal {
		if err := pl.materialize(); err != nil {
			return err
		}
	}
	var out *C.VipsImage
	if C.mc_flip(pl.img, &out, cbool(horizontal)) != 0 {
		return pl.fail("flip")
	}
	pl.set(out)
	return nil
}
