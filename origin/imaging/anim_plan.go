package imaging

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
)

// animation is what a transformation asks of an animated input (GIF or
// WebP with more than one frame): which frames, their delay and loop
// count, and the output (anim.go runs it).
type animation struct {
	spans   []pageSpan // pg_ ranges and lists; nil when pg_ names one page or none
	delay   int        // dl_ in milliseconds; 0 keeps each frame's
	loop    int        // e_loop as libvips' loop count (0: forever)
	hasLoop bool
	// animated is fl_animated. fl_awebp needs no field: an animated input
	// becomes animated WebP whenever the output is WebP.
	animated bool
	// format and accept are the Request's: the output of an animated
	// result is chosen from them once the header shows the frames.
	format, accept delivery.Format
}

// pageSpan is one part of a pg_ range or list: 1-based pages from..to
// (to 0: to the last page).
type pageSpan struct{ from, to int }

// maxDelay is the largest dl_: GIF stores a frame's delay in hundredths
// of a second in 16 bits.
const maxDelay = 655350

// pages takes pg_: one page (as before: the output is that page, still),
// or ranges and lists of frames ("2-4", "3-", "2;4", "1;3-5") kept
// animated. Named pages (PSD layers) answer 400.
func (p *plan) pages(v string) error {
	if n, err := strconv.Atoi(v); err == nil {
		if n == 0 {
			return invalidValue("page", v)
		}
		p.page, p.anim.spans = n, nil
		return nil
	}
	if strings.Contains(v, ":") {
		return unsupported("pg_" + v)
	}
	var spans []pageSpan
	for _, part := range strings.Split(v, ";") {
		from, to, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(from)
		if err != nil || a < 1 || from[0] == '+' {
			return invalidValue("page", v)
		}
		s := pageSpan{from: a, to: a}
		if isRange {
			s.to = 0
			if to != "" {
				b, err := strconv.Atoi(to)
				if err != nil || b < a || to[0] == '+' {
					return invalidValue("page", v)
				}
				s.to = b
			}
		}
		spans = append(spans, s)
	}
	p.page, p.anim.spans = 0, spans
	return nil
}

// takeAnimation takes dl_ and e_loop from a top-level component: they
// apply to the whole result.
func (p *plan) takeAnimation(c *delivery.Component) (*delivery.Component, error) {
	if c.Has(delivery.KeyDelay) {
		v := otherValue(c, delivery.KeyDelay)
		n, ok := intIn(v, 0, maxDelay)
		if !ok {
			return nil, invalidValue("delay", v)
		}
		p.anim.delay = n
		rest := c.Without(delivery.KeyDelay)
		c = &rest
	}
	if c.Has(delivery.KeyEffect) && c.Effect.Name == delivery.EffectLoop {
		e := c.Effect
		extra := 0 // e_loop alone: forever
		switch {
		case e.HasLevel:
			extra = e.Level
		case e.Args != "":
			n, ok := intIn(e.Args, 0, 65534)
			if !ok {
				return nil, invalidValue("loop", e.Args)
			}
			extra = n
		}
		p.anim.loop, p.anim.hasLoop = 0, true
		if e.HasLevel || e.Args != "" {
			p.anim.loop = extra + 1 // additional loops plus the first play
		}
		rest := c.Without(delivery.KeyEffect)
		c = &rest
	}
	return c, nil
}

// otherValue is the value of c's parameter k kept in c.Other (the last
// one given), "" without it.
func otherValue(c *delivery.Component, k delivery.Key) string {
	var v string
	for _, o := range c.Other {
		if o.Key == k {
			v = o.Value
		}
	}
	return v
}

// intIn reads a decimal integer from lo to hi, without a sign.
func intIn(s string, lo, hi int) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi || s[0] == '+' {
		return 0, false
	}
	return n, true
}

// frames lists the 0-based frames a plan keeps of an input of n pages:
// every one without pg_ ranges, else the spans' pages that exist.
func (a *animation) frames(n int) []int {
	if a.spans == nil {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	idx := make([]int, 0, a.count(n))
	for _, s := range a.spans {
		from, to := s.within(n)
		for i := from; i <= to; i++ {
			idx = append(idx, i-1)
		}
	}
	return idx
}

// count is len(a.frames(n)), counted without listing them: a URL of many
// spans over a GIF of many pages asks for more than the frame limit long
// before the list is built.
func (a *animation) count(n int) int {
	if a.spans == nil {
		return n
	}
	k := 0
	for _, s := range a.spans {
		from, to := s.within(n)
		k += max(to-from+1, 0)
	}
	return k
}

// within is the span's 1-based pages that an input of n pages has (none
// when to < from).
func (s pageSpan) within(n int) (from, to int) {
	to = s.to
	if to == 0 || to > n {
		to = n
	}
	return s.from, to
}

// animatedOutput chooses the output of an animated result: the input's
// format (GIF or WebP) when none is asked, f_gif and f_webp as asked,
// f_auto animated WebP when the browser takes WebP (or AVIF: libvips
// writes no animated AVIF), else GIF. false means the output format is a
// still one (JPEG, PNG, AVIF): the result is one frame, as at Cloudinary.
func (a *animation) animatedOutput(input delivery.Format) (output, bool) {
	want := a.format
	if want == delivery.FormatNone {
		want = input
	}
	switch want {
	case delivery.GIF:
		return output{enc: encGIF, alpha: alphaAlways}, true
	case delivery.WebP:
		return output{enc: encWebP, alpha: alphaAlways}, true
	case delivery.FormatAuto:
		if a.accept == delivery.WebP || a.accept == delivery.AVIF {
			return output{enc: encWebP, alpha: alphaAlways}, true
		}
		return output{enc: encGIF, alpha: alphaAlways}, true
	}
	return output{}, false
}

// checkStill refuses what only an animated result can honour, for a
// result that is one frame.
func (a *animation) checkStill(animatedInput bool) error {
	switch {
	case a.spans != nil:
		return &delivery.Error{Status: http.StatusBadRequest,
			Message: "Page ranges and lists (pg_) need an animated input and an animated output format (gif, webp or auto)"}
	case a.animated && animatedInput:
		return &delivery.Error{Status: http.StatusBadRequest,
			Message: "fl_animated needs an animated output format (gif, webp or auto)"}
	}
	return nil
}

// checkFrameSteps refuses, on an animated input, the steps whose result
// would differ in size or placement from frame to frame.
func checkFrameSteps(steps []step) error {
	for i := range steps {
		s := &steps[i]
		// Faces and salient regions are found frame by frame: the crop
		// would jump about (and c_thumb's size change) between frames.
		if s.gravity == delivery.GravityAuto && s.crop != delivery.CropNone ||
			s.layer == nil && cropsByGravity(s.crop) && (isFaceGravity(s.gravity) ||
				s.gravity == delivery.GravityCustom && isFaceGravity(s.faceFallback)) {
			return animUnsupported("g_auto (and g_face)")
		}
		if s.effect.Name == delivery.EffectTrim {
			return animUnsupported("e_trim")
		}
	}
	return nil
}

func animUnsupported(what string) *delivery.Error {
	return &delivery.Error{Status: http.StatusBadRequest,
		Message: "Unsupported transformation parameter on an animated image: " + what}
}

// tooManyFrames refuses an animated result of n frames over the limit.
func tooManyFrames(n, limit int) *delivery.Error {
	return &delivery.Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(
		"Animated image has too many frames - %d is more than the limit of %d", n, limit)}
}
