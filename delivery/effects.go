package delivery

// Colours of effects: co_ (kept verbatim in Component.Other until a typed
// field needs it) and the colours effect arguments carry
// (e_replace_color:blue:40:2f4f4f, e_trim:10:white).

// ParseColor parses a colour as co_ and effect arguments write it: a CSS
// name, rgb:RGB[A], rgb:RRGGBB[AA], or the hex digits alone.
func ParseColor(s string) (Color, bool) {
	if c, ok := parseColor(s, false); ok {
		return c, true
	}
	return parseHexColor(s)
}

// ColorParam is the component's co_ colour: ok reports whether it has
// one, and err is a 400 "Invalid color" when it cannot be read.
func (c *Component) ColorParam() (col Color, ok bool, err error) {
	for _, p := range c.Other {
		if p.Key == KeyColor {
			col, ok = ParseColor(p.Value)
			if !ok {
				return Color{}, false, invalidParam("color", p.Value)
			}
		}
	}
	return col, ok, nil
}
