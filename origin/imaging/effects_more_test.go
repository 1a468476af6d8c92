//go:build cgo

package imaging

import (
	"errors"
	"image"
	"image/color"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// luma is an image's mean of (R+G+B)/3.
func luma(img image.Image) float64 { return (mean(img, 0) + mean(img, 1) + mean(img, 2)) / 3 }

// spread is the standard deviation of the green channel: contrast.
func spread(img image.Image) float64 {
	b := img.Bounds()
	m := mean(img, 1)
	var sum float64
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			d := float64(px(img, x, y).G) - m
			sum += d * d
		}
	}
	return math.Sqrt(sum / float64(b.Dx()*b.Dy()))
}

// chroma is the mean of max(R,G,B) - min(R,G,B): colourfulness.
func chroma(img image.Image) float64 {
	b := img.Bounds()
	var sum float64
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			c := px(img, x, y)
			sum += float64(max(c.R, c.G, c.B) - min(c.R, c.G, c.B))
		}
	}
	return sum / float64(b.Dx()*b.Dy())
}

// castSpread is how far apart the channel means are: a colour cast.
func castSpread(img image.Image) float64 {
	r, g, b := mean(img, 0), mean(img, 1), mean(img, 2)
	return max(r, g, b) - min(r, g, b)
}

// The colour adjustments, measured on coffee.png (600x400): each moves
// its measure the way its sign says, more with a larger level.
func TestColourAdjustments(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	get := func(tx string) image.Image { return decode(t, do(t, p, src, tx, delivery.PNG)) }
	in := decodeFile(t, src)
	for _, c := range []struct {
		name    string
		measure func(image.Image) float64
		down    string // lowers the measure
		weak    string // raises it less than strong
		strong  string
	}{
		{"luma", luma, "e_brightness:-50", "e_brightness:10", "e_brightness"},
		{"luma", luma, "e_gamma:-50", "e_gamma:20", "e_gamma:150"},
		{"spread", spread, "e_contrast:-50", "e_contrast:10", "e_contrast:60"},
		{"chroma", chroma, "e_saturation:-50", "e_saturation:10", "e_saturation"},
		{"chroma", chroma, "e_vibrance:-50", "e_vibrance", "e_vibrance:100"},
	} {
		base := c.measure(in)
		down, weak, strong := c.measure(get(c.down)), c.measure(get(c.weak)), c.measure(get(c.strong))
		if !(down < base && base < weak && weak < strong) {
			t.Errorf("%s: %s %.2f, none %.2f, %s %.2f, %s %.2f", c.name, c.down, down, base, c.weak, weak, c.strong, strong)
		}
	}
	if g := chroma(get("e_saturation:-100")); g > 3 {
		t.Errorf("e_saturation:-100 chroma %.2f, want grey", g)
	}
	if v := spread(get("e_contrast:-100")); v > 2 {
		t.Errorf("e_contrast:-100 spread %.2f, want flat grey", v)
	}
	// e_hue turns colours around the wheel: at ±100 (180°) warm becomes
	// cold, and chroma stays about the same.
	warm := mean(in, 0) - mean(in, 2)
	for _, tx := range []string{"e_hue:100", "e_hue:-100"} {
		out := get(tx)
		if cold := mean(out, 0) - mean(out, 2); warm <= 0 || cold >= 0 {
			t.Errorf("%s: R-B %.2f → %.2f, want a sign change", tx, warm, cold)
		}
		if c0, c1 := chroma(in), chroma(out); math.Abs(c1-c0) > c0/3 {
			t.Errorf("%s chroma %.2f → %.2f", tx, c0, c1)
		}
	}
	if d := colourDistance(in, get("e_hue:0")); d > float64(600*400/49*6) {
		t.Errorf("e_hue:0 moved the colours by %.0f", d)
	}
	// Alpha stays as it was.
	padded := decode(t, do(t, p, transparentPNG(t, p), "e_brightness:40", delivery.PNG))
	if a, b := px(padded, 300, 2), px(padded, 300, 300); a.A != 0 || b.A != 255 {
		t.Errorf("e_brightness on alpha: padding %v, image %v", a, b)
	}
}

// The automatic corrections undo a flaw the first component puts in, and
// blend 0 leaves the image as it is.
func TestAutoCorrections(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	get := func(tx string) image.Image { return decode(t, do(t, p, src, tx, delivery.PNG)) }
	for _, c := range []struct {
		flaw, fix, half string
		measure         func(image.Image) float64
		better          func(flawed, fixed float64) bool
	}{
		{"e_brightness:-60", "e_auto_brightness", "e_auto_brightness:50", luma, func(a, b float64) bool { return math.Abs(b-127.5) < math.Abs(a-127.5)/2 }},
		{"e_contrast:-70", "e_auto_contrast", "e_auto_contrast:50", spread, func(a, b float64) bool { return b > 2*a }},
		{"e_sepia", "e_auto_color", "e_auto_color:50", castSpread, func(a, b float64) bool { return b < a/2 }},
		{"e_sepia/e_contrast:-60", "e_improve", "e_improve:50", castSpread, func(a, b float64) bool { return b < a/2 }},
		{"e_sepia/e_contrast:-60", "e_improve:outdoor:100", "e_improve:outdoor:50", spread, func(a, b float64) bool { return b > 2*a }},
	} {
		flawed := c.measure(get(c.flaw))
		fixed := c.measure(get(c.flaw + "/" + c.fix))
		if !c.better(flawed, fixed) {
			t.Errorf("%s/%s: %.2f → %.2f", c.flaw, c.fix, flawed, fixed)
		}
		half := c.measure(get(c.flaw + "/" + c.half))
		if !(math.Abs(half-flawed) < math.Abs(fixed-flawed) && math.Abs(half-flawed) > 0) {
			t.Errorf("%s/%s: %.2f, between %.2f and %.2f expected", c.flaw, c.half, half, flawed, fixed)
		}
	}
	flawed := get("e_brightness:-60")
	if d := colourDistance(flawed, get("e_brightness:-60/e_auto_brightness:0")); d != 0 {
		t.Errorf("e_auto_brightness:0 moved the colours by %.0f", d)
	}
}

// e_unsharp_mask sharpens; e_pixelate makes squares of one colour.
func TestUnsharpPixelate(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	orig := decodeFile(t, src)
	if a, b := edges(orig), edges(decode(t, do(t, p, src, "e_unsharp_mask", delivery.PNG))); b <= a*1.1 {
		t.Errorf("e_unsharp_mask edge energy %.2f → %.2f", a, b)
	}
	pix := decode(t, do(t, p, src, "e_pixelate:20", delivery.PNG))
	for _, sq := range [][2]int{{0, 0}, {200, 100}, {580, 380}} {
		c := px(pix, sq[0], sq[1])
		for _, d := range [][2]int{{19, 0}, {0, 19}, {19, 19}, {7, 11}} {
			if o := px(pix, sq[0]+d[0], sq[1]+d[1]); !near(c, o, 1) {
				t.Errorf("e_pixelate:20 square at %v: %v and %v at +%v", sq, c, o, d)
			}
		}
	}
	if a, b := edges(decode(t, do(t, p, src, "e_pixelate", delivery.PNG))), edges(orig); a > b/3 {
		t.Errorf("e_pixelate edge energy %.2f, original %.2f", a, b)
	}
}

// sub is the part of img in r.
func sub(img image.Image, r image.Rectangle) image.Image {
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(r)
}

// e_pixelate_region and e_blur_region change their region only, and the
// region's w_ and h_ do not resize; without a region the whole image
// changes.
func TestRegionEffects(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	orig := decodeFile(t, src)
	region := image.Rect(100, 50, 300, 250)
	for _, tx := range []string{
		"e_pixelate_region,h_200,w_200,x_100,y_50",
		"e_pixelate_region:10,h_200,w_200,x_100,y_50",
		"e_blur_region,h_200,w_200,x_100,y_50",
		"e_blur_region:800,h_0.5,w_0.3333333,x_100,y_50",
	} {
		res := do(t, p, src, tx, delivery.PNG)
		if res.Width != 600 || res.Height != 400 {
			t.Errorf("%s: %dx%d, want the input's 600x400", tx, res.Width, res.Height)
			continue
		}
		out := decode(t, res)
		in, done := edges(sub(orig, region)), edges(sub(out, region))
		if done > in/2 {
			t.Errorf("%s: region edge energy %.2f → %.2f", tx, in, done)
		}
		for _, pt := range [][2]int{{10, 10}, {99, 100}, {301, 100}, {200, 260}, {590, 390}} {
			if a, b := px(orig, pt[0], pt[1]), px(out, pt[0], pt[1]); a != b {
				t.Errorf("%s: at %v outside the region %v, was %v", tx, pt, b, a)
			}
		}
	}
	for _, tx := range []string{"e_pixelate_region", "e_blur_region"} {
		if a, b := edges(orig), edges(decode(t, do(t, p, src, tx, delivery.PNG))); b > a/2 {
			t.Errorf("%s without a region: edge energy %.2f → %.2f", tx, a, b)
		}
	}
}

// e_vignette darkens the corners and leaves the centre.
func TestVignette(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	orig := decodeFile(t, src)
	corner := image.Rect(0, 0, 30, 30)
	centre := image.Rect(285, 185, 315, 215)
	var prev float64 = 1
	for _, tx := range []string{"e_vignette:10", "e_vignette", "e_vignette:80"} {
		out := decode(t, do(t, p, src, tx, delivery.PNG))
		ratio := luma(sub(out, corner)) / luma(sub(orig, corner))
		if c := luma(sub(out, centre)) / luma(sub(orig, centre)); c < 0.98 {
			t.Errorf("%s: centre at %.3f of the original", tx, c)
		}
		if ratio >= prev || ratio > 0.95 {
			t.Errorf("%s: corner at %.3f of the original (previous level %.3f)", tx, ratio, prev)
		}
		prev = ratio
	}
}

// Effects that need a model or an add-on, bad levels, and those not
// built yet, answer 400 naming them.
func TestEffectsRefused(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	for tx, msg := range map[string]string{
		"e_background_removal":                "e_background_removal is unavailable: it needs an AI model or a paid add-on that this server does not have",
		"e_upscale":                           "e_upscale is unavailable: it needs an AI model or a paid add-on that this server does not have",
		"e_gen_fill":                          "e_gen_fill is unavailable: it needs an AI model or a paid add-on that this server does not have",
		"e_shadow:101":                        "Invalid effect in transformation: shadow:101",
		"e_tint:equalize:80:red:50p:blue:60p": "Unsupported transformation parameter: e_tint:equalize:80:red:50p:blue:60p",
		"e_trim:101":                          "Invalid effect in transformation: trim:101",
		"e_trim:10:nocolour":                  "Invalid effect in transformation: trim:10:nocolour",
		"e_replace_color":                     "Invalid effect in transformation: replace_color:",
		"e_improve:foo":                       "Invalid effect in transformation: improve:foo",
		"e_improve:indoor:101":                "Invalid effect in transformation: improve:indoor:101",
	} {
		_, err := try(t, p, src, tx, delivery.PNG)
		wantError(t, err, http.StatusBadRequest, msg)
	}
}

// e_trim crops a uniform frame away: the corner's colour by default, or
// the colour given.
func TestTrim(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png") // 600x400
	framed := do(t, p, src, "bo_100px_solid_rgb:f0f0f0", delivery.PNG).Body
	for _, tx := range []string{"e_trim", "e_trim:20", "e_trim:10:rgb:f0f0f0", "e_trim:5:f0f0f0"} {
		res := do(t, p, framed, tx, delivery.PNG)
		if abs(res.Width-600) > 4 || abs(res.Height-400) > 4 {
			t.Errorf("%s: %dx%d, want about 600x400", tx, res.Width, res.Height)
		}
	}
	// A colour that is not the frame's trims nothing; a trimmed image is
	// the input of the next component.
	if res := do(t, p, framed, "e_trim:10:black", delivery.PNG); res.Width != 800 || res.Height != 600 {
		t.Errorf("e_trim:10:black: %dx%d, want 800x600", res.Width, res.Height)
	}
	if res := do(t, p, framed, "e_trim/w_0.5", delivery.PNG); abs(res.Width-300) > 2 {
		t.Errorf("e_trim/w_0.5: width %d, want about 300", res.Width)
	}
	// An image of one colour is left as it is.
	flat := do(t, p, src, "e_colorize,co_red", delivery.PNG).Body
	if res := do(t, p, flat, "e_trim", delivery.PNG); res.Width != 600 || res.Height != 400 {
		t.Errorf("e_trim of a flat image: %dx%d", res.Width, res.Height)
	}
}

// e_colorize blends towards co_ (grey without it); e_tint colours the
// luminance (red by default).
func TestColorizeTint(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	in := decodeFile(t, src)
	get := func(tx string) image.Image { return decode(t, do(t, p, src, tx, delivery.PNG)) }
	for tx, want := range map[string]color.NRGBA{
		"e_colorize,co_red":            {255, 0, 0, 255},
		"e_colorize:100,co_rgb:00ff00": {0, 255, 0, 255},
		"e_colorize":                   {128, 128, 128, 255},
	} {
		out := get(tx)
		for _, pt := range [][2]int{{0, 0}, {300, 200}, {599, 399}} {
			if c := px(out, pt[0], pt[1]); !near(c, want, 1) {
				t.Errorf("%s at %v: %v, want %v", tx, pt, c, want)
			}
		}
	}
	half := get("e_colorize:50,co_blue")
	if b0, b1 := mean(in, 2), mean(half, 2); math.Abs(b1-(b0/2+127.5)) > 2 {
		t.Errorf("e_colorize:50,co_blue: blue mean %.1f → %.1f, want %.1f", b0, b1, b0/2+127.5)
	}
	blue := get("e_tint:100:blue")
	if r, g, b := mean(blue, 0), mean(blue, 1), mean(blue, 2); r > 1 || g > 1 || b < 30 {
		t.Errorf("e_tint:100:blue: means %.1f %.1f %.1f, want blue only", r, g, b)
	}
	red := get("e_tint")
	share := func(img image.Image) float64 { return mean(img, 0) / (mean(img, 0) + mean(img, 1) + mean(img, 2)) }
	if s0, s1 := share(in), share(red); s1 < s0+0.1 {
		t.Errorf("e_tint: red share %.2f → %.2f, want redder", s0, s1)
	}
	if d := colourDistance(in, get("e_tint:0")); d > float64(600*400/49*3) {
		t.Errorf("e_tint:0 moved the colours by %.0f", d)
	}
	if a, b := px(blue, 10, 10).B, px(blue, 300, 200).B; a == b {
		t.Errorf("e_tint:100:blue lost the shading: %d and %d", a, b)
	}
}

// e_replace_color changes the colour given (or the predominant one) and
// leaves the rest; e_make_transparent makes the background colour (co_,
// else the corner's) transparent, white in JPEG.
func TestReplaceColorMakeTransparent(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png") // 600x400, padded to 1200x1200 below
	framed := do(t, p, src, "c_pad,w_1200,h_1200,b_red", delivery.PNG).Body
	centre := px(decode(t, do(t, p, framed, "f_png", delivery.PNG)), 600, 600)
	for tx, want := range map[string]color.NRGBA{
		"e_replace_color:blue:30:red":   {0, 0, 255, 255},
		"e_replace_color:green":         {0, 128, 0, 255},
		"e_replace_color:00ff00:20":     {0, 255, 0, 255},
		"e_replace_color:blue:30:black": {255, 0, 0, 255},
	} {
		out := decode(t, do(t, p, framed, tx, delivery.PNG))
		if c := px(out, 5, 5); !near(c, want, 1) {
			t.Errorf("%s: frame %v, want %v", tx, c, want)
		}
		if c := px(out, 600, 600); c != centre {
			t.Errorf("%s: centre %v, was %v", tx, c, centre)
		}
	}
	for tx, cornerAlpha := range map[string]uint8{
		"e_make_transparent":          0,
		"e_make_transparent:5,co_red": 0,
		"e_make_transparent,co_black": 255,
	} {
		out := decode(t, do(t, p, framed, tx, delivery.PNG))
		if c := px(out, 5, 5); c.A != cornerAlpha {
			t.Errorf("%s: frame %v, want alpha %d", tx, c, cornerAlpha)
		}
		if c := px(out, 600, 600); c.A != 255 {
			t.Errorf("%s: centre %v, want opaque", tx, c)
		}
	}
	if c := px(decode(t, do(t, p, framed, "e_make_transparent", delivery.JPG)), 5, 5); !near(c, color.NRGBA{255, 255, 255, 255}, 3) {
		t.Errorf("e_make_transparent as JPEG: frame %v, want white", c)
	}
	_, err := try(t, p, framed, "e_make_transparent,co_zzz", delivery.PNG)
	wantError(t, err, http.StatusBadRequest, "Invalid color in transformation: zzz")
	_, err = try(t, p, framed, "co_red", delivery.PNG)
	wantError(t, err, http.StatusBadRequest, "Unsupported transformation parameter: co_red")
}

// The cost budget counts the effects: everyday ones on a 2560x1600 photo
// go through, the same repeated on an upscale are refused before any
// pixel is decoded, and each adds to the estimate.
func TestEffectCosts(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "Aqua.jpg")
	for _, tx := range []string{
		"e_improve", "e_vibrance:40", "e_replace_color:blue", "e_trim/e_auto_color",
		"e_blur_region:2000,w_0.5,h_0.5", "c_fill,w_800,h_600/e_hue:20/e_vignette", "e_outline:inner:20/e_shadow/e_gradient_fade",
	} {
		if _, err := try(t, p, src, tx, delivery.JPG); err != nil {
			t.Errorf("%s: %v", tx, err)
		}
	}
	for _, tx := range []string{
		"w_8000/" + strings.TrimSuffix(strings.Repeat("e_hue/", 10), "/"),
		"w_8000/" + strings.TrimSuffix(strings.Repeat("e_replace_color:red/", 6), "/"),
		"w_8000/" + strings.TrimSuffix(strings.Repeat("e_trim:1/", 6), "/"),
		"w_8000/e_outline:outer:100",
	} {
		_, err := try(t, p, src, tx, delivery.JPG)
		var e *delivery.Error
		if !errors.As(err, &e) || e.Status != 400 || !strings.HasPrefix(e.Message, "Transformation too expensive - ") {
			t.Errorf("%s: %v, want 400 Transformation too expensive", tx, err)
		}
	}
	// An effect that makes pixels transparent makes f_auto keep alpha
	// (PNG here), whose encoder the estimate counts.
	if opaque, clear := estimateOf(t, p, src, "e_colorize", delivery.FormatAuto),
		estimateOf(t, p, src, "e_gradient_fade", delivery.FormatAuto); clear < 5*opaque {
		t.Errorf("f_auto: e_gradient_fade estimated at %v, e_colorize at %v", clear, opaque)
	}
	if res := do(t, p, src, "e_gradient_fade", delivery.FormatAuto); res.Format == delivery.JPG {
		t.Errorf("e_gradient_fade with f_auto: %v, want a format with alpha", res.Format)
	}
	base := estimateOf(t, p, src, "f_jpg", delivery.JPG)
	for _, tx := range []string{"e_brightness", "e_hue", "e_auto_color", "e_improve", "e_unsharp_mask", "e_pixelate",
		"e_pixelate_region", "e_blur_region", "e_vignette", "e_trim", "e_colorize", "e_tint",
		"e_replace_color:red", "e_make_transparent", "e_gradient_fade", "e_shadow", "e_outline", "e_blackwhite"} {
		if est := estimateOf(t, p, src, tx, delivery.JPG); est <= base {
			t.Errorf("%s: estimate %v, no more than the plain encode's %v", tx, est, base)
		}
	}
}

// e_gradient_fade makes the image transparent towards an edge: the top
// half by default, over x_ or y_ (negative from the right or bottom),
// both edges with symmetric; the strength bends the ramp.
func TestGradientFade(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png") // 600x400
	alpha := func(tx string, x, y int) int {
		return int(px(decode(t, do(t, p, src, tx, delivery.PNG)), x, y).A)
	}
	for _, c := range []struct {
		tx     string
		x, y   int
		lo, hi int
	}{
		{"e_gradient_fade", 300, 0, 0, 3},
		{"e_gradient_fade", 300, 100, 115, 140},
		{"e_gradient_fade", 300, 300, 255, 255},
		{"e_gradient_fade:60", 300, 100, 20, 45}, // (1/2)^3
		{"e_gradient_fade,x_-0.25", 599, 200, 0, 3},
		{"e_gradient_fade,x_-0.25", 525, 200, 115, 140},
		{"e_gradient_fade,x_-0.25", 10, 200, 255, 255},
		{"e_gradient_fade:symmetric,y_100", 300, 399, 0, 3},
		{"e_gradient_fade:symmetric,y_100", 300, 1, 0, 5},
		{"e_gradient_fade:symmetric,y_100", 300, 200, 255, 255},
	} {
		if a := alpha(c.tx, c.x, c.y); a < c.lo || a > c.hi {
			t.Errorf("%s at (%d,%d): alpha %d, want %d-%d", c.tx, c.x, c.y, a, c.lo, c.hi)
		}
	}
	if c := px(decode(t, do(t, p, src, "e_gradient_fade", delivery.JPG)), 300, 0); !near(c, color.NRGBA{255, 255, 255, 255}, 3) {
		t.Errorf("e_gradient_fade as JPEG: top %v, want white", c)
	}
	_, err := try(t, p, src, "e_gradient_fade:symmetric_pad", delivery.PNG)
	wantError(t, err, http.StatusBadRequest, "Unsupported transformation parameter: e_gradient_fade:symmetric_pad")
}

// e_shadow puts a blurred copy of the shape under the image, offset by
// x_, y_ (10 px by default), in co_ (grey by default), on a larger canvas.
func TestShadow(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png") // 600x400, opaque
	in := decodeFile(t, src)
	res := do(t, p, src, "e_shadow", delivery.PNG)
	// sigma 4, pad 12: 2 px left and top, 22 right and bottom.
	if res.Width != 624 || res.Height != 424 {
		t.Fatalf("e_shadow: %dx%d, want 624x424", res.Width, res.Height)
	}
	out := decode(t, res)
	if c := px(out, 302, 202); c != px(in, 300, 200) {
		t.Errorf("e_shadow moved the image: %v, want %v", c, px(in, 300, 200))
	}
	if c := px(out, 0, 0); c.A > 5 {
		t.Errorf("e_shadow: corner away from the shadow %v, want transparent", c)
	}
	if c := px(out, 606, 300); c.A < 150 || !near(color.NRGBA{c.R, c.G, c.B, 255}, color.NRGBA{128, 128, 128, 255}, 2) {
		t.Errorf("e_shadow: right of the image %v, want grey shadow", c)
	}
	left := decode(t, do(t, p, src, "e_shadow:20,co_red,x_-20,y_0", delivery.PNG))
	// sigma 2, pad 6: 26 px on the left, none on the right.
	if b := left.Bounds(); b.Dx() != 626 || b.Dy() != 412 {
		t.Errorf("e_shadow:20,x_-20: %dx%d, want 626x412", b.Dx(), b.Dy())
	}
	if c := px(left, 15, 200); c.A < 150 || c.R < 250 || c.G > 5 {
		t.Errorf("e_shadow,co_red,x_-20: left of the image %v, want red shadow", c)
	}
	if c := px(left, 625, 200); c.A != 255 || c != px(in, 599, 194) {
		t.Errorf("e_shadow,x_-20: right edge %v, want the image's %v", c, px(in, 599, 194))
	}
}

// e_outline draws a band along the shape's edge: outside and inside by
// default, or one of them, in co_ (black by default), blurred on request.
func TestOutline(t *testing.T) {
	p := newProcessor(t, Config{})
	padded := transparentPNG(t, p) // 600x600, opaque rows 100-499
	in := decodeFile(t, padded)
	black, red := color.NRGBA{0, 0, 0, 255}, color.NRGBA{255, 0, 0, 255}
	out := decode(t, do(t, p, padded, "e_outline", delivery.PNG))
	if b := out.Bounds(); b.Dx() != 610 || b.Dy() != 610 {
		t.Fatalf("e_outline: %dx%d, want 610x610", b.Dx(), b.Dy())
	}
	// The shape is at rows 105-504 now: the band is 100-109 and 500-509.
	for _, c := range []struct {
		x, y int
		want color.NRGBA
	}{
		{300, 102, black}, {300, 107, black}, {300, 502, black}, {300, 507, black}, {2, 300, black}, {7, 300, black},
		{300, 97, color.NRGBA{}}, {300, 300, px(in, 295, 295)}, {300, 111, px(in, 295, 106)},
	} {
		if got := px(out, c.x, c.y); got != c.want && !(c.want.A == 0 && got.A == 0) {
			t.Errorf("e_outline at (%d,%d): %v, want %v", c.x, c.y, got, c.want)
		}
	}
	outer := decode(t, do(t, p, padded, "e_outline:outer:10,co_red", delivery.PNG))
	if b := outer.Bounds(); b.Dx() != 620 || b.Dy() != 620 {
		t.Fatalf("e_outline:outer:10: %dx%d, want 620x620", b.Dx(), b.Dy())
	}
	if got := px(outer, 300, 105); got != red {
		t.Errorf("e_outline:outer:10,co_red above the shape: %v, want red", got)
	}
	if got, want := px(outer, 310, 112), px(in, 300, 102); got != want {
		t.Errorf("e_outline:outer:10 inside the shape: %v, want the image's %v", got, want)
	}
	photo := testkit.Read(t, "coffee.png")
	inner := decode(t, do(t, p, photo, "e_outline:inner:3", delivery.PNG))
	if b := inner.Bounds(); b.Dx() != 600 || b.Dy() != 400 {
		t.Errorf("e_outline:inner: %dx%d, want 600x400", b.Dx(), b.Dy())
	}
	orig := decodeFile(t, photo)
	if got := px(inner, 300, 1); got != black {
		t.Errorf("e_outline:inner:3 at the edge: %v, want black", got)
	}
	if got, want := px(inner, 300, 4), px(orig, 300, 4); got != want {
		t.Errorf("e_outline:inner:3 past the band: %v, want the image's %v", got, want)
	}
	blurred := decode(t, do(t, p, padded, "e_outline:outer:5:200", delivery.PNG))
	if a := px(blurred, 300, 60).A; a != 0 {
		t.Errorf("e_outline:outer:5:200 far from the band: alpha %d", a)
	}
	// sigma 10, the canvas grows 35 px: the band is rows 130-134.
	if a := px(blurred, 300, 120).A; a == 0 || a == 255 {
		t.Errorf("e_outline:outer:5:200 beside the band: alpha %d, want partial", a)
	}
	for tx, msg := range map[string]string{
		"e_outline:fill":       "Unsupported transformation parameter: e_outline:fill",
		"e_outline:inner_fill": "Unsupported transformation parameter: e_outline:inner_fill",
		"e_outline:outer:101":  "Invalid effect in transformation: outline:outer:101",
		"e_outline:5:2001":     "Invalid effect in transformation: outline:5:2001",
	} {
		_, err := try(t, p, padded, tx, delivery.PNG)
		wantError(t, err, http.StatusBadRequest, msg)
	}
}

// Every effect works on images of one, two or three pixels a side (no
// "Invalid image file" from a window or a shrink larger than the image).
func TestEffectsOnTinyImages(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	for _, size := range []string{"c_scale,w_1,h_1", "c_scale,w_3,h_2", "c_pad,w_2,h_9"} {
		tiny := do(t, p, src, size, delivery.PNG).Body
		for _, e := range []string{"e_brightness", "e_contrast", "e_gamma:50", "e_saturation", "e_hue", "e_vibrance",
			"e_auto_brightness", "e_auto_contrast", "e_auto_color", "e_improve", "e_unsharp_mask:2000",
			"e_pixelate", "e_pixelate:200", "e_pixelate_region,w_1,h_1", "e_blur_region:2000",
			"e_pixelate_region,x_5000,y_5000", "e_vignette:100", "e_trim", "e_colorize", "e_tint",
			"e_replace_color:blue", "e_make_transparent", "e_gradient_fade", "e_gradient_fade:symmetric,x_-1.0",
			"e_shadow:100", "e_outline:100:2000", "e_outline:inner:100"} {
			if _, err := try(t, p, tiny, e, delivery.JPG); err != nil {
				t.Errorf("%s/%s: %v", size, e, err)
			}
		}
	}
}

// A region's x_ and y_ start at 0 (not 1, as sizes do), relative values
// are fractions of the image, and the region is clipped to it.
func TestRegionRect(t *testing.T) {
	px := func(v float64) length { return length{v: v, set: true} }
	rel := func(v float64) length { return length{v: v, rel: true, set: true} }
	for _, c := range []struct {
		r    region
		want rect
	}{
		{region{}, rect{0, 0, 600, 400}},
		{region{x: px(0), y: px(0), w: px(100), h: px(50)}, rect{0, 0, 100, 50}},
		{region{x: px(550), y: px(390), w: px(100), h: px(50)}, rect{550, 390, 50, 10}},
		{region{x: rel(0.5), y: rel(0.25), w: rel(0.25), h: rel(0.5)}, rect{300, 100, 150, 200}},
		{region{x: px(-20), y: px(700)}, rect{0, 400, 600, 0}},
		{region{w: px(0)}, rect{0, 0, 0, 400}},
		{region{x: px(1e300)}, rect{600, 0, 0, 400}},
	} {
		if got := c.r.rect(600, 400); got != c.want {
			t.Errorf("%+v: %+v, want %+v", c.r, got, c.want)
		}
	}
}

// e_blackwhite makes every pixel black or white: white where its
// luminance reaches the threshold (0-100, default 50), so a higher
// threshold leaves less white; alpha is kept.
func TestBlackwhite(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png") // 600x400
	grey := decode(t, do(t, p, src, "e_grayscale", delivery.PNG))
	white := func(tx string) float64 {
		img := decode(t, do(t, p, src, tx, delivery.PNG))
		b := img.Bounds()
		n, wrong := 0, 0
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				switch c := px(img, x, y); c {
				case color.NRGBA{255, 255, 255, 255}:
					n++
				case color.NRGBA{0, 0, 0, 255}:
				default:
					if wrong++; wrong == 1 {
						t.Errorf("%s at %d,%d: %v, want black or white", tx, x, y, c)
					}
				}
			}
		}
		return float64(n) / float64(b.Dx()*b.Dy())
	}
	def, low, high := white("e_blackwhite"), white("e_blackwhite:20"), white("e_blackwhite:80")
	if all := white("e_blackwhite:0"); all != 1 {
		t.Errorf("e_blackwhite:0: %.3f white, want all", all)
	}
	if !(low > def && def > high) || def == 0 || def == 1 {
		t.Errorf("white share at thresholds 20, 50, 80: %.3f %.3f %.3f, want decreasing", low, def, high)
	}
	if d := white("e_blackwhite:50"); d != def {
		t.Errorf("e_blackwhite:50: %.3f white, e_blackwhite %.3f", d, def)
	}
	// The threshold is on the luminance e_grayscale gives.
	bw := decode(t, do(t, p, src, "e_blackwhite", delivery.PNG))
	for _, pt := range [][2]int{{0, 0}, {150, 100}, {300, 200}, {450, 300}, {599, 399}} {
		g := px(grey, pt[0], pt[1]).G
		if g < 120 || g > 135 {
			if want := g >= 128; (px(bw, pt[0], pt[1]).G == 255) != want {
				t.Errorf("at %v: grey %d gives %v", pt, g, px(bw, pt[0], pt[1]))
			}
		}
	}
	// Alpha stays as it was.
	faded := do(t, p, src, "e_gradient_fade", delivery.PNG).Body
	in, out := decode(t, do(t, p, faded, "f_png", delivery.PNG)), decode(t, do(t, p, faded, "e_blackwhite", delivery.PNG))
	for _, pt := range [][2]int{{300, 10}, {300, 390}} {
		if a, b := px(in, pt[0], pt[1]).A, px(out, pt[0], pt[1]).A; a != b {
			t.Errorf("alpha at %v: %d → %d", pt, a, b)
		}
	}
	for _, tx := range []string{"e_blackwhite:101", "e_blackwhite:-1", "e_blackwhite:x"} {
		if _, err := delivery.ParseTransformation(tx); err == nil {
			t.Errorf("%s parsed", tx)
		}
	}
}
