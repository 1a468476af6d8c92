//go:build cgo

package imaging

import (
	"bytes"
	"context"
	"image"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The animated fixture: frames of astronaut.png (public domain, committed)
// w × h, the window shifted by two pixels right and one down per frame,
// in the web-safe palette, with delays cycling 40, 50, 60 ms and a loop
// count of 3 (Go's: three repeats after the first play).
const (
	fixtureLoop = 3
)

func fixtureDelay(i int) int { return 4 + i%3 } // hundredths of a second

// photoGIF makes the animated fixture: n frames of w × h.
func photoGIF(t testing.TB, n, w, h int) []byte {
	t.Helper()
	src, err := png.Decode(bytes.NewReader(testkit.Read(t, "astronaut.png")))
	if err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(src.Bounds())
	draw.Draw(rgba, rgba.Bounds(), src, src.Bounds().Min, draw.Src)
	g := &gif.GIF{LoopCount: fixtureLoop}
	for i := 0; i < n; i++ {
		f := image.NewPaletted(image.Rect(0, 0, w, h), palette.WebSafe)
		dx, dy := 2*i, i
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				o := rgba.PixOffset((x+dx)%rgba.Rect.Dx(), (y+dy)%rgba.Rect.Dy())
				r, gg, b := rgba.Pix[o], rgba.Pix[o+1], rgba.Pix[o+2]
				q := func(v uint8) int { return (int(v) + 25) / 51 }
				f.Pix[y*f.Stride+x] = uint8(q(r)*36 + q(gg)*6 + q(b))
			}
		}
		g.Image = append(g.Image, f)
		g.Delay = append(g.Delay, fixtureDelay(i))
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gifFrames decodes an animated GIF into its frames as displayed (each
// drawn over the previous one), with its delays and loop count.
func gifFrames(t testing.TB, b []byte) ([]*image.RGBA, []int, int) {
	t.Helper()
	g, err := gif.DecodeAll(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode GIF: %v", err)
	}
	canvas := image.NewRGBA(image.Rect(0, 0, g.Config.Width, g.Config.Height))
	var frames []*image.RGBA
	for i, f := range g.Image {
		prev := image.NewRGBA(canvas.Rect)
		copy(prev.Pix, canvas.Pix)
		draw.Draw(canvas, f.Bounds(), f, f.Bounds().Min, draw.Over)
		shown := image.NewRGBA(canvas.Rect)
		copy(shown.Pix, canvas.Pix)
		frames = append(frames, shown)
		if i < len(g.Disposal) {
			switch g.Disposal[i] {
			case gif.DisposalBackground:
				draw.Draw(canvas, f.Bounds(), image.Transparent, image.Point{}, draw.Src)
			case gif.DisposalPrevious:
				canvas = prev
			}
		}
	}
	return frames, g.Delay, g.LoopCount
}

// diff is the mean absolute difference of two same-size images (RGB).
func diff(a, b *image.RGBA) float64 {
	var s float64
	for i := 0; i < len(a.Pix); i += 4 {
		for c := 0; c < 3; c++ {
			s += float64(abs(int(a.Pix[i+c]) - int(b.Pix[i+c])))
		}
	}
	return s / float64(len(a.Pix)/4*3)
}

// fixture is the benchmark's animated GIF: 30 frames of 480x270.
func fixture(t testing.TB) []byte { return photoGIF(t, 30, 480, 270) }

// halve shrinks an image to half size by averaging 2×2 blocks.
func halve(a *image.RGBA) *image.RGBA {
	b := image.NewRGBA(image.Rect(0, 0, a.Rect.Dx()/2, a.Rect.Dy()/2))
	for y := 0; y < b.Rect.Dy(); y++ {
		for x := 0; x < b.Rect.Dx(); x++ {
			for c := 0; c < 4; c++ {
				s := int(a.Pix[a.PixOffset(2*x, 2*y)+c]) + int(a.Pix[a.PixOffset(2*x+1, 2*y)+c]) +
					int(a.Pix[a.PixOffset(2*x, 2*y+1)+c]) + int(a.Pix[a.PixOffset(2*x+1, 2*y+1)+c])
				b.Pix[b.PixOffset(x, y)+c] = uint8(s / 4)
			}
		}
	}
	return b
}

// wantDelays checks a GIF's delays (hundredths of a second).
func wantDelays(t *testing.T, what string, got []int, want func(i int) int) {
	t.Helper()
	for i, d := range got {
		if d != want(i) {
			t.Fatalf("%s: frame %d delay %d, want %d (all: %v)", what, i, d, want(i), got)
		}
	}
}

// An animated GIF resized keeps every frame, each frame's delay, the loop
// count, and the motion: output frame k is input frame k, smaller.
func TestAnimatedResize(t *testing.T) {
	p := newProcessor(t, Config{})
	src := fixture(t)
	in, _, _ := gifFrames(t, src)
	res := do(t, p, src, "w_240", delivery.FormatNone)
	if res.Format != delivery.GIF || res.Width != 240 || res.Height != 135 {
		t.Fatalf("w_240: %v %dx%d", res.Format, res.Width, res.Height)
	}
	out, delays, loop := gifFrames(t, res.Body)
	if len(out) != 30 || out[0].Rect.Dx() != 240 || out[0].Rect.Dy() != 135 {
		t.Fatalf("w_240: %d frames of %v", len(out), out[0].Rect)
	}
	wantDelays(t, "w_240", delays, fixtureDelay)
	if loop != fixtureLoop {
		t.Errorf("loop count %d, want %d", loop, fixtureLoop)
	}
	for k := 0; k < 30; k++ {
		own := diff(halve(in[k]), out[k])
		other := diff(halve(in[k]), out[(k+10)%30])
		if own >= other || own > 12 {
			t.Errorf("frame %d: differs from its input by %.1f, from another frame's by %.1f", k, own, other)
		}
	}
}

// Crops, rotations, padding, effects and corners run on every frame.
func TestAnimatedPerFrame(t *testing.T) {
	p := newProcessor(t, Config{})
	src := fixture(t)
	in, _, _ := gifFrames(t, src)
	res := do(t, p, src, "c_crop,w_200,h_100,g_north_west/a_90/e_grayscale/c_lpad,w_120,h_220,b_red", delivery.GIF)
	out, delays, _ := gifFrames(t, res.Body)
	if len(out) != 30 || res.Width != 120 || res.Height != 220 {
		t.Fatalf("%d frames of %dx%d", len(out), res.Width, res.Height)
	}
	wantDelays(t, "per frame", delays, fixtureDelay)
	for k, f := range out {
		if c := f.RGBAAt(60, 2); c.R < 200 || c.G > 60 || c.B > 60 {
			t.Fatalf("frame %d: padding %v, want red", k, c)
		}
		for _, pt := range []image.Point{{30, 50}, {60, 110}, {90, 170}} {
			if c := f.RGBAAt(pt.X, pt.Y); abs(int(c.R)-int(c.G)) > 8 || abs(int(c.G)-int(c.B)) > 8 {
				t.Fatalf("frame %d at %v: %v, want grey", k, pt, c)
			}
		}
		// Rotated a quarter clockwise: the crop's top-left corner is now
		// top-right (x 10+99, y 10 inside the padding).
		want := in[k].RGBAAt(0, 0)
		got := f.RGBAAt(10+99, 10)
		grey := (int(want.R)*299 + int(want.G)*587 + int(want.B)*114) / 1000
		if abs(int(got.G)-grey) > 40 {
			t.Errorf("frame %d: corner %v, want grey of %v", k, got, want)
		}
	}
	if d := diff(out[0], out[15]); d < 5 {
		t.Errorf("frames 0 and 15 differ by %.1f: the motion is lost", d)
	}
}

// pg_ ranges and lists keep those frames, animated, with their delays;
// one page is a still frame; a range on a still output format is refused.
func TestAnimatedPages(t *testing.T) {
	p := newProcessor(t, Config{})
	src := fixture(t)
	in, _, _ := gifFrames(t, src)
	for tx, want := range map[string][]int{
		"pg_2-4":         {1, 2, 3},
		"pg_28-":         {27, 28, 29},
		"pg_2;4":         {1, 3},
		"pg_1;29-40":     {0, 28, 29},
		"pg_5-6/w_480":   {4, 5},
		"pg_3;1/a_hflip": {2, 0},
	} {
		res := do(t, p, src, tx, delivery.GIF)
		out, delays, _ := gifFrames(t, res.Body)
		if len(out) != len(want) {
			t.Fatalf("%s: %d frames, want %d", tx, len(out), len(want))
		}
		flip := tx == "pg_3;1/a_hflip"
		for k, i := range want {
			if delays[k] != fixtureDelay(i) {
				t.Errorf("%s: frame %d delay %d, want input frame %d's %d", tx, k, delays[k], i, fixtureDelay(i))
			}
			if flip {
				continue
			}
			if d := diff(in[i], out[k]); d > 3 {
				t.Errorf("%s: frame %d differs from input frame %d by %.1f", tx, k, i, d)
			}
		}
	}
	res := do(t, p, src, "pg_2", delivery.GIF)
	if out, _, _ := gifFrames(t, res.Body); len(out) != 1 || diff(in[1], out[0]) > 3 {
		t.Errorf("pg_2: %d frames", len(out))
	}
	if res := do(t, p, src, "w_100", delivery.JPG); res.Format != delivery.JPG || res.Width != 100 {
		t.Errorf("animated to JPEG: %v %dx%d", res.Format, res.Width, res.Height)
	}
	_, err := try(t, p, src, "pg_2-4", delivery.JPG)
	wantError(t, err, 400, "Page ranges and lists (pg_) need an animated input and an animated output format (gif, webp or auto)")
	_, err = try(t, p, src, "fl_animated", delivery.PNG)
	wantError(t, err, 400, "fl_animated needs an animated output format (gif, webp or auto)")
	_, err = try(t, p, src, "pg_31-33", delivery.GIF)
	wantError(t, err, 400, "Invalid page in transformation: no frame in range")
	for _, tx := range []string{"pg_4-2", "pg_2;"} {
		_, err := try(t, p, src, tx, delivery.GIF)
		wantError(t, err, 400, "Invalid page in transformation: "+tx[3:])
	}
	_, err = try(t, p, src, "pg_name:layer1", delivery.GIF)
	wantError(t, err, 400, "Unsupported transformation parameter: pg_name:layer1")
}

// dl_ sets every frame's delay; e_loop the loop count (e_loop:n plays n
// more times, e_loop forever).
func TestAnimatedDelayLoop(t *testing.T) {
	p := newProcessor(t, Config{})
	src := fixture(t)
	res := do(t, p, src, "w_120,dl_200/e_loop:2", delivery.GIF)
	out, delays, loop := gifFrames(t, res.Body)
	if len(out) != 30 {
		t.Fatalf("%d frames", len(out))
	}
	wantDelays(t, "dl_200", delays, func(int) int { return 20 })
	if loop != 2 {
		t.Errorf("e_loop:2: loop count %d, want 2", loop)
	}
	_, _, loop = gifFrames(t, do(t, p, src, "e_loop/w_120", delivery.GIF).Body)
	if loop != 0 {
		t.Errorf("e_loop: loop count %d, want 0 (forever)", loop)
	}
	for tx, msg := range map[string]string{
		"dl_-5":     "Invalid delay in transformation: -5",
		"dl_abc":    "Invalid delay in transformation: abc",
		"dl_700000": "Invalid delay in transformation: 700000",
	} {
		_, err := try(t, p, src, tx, delivery.GIF)
		wantError(t, err, 400, msg)
	}
	// On a still image they change nothing.
	if r := do(t, p, testkit.Read(t, "rocket.jpg"), "w_50,dl_100/e_loop", delivery.JPG); r.Width != 50 {
		t.Errorf("dl_ on a still: %dx%d", r.Width, r.Height)
	}
}

// f_auto keeps the animation: animated WebP where the browser takes WebP,
// else GIF; f_webp too. An animated WebP input keeps its frames as well.
func TestAnimatedFormats(t *testing.T) {
	p := newProcessor(t, Config{})
	src := fixture(t)
	in, _, _ := gifFrames(t, src)
	tr := mustParse(t, "w_240")
	for _, c := range []struct {
		format, accept, want delivery.Format
	}{
		{delivery.FormatAuto, delivery.WebP, delivery.WebP},
		{delivery.FormatAuto, delivery.AVIF, delivery.WebP},
		{delivery.FormatAuto, delivery.FormatNone, delivery.GIF},
		{delivery.WebP, delivery.FormatNone, delivery.WebP},
	} {
		res, err := p.Transform(t.Context(), src, Request{Transformation: tr, Format: c.format, Accept: c.accept})
		if err != nil {
			t.Fatal(err)
		}
		info := probe(t, p, res)
		if res.Format != c.want || info.Pages != 30 || info.Width != 240 || info.Height != 135 {
			t.Errorf("%v with Accept %v: %v, %d pages of %dx%d", c.format, c.accept, res.Format, info.Pages, info.Width, info.Height)
		}
	}
	webp := do(t, p, src, "w_240", delivery.WebP)
	back := do(t, p, webp.Body, "pg_10-12", delivery.GIF)
	out, delays, _ := gifFrames(t, back.Body)
	if len(out) != 3 || out[0].Rect.Dx() != 240 {
		t.Fatalf("WebP to GIF: %d frames", len(out))
	}
	wantDelays(t, "WebP to GIF", delays, func(k int) int { return fixtureDelay(k + 9) })
	for k := range out {
		if d := diff(halve(in[k+9]), out[k]); d > 14 {
			t.Errorf("WebP frame %d differs from input frame %d by %.1f", k+10, k+10, d)
		}
	}
}

// The limits hold frame by frame: the frame count, the pixels of the
// frames decoded, the cost of every frame's work.
func TestAnimatedLimits(t *testing.T) {
	src := fixture(t)
	_, err := try(t, newProcessor(t, Config{MaxFrames: 10}), src, "w_100", delivery.GIF)
	wantError(t, err, 400, "Animated image has too many frames - 30 is more than the limit of 10")
	if r := do(t, newProcessor(t, Config{MaxFrames: 10}), src, "pg_1-10/w_100", delivery.GIF); r.Width != 100 {
		t.Errorf("10 frames: %dx%d", r.Width, r.Height)
	}
	_, err = try(t, newProcessor(t, Config{MaxInputPixels: 2_000_000}), src, "w_100", delivery.GIF)
	wantError(t, err, 400, "Image is too large - 480x8100 is more than the limit of 2000000 pixels")
	_, err = try(t, newProcessor(t, Config{MaxCost: 100 * time.Millisecond}), src, "w_100/e_blur:500", delivery.GIF)
	wantError(t, err, 400, "")
	if msg := errString(err); !strings.HasPrefix(msg, "Transformation too expensive - estimated work of ") ||
		!strings.HasSuffix(msg, " is more than the limit of 100ms") {
		t.Errorf("30 blurred frames in a 100ms budget: %q", msg)
	}
	_, err = try(t, newProcessor(t, Config{MaxOutputPixels: 1_000_000}), src, "w_480", delivery.GIF)
	wantError(t, err, 400, "Requested image size 480x8100 exceeds the limit of 1000000 pixels")

	// A hostile GIF of 10,000 frames.
	g := &gif.GIF{}
	for i := 0; i < 10000; i++ {
		g.Image = append(g.Image, image.NewPaletted(image.Rect(0, 0, 2, 2), palette.Plan9))
		g.Delay = append(g.Delay, 1)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	p := newProcessor(t, Config{})
	_, err = try(t, p, b.Bytes(), "w_10", delivery.GIF)
	// libvips counts at most 4097 frames of a GIF: the file has more.
	wantError(t, err, 400, "")
	if msg := err.Error(); !strings.HasPrefix(msg, "Animated image has too many frames - ") || !strings.HasSuffix(msg, " is more than the limit of 400") {
		t.Errorf("10,000 frames: %q", msg)
	}
	if r := do(t, p, b.Bytes(), "w_10", delivery.PNG); r.Width != 10 {
		t.Errorf("first frame: %dx%d", r.Width, r.Height)
	}
}

// What would make frames differ in size or jump about is refused.
func TestAnimatedUnsupported(t *testing.T) {
	p := newProcessor(t, Config{})
	src := fixture(t)
	for tx, what := range map[string]string{
		"c_fill,w_100,h_100,g_auto":   "g_auto (and g_face)",
		"c_fill,w_100,h_100,g_face":   "g_auto (and g_face)",
		"c_crop,g_faces":              "g_auto (and g_face)",
		"c_thumb,w_100,g_custom:face": "g_auto (and g_face)",
		"e_trim":                      "e_trim",
	} {
		_, err := try(t, p, src, tx, delivery.GIF)
		wantError(t, err, 400, "Unsupported transformation parameter on an animated image: "+what)
	}
}

// The transform timeout stops the work of every frame in flight.
func TestAnimatedDeadline(t *testing.T) {
	const timeout = 300 * time.Millisecond
	p := newProcessor(t, Config{Workers: 1, Timeout: timeout, MaxCost: -1})
	tr := mustParse(t, "w_1200/"+strings.TrimSuffix(strings.Repeat("e_blur:1998/", 10), "/"))
	start := time.Now()
	_, err := p.Transform(context.Background(), fixture(t), Request{Transformation: tr, Format: delivery.GIF})
	wantError(t, err, 504, "Image transformation timed out")
	if late := time.Since(start) - timeout; late > stopBound {
		t.Errorf("returned %v after the deadline, bound %v", late, stopBound)
	}
	checkFreed(t, p)
}

// A layer is composited on every frame.
func TestAnimatedLayer(t *testing.T) {
	p := newProcessor(t, Config{})
	src := fixture(t)
	res := do(t, p, src, "w_240/l_text:Arial_40_bold:Hi,co_rgb:00ff00/fl_layer_apply,g_north_west", delivery.GIF)
	out, _, _ := gifFrames(t, res.Body)
	if len(out) != 30 {
		t.Fatalf("%d frames", len(out))
	}
	for k, f := range out {
		green := 0
		for y := 0; y < 50; y++ {
			for x := 0; x < 60; x++ {
				if c := f.RGBAAt(x, y); c.G > 200 && c.R < 80 && c.B < 80 {
					green++
				}
			}
		}
		if green < 100 {
			t.Errorf("frame %d: %d green text pixels at the top left", k, green)
		}
	}
}

// The frame limit is checked on the count of the frames pg_ keeps, which
// costs nothing to make however many spans the URL repeats: a list of
// them is only built within the limit.
func TestAnimationCount(t *testing.T) {
	for _, v := range []string{"2-4", "28-", "2;4", "1;29-40", "3;1", "31-33", "1-;1-;5"} {
		var p plan
		if err := p.pages(v); err != nil {
			t.Fatal(v, err)
		}
		if got, want := p.anim.count(30), len(p.anim.frames(30)); got != want {
			t.Errorf("pg_%s: count %d, frames %d", v, got, want)
		}
	}
	var p plan
	if err := p.pages(strings.TrimSuffix(strings.Repeat("1-;", 1000), ";")); err != nil {
		t.Fatal(err)
	}
	var n int
	if allocs := testing.AllocsPerRun(10, func() { n = p.anim.count(4097) }); allocs != 0 || n != 4_097_000 {
		t.Errorf("1000 spans of 4097 pages: count %d with %v allocations", n, allocs)
	}
}
