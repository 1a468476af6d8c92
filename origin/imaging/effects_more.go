//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import (
	"math"

	"github.com/mediacdn/mediacdn/delivery"
)

// moreEffect applies the e_ effects of effects_plan.go (the formulas are
// in docs/transformations.md).
func (pl *pipeline) moreEffect(s *step) error {
	e := s.effect
	if _, random := moreEffectCost(e, &s.fx); random {
		if err := pl.materialize(); err != nil {
			return err
		}
	}
	w, h := pl.size()
	var out *C.VipsImage
	var rc C.int
	switch e.Name {
	case delivery.EffectBrightness:
		// ImageMagick's -brightness-contrast: level percent of the range added.
		rc = C.mc_fx_linear(pl.img, &out, 1, C.double(2.55*level(e, defBrightness)))
	case delivery.EffectContrast:
		slope := min(math.Tan(math.Pi*(level(e, defContrast)/100+1)/4), 20)
		rc = C.mc_fx_linear(pl.img, &out, C.double(slope), C.double(127.5*(1-slope)))
	case delivery.EffectGamma:
		rc = C.mc_fx_gamma(pl.img, &out, C.double(1+level(e, defGamma)/100))
	case delivery.EffectSaturation:
		rc = C.mc_fx_lch(pl.img, &out, C.double(1+level(e, defSaturation)/100), 0, 0)
	case delivery.EffectHue:
		rc = C.mc_fx_lch(pl.img, &out, 1, C.double(1.8*level(e, defHue)), 0)
	case delivery.EffectVibrance:
		rc = C.mc_fx_lch(pl.img, &out, 1, 0, C.double(level(e, defVibrance)/100))
	case delivery.EffectAutoBrightness:
		rc = C.mc_fx_auto(pl.img, &out, C.MC_FX_AUTO_BRIGHTNESS, C.double(level(e, defAutoBlend)/100))
	case delivery.EffectAutoContrast:
		rc = C.mc_fx_auto(pl.img, &out, C.MC_FX_AUTO_CONTRAST, C.double(level(e, defAutoBlend)/100))
	case delivery.EffectAutoColor:
		rc = C.mc_fx_auto(pl.img, &out, C.MC_FX_AUTO_COLOR, C.double(level(e, defAutoBlend)/100))
	case delivery.EffectImprove:
		// Grey-world colour balance, then the contrast stretch.
		blend := C.double(s.fx.amount / 100)
		if C.mc_fx_auto(pl.img, &out, C.MC_FX_AUTO_COLOR, blend) != 0 {
			return pl.fail("effect improve")
		}
		pl.set(out)
		rc = C.mc_fx_auto(pl.img, &out, C.MC_FX_AUTO_CONTRAST, blend)
	case delivery.EffectUnsharpMask:
		rc = C.mc_fx_unsharp(pl.img, &out, C.double(sharpenSigma(e)), 1.5)
	case delivery.EffectPixelate:
		rc = C.mc_fx_pixelate(pl.img, &out, C.int(pixelateSize(e, w, h)))
	case delivery.EffectBlurFaces, delivery.EffectPixelateFaces:
		return pl.faceEffect(s)
	case delivery.EffectPixelateRegion, delivery.EffectBlurRegion:
		r := s.fx.region.rect(w, h)
		if r.w == 0 || r.h == 0 {
			return nil
		}
		kind, param := C.int(C.MC_FX_REGION_PIXELATE), float64(pixelateSize(e, w, h))
		if e.Name == delivery.EffectBlurRegion {
			kind = C.MC_FX_REGION_BLUR
			param = blurSigma(e)
		}
		rc = C.mc_fx_region(pl.img, &out, C.int(r.x), C.int(r.y), C.int(r.w), C.int(r.h), kind, C.double(param))
	case delivery.EffectVignette:
		rc = C.mc_fx_vignette(pl.img, &out, C.double(level(e, defVignette)/100))
	case delivery.EffectTrim:
		r, g, b, err := pl.colourOr(s.fx.colour, s.fx.hasColour, false)
		if err != nil {
			return err
		}
		rc = C.mc_fx_trim(pl.img, &out, C.double(2.55*s.fx.amount), r, g, b)
	case delivery.EffectColorize:
		r, g, b, _ := rgba(s.fx.colour)
		rc = C.mc_fx_colorize(pl.img, &out, C.double(s.fx.amount/100), r, g, b)
	case delivery.EffectBlackwhite:
		rc = C.mc_fx_blackwhite(pl.img, &out, C.double(2.55*level(e, defBlackwhite)))
	case delivery.EffectTint:
		r, g, b, _ := rgba(s.fx.colour)
		rc = C.mc_fx_tint(pl.img, &out, C.double(s.fx.amount/100), r, g, b)
	case delivery.EffectReplaceColor:
		fr, fg, fb, err := pl.colourOr(s.fx.from, s.fx.hasFrom, true)
		if err != nil {
			return err
		}
		tr, tg, tb, _ := rgba(s.fx.colour)
		from, to := [3]C.double{fr, fg, fb}, [3]C.double{tr, tg, tb}
		rc = C.mc_fx_replace(pl.img, &out, C.double(s.fx.amount), &from[0], &to[0])
	case delivery.EffectMakeTransparent:
		r, g, b, err := pl.colourOr(s.fx.colour, s.fx.hasColour, false)
		if err != nil {
			return err
		}
		rc = C.mc_fx_make_transparent(pl.img, &out, C.double(s.fx.amount), r, g, b)
	case delivery.EffectGradientFade:
		// Over y_ (default half the height) or x_ from the top or left,
		// from the bottom or right when negative; the strength bends the
		// ramp (20 is linear).
		xl, yl := s.fx.region.x.of(w), s.fx.region.y.of(h)
		if !s.fx.region.x.set && !s.fx.region.y.set {
			yl = 0.5 * float64(h)
		}
		rc = C.mc_fx_fade(pl.img, &out, C.double(xl), C.double(yl), cbool(s.fx.symmetric),
			C.double(max(s.fx.amount, 1)/defFade))
	case delivery.EffectOutline:
		sigma := outlineSigma(s.fx)
		if s.fx.mode != outlineInner {
			grow := s.fx.width + int(math.Ceil(3*sigma))
			if err := pl.checkSize(w+2*grow, h+2*grow); err != nil {
				return err
			}
		}
		r, g, b, _ := rgba(s.fx.colour)
		rc = C.mc_fx_outline(pl.img, &out, C.int(s.fx.mode), C.int(s.fx.width), C.double(sigma), r, g, b)
	case delivery.EffectShadow:
		dx, dy := shadowOffset(s.fx, w, h)
		sigma := shadowSigma(s.fx)
		pad := int(math.Ceil(3 * sigma))
		if err := pl.checkSize(w+max(dx, -dx)+2*pad, h+max(dy, -dy)+2*pad); err != nil {
			return err
		}
		r, g, b, _ := rgba(s.fx.colour)
		rc = C.mc_fx_shadow(pl.img, &out, C.int(dx), C.int(dy), C.double(sigma), 0.8, r, g, b)
	default:
		return unsupported("e_" + e.Name.String()) // takeEffectArgs lets nothing else through
	}
	if rc != 0 {
		return pl.fail("effect " + e.Name.String())
	}
	pl.set(out)
	return nil
}

// shadowOffset is e_shadow's x_ and y_ in pixels (default 10 each).
func shadowOffset(fx effectArgs, w, h int) (dx, dy int) {
	dx, dy = defShadowXY, defShadowXY
	if fx.region.x.set {
		dx = int(math.Round(fx.region.x.of(w)))
	}
	if fx.region.y.set {
		dy = int(math.Round(fx.region.y.of(h)))
	}
	return dx, dy
}

// outlineSigma is the blur of e_outline's band: its blur level as e_blur's
// (sigma level / 20), 0 for none.
func outlineSigma(fx effectArgs) float64 {
	if fx.blur == 0 {
		return 0
	}
	return blurSigma(delivery.Effect{Level: fx.blur, HasLevel: true})
}

// shadowSigma is e_shadow's blur: strength / 10 (default 40 → 4 px).
func shadowSigma(fx effectArgs) float64 { return fx.amount / 10 }

// colourOr is c when given, else the image's predominant colour
// (predominant set) or its top-left pixel's. The image must allow
// out-of-order reads.
func (pl *pipeline) colourOr(c delivery.Color, given, predominant bool) (r, g, b C.double, err error) {
	if given {
		r, g, b, _ = rgba(c)
		return r, g, b, nil
	}
	var rc C.int
	if predominant {
		rc = C.mc_fx_predominant(pl.img, &r, &g, &b)
	} else {
		rc = C.mc_fx_corner(pl.img, &r, &g, &b)
	}
	if rc != 0 {
		return 0, 0, 0, pl.fail("effect colour")
	}
	return r, g, b, nil
}

// moreEffectCost is the per-pixel cost of an effect effects_more.go
// applies, and whether it reads its input more than once (so needs a copy
// in memory).
func moreEffectCost(e delivery.Effect, fx *effectArgs) (perPixel float64, random bool) {
	switch e.Name {
	case delivery.EffectBrightness, delivery.EffectContrast, delivery.EffectGamma:
		return costAdjust, false
	case delivery.EffectSaturation, delivery.EffectHue:
		return costLCh, false
	case delivery.EffectVibrance:
		return costVibrance, false
	case delivery.EffectAutoBrightness, delivery.EffectAutoContrast, delivery.EffectAutoColor:
		return costStats, true
	case delivery.EffectImprove:
		return 2 * costStats, true
	case delivery.EffectUnsharpMask:
		return blurCost(sharpenSigma(e)) + costAdjust, false
	case delivery.EffectPixelate:
		return costPixelate, false
	case delivery.EffectPixelateRegion, delivery.EffectPixelateFaces:
		return costPixelate, true
	case delivery.EffectBlurFaces:
		return blurCost(max(level(e, defBlurFaces)/20, 0.5)), true
	case delivery.EffectBlurRegion:
		return blurCost(blurSigma(e)), true
	case delivery.EffectVignette:
		return costVignette, false
	case delivery.EffectTrim:
		return costTrim, true
	case delivery.EffectColorize:
		return costAdjust, false
	case delivery.EffectTint:
		return costTint, false
	case delivery.EffectBlackwhite:
		return costBlackwhite, false
	case delivery.EffectReplaceColor:
		if !fx.hasFrom {
			return costLab + costPredominant, true
		}
		return costLab, false
	case delivery.EffectMakeTransparent:
		return costLab, !fx.hasColour // the corner's colour is read first
	case delivery.EffectGradientFade:
		return costFade, false
	case delivery.EffectShadow:
		return blurCost(shadowSigma(*fx)) + costPad + 2*costBlend, true
	case delivery.EffectOutline:
		passes := 2.0
		if fx.mode == outlineBoth {
			passes = 4
		}
		cost := passes*costRankTap*float64(2*fx.width+1) + costPad + 2*costBlend
		if fx.blur > 0 {
			cost += blurCost(outlineSigma(*fx))
		}
		return cost, true
	}
	return 0, false
}
