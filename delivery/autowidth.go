package delivery

// AutoWidth is how a w_auto URL turns the client hints into a width
// (w_auto[:<step>[:<fallback>]], as Cloudinary documents it): the width
// hint in device pixels, rounded up to a multiple of Step and bounded by
// MaxAutoWidth, or Fallback when the request has no width hint. The zero
// AutoWidth is that of a URL without w_auto.
//
// The hints, in order: Sec-CH-Width, else its older name Width (both the
// width the image takes in the layout, already in device pixels), else
// Sec-CH-Viewport-Width, else its older name Viewport-Width (the window's
// width in CSS pixels, multiplied by the DPR hint, DPRHint).
type AutoWidth struct {
	// Step is the rounding step in pixels, DefaultAutoWidthStep when the
	// URL gives none.
	Step int32
	// Fallback is the width without a hint; 0 (no fallback in the URL)
	// keeps the image's own width, as Cloudinary does.
	Fallback int32
}

const (
	// DefaultAutoWidthStep is w_auto's rounding step when the URL gives
	// none: Cloudinary rounds up to the next 100 pixels.
	DefaultAutoWidthStep = 100
	// MaxAutoWidth bounds the width a hint can ask for (8K): past it a
	// hint gives MaxAutoWidth. With the rounding, a URL has at most
	// MaxAutoWidth/Step+2 widths (the multiples of Step, MaxAutoWidth and the
	// fallback), whatever the headers say.
	MaxAutoWidth = 8192
)

// Has reports whether a is a w_auto URL's (not the zero AutoWidth).
func (a AutoWidth) Has() bool { return a.Step != 0 }

// AutoWidth reads a w_auto value ("auto", "auto:50", "auto:50:400"): ok
// is false for anything else, w_auto:breakpoints… included (Cloudinary's
// responsive breakpoints, which this server does not compute).
func (d Dimension) AutoWidth() (a AutoWidth, ok bool) {
	if d.Kind != DimAuto {
		return AutoWidth{}, false
	}
	return parseAutoWidthArgs(d.Expr)
}

// parseAutoWidthArgs reads w_auto's arguments after "auto:" ("" for a bare
// w_auto): a step of 1 to MaxAutoWidth pixels, then optionally a fallback
// width, each an integer written without leading zeros (so that the
// canonical form is the one written).
func parseAutoWidthArgs(args string) (AutoWidth, bool) {
	if args == "" {
		return AutoWidth{Step: DefaultAutoWidthStep}, true
	}
	step, fallback, hasFallback := cut(args, ':')
	s, ok := parseWholePixels(step, MaxAutoWidth)
	if !ok {
		return AutoWidth{}, false
	}
	a := AutoWidth{Step: int32(s)}
	if hasFallback {
		f, ok := parseWholePixels(fallback, maxPixels)
		if !ok {
			return AutoWidth{}, false
		}
		a.Fallback = int32(f)
	}
	return a, true
}

// isAutoWidthArgs accepts w_auto's arguments in the grammar: the forms
// parseAutoWidthArgs reads, and Cloudinary's breakpoints forms
// ("breakpoints", "breakpoints_100_1000_20_10:400", "breakpoints:json"),
// kept verbatim for the origin to refuse by name.
func isAutoWidthArgs(args string) bool {
	if _, ok := parseAutoWidthArgs(args); ok {
		return true
	}
	const bp = "breakpoints"
	return len(args) >= len(bp) && args[:len(bp)] == bp && isArgText(args)
}

// parseWholePixels reads a positive integer of at most max, written
// without a sign or leading zeros.
func parseWholePixels(s string, max int) (int, bool) {
	if s == "" || s[0] == '0' || s[0] == '-' {
		return 0, false
	}
	return parseRange(s, 1, max)
}

// Width is the width a w_auto URL is made at for a request with these
// hints ("" when absent): see AutoWidth. 0 means the image's own width
// (no hint and no fallback). It does not allocate.
func (a AutoWidth) Width(secCHWidth, width, secCHViewportWidth, viewportWidth string, dpr float64) int {
	w, ok := hintPixels(secCHWidth)
	if !ok {
		w, ok = hintPixels(width)
	}
	if !ok {
		var vw int
		if vw, ok = hintPixels(secCHViewportWidth); !ok {
			vw, ok = hintPixels(viewportWidth)
		}
		if ok {
			w = ceilPixels(float64(vw) * dpr)
		}
	}
	if !ok {
		return int(a.Fallback)
	}
	step := int(a.Step)
	if step <= 0 {
		step = DefaultAutoWidthStep
	}
	w = min(w, MaxAutoWidth) // before rounding: no overflow
	return min((w+step-1)/step*step, MaxAutoWidth)
}

// Fits reports whether w is a width a.Width can give: one the variant
// header may name, so that a request cannot make an origin render other
// widths than the hints would.
func (a AutoWidth) Fits(w int) bool {
	switch {
	case !a.Has():
		return w == 0
	case w == int(a.Fallback):
		return true
	}
	return w > 0 && w <= MaxAutoWidth && (w%int(a.Step) == 0 || w == MaxAutoWidth)
}

// hintPixels reads a width hint: a non-negative number of pixels (digits,
// optionally a fraction, rounded up), spaces around it ignored. 0 and
// anything else are no hint. Past 9 integer digits it saturates.
func hintPixels(s string) (int, bool) {
	s = trimSpace(s)
	n, digits, i := 0, 0, 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		if digits < 9 {
			n = n*10 + int(s[i]-'0')
		}
		digits++
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) {
		if s[i] != '.' || i == len(s)-1 {
			return 0, false
		}
		up := false
		for i++; i < len(s); i++ {
			if !isDigit(s[i]) {
				return 0, false
			}
			up = up || s[i] != '0'
		}
		if up {
			n++
		}
	}
	return n, n > 0
}

// ceilPixels is v rounded up to a whole pixel, bounded to what the
// rounding in Width needs.
func ceilPixels(v float64) int {
	if !(v < MaxAutoWidth) { // NaN too
		return MaxAutoWidth
	}
	n := int(v)
	if float64(n) < v {
		n++
	}
	return n
}

// noteAutoWidth records a component's w_auto. A URL's variant has one
// width, so every w_auto of a URL must round the same way: a second one
// with another step or fallback answers 400.
func (u *URL) noteAutoWidth(c *Component) error {
	if !c.Has(KeyWidth) {
		return nil
	}
	a, ok := c.Width.AutoWidth()
	switch {
	case !ok:
		return nil
	case u.autoWidth.Has() && u.autoWidth != a:
		return badRequest("Invalid width in transformation: auto:%s - every w_auto of a URL takes the same step and fallback", c.Width.Expr)
	}
	u.autoWidth = a
	return nil
}

// AutoWidth is the URL's w_auto rounding; Has reports false without w_auto.
func (u *URL) AutoWidth() AutoWidth { return u.autoWidth }
