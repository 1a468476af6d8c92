package imaging

import (
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
)

// plan is a transformation checked against what this package implements:
// one step per component, plus the settings that apply to the whole
// result (quality, flags, page).
type plan struct {
	steps        []step
	page         int // pg_: 1-based page, negative counts from the end, 0 = first
	quality      delivery.Quality
	hasQuality   bool
	progressive  bool              // fl_progressive
	keepIPTC     bool              // fl_keep_iptc
	noAutoRotate bool              // a_ignore
	layers       int               // l_ and u_ so far (layers.go)
	layerData    map[string][]byte // Request.Layers
	anim         animation         // frames, delay, loop of an animated input (anim_plan.go)
	density      int               // dn_: a PDF's dots per inch, 0 for 72 (pdf_plan.go)
	coords       coordinates       // Request.Faces and Request.Custom
}

// step is one component: its geometry and its effects, in the order
// Transform applies them.
type step struct {
	crop    delivery.Crop // CropNone when the component changes no size
	w, h    length
	ar      float64 // aspect ratio (width / height), 0 when not given
	dpr     float64 // 1 when not given
	gravity delivery.GravityMode
	x, y    length
	zoom    float64 // 0 when not given
	// faceFallback is g_face's and g_faces' gravity when no face is found;
	// focus is the face box, set by the pipeline before the geometry
	// (faces_plan.go).
	faceFallback delivery.GravityMode
	focus        *focus

	effect     delivery.Effect
	fx         effectArgs // the effect's region, colours and arguments (effects_plan.go)
	radius     delivery.Radius
	hasRadius  bool
	angle      delivery.Angle
	background delivery.Color
	hasBG      bool
	autoBG     *delivery.AutoBackground // b_auto: the padding's colour is measured (crops.go)
	border     delivery.Border
	opacity    int
	hasOpacity bool

	layer *layerSpec // l_ or u_: the step applies this layer only (layers.go)
}

// length is a w, h, x or y value: pixels, or a fraction of the current
// image's size.
type length struct {
	v   float64
	rel bool
	set bool
}

// of resolves the length against a size in pixels.
func (l length) of(size int) float64 {
	if l.rel {
		return l.v * float64(size)
	}
	return l.v
}

// newPlan checks t; the error is a *delivery.Error naming the first parameter that
// is not implemented. dprHint stands for dpr_auto (0 means 1).
func newPlan(t delivery.Transformation, dprHint float64) (plan, error) {
	var p plan
	steps, err := p.components(t.Components, 0, dprHint)
	if err != nil {
		return plan{}, err
	}
	p.steps = steps
	return p, nil
}

// empty reports whether the plan changes nothing but the encoding.
func (p *plan) empty() bool {
	for i := range p.steps {
		if p.steps[i].changes() {
			return false
		}
	}
	return p.page == 0 && p.anim.spans == nil && !p.noAutoRotate
}

// global takes the parameters that apply to the whole result.
func (p *plan) global(c *delivery.Component) error {
	if len(c.Other) > 0 {
		return unsupported(c.Other[0].Name + "_" + c.Other[0].Value)
	}
	if c.Has(delivery.KeyNamed) {
		return unsupported("t_" + c.Named) // the caller expands named transformations
	}
	if c.Has(delivery.KeyFormat) {
		if _, ok := encoderFor(c.Format); !ok && c.Format != delivery.FormatAuto {
			return unsupported("f_" + c.Format.String())
		}
	}
	if c.Has(delivery.KeyQuality) {
		if c.Quality.JPEGMini {
			return unsupported("q_jpegmini")
		}
		p.quality, p.hasQuality = c.Quality, true
	}
	if c.Has(delivery.KeyFlags) {
		if err := p.flags(c.Flags); err != nil {
			return err
		}
	}
	if c.Has(delivery.KeyPage) {
		if err := p.pages(c.Page); err != nil {
			return err
		}
	}
	if c.Has(delivery.KeyAngle) && c.Angle.Modes&delivery.AngleIgnore != 0 {
		p.noAutoRotate = true
	}
	return nil
}

// Flags this package honours, and flags that only concern the HTTP
// response (the caller's job), which it accepts and leaves alone.
const (
	honouredFlags = delivery.FlagProgressive | delivery.FlagStripProfile | delivery.FlagKeepIPTC |
		delivery.FlagForceStrip | delivery.FlagPreserveTransparency | delivery.FlagAnimated | delivery.FlagAWebP
	responseFlags = delivery.FlagAttachment | delivery.FlagImmutableCache
)

func (p *plan) flags(f delivery.Flags) error {
	if extra := f.Set &^ (honouredFlags | responseFlags); extra != 0 {
		return unsupported("fl_" + (extra & -extra).Name())
	}
	p.progressive = p.progressive || f.Has(delivery.FlagProgressive)
	p.keepIPTC = p.keepIPTC || f.Has(delivery.FlagKeepIPTC)
	p.anim.animated = p.anim.animated || f.Has(delivery.FlagAnimated)
	return nil
}

// newStep types one component's size and effect parameters.
func newStep(c *delivery.Component, dprHint float64) (step, error) {
	s := step{dpr: 1}
	if err := s.size(c, dprHint); err != nil {
		return step{}, err
	}
	if err := s.placement(c); err != nil {
		return step{}, err
	}
	if err := s.effects(c); err != nil {
		return step{}, err
	}
	if err := s.checkCrops(c); err != nil {
		return step{}, err
	}
	return s, nil
}

// size takes w, h, ar, dpr and c.
func (s *step) size(c *delivery.Component, dprHint float64) error {
	var err error
	if c.Has(delivery.KeyWidth) {
		if s.w, err = dimension(c, "w", c.Width); err != nil {
			return err
		}
	}
	if c.Has(delivery.KeyHeight) {
		if s.h, err = dimension(c, "h", c.Height); err != nil {
			return err
		}
	}
	if c.Has(delivery.KeyAspectRatio) {
		s.ar = c.AspectRatio.Ratio()
	}
	if c.Has(delivery.KeyDPR) {
		s.dpr = c.DPR.Value
		if c.DPR.Auto {
			s.dpr = dprHint
		}
		if s.dpr <= 0 || s.dpr > 10 {
			s.dpr = 1
		}
	}
	if c.Has(delivery.KeyCrop) {
		switch c.Crop {
		case delivery.CropImaggaCrop, delivery.CropImaggaScale:
			return unsupported("c_" + c.Crop.String())
		}
		s.crop = c.Crop
	}
	if s.crop == delivery.CropNone && (s.w.set || s.h.set || s.ar > 0 || s.dpr != 1) {
		s.crop = delivery.CropScale
	}
	return nil
}

// dimension types a w_ or h_ value.
func dimension(c *delivery.Component, key string, d delivery.Dimension) (length, error) {
	switch d.Kind {
	case delivery.DimPixels:
		return length{v: d.Value, set: true}, nil
	case delivery.DimRelative:
		return length{v: d.Value, rel: true, set: true}, nil
	}
	return length{}, unsupported(token(c, key))
}

// placement takes g, x, y and z.
func (s *step) placement(c *delivery.Component) error {
	if c.Has(delivery.KeyGravity) {
		g, err := gravity(c)
		if err != nil {
			return err
		}
		s.gravity = g
		if g == delivery.GravityCustom {
			s.faceFallback, _ = customFallback(c.Gravity.Param)
		} else {
			s.faceFallback, _ = faceFallback(c.Gravity.Param)
		}
	}
	if c.Has(delivery.KeyX) {
		s.x = length{v: c.X.Value, rel: c.X.Relative, set: true}
	}
	if c.Has(delivery.KeyY) {
		s.y = length{v: c.Y.Value, rel: c.Y.Relative, set: true}
	}
	if c.Has(delivery.KeyZoom) {
		s.zoom = c.Zoom // checkCrops checks the crop mode
	}
	return nil
}

// gravity maps g_ to what is implemented. g_face and g_faces are detected
// faces (faces_plan.go), with :center or :auto for when there is none.
func gravity(c *delivery.Component) (delivery.GravityMode, error) {
	g := c.Gravity
	switch {
	case g.Mode.Compass() || g.Mode == delivery.GravityXYCenter:
		if g.Param == "" {
			return g.Mode, nil
		}
	case g.Mode == delivery.GravityAuto:
		return autoGravity(c) // crops.go
	case g.Mode == delivery.GravityFace || g.Mode == delivery.GravityFaces:
		if _, ok := faceFallback(g.Param); ok {
			return g.Mode, nil
		}
	case g.Mode == delivery.GravityCustom:
		if _, ok := customFallback(g.Param); ok {
			return g.Mode, nil
		}
	}
	return 0, unsupported(token(c, "g"))
}

// effects takes e, r, a, b, bo and o.
func (s *step) effects(c *delivery.Component) error {
	if c.Has(delivery.KeyEffect) {
		switch c.Effect.Name {
		case delivery.EffectGrayscale, delivery.EffectNegate:
			if c.Effect.Args != "" || c.Effect.HasLevel {
				return unsupported(token(c, "e"))
			}
		case delivery.EffectBlur, delivery.EffectSharpen, delivery.EffectSepia:
		default:
			// takeEffectArgs has checked it
		}
		s.effect = c.Effect
	}
	if c.Has(delivery.KeyRadius) {
		s.radius, s.hasRadius = c.Radius, true
	}
	if c.Has(delivery.KeyAngle) {
		if c.Angle.Modes&(delivery.AngleAutoRight|delivery.AngleAutoLeft) != 0 {
			return unsupported(token(c, "a"))
		}
		s.angle = c.Angle
	}
	if c.Has(delivery.KeyBackground) {
		switch c.Background.Kind {
		case delivery.ColorNamed, delivery.ColorRGB:
			s.background, s.hasBG = c.Background, true
		case delivery.ColorAuto:
			if err := s.autoBackground(c); err != nil { // crops.go
				return err
			}
		default:
			return unsupported(token(c, "b"))
		}
	}
	if c.Has(delivery.KeyBorder) {
		s.border = c.Border
	}
	if c.Has(delivery.KeyOpacity) {
		s.opacity, s.hasOpacity = c.Opacity, true
	}
	return nil
}

// changes reports whether the step does anything to the pixels.
func (s *step) changes() bool {
	return s.layer != nil || s.crop != delivery.CropNone || s.effect.Name != delivery.EffectNone || s.hasRadius ||
		s.angle.HasDegrees || s.angle.Modes&(delivery.AngleHFlip|delivery.AngleVFlip) != 0 ||
		s.hasBG || s.border.Width > 0 || s.hasOpacity
}

// token is the parameter key_value as written canonically, for messages.
func token(c *delivery.Component, key string) string {
	s := string(c.AppendTo(nil))
	for _, t := range strings.Split(s, ",") {
		if strings.HasPrefix(t, key+"_") {
			return t
		}
	}
	return key
}
