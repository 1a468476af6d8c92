//go:build cgo

package imaging

import (
	"image/color"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Sizes of every crop mode, on a large JPEG (LadyBird 2560x1600) and a
// small PNG (chelsea 451x300).
func TestCropModeSizes(t *testing.T) {
	p := newProcessor(t, Config{})
	big, small := testkit.Read(t, "LadyBird.jpg"), testkit.Read(t, "chelsea.png")
	for _, c := range []struct {
		src  []byte
		tx   string
		w, h int
	}{
		{big, "w_640", 640, 400},                            // c_scale is the default; one side keeps the ratio
		{big, "c_scale,h_400", 640, 400},                    // height only
		{big, "c_scale,w_100,h_100", 100, 100},              // both: exactly, distorted
		{small, "c_scale,w_902", 902, 600},                  // scale enlarges
		{big, "w_0.5", 1280, 800},                           // a fraction of the image
		{big, "c_scale,w_0.25,h_0.5", 640, 800},             // fractions on each side
		{big, "c_fit,w_800,h_800", 800, 500},                // fit inside
		{small, "c_fit,w_902,h_902", 902, 600},              // fit enlarges
		{small, "c_limit,w_1000,h_1000", 451, 300},          // limit never enlarges
		{big, "c_limit,w_200", 200, 125},                    // but shrinks
		{big, "c_mfit,w_800,h_800", 2560, 1600},             // mfit never shrinks
		{small, "c_mfit,w_902,h_902", 902, 600},             // but enlarges
		{big, "c_fill,w_300,h_200", 300, 200},               // fill is exact
		{big, "c_fill,w_200,h_300", 200, 300},               // whatever the ratio
		{small, "c_fill,w_1000,h_1000", 1000, 1000},         // and enlarges
		{big, "c_lfill,w_300,h_200", 300, 200},              // lfill shrinks to fill
		{small, "c_lfill,w_1000,h_500", 451, 226},           // never enlarges, keeps the 2:1 ratio
		{small, "c_lfill,w_200,h_200", 200, 200},            // exact when smaller
		{big, "c_pad,w_400,h_400", 400, 400},                // pad is exact
		{small, "c_pad,w_1000,h_1000", 1000, 1000},          // and enlarges
		{small, "c_lpad,w_1000,h_1000", 1000, 1000},         // lpad pads without enlarging
		{big, "c_mpad,w_400,h_400", 2560, 1600},             // mpad leaves larger images alone
		{small, "c_mpad,w_1000,h_1000", 1000, 1000},         // and pads smaller ones
		{big, "c_crop,w_100,h_50", 100, 50},                 // crop cuts
		{big, "c_crop,w_0.5,h_0.5", 1280, 800},              // fractions
		{small, "c_crop,w_1000,h_1000", 451, 300},           // never more than the image
		{big, "c_thumb,w_100,h_100", 100, 100},              // thumb fills
		{big, "c_thumb,w_100,h_100,z_2", 100, 100},          // zoomed
		{big, "c_crop,w_100,h_100,z_2", 100, 100},           // zoomed crop keeps the size
		{big, "c_fill,ar_1:1,w_300", 300, 300},              // ar derives h
		{big, "c_fill,ar_16:9,h_90", 160, 90},               // ar derives w
		{big, "c_crop,ar_1", 1600, 1600},                    // ar alone: largest box inside
		{big, "c_pad,ar_1", 2560, 2560},                     // or around, for pad
		{big, "c_scale,w_100,dpr_2", 200, 125},              // dpr multiplies
		{big, "c_fill,w_100,h_50,dpr_1.5", 150, 75},         // both sides
		{big, "c_fill,h_200,w_300/c_scale,w_0.5", 150, 100}, // chained: fraction of the current image
		{big, "c_crop,w_1000,h_1000/c_fit,w_100,h_50", 50, 50},
	} {
		res := do(t, p, c.src, c.tx, delivery.JPG)
		if res.Width != c.w || res.Height != c.h {
			t.Errorf("%s: %dx%d, want %dx%d", c.tx, res.Width, res.Height, c.w, c.h)
		}
	}
}

// dpr_auto takes the request's DPR hint; 0 means 1.
func TestDPRAuto(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "LadyBird.jpg")
	tr, _ := delivery.ParseTransformation("w_100,dpr_auto")
	for _, c := range []struct {
		hint float64
		w    int
	}{{0, 100}, {1, 100}, {2, 200}, {3, 300}} {
		res, err := p.Transform(t.Context(), src, Request{Transformation: tr, Format: delivery.JPG, DPR: c.hint})
		if err != nil || res.Width != c.w {
			t.Errorf("hint %v: %d %v, want %d", c.hint, res.Width, err, c.w)
		}
	}
}

// c_crop takes exactly the region x, y, w, h asks for, by gravity.
func TestCropRegion(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png") // 600x400, no ICC profile: pixels survive exactly
	in := decodeFile(t, src)
	for _, c := range []struct {
		tx   string
		x, y int // where the crop's top-left is in the source
	}{
		{"c_crop,w_100,h_50,x_10,y_20", 10, 20},               // x/y alone: from the top-left
		{"c_crop,w_100,h_50", 250, 175},                       // centred by default
		{"c_crop,w_100,h_50,g_north_west", 0, 0},              // compass points
		{"c_crop,w_100,h_50,g_south_east", 500, 350},          //
		{"c_crop,w_100,h_50,g_south_east,x_10,y_5", 490, 345}, // offsets inwards
		{"c_crop,w_100,h_50,g_east", 500, 175},                //
		{"c_crop,w_100,h_50,g_north", 250, 0},                 //
		{"c_crop,w_100,h_50,g_xy_center,x_100,y_100", 50, 75}, // centred on x, y
		{"c_crop,w_100,h_50,x_0.5,y_0.5", 300, 200},           // fractional offsets
		{"c_crop,w_100,h_50,x_590,y_390", 500, 350},           // kept inside the image
	} {
		res := do(t, p, src, c.tx, delivery.PNG)
		out := decode(t, res)
		for _, pt := range [][2]int{{0, 0}, {99, 49}, {37, 11}} {
			if got, want := px(out, pt[0], pt[1]), px(in, c.x+pt[0], c.y+pt[1]); !near(got, want, 0) {
				t.Errorf("%s at %v: %v, want %v", c.tx, pt, got, want)
			}
		}
	}
}

// c_fill crops by gravity after scaling: with the height already right,
// g_west keeps the left edge and g_east the right one.
func TestFillGravity(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "coffee.png")
	in := decodeFile(t, src)
	for _, c := range []struct {
		tx string
		x  int
	}{
		{"c_fill,w_100,h_400,g_west", 0},
		{"c_fill,w_100,h_400,g_east", 500},
		{"c_fill,w_100,h_400", 250},
	} {
		out := decode(t, do(t, p, src, c.tx, delivery.PNG))
		for _, pt := range [][2]int{{0, 0}, {99, 399}, {50, 200}} {
			if got, want := px(out, pt[0], pt[1]), px(in, c.x+pt[0], pt[1]); !near(got, want, 0) {
				t.Errorf("%s at %v: %v, want %v", c.tx, pt, got, want)
			}
		}
	}
}

// g_auto uses libvips' smart crop; the ladybird has no face, so
// g_face:auto and g_faces:auto fall back to exactly what g_auto gives
// (faces_test.go covers the other face gravities).
func TestGravityAutoAndFaceFallback(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "LadyBird.jpg")
	auto := do(t, p, src, "c_fill,g_auto,w_300,h_300", delivery.PNG)
	if auto.Width != 300 || auto.Height != 300 {
		t.Fatalf("g_auto: %dx%d", auto.Width, auto.Height)
	}
	centre := do(t, p, src, "c_fill,w_300,h_300", delivery.PNG)
	if string(auto.Body) == string(centre.Body) {
		t.Error("g_auto cropped the centre (the ladybird is right of it)")
	}
	for _, g := range []string{"g_face:auto", "g_faces:auto"} {
		if r := do(t, p, src, "c_fill,"+g+",w_300,h_300", delivery.PNG); string(r.Body) != string(auto.Body) {
			t.Errorf("%s differs from g_auto", g)
		}
	}
	thumb := do(t, p, src, "c_thumb,g_face,w_100,h_100", delivery.PNG)
	if thumb.Width != 100 || thumb.Height != 100 {
		t.Errorf("c_thumb,g_face: %dx%d", thumb.Width, thumb.Height)
	}
	crop := do(t, p, src, "c_crop,g_auto,w_200,h_200", delivery.PNG)
	if crop.Width != 200 || crop.Height != 200 {
		t.Errorf("c_crop,g_auto: %dx%d", crop.Width, crop.Height)
	}
}

// Padding: b_ colours it; without b_ it is white for JPEG and transparent
// where the format keeps alpha; lpad does not enlarge, mpad does.
func TestPadding(t *testing.T) {
	p := newProcessor(t, Config{})
	big, small := testkit.Read(t, "LadyBird.jpg"), testkit.Read(t, "coffee.png")
	green := color.NRGBA{0, 255, 0, 255}
	white := color.NRGBA{255, 255, 255, 255}

	out := decode(t, do(t, p, big, "c_pad,w_400,h_400,b_rgb:00ff00", delivery.PNG))
	if !near(px(out, 200, 10), green, 0) || near(px(out, 200, 200), green, 60) {
		t.Errorf("b_ padding: top %v, centre %v", px(out, 200, 10), px(out, 200, 200))
	}
	out = decode(t, do(t, p, big, "c_pad,w_400,h_400", delivery.JPG))
	if !near(px(out, 200, 10), white, 3) {
		t.Errorf("JPEG padding: %v, want white", px(out, 200, 10))
	}
	out = decode(t, do(t, p, big, "c_pad,w_400,h_400", delivery.PNG))
	if px(out, 200, 10).A != 0 || px(out, 200, 200).A != 255 {
		t.Errorf("PNG padding: %v / %v, want transparent / opaque", px(out, 200, 10), px(out, 200, 200))
	}
	out = decode(t, do(t, p, big, "c_pad,w_400,h_400,g_north", delivery.PNG))
	if px(out, 200, 10).A != 255 || px(out, 200, 390).A != 0 {
		t.Errorf("g_north padding: top %v bottom %v", px(out, 200, 10), px(out, 200, 390))
	}
	// coffee.png is 600x400: lpad in 1000x1000 keeps it at 600x400 (rows
	// 300-699), mpad enlarges it to 1000x667 (rows 166-832).
	lpad := decode(t, do(t, p, small, "c_lpad,w_1000,h_1000", delivery.PNG))
	mpad := decode(t, do(t, p, small, "c_mpad,w_1000,h_1000", delivery.PNG))
	if px(lpad, 500, 250).A != 0 || px(lpad, 500, 320).A != 255 || px(lpad, 100, 500).A != 0 {
		t.Errorf("lpad enlarged or misplaced: %v %v %v", px(lpad, 500, 250), px(lpad, 500, 320), px(lpad, 100, 500))
	}
	if px(mpad, 500, 200).A != 255 || px(mpad, 500, 100).A != 0 || px(mpad, 10, 500).A != 255 {
		t.Errorf("mpad did not enlarge: %v %v %v", px(mpad, 500, 200), px(mpad, 500, 100), px(mpad, 10, 500))
	}
}

// Output limits are checked before the work is done.
func TestOutputLimits(t *testing.T) {
	p := newProcessor(t, Config{MaxOutputDimension: 4000, MaxOutputPixels: 4_000_000})
	src := testkit.Read(t, "chelsea.png")
	_, err := try(t, p, src, "w_5000", delivery.PNG)
	wantError(t, err, 400, "Requested image size 5000x3326 exceeds the limit of 4000 pixels per side")
	_, err = try(t, p, src, "c_lpad,w_3000,h_3000", delivery.PNG)
	wantError(t, err, 400, "Requested image size 3000x3000 exceeds the limit of 4000000 pixels")
	_, err = try(t, p, src, "w_2000/bo_1000px_solid_red", delivery.PNG)
	wantError(t, err, 400, "Requested image size 4000x3330 exceeds the limit of 4000000 pixels")
	_, err = try(t, p, src, "w_3990,h_10/bo_10px_solid_red", delivery.PNG)
	wantError(t, err, 400, "Requested image size 4010x30 exceeds the limit of 4000 pixels per side")
}
