//go:build cgo

package imaging

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
)

// scene is a PNG of w × h pixels of bg with solid squares on it.
func scene(t testing.TB, w, h int, bg color.NRGBA, squares ...square) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, bg)
		}
	}
	for _, s := range squares {
		for y := s.r.Min.Y; y < s.r.Max.Y; y++ {
			for x := s.r.Min.X; x < s.r.Max.X; x++ {
				img.SetNRGBA(x, y, s.c)
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type square struct {
	r image.Rectangle
	c color.NRGBA
}

var (
	dark   = color.NRGBA{40, 40, 40, 255}
	bright = color.NRGBA{250, 230, 40, 255}
)

// brightShare is the share of img's pixels (in r, the whole image when
// empty) that are near bright.
func brightShare(img image.Image, r image.Rectangle) float64 {
	if r.Empty() {
		r = image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy())
	}
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if near(px(img, x, y), bright, 40) {
				n++
			}
		}
	}
	return float64(n) / float64(r.Dx()*r.Dy())
}

// c_auto keeps one bright object off-centre and crops tighter around it
// than c_fill,g_auto; c_fill's centre crop loses it; z_ zooms the crop.
func TestAutoCropKeepsSalientObject(t *testing.T) {
	p := newProcessor(t, Config{})
	src := scene(t, 600, 400, dark, square{image.Rect(520, 40, 580, 100), bright})
	share := func(tx string) float64 {
		res := do(t, p, src, tx, delivery.PNG)
		if res.Width != 100 || res.Height != 100 {
			t.Fatalf("%s: %dx%d, want 100x100", tx, res.Width, res.Height)
		}
		return brightShare(decode(t, res), image.Rectangle{})
	}
	auto, center, fill := share("c_auto,h_100,w_100"), share("c_fill,h_100,w_100"), share("c_fill,g_auto,h_100,w_100")
	if auto < 0.25 || center > 0 || fill >= auto/2 {
		t.Errorf("bright share: c_auto %.3f, c_fill %.3f, c_fill,g_auto %.3f", auto, center, fill)
	}
	for _, tx := range []string{"c_auto,g_auto,h_100,w_100", "c_auto,g_auto:subject,h_100,w_100",
		"c_auto,g_auto:classic:thirds_0,h_100,w_100"} {
		if got := share(tx); got != auto {
			t.Errorf("%s: bright share %.3f, c_auto's %.3f", tx, got, auto)
		}
	}
	in, out := share("c_auto,h_100,w_100,z_2"), share("c_auto,h_100,w_100,z_0.5")
	if !(in > auto && auto > out && out > 0.02) {
		t.Errorf("bright share: z_2 %.3f, z_1 %.3f, z_0.5 %.3f", in, auto, out)
	}
	// Larger than the image: the largest box of the ratio, enlarged.
	if res := do(t, p, src, "c_auto,h_800,w_800", delivery.PNG); res.Width != 800 || res.Height != 800 ||
		brightShare(decode(t, res), image.Rectangle{}) < 0.01 {
		t.Errorf("c_auto,h_800,w_800: %dx%d without the object", res.Width, res.Height)
	}
	// One dimension: a plain scale.
	if res := do(t, p, src, "c_auto,w_300", delivery.PNG); res.Width != 300 || res.Height != 200 {
		t.Errorf("c_auto,w_300: %dx%d, want 300x200", res.Width, res.Height)
	}
}

// c_fill_pad and c_auto_pad fill (or auto-crop) when the salient region
// fits, and pad just enough when it does not.
func TestFillPadAutoPad(t *testing.T) {
	p := newProcessor(t, Config{})
	one := scene(t, 600, 200, dark, square{image.Rect(500, 60, 560, 120), bright})
	two := scene(t, 600, 200, dark, square{image.Rect(10, 60, 70, 120), bright},
		square{image.Rect(530, 60, 590, 120), bright})
	white := white255
	for _, c := range []struct {
		tx     string
		src    []byte
		padded bool
		tight  bool // the object fills much of the result
	}{
		{"c_fill_pad,g_auto,h_50,w_50", one, false, false},
		{"c_auto_pad,g_auto,h_50,w_50", one, false, true},
		{"c_fill_pad,g_auto,h_200,w_200", two, true, false},
		{"c_auto_pad,g_auto,h_200,w_200", two, true, false},
	} {
		res := do(t, p, c.src, c.tx, delivery.PNG)
		n := res.Width
		if res.Width != res.Height || (n != 50 && n != 200) {
			t.Fatalf("%s: %dx%d", c.tx, res.Width, res.Height)
		}
		img := decode(t, res)
		top := px(img, n/2, 1) // transparent padding: the PNG has alpha
		if got := top.A == 0 || near(top, white, 2); got != c.padded {
			t.Errorf("%s: top pixel %v, padded %v, want %v", c.tx, top, got, c.padded)
		}
		left, right := brightShare(img, image.Rect(0, 0, n/2, n)), brightShare(img, image.Rect(n/2, 0, n, n))
		switch {
		case c.padded && (left == 0 || right == 0):
			t.Errorf("%s: bright share left %.3f, right %.3f: an object is cut", c.tx, left, right)
		case !c.padded && left+right == 0:
			t.Errorf("%s: the object is cut", c.tx)
		case c.tight != (left+right > 0.5):
			t.Errorf("%s: bright share %.3f, tight %v", c.tx, (left+right)/2, c.tight)
		}
	}
	// c_fill,g_auto on the same image loses one of the two.
	img := decode(t, do(t, p, two, "c_fill,g_auto,h_200,w_200", delivery.PNG))
	if brightShare(img, image.Rect(0, 0, 100, 200)) > 0 && brightShare(img, image.Rect(100, 0, 200, 200)) > 0 {
		t.Error("c_fill,g_auto kept both objects: the test image does not need padding")
	}
	// The padding takes b_.
	img = decode(t, do(t, p, two, "b_rgb:00ff00,c_fill_pad,g_auto,h_200,w_200", delivery.PNG))
	if c := px(img, 100, 5); !near(c, color.NRGBA{0, 255, 0, 255}, 2) {
		t.Errorf("b_rgb:00ff00: padding %v", c)
	}
}

// b_auto pads with the border's predominant colour, the image's, their
// contrasting colour, or the nearest (or farthest) palette colour.
func TestAutoBackground(t *testing.T) {
	p := newProcessor(t, Config{})
	red, green := color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 128, 0, 255}
	framed := scene(t, 200, 200, red, square{image.Rect(10, 10, 190, 190), green})
	for _, c := range []struct {
		tx   string
		want color.NRGBA
	}{
		{"b_auto,c_pad,h_200,w_400", red},
		{"b_auto:border,c_lpad,h_200,w_400", red},
		{"b_auto:predominant,c_pad,h_200,w_400", green},
		{"b_auto:border_contrast,c_pad,h_200,w_400", color.NRGBA{0, 255, 255, 255}},
		{"b_auto:predominant_contrast,c_pad,h_200,w_400", color.NRGBA{255, 0, 255, 255}},
		{"b_auto:predominant:palette_white_navy,c_pad,h_200,w_400", color.NRGBA{0, 0, 128, 255}},
		{"b_auto:predominant_contrast:palette_white_navy,c_pad,h_200,w_400", white255},
		{"b_auto:border:palette_rgb:f00_blue,c_pad,h_200,w_400", red},
		{"b_auto,c_mpad,h_400,w_800", red},
	} {
		res := do(t, p, framed, c.tx, delivery.PNG)
		img := decode(t, res)
		if got := px(img, 20, res.Height/2); !near(got, c.want, 3) {
			t.Errorf("%s: padding %v, want %v", c.tx, got, c.want)
		}
	}
	// With c_fill_pad and c_auto_pad, where they pad.
	two := scene(t, 600, 200, red, square{image.Rect(10, 60, 70, 120), bright},
		square{image.Rect(530, 60, 590, 120), bright})
	for _, tx := range []string{"b_auto,c_fill_pad,g_auto,h_200,w_200", "b_auto:predominant,c_auto_pad,g_auto,h_200,w_200"} {
		if got := px(decode(t, do(t, p, two, tx, delivery.PNG)), 100, 5); !near(got, red, 3) {
			t.Errorf("%s: padding %v, want red", tx, got)
		}
	}
}

var white255 = color.NRGBA{255, 255, 255, 255}

// What is not built answers 400 naming it.
func TestCropsRefused(t *testing.T) {
	p := newProcessor(t, Config{})
	src := scene(t, 60, 40, dark)
	for tx, msg := range map[string]string{
		"c_fill_pad,h_100,w_100":                    "c_fill_pad requires g_auto",
		"c_auto_pad,h_100,w_100":                    "c_auto_pad requires g_auto",
		"c_auto,g_north,h_100,w_100":                "Unsupported transformation parameter: c_auto with g_north",
		"c_auto,g_face,h_100,w_100":                 "Unsupported transformation parameter: c_auto with g_face",
		"c_fill_pad,g_center,h_100,w_100":           "Unsupported transformation parameter: c_fill_pad with g_center",
		"c_auto,h_100,w_100,x_10":                   "Unsupported transformation parameter: x_10 with c_auto",
		"c_fill,g_auto:cat,h_100,w_100":             "g_auto:cat is unavailable: it needs object detection that this server does not have",
		"c_auto,g_auto:subject:faces,h_100,w_100":   "g_auto:faces is unavailable: use g_face:auto or g_faces:auto for face-centred crops with the automatic fallback",
		"c_auto,g_auto:classic:subject,h_100,w_100": "g_auto:subject is unavailable: it needs object detection that this server does not have",
		"c_fill,h_100,w_100,z_2":                    "Unsupported transformation parameter: z_2 with c_fill",
		"w_100,z_2":                                 "Unsupported transformation parameter: z_2 with c_scale",
		"b_auto,c_fill,h_100,w_100":                 "Unsupported transformation parameter: b_auto with c_fill",
		"b_auto,w_100":                              "Unsupported transformation parameter: b_auto with c_scale",
		"b_auto:border_gradient,c_pad,h_100,w_100":  "Unsupported transformation parameter: b_auto:border_gradient",
		"b_auto:predominant_gradient_contrast:4:vertical,c_pad,h_100,w_100": "Unsupported transformation parameter: b_auto:predominant_gradient_contrast:4:vertical",
		"c_imagga_crop,h_100,w_100":                                         "Unsupported transformation parameter: c_imagga_crop",
	} {
		_, err := try(t, p, src, tx, delivery.PNG)
		wantError(t, err, 400, msg)
	}
	for _, tx := range []string{"c_crop,g_auto,h_20,w_20,z_2", "c_thumb,g_auto,h_20,w_20,z_1.5", "c_auto,h_20,w_20,z_3"} {
		if _, err := try(t, p, src, tx, delivery.PNG); err != nil {
			t.Errorf("%s: %v", tx, err)
		}
	}
}

// The salient crops' geometry, as arithmetic.
func TestSalientGeometry(t *testing.T) {
	for _, c := range []struct {
		crop   delivery.Crop
		zoom   float64
		region rect
		tw, th float64
		want   geometry
	}{
		// c_auto: the target's size at 1:1 around the region.
		{delivery.CropAuto, 0, rect{520, 40, 60, 60}, 100, 100, geometry{pre: rect{500, 20, 100, 100}}},
		// A region larger than the target: cropped around it, then scaled.
		{delivery.CropAuto, 0, rect{100, 100, 200, 100}, 100, 100, geometry{pre: rect{100, 50, 200, 200},
			scaleW: 100, scaleH: 100}},
		// z_2 halves the box, z_0.5 doubles it (within the largest box).
		{delivery.CropAuto, 2, rect{520, 40, 60, 60}, 100, 100, geometry{pre: rect{525, 45, 50, 50},
			scaleW: 100, scaleH: 100}},
		{delivery.CropAuto, 0.1, rect{520, 40, 60, 60}, 100, 100, geometry{pre: rect{200, 0, 400, 400},
			scaleW: 100, scaleH: 100}},
		// c_fill_pad that fits: the largest box, over the region.
		{delivery.CropFillPad, 0, rect{520, 40, 60, 60}, 100, 100, geometry{pre: rect{200, 0, 400, 400},
			scaleW: 100, scaleH: 100}},
		// A region wider than the image is tall: padded above and below.
		// centred on the region where the box allows.
		{delivery.CropFillPad, 0, rect{0, 100, 600, 100}, 100, 100, geometry{scaleW: 100, scaleH: 67,
			pad: rect{0, 25, 100, 100}}},
		{delivery.CropAutoPad, 0, rect{0, 0, 600, 100}, 100, 100, geometry{scaleW: 100, scaleH: 67,
			pad: rect{0, 33, 100, 100}}},
		// Both ways past the image: the image whole, in the box.
		{delivery.CropAutoPad, 0, rect{0, 0, 600, 400}, 100, 200, geometry{scaleW: 100, scaleH: 67,
			pad: rect{0, 67, 100, 200}}},
	} {
		s := step{crop: c.crop, zoom: c.zoom}
		if got := s.salientGeometry(600, 400, fixedSalient{c.region, 600, 400}, c.tw, c.th); got != c.want {
			t.Errorf("%v z %v region %v to %vx%v: %+v, want %+v", c.crop, c.zoom, c.region, c.tw, c.th, got, c.want)
		}
	}
}

// The salient crops and b_auto are in the cost budget.
func TestCropCosts(t *testing.T) {
	p := newProcessor(t, Config{})
	src := scene(t, 600, 400, dark)
	fill := estimateOf(t, p, src, "c_fill,h_100,w_100", delivery.JPG)
	for _, tx := range []string{"c_auto,h_100,w_100", "c_fill_pad,g_auto,h_100,w_100", "c_auto_pad,g_auto,h_100,w_100"} {
		if est := estimateOf(t, p, src, tx, delivery.JPG); est <= fill {
			t.Errorf("%s: estimate %v, no more than c_fill's %v", tx, est, fill)
		}
	}
	if pad, auto := estimateOf(t, p, src, "c_pad,h_400,w_800", delivery.JPG),
		estimateOf(t, p, src, "b_auto,c_pad,h_400,w_800", delivery.JPG); auto <= pad {
		t.Errorf("b_auto: estimate %v, no more than c_pad's %v", auto, pad)
	}
}

// fixedSalient is a salient region without a map: boxes are centred on
// it.
type fixedSalient struct {
	r    rect
	w, h int
}

func (f fixedSalient) region() rect { return f.r }

func (f fixedSalient) place(bw, bh int) (int, int) {
	return clamp(f.r.x+f.r.w/2-bw/2, 0, f.w-bw), clamp(f.r.y+f.r.h/2-bh/2, 0, f.h-bh)
}

func (f fixedSalient) within(b rect) rect {
	x0, y0 := max(f.r.x, b.x), max(f.r.y, b.y)
	x1, y1 := min(f.r.x+f.r.w, b.x+b.w), min(f.r.y+f.r.h, b.y+b.h)
	if x1 <= x0 || y1 <= y0 {
		return b
	}
	return rect{x0, y0, x1 - x0, y1 - y0}
}

// A saliency map with two blobs far apart: the region spans both, a box
// too small for both goes to the stronger, and c_auto crops tightly to
// that one.
func TestSaliencyMap(t *testing.T) {
	m := saliency{w: 60, h: 20, iw: 600, ih: 200, v: make([]float32, 60*20)}
	blob := func(x0, y0, n int, v float32) {
		for y := y0; y < y0+n; y++ {
			for x := x0; x < x0+n; x++ {
				m.v[y*m.w+x] = v
			}
		}
	}
	blob(2, 6, 6, 60)  // image pixels 20..80, 60..120
	blob(50, 8, 6, 80) // image pixels 500..560, 80..140: stronger
	if r := m.region(); r != (rect{20, 60, 540, 80}) {
		t.Errorf("region %+v", r)
	}
	// Of the places that hold the blob whole, the nearest the region's
	// centre.
	if x, y := m.place(200, 200); x != 360 || y != 0 {
		t.Errorf("place(200, 200) = %d, %d", x, y)
	}
	if r := m.within(rect{360, 0, 200, 200}); r != (rect{500, 80, 60, 60}) {
		t.Errorf("within: %+v", r)
	}
	s := step{crop: delivery.CropAuto}
	if g := s.salientGeometry(600, 200, &m, 60, 60); g != (geometry{pre: rect{500, 80, 60, 60}}) {
		t.Errorf("c_auto to 60x60: %+v", g)
	}
	// Nothing stands out: the whole image.
	flat := saliency{w: 4, h: 2, iw: 40, ih: 20, v: make([]float32, 8)}
	if r := flat.region(); r != (rect{0, 0, 40, 20}) {
		t.Errorf("flat region %+v", r)
	}
}

// The salient crops and b_auto work on images of a few pixels, and never
// give another size than the one asked for.
func TestCropsOnTinyImages(t *testing.T) {
	p := newProcessor(t, Config{})
	for _, sz := range [][2]int{{1, 1}, {2, 3}, {3, 1}, {5, 5}} {
		src := scene(t, sz[0], sz[1], dark, square{image.Rect(0, 0, 1, 1), bright})
		for tx, want := range map[string][2]int{
			"c_auto,h_10,w_10":                            {10, 10},
			"c_fill_pad,g_auto,h_10,w_30":                 {30, 10},
			"b_auto,c_auto_pad,g_auto,h_1,w_10":           {10, 1},
			"b_auto,c_pad,h_10,w_10":                      {10, 10},
			"b_auto:predominant_contrast,c_pad,h_10,w_10": {10, 10},
			"c_auto,h_1,w_1,z_100":                        {1, 1},
		} {
			res, err := try(t, p, src, tx, delivery.PNG)
			if err != nil || res.Width != want[0] || res.Height != want[1] {
				t.Errorf("%dx%d %s: %dx%d %v, want %dx%d", sz[0], sz[1], tx, res.Width, res.Height, err, want[0], want[1])
			}
		}
	}
}
