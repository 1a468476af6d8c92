//go:build cgo

package imaging

import (
	"math"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
)

// The cost budget (Config.MaxCost): a plan's work is estimated from the
// input's header and the plan's arithmetic alone, before any pixel is
// decoded, by following the sizes the pipeline will go through and adding
// each stage's pixels times that stage's cost per pixel. Costs are
// nanoseconds of one core of the machine they were measured on (a 2-core
// x86-64 VM, libvips 8.14: docs/transformations.md gives the figures and
// the command); estimates are meant to be within a factor of two of the
// real time, on the safe side.
const (
	costNormalize    = 2   // conversion to 8-bit sRGB, per decoded pixel
	costMaterialize  = 3   // a copy to memory for out-of-order reads
	costResizeIn     = 4   // a resize, per input pixel
	costResizeOut    = 25  // a resize, per output pixel
	costSmartCrop    = 40  // attention analysis, per input pixel
	costPad          = 5   // padding, per output pixel
	costColour       = 10  // e_grayscale, e_sepia, e_negate
	costTap          = 0.6 // a direct blur, per pixel and mask tap (two passes)
	costWideBlur     = 25  // a blur on a shrunk copy (sigma over 20), per pixel
	costSharpen      = 50  // e_sharpen, per pixel, plus costSharpenSigma per unit of sigma
	costSharpenSigma = 5
	costCorners      = 10 // r_ (and a border around it), per output pixel
	costRot90        = 3  // a_90, a_180, a_270, per pixel
	costRotate       = 15 // any other angle, per output pixel
	costFlip         = 3
	costBlend        = 5    // o_, b_ flattening, per pixel
	costLayer        = 15   // compositing a layer, per pixel of the image under it (an image layer's own work is checked when it is decoded)
	costText         = 20   // rendering a text layer, per estimated pixel
	costFaceGrey     = 6    // face detection's greyscale copy (at most 1024 px a side), per pixel of the image read
	costFaceDetect   = 60e6 // face detection (faces.go) on that copy: fixed, its size being bounded
	costAutoBG       = 70   // b_auto: the predominant colour measured, per pixel of the image padded (crops.go)
)

// decodeCost is a loader's cost per decoded pixel.
func decodeCost(k loader) float64 {
	switch k {
	case loaderJPEG, loaderBMP, loaderICO:
		return 4
	case loaderTIFF:
		return 8
	case loaderHEIF:
		return 40
	}
	return 15 // PNG, WebP, GIF
}

// encodeCost is an encoder's cost per output pixel.
func encodeCost(e encoder) float64 {
	switch e {
	case encPNG:
		return 120
	case encGIF:
		return 150
	case encWebP:
		return 60
	case encAVIF:
		return 50
	case encTIFF, encHEIC, encJXL, encBMP, encICO:
		return moreEncodeCost(e)
	}
	return 4 // JPEG
}

// blurSigma is e_blur's (and e_blur_region's) sigma for a level
// (Cloudinary's 1-2000, default 100).
func blurSigma(e delivery.Effect) float64 {
	return max(level(e, 100)/20, 0.5)
}

// sharpenSigma is e_sharpen's (and e_unsharp_mask's) sigma for a level
// (1-2000, default 100).
func sharpenSigma(e delivery.Effect) float64 {
	return min(max(level(e, 100)/100, 0.5), 10)
}

// blurCost is a blur's cost per pixel: a direct blur's grows with its
// mask (libvips' Gaussian of minimum amplitude 0.2 spans 3.6 sigma), a
// wide one's does not (mc_blur in vips.c).
func blurCost(sigma float64) float64 {
	if sigma > 20 {
		return costWideBlur
	}
	taps := 2*math.Ceil(1.8*sigma) + 1
	return 2 * taps * costTap
}

// costing follows a plan's sizes and adds up their work.
type costing struct {
	cfg  *Config
	w, h int
	seq  bool // pixels still stream from the loader (a copy is needed for out-of-order reads)
	ns   float64
	over bool // a size past the output limits: the run refuses it there
}

// px is the current image's pixel count.
func (c *costing) px() float64 { return float64(c.w) * float64(c.h) }

// add counts per-pixel work on the current image.
func (c *costing) add(perPixel float64) { c.ns += perPixel * c.px() }

// resize moves to w × h, or notes that the run stops there.
func (c *costing) resize(w, h int) bool {
	if w > c.cfg.MaxOutputDimension || h > c.cfg.MaxOutputDimension ||
		int64(w)*int64(h) > c.cfg.MaxOutputPixels {
		c.over = true
		return false
	}
	c.w, c.h = w, h
	return true
}

func (c *costing) materialize() {
	if c.seq {
		c.add(costMaterialize)
		c.seq = false
	}
}

// estimate is the work of pln on an input with header h, as load will
// open it: kind, page, shrink-on-load factor, whether JPEG decodes
// straight to memory, and the output's encoders.
func estimate(cfg *Config, pln *plan, h header, kind loader, page, shrink int, direct bool, out output) time.Duration {
	lw, lh := h.width, h.height
	if h.swapped() && !pln.noAutoRotate {
		lw, lh = lh, lw
	}
	c := costing{cfg: cfg, w: max(lw/shrink, 1), h: max(lh/shrink, 1), seq: !direct}
	frames := 1.0
	if kind == loaderGIF {
		frames = float64(page + 1)
	}
	c.add(decodeCost(kind)*frames + costNormalize)
	if h.orientation > 1 && !pln.noAutoRotate {
		c.materialize()
		c.add(costRot90)
	}
	alpha := h.alpha
	for i := range pln.steps {
		s := &pln.steps[i]
		gw, gh := c.w, c.h
		if i == 0 {
			gw, gh = lw, lh
		}
		if !c.step(s, s.geometry(gw, gh)) {
			break
		}
		alpha = alpha || s.hasRadius || s.hasOpacity || s.angle.HasDegrees && s.angle.Degrees%90 != 0 || addsAlpha(s.effect.Name)
	}
	if !c.over {
		c.add(encodeCost(out.resolve(alpha)))
	}
	return time.Duration(c.ns)
}

// step adds one step's work, in the order pipeline.run applies it; false
// when a size is past the limits (the run refuses the plan there).
func (c *costing) step(s *step, g geometry) bool {
	if s.layer != nil {
		c.materialize()
		c.add(costLayer)
		c.ns += costText * s.layer.text.pixels
		return true
	}
	if s.needsFaces() {
		c.faces(s)
	}
	if !g.pre.none() {
		if g.preSmart {
			c.materialize()
			c.add(costSmartCrop)
		}
		if !c.resize(g.pre.w, g.pre.h) {
			return false
		}
	}
	if g.scaleW > 0 {
		c.add(costResizeIn)
		if !c.resize(g.scaleW, g.scaleH) {
			return false
		}
		c.add(costResizeOut)
	}
	if !g.crop.none() {
		if g.smart {
			c.materialize()
			c.add(costSmartCrop)
		}
		if !c.resize(g.crop.w, g.crop.h) {
			return false
		}
	}
	if s.autoBG != nil && (!g.pad.none() || g.salient) {
		c.materialize()
		c.add(costAutoBG)
	}
	if !g.pad.none() {
		if !c.resize(g.pad.w, g.pad.h) {
			return false
		}
		c.add(costPad)
	}
	switch s.effect.Name {
	case delivery.EffectBlur:
		c.add(blurCost(blurSigma(s.effect)))
	case delivery.EffectSharpen:
		c.add(costSharpen + costSharpenSigma*sharpenSigma(s.effect))
	case delivery.EffectGrayscale, delivery.EffectSepia, delivery.EffectNegate:
		c.add(costColour)
	default:
		if perPixel, random := moreEffectCost(s.effect, &s.fx); perPixel > 0 {
			if random {
				c.materialize()
			}
			c.add(perPixel)
		}
	}
	if s.border.Width > 0 {
		if !c.resize(c.w+2*s.border.Width, c.h+2*s.border.Width) {
			return false
		}
	}
	if s.hasRadius {
		c.add(costCorners)
	} else if s.border.Width > 0 {
		c.add(costPad)
	}
	if !c.angle(s.angle) {
		return false
	}
	if s.hasOpacity || s.hasBG {
		c.add(costBlend)
	}
	return true
}

// faces adds a face detection, and the smart crop of g_face:auto should
// it find no face.
func (c *costing) faces(s *step) {
	c.materialize()
	c.add(costFaceGrey)
	c.ns += costFaceDetect
	if isFaceGravity(s.gravity) && s.faceFallback == delivery.GravityAuto {
		c.add(costSmartCrop)
	}
}

// angle adds a_'s rotation and flips.
func (c *costing) angle(a delivery.Angle) bool {
	if deg := ((a.Degrees % 360) + 360) % 360; a.HasDegrees && deg != 0 {
		c.materialize()
		if deg%90 == 0 {
			if deg != 180 {
				c.w, c.h = c.h, c.w
			}
			c.add(costRot90)
		} else {
			r := float64(deg) * math.Pi / 180
			sin, cos := math.Abs(math.Sin(r)), math.Abs(math.Cos(r))
			w := float64(c.w)*cos + float64(c.h)*sin
			h := float64(c.w)*sin + float64(c.h)*cos
			if !c.resize(pixels(w), pixels(h)) {
				return false
			}
			c.add(costRotate)
		}
	}
	if a.Modes&delivery.AngleVFlip != 0 {
		c.materialize()
	}
	if a.Modes&(delivery.AngleHFlip|delivery.AngleVFlip) != 0 {
		c.add(costFlip)
	}
	return true
}

// checkCost refuses a plan whose estimated work is over Config.MaxCost.
func (p *Processor) checkCost(pln *plan, h header, kind loader, page, shrink int, direct bool, out output) error {
	if p.cfg.MaxCost <= 0 {
		return nil
	}
	if est := estimate(&p.cfg, pln, h, kind, page, shrink, direct, out); est > p.cfg.MaxCost {
		return tooExpensive(est, p.cfg.MaxCost)
	}
	return nil
}
