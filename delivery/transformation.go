package delivery

import (
	"strconv"
	"strings"
)

// Transformation is a parsed transformation string: its components (the
// "/"-separated parts) in the order they apply.
type Transformation struct {
	Components []Component
}

// Component is one "/"-separated part of a transformation: comma-separated
// key_value parameters. Keys the origin implements have typed fields (valid
// when Has reports the key); other keys Cloudinary knows are kept verbatim
// in Other. A key given twice keeps its last value.
type Component struct {
	set uint64 // bit k set when Key k is present

	Width, Height Dimension
	AspectRatio   AspectRatio
	Crop          Crop
	Gravity       Gravity
	Quality       Quality
	Format        Format // FormatAuto for f_auto
	DPR           DPR
	Effect        Effect
	Radius        Radius
	Angle         Angle
	Background    Color
	Border        Border
	Opacity       int
	X, Y          Coord
	Zoom          float64
	Flags         Flags
	Named         string // t_: named transformation names, "."-joined
	Page          string // pg_: verbatim ("2", "2-4", "2;4", "name:x")
	DefaultImage  string // d_: public ID of the fallback image, ":" for folders
	Other         []Param
	// Exprs are the numeric parameters given as expressions (x_$x_add_10,
	// ar_iw_div_ih: variables.go), which the origin evaluates; their keys
	// are not set until then. w_ and h_ keep theirs in their Dimension
	// (DimExpr).
	Exprs []Param
}

// Param is a parameter the grammar keeps verbatim.
type Param struct {
	Key   Key
	Name  string // the key as written ("l", "$width", "if")
	Value string
}

// Has reports whether the component sets key k.
func (c *Component) Has(k Key) bool { return c.set&(1<<k) != 0 }

// Empty reports whether the component sets nothing.
func (c *Component) Empty() bool { return c.set == 0 && len(c.Exprs) == 0 }

// ParseTransformation parses a transformation string such as
// "c_fill,h_200,w_300/e_grayscale". An empty string is no transformation.
func ParseTransformation(s string) (Transformation, error) {
	var t Transformation
	if s == "" {
		return t, nil
	}
	n := strings.Count(s, "/") + 1
	t.Components = make([]Component, 0, n)
	var flow Flow
	for {
		seg, rest, more := cut(s, '/')
		var c Component
		if !isTransformationSegment(seg) {
			return Transformation{}, invalidComponent(seg)
		}
		if err := parseComponent(seg, &c); err != nil {
			return Transformation{}, err
		}
		if err := flow.check(&c); err != nil {
			return Transformation{}, err
		}
		t.Components = append(t.Components, c)
		if !more {
			return t, nil
		}
		s = rest
	}
}

// String formats t canonically: within each component the parameters are
// in the order the Node, Python and Ruby SDKs emit them (if, variables, then
// by key). ParseTransformation(t.String()) gives t back.
func (t Transformation) String() string {
	var b []byte
	for i := range t.Components {
		if i > 0 {
			b = append(b, '/')
		}
		b = t.Components[i].AppendTo(b)
	}
	return string(b)
}

// isTransformationSegment reports whether every comma token of seg has a
// transformation's shape (key_value with a key of one to three lower-case
// letters, "if" or a $variable). It is how a server tells transformations
// from the start of the public ID.
func isTransformationSegment(seg string) bool {
	if seg == "" {
		return false
	}
	for {
		tok, rest, more := cut(seg, ',')
		if _, _, ok := splitToken(tok); !ok {
			return false
		}
		if !more {
			return true
		}
		seg = rest
	}
}

// parseComponent parses one segment that isTransformationSegment accepted.
func parseComponent(seg string, c *Component) error {
	for {
		tok, rest, more := cut(seg, ',')
		if err := c.parseParam(tok); err != nil {
			return err
		}
		if !more {
			return nil
		}
		seg = rest
	}
}

// parseParam parses one key_value token: a literal value, else (for the
// numeric keys) an expression.
func (c *Component) parseParam(tok string) error {
	err := c.parseLiteral(tok)
	name, v, _ := splitToken(tok)
	k := lookupKey(name)
	if err == nil {
		c.dropExpr(k) // the literal replaces an earlier expression
		return nil
	}
	if !exprKey(k) || !isExprValue(v) {
		return err
	}
	if _, err := ParseExpr(v, false); err != nil {
		return err
	}
	c.dropExpr(k)
	c.set &^= 1 << k
	c.Exprs = append(c.Exprs, Param{Key: k, Name: name, Value: v})
	return nil
}

// dropExpr forgets the expression given for k, if any.
func (c *Component) dropExpr(k Key) {
	for i, p := range c.Exprs {
		if p.Key == k {
			c.Exprs = append(c.Exprs[:i:i], c.Exprs[i+1:]...)
			return
		}
	}
}

func (c *Component) parseLiteral(tok string) error {
	name, v, _ := splitToken(tok)
	k := lookupKey(name)
	ok := true
	switch k {
	case KeyNone:
		return invalidComponent(tok)
	case KeyWidth:
		c.Width, ok = parseDimension(v)
		if !ok {
			return invalidParam("width", v)
		}
	case KeyHeight:
		c.Height, ok = parseDimension(v)
		if !ok {
			return invalidParam("height", v)
		}
	case KeyAspectRatio:
		c.AspectRatio, ok = parseAspectRatio(v)
		if !ok {
			return invalidParam("aspect ratio", v)
		}
	case KeyCrop:
		var i int
		i, ok = lookupName(cropNames[:], v)
		if !ok {
			return invalidParam("crop mode", v)
		}
		c.Crop = Crop(i)
	case KeyGravity:
		c.Gravity, ok = parseGravity(v)
		if !ok {
			return invalidParam("gravity", v)
		}
	case KeyQuality:
		c.Quality, ok = parseQuality(v)
		if !ok {
			return invalidParam("quality", v)
		}
	case KeyFormat:
		if v == "auto" {
			c.Format = FormatAuto
		} else if c.Format, ok = ParseFormat(v); !ok {
			return invalidParam("extension", v)
		}
	case KeyDPR:
		c.DPR, ok = parseDPR(v)
		if !ok {
			return invalidParam("dpr", v)
		}
	case KeyEffect:
		c.Effect, ok = parseEffect(v)
		if !ok {
			return invalidParam("effect", v)
		}
	case KeyRadius:
		c.Radius, ok = parseRadius(v)
		if !ok {
			return invalidParam("radius", v)
		}
	case KeyAngle:
		c.Angle, ok = parseAngle(v)
		if !ok {
			return invalidParam("angle", v)
		}
	case KeyBackground:
		c.Background, ok = parseColor(v, true)
		if !ok {
			return invalidParam("background", v)
		}
	case KeyBorder:
		c.Border, ok = parseBorder(v)
		if !ok {
			return invalidParam("border", v)
		}
	case KeyOpacity:
		c.Opacity, ok = parseRange(v, 0, 100)
		if !ok || v[0] == '-' {
			return invalidParam("opacity", v)
		}
	case KeyX:
		c.X, ok = parseCoord(v)
		if !ok {
			return invalidParam("x", v)
		}
	case KeyY:
		c.Y, ok = parseCoord(v)
		if !ok {
			return invalidParam("y", v)
		}
	case KeyZoom:
		c.Zoom, ok = parseDecimal(v)
		if !ok || c.Zoom <= 0 || c.Zoom > 100 {
			return invalidParam("zoom", v)
		}
	case KeyFlags:
		c.Flags, ok = parseFlags(v)
		if !ok {
			return invalidParam("flag", v)
		}
	case KeyNamed:
		if !isNamedList(v) {
			return invalidParam("named transformation", v)
		}
		c.Named = v
	case KeyPage:
		if !isPage(v) {
			return invalidParam("page", v)
		}
		c.Page = v
	case KeyDefaultImage:
		if !isValueText(v) || v[0] == '.' {
			return invalidParam("default image", v)
		}
		c.DefaultImage = v
	default:
		if !isValueText(v) {
			return invalidComponent(tok)
		}
		if err := checkControl(c, k, v); err != nil {
			return err
		}
		c.Other = append(c.Other, Param{Key: k, Name: name, Value: v})
	}
	c.set |= 1 << k
	return nil
}

// AppendTo appends the component in canonical order.
func (c *Component) AppendTo(dst []byte) []byte {
	start := len(dst)
	sep := func(dst []byte, key string) []byte {
		if len(dst) > start {
			dst = append(dst, ',')
		}
		dst = append(dst, key...)
		return append(dst, '_')
	}
	for _, p := range c.Other {
		if p.Key == KeyIf {
			dst = append(sep(dst, p.Name), p.Value...)
		}
	}
	for _, p := range c.Other {
		if p.Key == KeyVariable {
			dst = append(sep(dst, p.Name), p.Value...)
		}
	}
	for k := KeyAngle; k < KeyVariable; k++ {
		if !c.Has(k) || k == KeyIf {
			for _, p := range c.Exprs {
				if p.Key == k {
					dst = append(sep(dst, p.Name), p.Value...)
				}
			}
			continue
		}
		switch k {
		case KeyWidth:
			dst = c.Width.appendTo(sep(dst, "w"))
		case KeyHeight:
			dst = c.Height.appendTo(sep(dst, "h"))
		case KeyAspectRatio:
			dst = c.AspectRatio.appendTo(sep(dst, "ar"))
		case KeyCrop:
			dst = append(sep(dst, "c"), c.Crop.String()...)
		case KeyGravity:
			dst = c.Gravity.appendTo(sep(dst, "g"))
		case KeyQuality:
			dst = c.Quality.appendTo(sep(dst, "q"))
		case KeyFormat:
			dst = append(sep(dst, "f"), c.Format.String()...)
		case KeyDPR:
			dst = c.DPR.appendTo(sep(dst, "dpr"))
		case KeyEffect:
			dst = c.Effect.appendTo(sep(dst, "e"))
		case KeyRadius:
			dst = c.Radius.appendTo(sep(dst, "r"))
		case KeyAngle:
			dst = c.Angle.appendTo(sep(dst, "a"))
		case KeyBackground:
			dst = c.Background.appendTo(sep(dst, "b"))
		case KeyBorder:
			dst = c.Border.appendTo(sep(dst, "bo"))
		case KeyOpacity:
			dst = strconv.AppendInt(sep(dst, "o"), int64(c.Opacity), 10)
		case KeyX:
			dst = c.X.appendTo(sep(dst, "x"))
		case KeyY:
			dst = c.Y.appendTo(sep(dst, "y"))
		case KeyZoom:
			dst = appendFloat(sep(dst, "z"), c.Zoom, false)
		case KeyFlags:
			dst = c.Flags.appendTo(sep(dst, "fl"))
		case KeyNamed:
			dst = append(sep(dst, "t"), c.Named...)
		case KeyPage:
			dst = append(sep(dst, "pg"), c.Page...)
		case KeyDefaultImage:
			dst = append(sep(dst, "d"), c.DefaultImage...)
		default:
			for _, p := range c.Other {
				if p.Key == k {
					dst = append(sep(dst, p.Name), p.Value...)
				}
			}
		}
	}
	return dst
}

// Without returns a copy of the component without key k (and, for keys
// kept verbatim, without their values).
func (c Component) Without(k Key) Component {
	c.set &^= 1 << k
	if len(c.Exprs) > 0 {
		c.Exprs = append([]Param(nil), c.Exprs...)
		c.dropExpr(k)
	}
	if len(c.Other) > 0 {
		other := make([]Param, 0, len(c.Other))
		for _, p := range c.Other {
			if p.Key != k {
				other = append(other, p)
			}
		}
		c.Other = other
	}
	return c
}
