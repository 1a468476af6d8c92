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
	if _, random := moreEffectCost(e); random {
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
		b, _ := improveBlend(e.Args)
		blend := C.double(float64(b) / 100)
		if C.mc_fx_auto(pl.img, &out, C.MC_FX_AUTO_COLOR, blend) != 0 {
			return pl.fail("effect improve")
		}
		pl.set(out)
		rc = C.mc_fx_auto(pl.img, &out, C.MC_FX_AUTO_CONTRAST, blend)
	case delivery.EffectUnsharpMask:
		rc = C.mc_fx_unsharp(pl.img, &out, C.double(unsharpSigma(e)), 1.5)
	case delivery.EffectPixelate:
		rc = C.mc_fx_pixelate(pl.img, &out, C.int(pixelateSize(e, w, h)))
	case delivery.EffectPixelateRegion, delivery.EffectBlurRegion:
		r := s.region.rect(w, h)
		if r.w == 0 || r.h == 0 {
			return nil
		}
		kind, param := C.int(C.MC_FX_REGION_PIXELATE), float64(pixelateSize(e, w, h))
		if e.Name == delivery.EffectBlurRegion {
			kind = C.MC_FX_REGION_BLUR
			param = blurSigma(delivery.Effect{Level: int(level(e, defRegionBlur)), HasLevel: true})
		}
		rc = C.mc_fx_region(pl.img, &out, C.int(r.x), C.int(r.y), C.int(r.w), C.int(r.h), kind, C.double(param))
	case delivery.EffectVignette:
		rc = C.mc_fx_vignette(pl.img, &out, C.double(level(e, defVignette)/100))
	default:
		return unsupported("e_" + e.Name.String()) // checkEffect lets nothing else through
	}
	if rc != 0 {
		return pl.fail("effect " + e.Name.String())
	}
	pl.set(out)
	return nil
}

// moreEffectCost is the per-pixel cost of an effect effects_more.go
// applies, and whether it reads its input more than once (so needs a copy
// in memory).
func moreEffectCost(e delivery.Effect) (perPixel float64, random bool) {
	switch e.Name {
	case delivery.EffectBrightness, delivery.EffectContrast, delivery.EffectGamma:
		return costAdjust, false
	case delivery.EffectSaturation, delivery.EffectHue, delivery.EffectVibrance:
		return costLCh, false
	case delivery.EffectAutoBrightness, delivery.EffectAutoContrast, delivery.EffectAutoColor:
		return costStats, true
	case delivery.EffectImprove:
		return 2 * costStats, true
	case delivery.EffectUnsharpMask:
		return blurCost(unsharpSigma(e)) + costAdjust, false
	case delivery.EffectPixelate:
		return costPixelate, false
	case delivery.EffectPixelateRegion:
		return costPixelate, true
	case delivery.EffectBlurRegion:
		return blurCost(blurSigma(delivery.Effect{Level: int(level(e, defRegionBlur)), HasLevel: true})), true
	case delivery.EffectVignette:
		return costVignette, false
	}
	return 0, false
}
