//go:build cgo

package imaging

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
)

// solidPNG is a w × h PNG of one colour; a non-nil hole is left
// transparent.
func solidPNG(t testing.TB, w, h int, c color.NRGBA, hole *image.Rectangle) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if hole != nil && image.Pt(x, y).In(*hole) {
				continue
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var (
	grey = color.NRGBA{128, 128, 128, 255}
	red  = color.NRGBA{255, 0, 0, 255}
	blue = color.NRGBA{0, 0, 255, 255}
)

// layered runs tx on src with the layers given.
func layered(t testing.TB, p *Processor, src []byte, tx string, layers map[string][]byte) (Result, error) {
	t.Helper()
	tr, err := delivery.ParseTransformation(tx)
	if err != nil {
		t.Fatalf("parse %q: %v", tx, err)
	}
	return p.Transform(context.Background(), src, Request{Transformation: tr, Format: delivery.PNG, Layers: layers})
}

func layeredImage(t testing.TB, p *Processor, src []byte, tx string, layers map[string][]byte) image.Image {
	t.Helper()
	res, err := layered(t, p, src, tx, layers)
	if err != nil {
		t.Fatalf("%s: %v", tx, err)
	}
	return decode(t, res)
}

// isRed reports a red-dominant pixel.
func isRed(c color.NRGBA) bool { return c.R > 200 && c.G < 60 && c.B < 60 }

// box is the bounding box of the pixels that pass f.
func box(img image.Image, f func(color.NRGBA) bool) image.Rectangle {
	var r image.Rectangle
	b := img.Bounds()
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			if f(px(img, x, y)) {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

func count(img image.Image, f func(color.NRGBA) bool) int {
	n := 0
	b := img.Bounds()
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			if f(px(img, x, y)) {
				n++
			}
		}
	}
	return n
}

// An overlay goes where its gravity and offsets put it, over the image,
// and nowhere else; the image keeps its size.
func TestOverlayPlacement(t *testing.T) {
	p := newProcessor(t, Config{})
	base := solidPNG(t, 400, 300, grey, nil)
	layers := map[string][]byte{"logo": solidPNG(t, 50, 40, red, nil)}
	for _, c := range []struct {
		tx   string
		want image.Rectangle
	}{
		{"l_logo/fl_layer_apply,g_south_east", image.Rect(350, 260, 400, 300)},
		{"l_logo/fl_layer_apply,g_south_east,x_20,y_10", image.Rect(330, 250, 380, 290)},
		{"l_logo/fl_layer_apply,g_north_west,x_0.1,y_0.1", image.Rect(40, 30, 90, 70)},
		{"l_logo/fl_layer_apply", image.Rect(175, 130, 225, 170)},
		{"l_logo,g_north_west", image.Rect(0, 0, 50, 40)}, // one component: g_ places
		{"l_logo,w_100/fl_layer_apply,g_north", image.Rect(150, 0, 250, 80)},
		{"l_logo,w_0.5/fl_layer_apply,g_north_west", image.Rect(0, 0, 25, 20)},               // of the layer
		{"l_logo,w_0.5,fl_relative/fl_layer_apply,g_north_west", image.Rect(0, 0, 200, 160)}, // of the image
		{"l_logo,a_90/fl_layer_apply,g_north_west", image.Rect(0, 0, 40, 50)},                // a_ on the layer
		{"l_logo/fl_layer_apply,g_south_east,x_-30,y_-20", image.Rect(380, 280, 400, 300)},   // cut off
		{"w_200,c_scale/l_logo/fl_layer_apply,g_south_east", image.Rect(150, 110, 200, 150)}, // on the resized image
		{"l_logo/fl_layer_apply,g_south_east/w_200,c_scale", image.Rect(175, 130, 200, 150)}, // resized with the image
	} {
		img := layeredImage(t, p, base, c.tx, layers)
		got := box(img, isRed)
		if d := got.Min.Sub(c.want.Min); abs(d.X) > 1 || abs(d.Y) > 1 || abs(got.Dx()-c.want.Dx()) > 2 || abs(got.Dy()-c.want.Dy()) > 2 {
			t.Errorf("%s: red box %v, want %v", c.tx, got, c.want)
		}
		if n, want := count(img, isRed), c.want.Dx()*c.want.Dy(); abs(n-want) > want/10 {
			t.Errorf("%s: %d red pixels, want about %d", c.tx, n, want)
		}
	}
}

// fl_tiled repeats the layer over the whole image; o_ makes it
// translucent; u_ goes under a transparent image; layers nest.
func TestOverlayTiledOpacityUnderlayNested(t *testing.T) {
	p := newProcessor(t, Config{})
	base := solidPNG(t, 400, 300, grey, nil)
	half := image.Rect(25, 0, 50, 40) // the right half is transparent
	layers := map[string][]byte{
		"logo":       solidPNG(t, 50, 40, red, nil),
		"stripe":     solidPNG(t, 50, 40, red, &half),
		"brand:blue": solidPNG(t, 30, 30, blue, nil),
	}

	tiled := layeredImage(t, p, base, "l_stripe/fl_layer_apply.tiled", layers)
	for _, q := range []image.Rectangle{image.Rect(0, 0, 200, 150), image.Rect(200, 0, 400, 150),
		image.Rect(0, 150, 200, 300), image.Rect(200, 150, 400, 300)} {
		n := count(tiled.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(q), isRed)
		if frac := float64(n) / float64(q.Dx()*q.Dy()); frac < 0.4 || frac > 0.6 {
			t.Errorf("fl_tiled: quadrant %v is %.2f red, want about half", q, frac)
		}
	}

	op := layeredImage(t, p, base, "l_logo,o_50/fl_layer_apply,g_south_east", layers)
	if c := px(op, 390, 290); !near(c, color.NRGBA{191, 64, 64, 255}, 6) {
		t.Errorf("o_50: corner %v, want half red over grey", c)
	}
	if c := px(op, 10, 10); !near(c, grey, 2) {
		t.Errorf("o_50: away from the layer %v, want grey", c)
	}

	hole := image.Rect(0, 0, 400, 150) // the base's top half is transparent
	clear := solidPNG(t, 400, 300, blue, &hole)
	under := layeredImage(t, p, clear, "u_logo,w_400,h_300,c_scale/fl_layer_apply", layers)
	if c := px(under, 200, 50); !isRed(c) {
		t.Errorf("u_: transparent part %v, want the red underlay", c)
	}
	if c := px(under, 200, 250); !near(c, blue, 2) {
		t.Errorf("u_: opaque part %v, want the image's blue over the underlay", c)
	}

	nested := layeredImage(t, p, base,
		"l_logo/l_brand:blue,w_10,c_scale/fl_layer_apply,g_north_west/fl_layer_apply,g_south_east", layers)
	isBlue := func(c color.NRGBA) bool { return c.B > 200 && c.R < 60 && c.G < 60 }
	if got, want := box(nested, isBlue), image.Rect(350, 260, 360, 270); got != want {
		t.Errorf("nested: blue box %v, want %v (the top-left of the red logo)", got, want)
	}
	if !isRed(px(nested, 395, 295)) {
		t.Errorf("nested: red logo missing at the corner")
	}
}

// Text layers: text appears, longer text is wider, co_ colours it,
// wrapping makes it taller, b_ gives it a box.
func TestTextLayer(t *testing.T) {
	p := newProcessor(t, Config{})
	base := solidPNG(t, 800, 400, color.NRGBA{255, 255, 255, 255}, nil)
	inked := func(c color.NRGBA) bool { return c.R < 200 || c.G < 200 || c.B < 200 }
	text := func(tx string) image.Rectangle {
		t.Helper()
		r := box(layeredImage(t, p, base, tx, nil), inked)
		if r.Empty() {
			t.Fatalf("%s: no text drawn", tx)
		}
		return r
	}
	short := text("l_text:Arial_40:Hi/fl_layer_apply")
	long := text("l_text:Arial_40:Hello%2C%20world/fl_layer_apply")
	if long.Dx() < 3*short.Dx() {
		t.Errorf("longer text %v not wider than %v", long, short)
	}
	if h := short.Dy(); h < 20 || h > 60 {
		t.Errorf("40 px text is %d px high", h)
	}
	bigger := text("l_text:Arial_80:Hi/fl_layer_apply")
	if bigger.Dy() < short.Dy()*3/2 {
		t.Errorf("80 px text %v not taller than 40 px %v", bigger, short)
	}
	bold := text("l_text:Arial_40_bold:Hello%2C%20world/fl_layer_apply")
	if bold.Dx() <= long.Dx() {
		t.Errorf("bold text %v not wider than regular %v", bold, long)
	}
	spaced := text("l_text:Arial_40_letter_spacing_10:Hello%2C%20world/fl_layer_apply")
	if spaced.Dx() < long.Dx()+80 {
		t.Errorf("letter_spacing_10 text %v not wider than %v", spaced, long)
	}
	words := "l_text:Times_30:the%20quick%20brown%20fox%20jumps%20over%20the%20lazy%20dog"
	line := text(words + "/fl_layer_apply")
	wrapped := text(words + ",c_fit,w_200/fl_layer_apply")
	if wrapped.Dy() < 2*line.Dy() || wrapped.Dx() > 200 {
		t.Errorf("wrapped text %v not taller and narrower than %v", wrapped, line)
	}
	placed := text("l_text:Arial_40:Hi/fl_layer_apply,g_south_east,x_10,y_10")
	if placed.Max.X < 780 || placed.Max.X > 792 || placed.Max.Y < 370 || placed.Max.Y > 392 {
		t.Errorf("south_east text at %v", placed)
	}

	img := layeredImage(t, p, base, "l_text:Arial_60_bold:HELLO,co_red/fl_layer_apply", nil)
	r := box(img, inked)
	reds, dark := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := px(img, x, y)
			if c.R > 200 && c.G < 80 && c.B < 80 {
				reds++
			} else if inked(c) && c.R < 150 {
				dark++
			}
		}
	}
	if reds < 500 || dark > reds/10 {
		t.Errorf("co_red: %d red pixels and %d dark ones in the text box %v", reds, dark, r)
	}

	boxed := layeredImage(t, p, base, "l_text:Arial_40:Hi,b_blue/fl_layer_apply", nil)
	isBlue := func(c color.NRGBA) bool { return c.B > 200 && c.R < 60 && c.G < 60 }
	if b := box(boxed, isBlue); !short.In(b.Inset(-1)) || count(boxed, isBlue) < b.Dx()*b.Dy()/2 {
		t.Errorf("b_blue: blue box %v, want a box around the text %v", b, short)
	}

	// The Node SDK's Admin API test set-up: an eager c_scale,l_text:Arial_60:...,w_100.
	eager := layeredImage(t, p, base, "c_scale,l_text:Arial_60:sdk_test,w_100", nil)
	if r := box(eager, inked); r.Empty() || r.Dx() > 101 {
		t.Errorf("c_scale,l_text,w_100: text box %v, want scaled to 100 wide", r)
	}
}

func TestLayerRefusals(t *testing.T) {
	p := newProcessor(t, Config{})
	base := solidPNG(t, 100, 100, grey, nil)
	layers := map[string][]byte{"logo": solidPNG(t, 10, 10, red, nil)}
	deep := strings.Repeat("l_logo/", maxLayerDepth+1) + strings.Repeat("fl_layer_apply/", maxLayerDepth+1)
	for _, c := range []struct {
		tx     string
		status int
		msg    string
	}{
		{"l_missing/fl_layer_apply", http.StatusNotFound, "Resource not found - missing"},
		{"l_folder:missing", http.StatusNotFound, "Resource not found - folder/missing"},
		{"l_fetch:aHR0cHM6Ly9leGFtcGxlLmNvbS9sb2dvLnBuZw/fl_layer_apply", http.StatusNotFound, "Resource not found - https://example.com/logo.png"},
		{"l_logo,co_red/fl_layer_apply", 400, "Unsupported transformation parameter: co_red"},
		{"l_logo/fl_layer_apply,w_10", 400, "Unsupported transformation parameter: w_10"},
		{"fl_layer_apply", 400, "Unsupported transformation parameter: fl_layer_apply"},
		{"l_video:dog", 400, "Unsupported layer type - video"},
		{"l_text:Comic%20Sans_20:hi", 400, "Unsupported font family - Comic%20Sans"},
		{"l_text:Arial_20_stroke:hi", 400, "Unsupported text style - stroke"},
		{"l_text:Arial_900:hi", 400, "Invalid font size in transformation: 900"},
		{"l_text:fonts:MyFont.ttf_40:hi", 400, ""},
		{strings.TrimSuffix(deep, "/"), 400, "Too many nested layers - the limit is 4"},
		{strings.Repeat("l_logo/fl_layer_apply/", maxLayers+1) + "w_10", 400, "Too many layers - the limit is 8"},
	} {
		_, err := layered(t, p, base, c.tx, layers)
		wantError(t, err, c.status, c.msg)
	}
	// A text layer's estimated size counts against the output limit.
	tight := newProcessor(t, Config{MaxOutputPixels: 100_000})
	_, err := layered(t, tight, base, "l_text:Arial_200:"+strings.Repeat("W", 10), nil)
	wantError(t, err, 400, "Text image too large - reduce the text or the font size")
	// A layer's pixels count against the input limit.
	small := newProcessor(t, Config{MaxInputPixels: 5000})
	_, err = layered(t, small, base, "l_big/fl_layer_apply", map[string][]byte{"big": solidPNG(t, 100, 60, red, nil)})
	wantError(t, err, 400, "")
}

// TestLayerHeadEffect: an effect with its co_ in the layer's own component
// (l_logo,e_colorize,co_blue, Cloudinary's usual form) applies to the
// layer, as in a component of its own; co_ with no effect to take it
// answers 400 naming it.
func TestLayerHeadEffect(t *testing.T) {
	p := newProcessor(t, Config{})
	base := solidPNG(t, 400, 300, color.NRGBA{255, 255, 255, 255}, nil)
	layers := map[string][]byte{"logo": solidPNG(t, 50, 40, color.NRGBA{255, 0, 0, 255}, nil)}
	for _, tx := range []string{
		"l_logo,e_colorize,co_blue/fl_layer_apply,g_north_west",
		"l_logo,co_blue,e_colorize/fl_layer_apply,g_north_west",
		"l_logo/e_colorize,co_blue/fl_layer_apply,g_north_west",
	} {
		img := layeredImage(t, p, base, tx, layers)
		if c := px(img, 20, 20); c.B < 200 || c.R > 50 {
			t.Errorf("%s: the layer is %v, want blue", tx, c)
		}
		if c := px(img, 200, 200); c.R < 250 || c.B < 250 {
			t.Errorf("%s: the image under it is %v, want white", tx, c)
		}
	}
	_, err := layered(t, p, base, "l_logo,co_blue/fl_layer_apply", layers)
	wantError(t, err, 400, "Unsupported transformation parameter: co_blue")
}
