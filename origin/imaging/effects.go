//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import "github.com/mediacdn/mediacdn/delivery"

// white is the padding and flattening colour when nothing else applies.
func white() delivery.Color {
	return delivery.Color{Kind: delivery.ColorRGB, R: 0xff, G: 0xff, B: 0xff, A: 0xff}
}

// transparent is white with no opacity (white, so that later resizes do
// not darken edges).
func transparent() delivery.Color {
	return delivery.Color{Kind: delivery.ColorRGB, R: 0xff, G: 0xff, B: 0xff}
}

func rgba(c delivery.Color) (r, g, b, a C.double) {
	return C.double(c.R), C.double(c.G), C.double(c.B), C.double(c.A)
}

// effect applies e_.
func (pl *pipeline) effect(s *step) error {
	e := s.effect
	level := func(def int) float64 {
		if e.HasLevel {
			return float64(e.Level)
		}
		return float64(def)
	}
	var out *C.VipsImage
	var rc C.int
	switch e.Name {
	case delivery.EffectNone:
		return nil
	case delivery.EffectGrayscale:
		rc = C.mc_grayscale(pl.img, &out)
	case delivery.EffectNegate:
		rc = C.mc_negate(pl.img, &out)
	case delivery.EffectSepia:
		rc = C.mc_sepia(pl.img, &out, C.double(level(80)/100))
	case delivery.EffectBlur:
		rc = C.mc_blur(pl.img, &out, C.double(max(level(100)/20, 0.5)))
	case delivery.EffectSharpen:
		rc = C.mc_sharpen(pl.img, &out, C.double(min(max(level(100)/100, 0.5), 10)))
	default:
		return pl.moreEffect(s)
	}
	if rc != 0 {
		return pl.fail("effect " + e.Name.String())
	}
	pl.set(out)
	return nil
}

// radii expands r_ into top-left, top-right, bottom-right, bottom-left, as
// CSS does: one value for all, two for the diagonals, three for tl, tr+bl, br.
func radii(r delivery.Radius) (v [4]C.double, ellipse bool) {
	if r.Max {
		return v, true
	}
	idx := [5][4]int{{}, {0, 0, 0, 0}, {0, 1, 0, 1}, {0, 1, 2, 1}, {0, 1, 2, 3}}[r.N]
	for i, j := range idx {
		v[i] = C.double(r.V[j])
	}
	return v, false
}

// corners applies r_ and bo_ (the border follows rounded corners).
func (pl *pipeline) corners(s *step) error {
	if !s.hasRadius && s.border.Width == 0 {
		return nil
	}
	var rs [4]C.double
	ellipse := false
	if s.hasRadius {
		rs, ellipse = radii(s.radius)
	}
	var out *C.VipsImage
	if s.border.Width > 0 {
		w, h := pl.size()
		if err := pl.checkSize(w+2*s.border.Width, h+2*s.border.Width); err != nil {
			return err
		}
		r, g, b, a := rgba(s.border.Color)
		if C.mc_border(pl.img, &out, C.int(s.border.Width), &rs[0], cbool(ellipse), r, g, b, a) != 0 {
			return pl.fail("border")
		}
	} else if C.mc_round_corners(pl.img, &out, &rs[0], cbool(ellipse)) != 0 {
		return pl.fail("round corners")
	}
	pl.set(out)
	return nil
}

// opacity applies o_.
func (pl *pipeline) opacity(s *step) error {
	if !s.hasOpacity || s.opacity == 100 {
		return nil
	}
	var out *C.VipsImage
	if C.mc_opacity(pl.img, &out, C.double(float64(s.opacity)/100)) != 0 {
		return pl.fail("opacity")
	}
	pl.set(out)
	return nil
}

// background applies b_ to transparent pixels (an opaque b_ flattens the
// image onto it) and remembers it for a JPEG's final flatten.
func (pl *pipeline) background(s *step) error {
	if !s.hasBG {
		return nil
	}
	pl.bg, pl.hasBG = s.background, true
	if s.background.A != 0xff || !pl.hasAlpha() {
		return nil
	}
	return pl.flatten(s.background)
}

func (pl *pipeline) flatten(c delivery.Color) error {
	r, g, b, _ := rgba(c)
	var out *C.VipsImage
	if C.mc_flatten(pl.img, &out, r, g, b) != 0 {
		return pl.fail("flatten")
	}
	pl.set(out)
	return nil
}
