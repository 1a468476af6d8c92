package imaging

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/mediacdn/mediacdn/delivery"
)

// Conditional transformations and user variables (delivery/conditions.go,
// delivery/variables.go for the grammar) are resolved before planning:
// resolve walks the components in order, decides each condition when it
// is reached, defines the variables of the components that run and
// replaces every expression by its value, which the grammar then checks
// as it checks a literal (so a result out of range answers 400 as the
// literal would). What is left is a plain transformation.
//
// What conditions and expressions read:
//   - iw, ih, iar: the input's size (its header, as displayed after the
//     EXIF orientation; one page of a multi-page image);
//   - w, h, ar: the current image's size, computed from the geometry of
//     the components that run before (resize, crop, pad, rotation,
//     border), as libvips will make it;
//   - pc: the page count from the header;
//   - fc: the face count: stored face coordinates, else face detection;
//   - tags and ctx: Request.Tags and Request.Context.
//
// Conditions inside a layer's own components (from its l_ to before its
// fl_layer_apply), and predefined values read there, answer 400:
// Cloudinary reads them of the layer, which is not decoded when the main
// image's transformation is resolved. Variables and numbers work there.

// needsResolve reports whether t has conditions, variables or expressions.
func needsResolve(t delivery.Transformation) bool {
	for i := range t.Components {
		c := &t.Components[i]
		if len(c.Exprs) > 0 || c.Has(delivery.KeyIf) || c.Has(delivery.KeyVariable) ||
			c.Has(delivery.KeyWidth) && c.Width.Kind == delivery.DimExpr ||
			c.Has(delivery.KeyHeight) && c.Height.Kind == delivery.DimExpr {
			return true
		}
	}
	return false
}

// resolver is the delivery.Env of one resolution.
type resolver struct {
	req     *Request
	info    Info
	vars    map[string]delivery.Value
	out     []delivery.Component
	inLayer bool // the component being resolved is inside a layer
	// faceCount gives fc, the number of faces in the input: the asset's
	// stored face coordinates, else face detection (transform.go); its
	// error is detection's (400 "face detection unavailable" without a
	// cascade). resolve makes it run once however often fc is read.
	faceCount func() (int, error)
	// the current size, computed for len(out) components (sized < 0: none)
	sized, w, h int
}

// resolve gives req's transformation with its conditions decided, its
// variables defined and its expressions evaluated, for an input of info.
func resolve(req Request, info Info, faceCount func() (int, error)) (delivery.Transformation, error) {
	r := &resolver{req: &req, info: info, vars: map[string]delivery.Value{}, sized: -1,
		faceCount: sync.OnceValues(faceCount)}
	cs := req.Transformation.Components
	inside := layerInsides(cs)
	var flow delivery.Flow
	for i := range cs {
		c := cs[i]
		r.inLayer = inside[i]
		cond, ok, err := flow.Enter(&c)
		if err != nil {
			return delivery.Transformation{}, err
		}
		if ok {
			if r.inLayer {
				return delivery.Transformation{}, delivery.Errorf(http.StatusBadRequest,
					"Conditions inside a layer are not supported: if_%s", delivery.Echo(cond, delivery.EchoLimit))
			}
			parsed, err := delivery.ParseCondition(cond)
			if err != nil {
				return delivery.Transformation{}, err
			}
			holds, err := parsed.Eval(r, cond)
			if err != nil {
				return delivery.Transformation{}, err
			}
			flow.Decide(holds)
		}
		if flow.Conditional() && c.Has(delivery.KeyFormat) {
			// The caller picks the output format before resolving.
			return delivery.Transformation{}, delivery.Errorf(http.StatusBadRequest,
				"f_%s inside a condition is not supported", c.Format.String())
		}
		if !flow.Runs() {
			continue
		}
		out, err := r.component(c)
		if err != nil {
			return delivery.Transformation{}, err
		}
		if !out.Empty() {
			r.out = append(r.out, out)
		}
	}
	return delivery.Transformation{Components: r.out}, nil
}

// layerInsides marks a layer's own components: the one that opens it and
// those before its fl_layer_apply (layers.go: applyIndex).
func layerInsides(cs []delivery.Component) []bool {
	inside := make([]bool, len(cs))
	for i := range cs {
		if _, _, ok := layerParam(&cs[i]); ok {
			for k := i; k < max(applyIndex(cs, i), i+1); k++ {
				inside[k] = true
			}
		}
	}
	return inside
}

// component defines c's variables and evaluates its expressions.
func (r *resolver) component(c delivery.Component) (delivery.Component, error) {
	c = c.Without(delivery.KeyIf)
	for _, p := range c.Other {
		if p.Key != delivery.KeyVariable {
			continue
		}
		e, err := delivery.ParseExpr(p.Value, true)
		if err != nil {
			return c, err
		}
		v, err := e.Eval(r, p.Value)
		if err != nil {
			return c, err
		}
		if _, ok := r.vars[p.Name]; !ok && len(r.vars) >= delivery.MaxVariables {
			return c, delivery.Errorf(http.StatusBadRequest, "Too many variables - the limit is %d", delivery.MaxVariables)
		}
		r.vars[p.Name] = v
	}
	c = c.Without(delivery.KeyVariable)
	for _, p := range c.Other {
		if strings.Contains(p.Value, "$") {
			return c, delivery.Errorf(http.StatusBadRequest, "Variables are not supported in %s_%s",
				p.Name, delivery.Echo(p.Value, delivery.EchoLimit))
		}
	}
	exprs := append([]delivery.Param(nil), c.Exprs...)
	if c.Has(delivery.KeyWidth) && c.Width.Kind == delivery.DimExpr {
		exprs = append(exprs, delivery.Param{Key: delivery.KeyWidth, Name: "w", Value: c.Width.Expr})
	}
	if c.Has(delivery.KeyHeight) && c.Height.Kind == delivery.DimExpr {
		exprs = append(exprs, delivery.Param{Key: delivery.KeyHeight, Name: "h", Value: c.Height.Expr})
	}
	for _, p := range exprs {
		e, err := delivery.ParseExpr(p.Value, false)
		if err != nil {
			return c, err
		}
		v, err := e.Eval(r, p.Value)
		if err != nil {
			return c, err
		}
		n, ok := v.Number()
		if !ok {
			return c, delivery.Errorf(http.StatusBadRequest, "Expression %s_%s is not a number",
				p.Name, delivery.Echo(p.Value, delivery.EchoLimit))
		}
		if err := c.Set(p.Name + "_" + valueText(n)); err != nil {
			return c, delivery.Errorf(http.StatusBadRequest, "%s (from %s_%s)", delivery.AsError(err).Message,
				p.Name, delivery.Echo(p.Value, delivery.EchoLimit))
		}
	}
	return c, nil
}

// valueText writes an evaluated value as a literal the grammar reads: at
// most four decimals, at most 12 characters.
func valueText(v float64) string {
	for d := 4; ; d-- {
		s := strconv.FormatFloat(v, 'f', d, 64)
		if d > 0 {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		if len(s) <= 12 || d == 0 {
			return s
		}
	}
}

// Predefined gives the predefined values (delivery.Env).
func (r *resolver) Predefined(name string) (delivery.Value, error) {
	if r.inLayer {
		return delivery.Value{}, delivery.Errorf(http.StatusBadRequest, "%s inside a layer is not supported", name)
	}
	switch name {
	case "iw":
		return delivery.Value{Num: float64(r.info.Width)}, nil
	case "ih":
		return delivery.Value{Num: float64(r.info.Height)}, nil
	case "iar":
		return delivery.Value{Num: float64(r.info.Width) / float64(r.info.Height)}, nil
	case "pc":
		return delivery.Value{Num: float64(max(r.info.Pages, 1))}, nil
	case "fc":
		n, err := r.faceCount()
		return delivery.Value{Num: float64(n)}, err
	}
	w, h, err := r.current()
	if err != nil {
		return delivery.Value{}, err
	}
	switch name {
	case "w":
		return delivery.Value{Num: float64(w)}, nil
	case "h":
		return delivery.Value{Num: float64(h)}, nil
	}
	return delivery.Value{Num: float64(w) / float64(h)}, nil // ar
}

// Variable gives a user variable (delivery.Env).
func (r *resolver) Variable(name string) (delivery.Value, bool) {
	v, ok := r.vars[name]
	return v, ok
}

// Context gives a context value, "" when the asset has none (delivery.Env).
func (r *resolver) Context(key string) string { return r.req.Context[key] }

// Tags gives the asset's tags (delivery.Env).
func (r *resolver) Tags() []string { return r.req.Tags }

// current is the size of the image after the components resolved so far.
func (r *resolver) current() (int, int, error) {
	if r.sized == len(r.out) {
		return r.w, r.h, nil
	}
	p, err := newPlan(delivery.Transformation{Components: r.out}, r.req.DPR)
	if err != nil {
		return 0, 0, err
	}
	w, h := r.info.Width, r.info.Height
	for i := range p.steps {
		w, h = p.steps[i].outSize(w, h)
	}
	r.sized, r.w, r.h = len(r.out), w, h
	return w, h, nil
}

// outSize is the size of the image the step makes of a w × h one (steps.go:
// geometry, border, rotation; a layer leaves the size alone).
func (s *step) outSize(w, h int) (int, int) {
	if s.layer != nil {
		return w, h
	}
	g := s.geometry(w, h)
	switch {
	case !g.pad.none():
		w, h = g.pad.w, g.pad.h
	case !g.crop.none():
		w, h = g.crop.w, g.crop.h
	case g.scaleW > 0:
		w, h = g.scaleW, g.scaleH
	case !g.pre.none():
		w, h = g.pre.w, g.pre.h
	}
	if s.border.Width > 0 {
		w, h = w+2*s.border.Width, h+2*s.border.Width
	}
	if deg := ((s.angle.Degrees % 360) + 360) % 360; s.angle.HasDegrees && deg != 0 {
		if deg%180 == 90 {
			return h, w
		}
		if deg%90 != 0 {
			rad := float64(deg) * math.Pi / 180
			sin, cos := math.Abs(math.Sin(rad)), math.Abs(math.Cos(rad))
			return int(math.Round(float64(w)*cos + float64(h)*sin)), int(math.Round(float64(w)*sin + float64(h)*cos))
		}
	}
	return w, h
}
