//go:build cgo

package imaging

import (
	"image/color"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Colour effects, checked on pixels of coffee.png (600x400, no profile).
func TestColourEffects(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	in := decodeFile(t, src)
	points := [][2]int{{10, 10}, {300, 200}, {550, 350}, {123, 321}}

	gray := decode(t, do(t, p, src, "e_grayscale", delivery.PNG))
	for _, pt := range points {
		if c := px(gray, pt[0], pt[1]); c.R != c.G || c.G != c.B {
			t.Errorf("e_grayscale at %v: %v, want equal channels", pt, c)
		}
	}
	neg := decode(t, do(t, p, src, "e_negate", delivery.PNG))
	for _, pt := range points {
		a, b := px(in, pt[0], pt[1]), px(neg, pt[0], pt[1])
		if want := (color.NRGBA{255 - a.R, 255 - a.G, 255 - a.B, 255}); !near(b, want, 0) {
			t.Errorf("e_negate at %v: %v, want %v", pt, b, want)
		}
	}
	sepia := decode(t, do(t, p, src, "e_sepia", delivery.PNG))
	for _, pt := range points {
		if c := px(sepia, pt[0], pt[1]); !(c.R >= c.G && c.G >= c.B) {
			t.Errorf("e_sepia at %v: %v, want R ≥ G ≥ B", pt, c)
		}
	}
	weak := decode(t, do(t, p, src, "e_sepia:10", delivery.PNG))
	if d1, d2 := colourDistance(in, weak), colourDistance(in, sepia); d1 >= d2 {
		t.Errorf("e_sepia:10 moved %.1f, e_sepia %.1f", d1, d2)
	}
}

func colourDistance(a, b interface {
	At(x, y int) color.Color
}) float64 {
	var sum float64
	for y := 0; y < 400; y += 7 {
		for x := 0; x < 600; x += 7 {
			ca := color.NRGBAModel.Convert(a.At(x, y)).(color.NRGBA)
			cb := color.NRGBAModel.Convert(b.At(x, y)).(color.NRGBA)
			sum += float64(abs(int(ca.R)-int(cb.R)) + abs(int(ca.G)-int(cb.G)) + abs(int(ca.B)-int(cb.B)))
		}
	}
	return sum
}

// transparentPNG is coffee.png padded to 600x600: rows 0-99 and 500-599
// are transparent. (logo.png has an alpha channel, but it is opaque.)
func transparentPNG(t testing.TB, p *Processor) []byte {
	t.Helper()
	return do(t, p, testkit.Read(t, "coffee.png"), "c_pad,w_600,h_600", delivery.PNG).Body
}

// e_blur smooths (more with a higher level), e_sharpen does the reverse.
func TestBlurSharpen(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	orig := edges(decode(t, do(t, p, src, "w_300", delivery.PNG)))
	blur := edges(decode(t, do(t, p, src, "w_300/e_blur", delivery.PNG)))
	blur2 := edges(decode(t, do(t, p, src, "w_300/e_blur:1000", delivery.PNG)))
	sharp := edges(decode(t, do(t, p, src, "w_300/e_sharpen", delivery.PNG)))
	sharp2 := edges(decode(t, do(t, p, src, "w_300/e_sharpen:500", delivery.PNG)))
	if !(blur2 < blur && blur < orig && orig < sharp && sharp < sharp2) {
		t.Errorf("edge energy: blur:1000 %.2f, blur %.2f, none %.2f, sharpen %.2f, sharpen:500 %.2f",
			blur2, blur, orig, sharp, sharp2)
	}
	// Blur keeps transparency where it was.
	padded := decode(t, do(t, p, transparentPNG(t, p), "e_blur:200", delivery.PNG))
	if px(padded, 300, 2).A != 0 || px(padded, 300, 300).A != 255 {
		t.Errorf("blurred padding %v, image %v", px(padded, 300, 2), px(padded, 300, 300))
	}
}

// a_ turns clockwise; hflip mirrors left-right, vflip top-bottom.
func TestAngle(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png") // 600x400
	in := decodeFile(t, src)
	for _, c := range []struct {
		tx   string
		w, h int
		at   func(x, y int) (int, int) // output pixel → source pixel
	}{
		{"a_90", 400, 600, func(x, y int) (int, int) { return y, 399 - x }},
		{"a_-270", 400, 600, func(x, y int) (int, int) { return y, 399 - x }},
		{"a_180", 600, 400, func(x, y int) (int, int) { return 599 - x, 399 - y }},
		{"a_270", 400, 600, func(x, y int) (int, int) { return 599 - y, x }},
		{"a_hflip", 600, 400, func(x, y int) (int, int) { return 599 - x, y }},
		{"a_vflip", 600, 400, func(x, y int) (int, int) { return x, 399 - y }},
		{"a_hflip.vflip", 600, 400, func(x, y int) (int, int) { return 599 - x, 399 - y }},
		{"a_360", 600, 400, func(x, y int) (int, int) { return x, y }},
	} {
		res := do(t, p, src, c.tx, delivery.PNG)
		if res.Width != c.w || res.Height != c.h {
			t.Errorf("%s: %dx%d, want %dx%d", c.tx, res.Width, res.Height, c.w, c.h)
			continue
		}
		out := decode(t, res)
		for _, pt := range [][2]int{{0, 0}, {5, 17}, {c.w - 1, c.h - 1}, {c.w / 2, 3}} {
			sx, sy := c.at(pt[0], pt[1])
			if got, want := px(out, pt[0], pt[1]), px(in, sx, sy); !near(got, want, 0) {
				t.Errorf("%s at %v: %v, want source (%d,%d) %v", c.tx, pt, got, sx, sy, want)
			}
		}
	}
	// Other angles enlarge the canvas; the uncovered corners are
	// transparent in PNG, white in JPEG, b_ when given.
	res := do(t, p, src, "a_45", delivery.PNG)
	if res.Width < 700 || res.Height < 700 {
		t.Errorf("a_45: %dx%d", res.Width, res.Height)
	}
	if c := px(decode(t, res), 2, 2); c.A != 0 {
		t.Errorf("a_45 PNG corner %v, want transparent", c)
	}
	if c := px(decode(t, do(t, p, src, "a_45", delivery.JPG)), 2, 2); !near(c, color.NRGBA{255, 255, 255, 255}, 3) {
		t.Errorf("a_45 JPEG corner %v, want white", c)
	}
	if c := px(decode(t, do(t, p, src, "a_-30,b_blue", delivery.PNG)), 2, 2); !near(c, color.NRGBA{0, 0, 255, 255}, 0) {
		t.Errorf("a_-30,b_blue corner %v, want blue", c)
	}
}

// b_ fills transparent pixels; bo_ adds a border; r_ rounds corners; o_
// makes the image translucent.
func TestBackgroundBorderRadiusOpacity(t *testing.T) {
	p := newProcessor(t, Config{})
	logo, photo := transparentPNG(t, p), testkit.Read(t, "coffee.png")
	red := color.NRGBA{255, 0, 0, 255}

	if c := px(decode(t, do(t, p, logo, "b_rgb:ff0000", delivery.PNG)), 2, 2); !near(c, red, 0) {
		t.Errorf("b_rgb:ff0000 on transparency: %v", c)
	}
	if c := px(decode(t, do(t, p, logo, "b_red", delivery.JPG)), 2, 2); !near(c, red, 8) {
		t.Errorf("b_red then JPEG: %v", c)
	}
	if c := px(decode(t, do(t, p, logo, "w_100", delivery.JPG)), 2, 2); !near(c, color.NRGBA{255, 255, 255, 255}, 3) {
		t.Errorf("transparent to JPEG: %v, want white", c)
	}

	bo := decode(t, do(t, p, photo, "bo_5px_solid_rgb:ff0000", delivery.PNG))
	if b := bo.Bounds(); b.Dx() != 610 || b.Dy() != 410 {
		t.Errorf("bo_: %v", b)
	}
	if !near(px(bo, 0, 0), red, 0) || !near(px(bo, 609, 205), red, 0) || near(px(bo, 305, 205), red, 60) {
		t.Errorf("bo_ pixels %v %v %v", px(bo, 0, 0), px(bo, 609, 205), px(bo, 305, 205))
	}

	round := decode(t, do(t, p, photo, "r_40", delivery.PNG))
	if px(round, 0, 0).A != 0 || px(round, 599, 399).A != 0 || px(round, 40, 40).A != 255 || px(round, 300, 0).A != 255 {
		t.Errorf("r_40 alpha: %d %d %d %d", px(round, 0, 0).A, px(round, 599, 399).A, px(round, 40, 40).A, px(round, 300, 0).A)
	}
	if c := px(decode(t, do(t, p, photo, "r_40", delivery.JPG)), 1, 1); !near(c, color.NRGBA{255, 255, 255, 255}, 3) {
		t.Errorf("r_40 JPEG corner %v, want white", c)
	}
	four := decode(t, do(t, p, photo, "r_0:60", delivery.PNG)) // tl/br square, tr/bl round
	if px(four, 0, 0).A != 255 || px(four, 599, 0).A != 0 || px(four, 599, 399).A != 255 || px(four, 0, 399).A != 0 {
		t.Error("r_0:60 rounded the wrong corners")
	}
	circle := decode(t, do(t, p, photo, "c_fill,w_200,h_200/r_max", delivery.PNG))
	if px(circle, 100, 100).A != 255 || px(circle, 100, 1).A < 128 || px(circle, 15, 15).A != 0 || px(circle, 1, 100).A < 128 {
		t.Errorf("r_max: centre %d top %d diagonal %d left %d", px(circle, 100, 100).A, px(circle, 100, 1).A,
			px(circle, 15, 15).A, px(circle, 1, 100).A)
	}
	ellipse := decode(t, do(t, p, photo, "r_max", delivery.PNG))
	if px(ellipse, 300, 1).A < 128 || px(ellipse, 60, 60).A != 0 || px(ellipse, 1, 200).A < 128 {
		t.Error("r_max on 600x400 is not the inscribed ellipse")
	}
	// With rounded corners the border follows the curve.
	rb := decode(t, do(t, p, photo, "r_40,bo_4px_solid_red", delivery.PNG))
	if px(rb, 0, 0).A != 0 || !near(px(rb, 304, 1), red, 0) || !near(px(rb, 14, 14), red, 8) {
		t.Errorf("r_ with bo_: corner %v top %v curve %v", px(rb, 0, 0), px(rb, 304, 1), px(rb, 14, 14))
	}

	half := decode(t, do(t, p, photo, "o_50", delivery.PNG))
	if a := px(half, 300, 200).A; a < 126 || a > 129 {
		t.Errorf("o_50 alpha %d", a)
	}
	faded := decode(t, do(t, p, photo, "o_20", delivery.JPG))
	if m := mean(faded, 1); m < 200 {
		t.Errorf("o_20 JPEG mean green %.0f, want washed out towards white", m)
	}
}

// pg_ picks a page (frame) of a multi-page input, 1-based, negative from
// the end.
func TestPage(t *testing.T) {
	p := newProcessor(t, Config{})
	red, green, blue := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}, color.RGBA{0, 0, 255, 255}
	src := animatedGIF(t, red, green, blue)
	info, err := p.Probe(src)
	if err != nil || info.Pages != 3 || info.Format != delivery.GIF {
		t.Fatalf("probe: %+v %v", info, err)
	}
	for tx, want := range map[string]color.RGBA{"w_10": red, "pg_1": red, "pg_2": green, "pg_3": blue, "pg_-1": blue, "pg_2/w_5": green} {
		res := do(t, p, src, tx, delivery.PNG)
		if c := px(decode(t, res), 1, 1); !near(c, color.NRGBA(want), 0) {
			t.Errorf("%s: %v, want %v", tx, c, want)
		}
	}
	for _, tx := range []string{"pg_4", "pg_-4"} {
		_, err := try(t, p, src, tx, delivery.PNG)
		wantError(t, err, 400, "Invalid page in transformation: "+tx[3:])
	}
	_, err = try(t, p, testkit.Read(t, "rocket.jpg"), "pg_2", delivery.JPG)
	wantError(t, err, 400, "Invalid page in transformation: 2")
	if r := do(t, p, src, "pg_2", delivery.FormatNone); r.Format != delivery.GIF || r.Width != 20 {
		t.Errorf("GIF kept as GIF: %v %dx%d", r.Format, r.Width, r.Height)
	}
}

// Components apply in order.
func TestChainOrder(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	// Pad then grayscale: the padding is grey too. Grayscale then pad with
	// red: the padding stays red.
	a := decode(t, do(t, p, src, "c_pad,w_600,h_600,b_red/e_grayscale", delivery.PNG))
	b := decode(t, do(t, p, src, "e_grayscale/c_pad,w_600,h_600,b_red", delivery.PNG))
	if c := px(a, 300, 5); c.R != c.G {
		t.Errorf("pad then grayscale: padding %v", c)
	}
	if c := px(b, 300, 5); !near(c, color.NRGBA{255, 0, 0, 255}, 0) {
		t.Errorf("grayscale then pad: padding %v", c)
	}
	// Crop then rotate differs from rotate then crop.
	r1 := do(t, p, src, "c_crop,w_200,h_100,g_north_west/a_90", delivery.PNG)
	r2 := do(t, p, src, "a_90/c_crop,w_200,h_100,g_north_west", delivery.PNG)
	if r1.Width != 100 || r1.Height != 200 || r2.Width != 200 || r2.Height != 100 {
		t.Errorf("crop/rotate order: %dx%d and %dx%d", r1.Width, r1.Height, r2.Width, r2.Height)
	}
}
