//go:build cgo

package imaging

import (
	"image"
	"math"
	"net/http"
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

// Effects that need face detection, a model or an add-on, and those not
// built yet, answer 400 naming them.
func TestEffectsRefused(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	for tx, msg := range map[string]string{
		"e_blur_faces":         "e_blur_faces needs face detection, which this server does not have yet",
		"e_pixelate_faces:10":  "e_pixelate_faces needs face detection, which this server does not have yet",
		"e_background_removal": "e_background_removal is unavailable: it needs an AI model or a paid add-on that this server does not have",
		"e_upscale":            "e_upscale is unavailable: it needs an AI model or a paid add-on that this server does not have",
		"e_gen_fill":           "e_gen_fill is unavailable: it needs an AI model or a paid add-on that this server does not have",
		"e_shadow":             "Unsupported transformation parameter: e_shadow",
		"e_trim:10":            "Unsupported transformation parameter: e_trim:10",
		"e_improve:foo":        "Invalid effect in transformation: improve:foo",
		"e_improve:indoor:101": "Invalid effect in transformation: improve:indoor:101",
	} {
		_, err := try(t, p, src, tx, delivery.PNG)
		wantError(t, err, http.StatusBadRequest, msg)
	}
}
