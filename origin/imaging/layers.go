package imaging

import (
	"crypto/sha256"
	"html"
	"net/http"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
)

// Layer limits: how deep layers nest in layers, and how many one request
// may have in all (each is decoded, transformed and composited).
const (
	maxLayerDepth = 4
	maxLayers     = 8
)

// layerSpec is one l_ (overlay) or u_ (underlay): what it is, its own
// steps, and where it goes on the image under it (fl_layer_apply's g_,
// x_, y_, fl_relative, fl_tiled).
type layerSpec struct {
	under    bool
	layer    delivery.Layer
	key      string // the value as written: the key of Request.Layers
	text     textLayer
	steps    []step
	gravity  delivery.GravityMode
	x, y     length
	relative bool // fl_relative: the layer's relative w_ and h_ are of the image under it
	tiled    bool // fl_tiled: the layer repeats over the whole image
	// own is the canonical text of the layer's own components (as steps
	// holds them), nested set when they hold a layer: the layer cache's
	// key (layers_apply.go: layerKey).
	own    string
	nested bool
	// digest is a hash of the layer's bytes, taken once (hashed) per
	// request: an animated input's frames each composite the layer.
	digest [sha256.Size]byte
	hashed bool
}

// textLayer is a text layer's rendering: Pango markup and font, colour,
// wrapping width, alignment and line spacing.
type textLayer struct {
	markup, font string
	colour       delivery.Color
	width        int // c_fit with w_: wrap at this width
	align        int // -1 left, 0 centre, 1 right
	justify      bool
	spacing      int
	pixels       float64 // the rendering's estimated size (a glyph about 0.5 × 1.5 of the font size)
}

// layerParam is the component's l_ or u_ value, if it has one.
func layerParam(c *delivery.Component) (under bool, v string, ok bool) {
	for _, p := range c.Other {
		switch p.Key {
		case delivery.KeyOverlay:
			return false, p.Value, true
		case delivery.KeyUnderlay:
			return true, p.Value, true
		}
	}
	return false, "", false
}

func applies(c *delivery.Component) bool {
	return c.Has(delivery.KeyFlags) && c.Flags.Has(delivery.FlagLayerApply)
}

// components turns components into steps; a layer (its component, the
// components up to its fl_layer_apply, and that one) becomes one step.
func (p *plan) components(cs []delivery.Component, depth int, dprHint float64) ([]step, error) {
	steps := make([]step, 0, len(cs))
	for i := 0; i < len(cs); i++ {
		c := &cs[i]
		if under, v, ok := layerParam(c); ok {
			s, end, err := p.layer(cs, i, under, v, depth, dprHint)
			if err != nil {
				return nil, err
			}
			steps = append(steps, s)
			i = end
			continue
		}
		if applies(c) {
			return nil, unsupported("fl_layer_apply") // no layer to apply
		}
		if depth > 0 {
			for _, k := range []delivery.Key{delivery.KeyFormat, delivery.KeyQuality, delivery.KeyPage} {
				if c.Has(k) {
					return nil, unsupported(token(c, k.String()))
				}
			}
		}
		if depth == 0 {
			var err error
			if c, err = p.takeAnimation(c); err != nil {
				return nil, err
			}
			if c, err = p.takeDensity(c); err != nil {
				return nil, err
			}
		}
		fx, c, err := takeEffectArgs(c)
		if err != nil {
			return nil, err
		}
		if err := p.global(c); err != nil {
			return nil, err
		}
		s, err := newStep(c, dprHint)
		if err != nil {
			return nil, err
		}
		s.fx = fx
		steps = append(steps, s)
	}
	return steps, nil
}

// layer types the layer opened at cs[i]; end is the index of its last
// component (its fl_layer_apply, or i itself when the layer has none and
// its own component places it).
func (p *plan) layer(cs []delivery.Component, i int, under bool, v string, depth int, dprHint float64) (step, int, error) {
	if depth >= maxLayerDepth {
		return step{}, 0, delivery.Errorf(http.StatusBadRequest, "Too many nested layers - the limit is %d", maxLayerDepth)
	}
	if p.layers++; p.layers > maxLayers {
		return step{}, 0, delivery.Errorf(http.StatusBadRequest, "Too many layers - the limit is %d", maxLayers)
	}
	l, err := delivery.ParseLayer(v)
	if err != nil {
		return step{}, 0, err
	}
	ls := &layerSpec{under: under, layer: l, key: v}
	end := applyIndex(cs, i)
	head := cs[i].Without(delivery.KeyOverlay).Without(delivery.KeyUnderlay)
	if l.Kind == delivery.LayerText {
		if head, err = ls.textHead(head); err != nil {
			return step{}, 0, err
		}
	}
	apply := &head
	if end > i {
		apply = &cs[end]
	}
	if err := ls.place(apply, end > i); err != nil {
		return step{}, 0, err
	}
	if end == i {
		head = head.Without(delivery.KeyGravity).Without(delivery.KeyX).Without(delivery.KeyY)
	}
	ls.relative = ls.relative || head.Has(delivery.KeyFlags) && head.Flags.Has(delivery.FlagRelative)
	if head.Has(delivery.KeyFlags) {
		head.Flags.Set &^= delivery.FlagRelative | delivery.FlagTiled | delivery.FlagLayerApply
	}
	sub := make([]delivery.Component, 0, max(end-i, 1))
	sub = append(sub, head)
	if end > i {
		sub = append(sub, cs[i+1:end]...)
	}
	if ls.steps, err = p.components(sub, depth+1, dprHint); err != nil {
		return step{}, 0, err
	}
	ls.own = delivery.Transformation{Components: sub}.String()
	for i := range ls.steps {
		ls.nested = ls.nested || ls.steps[i].layer != nil
	}
	return step{dpr: 1, layer: ls}, end, nil
}

// applyIndex is the index of the fl_layer_apply that closes the layer
// opened at cs[i] (layers opened after it close first), or i when none does.
func applyIndex(cs []delivery.Component, i int) int {
	open := 0
	for k := i + 1; k < len(cs); k++ {
		if _, _, ok := layerParam(&cs[k]); ok {
			open++
			continue
		}
		if applies(&cs[k]) {
			if open == 0 {
				return k
			}
			open--
		}
	}
	return i
}

// place takes the placement: g_, x_, y_, fl_relative and fl_tiled of the
// fl_layer_apply component (only is set: it may hold nothing else), or of
// the layer's own component.
func (ls *layerSpec) place(c *delivery.Component, only bool) error {
	if c.Has(delivery.KeyGravity) {
		g := c.Gravity
		if !(g.Mode.Compass() || g.Mode == delivery.GravityXYCenter) || g.Param != "" {
			return unsupported(token(c, "g"))
		}
		ls.gravity = g.Mode
	}
	if c.Has(delivery.KeyX) {
		ls.x = length{v: c.X.Value, rel: c.X.Relative, set: true}
	}
	if c.Has(delivery.KeyY) {
		ls.y = length{v: c.Y.Value, rel: c.Y.Relative, set: true}
	}
	if c.Has(delivery.KeyFlags) {
		ls.relative = c.Flags.Has(delivery.FlagRelative)
		ls.tiled = c.Flags.Has(delivery.FlagTiled)
	}
	if !only {
		return nil
	}
	rest := c.Without(delivery.KeyGravity).Without(delivery.KeyX).Without(delivery.KeyY)
	if rest.Has(delivery.KeyFlags) {
		f := rest.Flags.Set &^ (delivery.FlagLayerApply | delivery.FlagRelative | delivery.FlagTiled)
		if f != 0 {
			return unsupported("fl_" + (f & -f).Name())
		}
		rest = rest.Without(delivery.KeyFlags)
	}
	if !rest.Empty() {
		t, _, _ := strings.Cut(string(rest.AppendTo(nil)), ",")
		return unsupported(t)
	}
	return nil
}

// textHead types a text layer's style and the parameters of its component
// that concern the text (co_ its colour, w_ with c_fit its wrapping
// width), and returns the component without them.
func (ls *layerSpec) textHead(c delivery.Component) (delivery.Component, error) {
	t := &ls.text
	t.colour = delivery.Color{Kind: delivery.ColorRGB, A: 0xff} // black
	for _, p := range c.Other {
		if p.Key == delivery.KeyColor {
			col, ok := layerColour(p.Value)
			if !ok {
				return c, invalidValue("color", p.Value)
			}
			t.colour = col
		}
	}
	c = c.Without(delivery.KeyColor)
	if c.Has(delivery.KeyCrop) && c.Crop == delivery.CropFit && c.Has(delivery.KeyWidth) &&
		c.Width.Kind == delivery.DimPixels && !c.Has(delivery.KeyHeight) {
		t.width = int(c.Width.Value)
		if t.width < 1 || t.width > maxTextWrap {
			return c, invalidValue("width", strconv.Itoa(t.width))
		}
		c = c.Without(delivery.KeyCrop).Without(delivery.KeyWidth)
	}
	return c, ls.textStyle()
}

// Text layer limits: as the text method's (text.go), and the wrapping
// width.
const (
	maxLayerFontSize   = 500
	maxLayerTextPixels = 50_000_000
	maxTextWrap        = 10000
)

// layerColour parses a co_ value (a name or rgb:hex) as b_ takes it.
func layerColour(v string) (delivery.Color, bool) {
	t, err := delivery.ParseTransformation("b_" + v)
	if err != nil || len(t.Components) != 1 {
		return delivery.Color{}, false
	}
	c := t.Components[0].Background
	return c, c.Kind == delivery.ColorNamed || c.Kind == delivery.ColorRGB
}

// textStyle reads the style: <font>_<size>[_<weight>][_<style>]
// [_<decoration>][_letter_spacing_<n>][_line_spacing_<n>][_<alignment>].
func (ls *layerSpec) textStyle() error {
	l, t := ls.layer, &ls.text
	bad := func(part string) error {
		return delivery.Errorf(http.StatusBadRequest, "Unsupported text style - %s", delivery.Echo(part, delivery.EchoLimit))
	}
	parts := strings.Split(l.Style, "_")
	if len(parts) < 2 {
		return delivery.Errorf(http.StatusBadRequest, "Invalid text layer in transformation: %s - a font and a size are required",
			delivery.Echo(l.Style, delivery.EchoLimit))
	}
	family, ok := fontFamily(parts[0])
	if !ok {
		return delivery.Errorf(http.StatusBadRequest, "Unsupported font family - %s", delivery.Echo(parts[0], delivery.EchoLimit))
	}
	size, err := strconv.Atoi(parts[1])
	if err != nil || size < 1 || size > maxLayerFontSize {
		return invalidValue("font size", parts[1])
	}
	t.pixels = float64(len([]rune(l.Text))) * float64(size*size) * 0.75
	if t.pixels > maxLayerTextPixels {
		return delivery.Errorf(http.StatusBadRequest, "Text image too large - reduce the text or the font size")
	}
	weight, style, letter := "", "", 0
	var open, close string
	for k := 2; k < len(parts); k++ {
		switch w := parts[k]; w {
		case "normal":
		case "bold", "thin", "light", "medium", "semibold", "extrabold", "black":
			weight = " " + pangoWeight[w]
		case "italic":
			style = " Italic"
		case "underline":
			open, close = open+"<u>", "</u>"+close
		case "strikethrough":
			open, close = open+"<s>", "</s>"+close
		case "left", "start":
			t.align = -1
		case "right", "end":
			t.align = 1
		case "center":
			t.align = 0
		case "justify":
			t.align, t.justify = -1, true
		case "letter", "line":
			if k+2 >= len(parts) || parts[k+1] != "spacing" {
				return bad(w)
			}
			n, err := strconv.Atoi(parts[k+2])
			if err != nil || n < -100 || n > 500 {
				return invalidValue(w+"_spacing", parts[k+2])
			}
			if w == "letter" {
				letter = n
			} else {
				t.spacing = max(n, 0)
			}
			k += 2
		default:
			return bad(w)
		}
	}
	t.font = family + weight + style + " " + strconv.Itoa(size)
	text := html.EscapeString(l.Text) // as text.go
	if letter != 0 {
		// Pango's letter_spacing is in 1/1024 points.
		text = `<span letter_spacing="` + strconv.Itoa(letter*1024) + `">` + text + `</span>`
	}
	t.markup = open + text + close
	return nil
}

var pangoWeight = map[string]string{
	"bold": "Bold", "thin": "Thin", "light": "Light", "medium": "Medium", "semibold": "Semi-Bold",
	"extrabold": "Ultra-Bold", "black": "Heavy",
}

// fontFamily maps Cloudinary's font names to the families installed with
// the fonts-liberation and fonts-dejavu-core packages (metric-compatible
// where Liberation provides it). Names are matched without case; "%20"
// or a space separates words ("Times%20New%20Roman").
func fontFamily(name string) (string, bool) {
	n := strings.ToLower(strings.ReplaceAll(name, "%20", " "))
	switch n {
	case "arial", "helvetica", "liberation sans", "sans-serif", "sans":
		return "Liberation Sans", true
	case "times", "times new roman", "liberation serif", "serif":
		return "Liberation Serif", true
	case "courier", "courier new", "liberation mono", "monospace":
		return "Liberation Mono", true
	case "verdana", "dejavu sans", "tahoma":
		return "DejaVu Sans", true
	case "georgia", "dejavu serif":
		return "DejaVu Serif", true
	case "dejavu sans mono":
		return "DejaVu Sans Mono", true
	}
	return "", false
}
