package imaging

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
)

// The e_ effects beyond grayscale, sepia, negate, blur and sharpen
// (effects.go): which are implemented, their levels with Cloudinary's
// defaults, the region of e_pixelate_region and e_blur_region, and their
// cost. effects_more.go applies them; docs/transformations.md gives the
// formulas.

// Default levels, Cloudinary's.
const (
	defBrightness   = 80
	defContrast     = 0
	defSaturation   = 80
	defHue          = 80
	defGamma        = 0
	defVibrance     = 20
	defAutoBlend    = 100
	defVignette     = 20
	defTrim         = 10  // tolerance
	defColorize     = 100 // level
	defTint         = 60  // amount
	defReplace      = 50  // tolerance
	defMakeTransp   = 10  // tolerance
	defFade         = 20  // strength
	defShadow       = 40  // strength
	defShadowXY     = 10  // offset in pixels
	defOutlineWidth = 5
	defBlackwhite   = 50 // threshold
)

// greyColour is e_colorize's colour without co_; red is e_tint's without
// a colour argument.
var (
	greyColour  = delivery.Color{Kind: delivery.ColorNamed, R: 0x80, G: 0x80, B: 0x80, A: 0xff}
	redColour   = delivery.Color{Kind: delivery.ColorNamed, R: 0xff, A: 0xff}
	blackColour = delivery.Color{Kind: delivery.ColorNamed, A: 0xff}
)

// outlineArgs reads e_outline's [mode][:width[:blur]] (width 1-100,
// default 5; blur 0-2000, default 0).
func outlineArgs(fx effectArgs, args string) (effectArgs, bool) {
	fx.width = defOutlineWidth
	parts := strings.Split(args, ":")
	if args == "" {
		parts = nil
	}
	if len(parts) > 0 {
		switch parts[0] {
		case "outer":
			fx.mode, parts = outlineOuter, parts[1:]
		case "inner":
			fx.mode, parts = outlineInner, parts[1:]
		}
	}
	if len(parts) > 2 {
		return fx, false
	}
	if len(parts) > 0 {
		n, err := strconv.Atoi(parts[0])
		if err != nil || n < 1 || n > 100 || parts[0][0] == '+' {
			return fx, false
		}
		fx.width = n
	}
	if len(parts) > 1 {
		n, err := strconv.Atoi(parts[1])
		if err != nil || n < 0 || n > 2000 || parts[1][0] == '+' {
			return fx, false
		}
		fx.blur = n
	}
	return fx, true
}

// effectArgs is what an effect reads besides its level: the region, co_,
// and the numbers and colours in its arguments, typed at plan time.
type effectArgs struct {
	region    region
	colour    delivery.Color // co_, or a colour argument (e_trim, e_tint, e_replace_color's "to")
	hasColour bool
	from      delivery.Color // e_replace_color's colour to replace
	hasFrom   bool
	amount    float64 // e_trim's, e_replace_color's tolerance, e_tint's amount, e_improve's blend, strengths
	symmetric bool    // e_gradient_fade:symmetric
	mode      int     // e_outline's: outlineBoth, outlineOuter, outlineInner
	width     int     // e_outline's
	blur      int     // e_outline's blur level (0-2000, as e_blur's)
}

// e_outline's modes (MC_FX_OUTLINE_* in vips.h).
const (
	outlineBoth = iota
	outlineOuter
	outlineInner
)

// readsColor reports whether an effect reads co_.
func readsColor(e delivery.EffectName) bool {
	switch e {
	case delivery.EffectColorize, delivery.EffectMakeTransparent, delivery.EffectShadow, delivery.EffectOutline:
		return true
	}
	return false
}

// addsAlpha reports whether an effect makes some pixels transparent (so
// that f_auto and the cost budget choose an encoder that keeps alpha).
func addsAlpha(e delivery.EffectName) bool {
	switch e {
	case delivery.EffectMakeTransparent, delivery.EffectGradientFade, delivery.EffectShadow, delivery.EffectOutline:
		return true
	}
	return false
}

// takesOffset reports whether an effect reads x_ and y_ (into its region's
// x and y) and leaves w_ and h_ to the geometry.
func takesOffset(e delivery.EffectName) bool {
	return e == delivery.EffectGradientFade || e == delivery.EffectShadow
}

// takeEffectArgs types c's effect arguments and returns c without the
// parameters they consumed (a region's x_, y_, w_, h_; co_ when the
// effect reads it), or the 400 for an effect not implemented.
func takeEffectArgs(c *delivery.Component) (effectArgs, *delivery.Component, error) {
	var fx effectArgs
	if !c.Has(delivery.KeyEffect) {
		return fx, c, nil
	}
	e := c.Effect
	switch e.Name {
	case delivery.EffectGrayscale, delivery.EffectNegate, delivery.EffectBlur,
		delivery.EffectSharpen, delivery.EffectSepia:
		return fx, c, nil // effects.go
	}
	if err := checkEffect(c); err != nil {
		return fx, nil, err
	}
	if isRegionEffect(e.Name) {
		var err error
		if fx.region, c, err = regionOf(c); err != nil {
			return fx, nil, err
		}
	}
	if takesOffset(e.Name) {
		full, _, err := regionOf(c)
		if err != nil {
			return fx, nil, err
		}
		fx.region.x, fx.region.y = full.x, full.y
		rest := c.Without(delivery.KeyX).Without(delivery.KeyY)
		c = &rest
	}
	if readsColor(e.Name) {
		col, ok, err := c.ColorParam()
		if err != nil {
			return fx, nil, err
		}
		if ok {
			if col.Kind != delivery.ColorNamed && col.Kind != delivery.ColorRGB {
				return fx, nil, unsupported(token(c, "co"))
			}
			fx.colour, fx.hasColour = col, true
		}
		rest := c.Without(delivery.KeyColor)
		c = &rest
	}
	bad := func() (effectArgs, *delivery.Component, error) {
		return effectArgs{}, nil, invalidValue("effect", e.Name.String()+":"+e.Args)
	}
	var ok bool
	switch e.Name {
	case delivery.EffectImprove:
		var n int
		n, ok = improveBlend(e.Args)
		fx.amount = float64(n)
	case delivery.EffectTrim:
		// [tolerance[:colour]]
		tol, col, _ := strings.Cut(e.Args, ":")
		if fx.amount, ok = percent(tol, defTrim); ok && col != "" {
			fx.colour, ok = delivery.ParseColor(col)
			fx.hasColour = true
		}
	case delivery.EffectMakeTransparent:
		fx.amount, ok = percent(e.Args, defMakeTransp)
	case delivery.EffectColorize:
		fx.amount, ok = level(e, defColorize), true
		if !fx.hasColour {
			fx.colour = greyColour
		}
	case delivery.EffectTint:
		// [amount[:colour]]; equalize and several colours with positions
		// are not implemented.
		amount, col, _ := strings.Cut(e.Args, ":")
		if amount == "equalize" || strings.Contains(col, ":") && !strings.HasPrefix(col, "rgb:") ||
			strings.Count(col, ":") > 1 {
			return effectArgs{}, nil, unsupported(token(c, "e"))
		}
		fx.colour = redColour
		if fx.amount, ok = percent(amount, defTint); ok && col != "" {
			fx.colour, ok = delivery.ParseColor(col)
		}
	case delivery.EffectReplaceColor:
		// to[:tolerance[:from]]
		to, rest, _ := strings.Cut(e.Args, ":")
		tol, from, _ := strings.Cut(rest, ":")
		if fx.colour, ok = delivery.ParseColor(to); ok {
			fx.hasColour = true
			if fx.amount, ok = percent(tol, defReplace); ok && from != "" {
				fx.from, ok = delivery.ParseColor(from)
				fx.hasFrom = true
			}
		}
	case delivery.EffectGradientFade:
		// [symmetric][:strength]; symmetric_pad is not implemented.
		kind, strength, more := strings.Cut(e.Args, ":")
		switch kind {
		case "symmetric":
			fx.symmetric = true
		case "symmetric_pad":
			return effectArgs{}, nil, unsupported(token(c, "e"))
		default:
			if more {
				return bad()
			}
			strength = kind
		}
		fx.amount, ok = percent(strength, defFade)
	case delivery.EffectOutline:
		if fx, ok = outlineArgs(fx, e.Args); !ok && strings.HasPrefix(e.Args, "inner_fill") ||
			strings.HasPrefix(e.Args, "fill") {
			return effectArgs{}, nil, unsupported(token(c, "e"))
		}
		if !fx.hasColour {
			fx.colour = blackColour
		}
	case delivery.EffectShadow:
		fx.amount, ok = percent(e.Args, defShadow)
		if !fx.hasColour {
			fx.colour = greyColour
		}
	default:
		ok = true
	}
	if !ok {
		return bad()
	}
	return fx, c, nil
}

// percent reads an integer 0-100, def when s is empty.
func percent(s string, def int) (float64, bool) {
	if s == "" {
		return float64(def), true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 100 || s[0] == '+' {
		return 0, false
	}
	return float64(n), true
}

// Costs, ns per pixel (cost.go's units), measured with
// BenchmarkEffectCosts (bench_effects_test.go) on a 2560x1600 photo.
const (
	costAdjust      = 3  // a linear map or gamma of the colour bands (fused into the pipeline)
	costTint        = 15 // e_tint: luminance, then a blend
	costLCh         = 40 // e_saturation, e_hue: to Lab and back, a and b recombined
	costVibrance    = 60 // e_vibrance: and the chroma-dependent factor
	costStats       = 15 // e_auto_*: one histogram pass, then the map
	costLab         = 25 // e_replace_color, e_make_transparent: the distance in Lab
	costPredominant = 90 // e_replace_color without its colour: histogram, mask and means
	costTrim        = 90 // e_trim: vips_find_trim
	costPixelate    = 4
	costVignette    = 20
	costFade        = 20
	costRankTap     = 3  // e_outline: per pixel and window pixel of each pass (vips_rank)
	costBlackwhite  = 10 // e_blackwhite: luminance, then the threshold
)

// region is the rectangle of e_pixelate_region and e_blur_region: x_, y_,
// w_, h_ (pixels or relative); absent w_ and h_ reach the image's far
// edges, so no region at all is the whole image.
type region struct {
	x, y, w, h length
}

// rect resolves the region on a w × h image, clipped to it.
func (r region) rect(w, h int) rect {
	px := func(v float64) int { return int(max(min(math.Round(v), math.MaxInt32), math.MinInt32)) }
	x := min(max(px(r.x.of(w)), 0), w)
	y := min(max(px(r.y.of(h)), 0), h)
	rw, rh := w-x, h-y
	if r.w.set {
		rw = min(max(px(r.w.of(w)), 0), w-x)
	}
	if r.h.set {
		rh = min(max(px(r.h.of(h)), 0), h-y)
	}
	return rect{x: x, y: y, w: rw, h: rh}
}

func isRegionEffect(e delivery.EffectName) bool {
	return e == delivery.EffectPixelateRegion || e == delivery.EffectBlurRegion
}

// regionOf takes x_, y_, w_ and h_ of a region effect's component as its
// region and returns the component without them (they do not resize).
func regionOf(c *delivery.Component) (region, *delivery.Component, error) {
	var r region
	var err error
	if c.Has(delivery.KeyWidth) {
		if r.w, err = dimension(c, "w", c.Width); err != nil {
			return region{}, nil, err
		}
	}
	if c.Has(delivery.KeyHeight) {
		if r.h, err = dimension(c, "h", c.Height); err != nil {
			return region{}, nil, err
		}
	}
	if c.Has(delivery.KeyX) {
		r.x = length{v: c.X.Value, rel: c.X.Relative, set: true}
	}
	if c.Has(delivery.KeyY) {
		r.y = length{v: c.Y.Value, rel: c.Y.Relative, set: true}
	}
	rest := c.Without(delivery.KeyWidth).Without(delivery.KeyHeight).Without(delivery.KeyX).Without(delivery.KeyY)
	return r, &rest, nil
}

// checkEffect accepts the effects effects_more.go implements and refuses
// the rest with a 400 naming them: the ones that need a model, saying so.
func checkEffect(c *delivery.Component) error {
	e := c.Effect
	switch e.Name {
	case delivery.EffectBrightness, delivery.EffectContrast, delivery.EffectSaturation,
		delivery.EffectHue, delivery.EffectGamma, delivery.EffectVibrance,
		delivery.EffectAutoBrightness, delivery.EffectAutoContrast, delivery.EffectAutoColor,
		delivery.EffectUnsharpMask, delivery.EffectPixelate, delivery.EffectPixelateRegion,
		delivery.EffectBlurRegion, delivery.EffectVignette, delivery.EffectImprove,
		delivery.EffectTrim, delivery.EffectColorize, delivery.EffectTint,
		delivery.EffectReplaceColor, delivery.EffectMakeTransparent, delivery.EffectGradientFade,
		delivery.EffectShadow, delivery.EffectOutline, delivery.EffectBlurFaces, delivery.EffectPixelateFaces,
		delivery.EffectBlackwhite:
		return nil // levels checked by the grammar, arguments by takeEffectArgs
	case delivery.EffectBackgroundRemoval, delivery.EffectGenFill, delivery.EffectUpscale,
		delivery.EffectEnhance, delivery.EffectViesusCorrect:
		return &delivery.Error{Status: http.StatusBadRequest,
			Message: "e_" + e.Name.String() + " is unavailable: it needs an AI model or a paid add-on that this server does not have"}
	}
	return unsupported(token(c, "e"))
}

// improveBlend reads e_improve's arguments, [indoor|outdoor][:blend]
// (blend 0-100, default 100; the mode changes nothing here).
func improveBlend(args string) (int, bool) {
	if args == "" {
		return defAutoBlend, true
	}
	mode, blend, hasBlend := strings.Cut(args, ":")
	if mode != "indoor" && mode != "outdoor" {
		if hasBlend {
			return 0, false
		}
		mode, blend, hasBlend = "", mode, true
	}
	if !hasBlend {
		return defAutoBlend, true
	}
	n, err := strconv.Atoi(blend)
	if err != nil || n < 0 || n > 100 || blend[0] == '+' {
		return 0, false
	}
	return n, true
}

// level is e's level, or def when the URL gives none.
func level(e delivery.Effect, def int) float64 {
	if e.HasLevel {
		return float64(e.Level)
	}
	return float64(def)
}

// pixelateSize is the square size of e_pixelate and e_pixelate_region: the
// level, else a 40th of the image's longer side (at least 4 pixels).
func pixelateSize(e delivery.Effect, w, h int) int {
	if e.HasLevel {
		return e.Level
	}
	return max(max(w, h)/40, 4)
}
