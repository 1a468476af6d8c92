package delivery

// AutoBackground is a b_auto value read: which pixels its colour is
// measured on, and the forms around it.
//
//	b_auto[:<mode>[:<colours>][:<direction>][:palette_<colour>_<colour>...]]
//
// mode is border (the default), predominant, border_contrast,
// predominant_contrast, border_gradient, predominant_gradient,
// border_gradient_contrast or predominant_gradient_contrast; the number
// of colours (2 or 4) and the direction (horizontal, vertical,
// diagonal_desc, diagonal_asc) belong to the gradient modes only. The
// palette's colours are names or rgb:hex values.
type AutoBackground struct {
	Predominant bool   // all pixels, else the border's
	Contrast    bool   // the colour that contrasts most with the one found
	Gradient    bool   // a gradient of several colours
	Colors      int    // the gradient's colours: 2 or 4, 0 when not given
	Direction   string // the gradient's direction, "" when not given
	Palette     string // the palette's colours, "_"-joined, "" when none
}

// AutoBackground reads a b_auto value (ok false for any other colour).
func (c Color) AutoBackground() (AutoBackground, bool) {
	if c.Kind != ColorAuto {
		return AutoBackground{}, false
	}
	return parseAutoBackground(c.Text)
}

// PaletteColors calls fn with each of the palette's colours in order.
func (a AutoBackground) PaletteColors(fn func(Color)) {
	for s := a.Palette; s != ""; {
		tok, rest, _ := cut(s, '_')
		if c, ok := ParseColor(tok); ok {
			fn(c)
		}
		s = rest
	}
}

// parseAutoBackground reads b_auto's text after "auto:" ("" for a bare
// b_auto); it allocates nothing.
func parseAutoBackground(s string) (AutoBackground, bool) {
	var a AutoBackground
	if s == "" {
		return a, true
	}
	mode, rest, more := cut(s, ':')
	switch mode {
	case "border":
	case "predominant":
		a.Predominant = true
	case "border_contrast", "predominant_contrast":
		a.Predominant, a.Contrast = mode[0] == 'p', true
	case "border_gradient", "predominant_gradient":
		a.Predominant, a.Gradient = mode[0] == 'p', true
	case "border_gradient_contrast", "predominant_gradient_contrast":
		a.Predominant, a.Gradient, a.Contrast = mode[0] == 'p', true, true
	default:
		return a, false
	}
	for more {
		if len(rest) > 8 && rest[:8] == "palette_" {
			a.Palette = rest[8:]
			return a, validPalette(a.Palette)
		}
		var tok string
		tok, rest, more = cut(rest, ':')
		switch {
		case !a.Gradient:
			return a, false
		case (tok == "2" || tok == "4") && a.Colors == 0 && a.Direction == "":
			a.Colors = int(tok[0] - '0')
		case isGradientDirection(tok) && a.Direction == "":
			a.Direction = tok
		default:
			return a, false
		}
	}
	return a, true
}

func validAutoBackground(s string) bool {
	_, ok := parseAutoBackground(s)
	return ok
}

func isGradientDirection(s string) bool {
	switch s {
	case "horizontal", "vertical", "diagonal_desc", "diagonal_asc":
		return true
	}
	return false
}

// validPalette accepts one or more "_"-separated colours.
func validPalette(s string) bool {
	for {
		tok, rest, more := cut(s, '_')
		if _, ok := ParseColor(tok); !ok {
			return false
		}
		if !more {
			return true
		}
		s = rest
	}
}
