package imaging

import (
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
)

// mustParse parses a transformation string the test trusts.
func mustParse(t testing.TB, s string) delivery.Transformation {
	t.Helper()
	tr, err := delivery.ParseTransformation(s)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestShrinkOnLoadFactor(t *testing.T) {
	for _, c := range []struct {
		tx   string
		w, h int
		want int
	}{
		{"c_fill,w_300,h_200", 2560, 1600, 8}, // exactly 1/8
		{"c_fill,w_321,h_200", 2560, 1600, 4}, // just over 1/8
		{"c_fit,w_800,h_800", 2560, 1600, 2},  // 1/3.2
		{"w_1280", 2560, 1600, 2},
		{"w_1281", 2560, 1600, 1},
		{"c_crop,w_100,h_100", 2560, 1600, 1}, // crops never shrink
		{"c_thumb,w_100,h_100,z_2", 2560, 1600, 1},
		{"c_pad,w_100,h_100", 2560, 1600, 8}, // 1/25.6: at most 8
		{"e_grayscale", 2560, 1600, 1},
		{"c_scale,w_100,h_1600", 2560, 1600, 1}, // one axis unscaled
	} {
		s, err := newStep(&mustParse(t, c.tx).Components[0], 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.geometry(c.w, c.h).shrinkFactor(c.w, c.h); got != c.want {
			t.Errorf("%s: shrink %d, want %d", c.tx, got, c.want)
		}
	}
}

func TestPlace(t *testing.T) {
	px := func(v float64) length { return length{v: v, set: true} }
	for _, c := range []struct {
		g      delivery.GravityMode
		x, y   length
		wx, wy int
	}{
		{delivery.GravityNorthWest, length{}, length{}, 0, 0},
		{delivery.GravityCenter, length{}, length{}, 45, 40},
		{delivery.GravitySouthEast, length{}, length{}, 90, 80},
		{delivery.GravitySouthEast, px(5), px(7), 85, 73},
		{delivery.GravityNorth, px(5), px(7), 50, 7},
		{delivery.GravityCenter, px(-5), px(3), 40, 43},
		{delivery.GravityXYCenter, px(20), px(30), 15, 20},
		{delivery.GravityXYCenter, px(0), px(0), 0, 0},        // kept inside
		{delivery.GravityNorthWest, px(500), px(500), 90, 80}, // kept inside
		{delivery.GravityNorthWest, length{v: 0.5, rel: true, set: true}, length{}, 50, 0},
	} {
		x, y := placeBy(c.g, 100, 100, 10, 20, c.x, c.y, delivery.GravityCenter)
		if x != c.wx || y != c.wy {
			t.Errorf("%v %+v %+v: (%d,%d), want (%d,%d)", c.g, c.x, c.y, x, y, c.wx, c.wy)
		}
	}
}

func TestChooseOutput(t *testing.T) {
	for _, c := range []struct {
		want, accept, input delivery.Format
		avif                bool
		enc                 encoder
		alpha               alphaPolicy
	}{
		{delivery.FormatAuto, delivery.AVIF, delivery.JPG, true, encAVIF, alphaAlways},
		{delivery.FormatAuto, delivery.AVIF, delivery.JPG, false, encWebP, alphaAlways},
		{delivery.FormatAuto, delivery.WebP, delivery.PNG, true, encWebP, alphaAlways},
		{delivery.FormatAuto, delivery.FormatNone, delivery.PNG, true, 0, alphaIfPresent},
		{delivery.FormatNone, 0, delivery.JPG, true, encJPEG, alphaNever},
		{delivery.FormatNone, 0, delivery.GIF, true, encGIF, alphaAlways},
		{delivery.FormatNone, 0, delivery.TIFF, true, 0, alphaIfPresent},
		{delivery.PNG, 0, delivery.JPG, true, encPNG, alphaAlways},
	} {
		o, err := chooseOutput(c.want, c.accept, c.input, c.avif)
		if err != nil || o.enc != c.enc || o.alpha != c.alpha {
			t.Errorf("%+v: %+v %v", c, o, err)
		}
	}
	if _, err := chooseOutput(delivery.AVIF, 0, delivery.JPG, false); err == nil {
		t.Error("f_avif without an encoder accepted")
	}
	if e := (output{alpha: alphaIfPresent}).resolve(true); e != encPNG {
		t.Errorf("alpha → %v", e)
	}
}
