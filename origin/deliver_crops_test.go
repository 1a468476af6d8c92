package origin_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The salient crops and b_auto through delivery URLs: c_auto keeps a
// bright object that sits off-centre, c_fill_pad pads to keep two far
// apart, b_auto pads with the border's colour; what is not built answers
// 400 naming it.
func TestDeliverCrops(t *testing.T) {
	o := startOrigin(t, nil)
	red, bright := color.NRGBA{255, 0, 0, 255}, color.NRGBA{250, 230, 40, 255}
	img := image.NewNRGBA(image.Rect(0, 0, 600, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 600; x++ {
			c := red
			if y >= 60 && y < 120 && (x >= 10 && x < 70 || x >= 530 && x < 590) {
				c = bright
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	uploadPNG(t, o, "pair", b.Bytes())
	get := func(tx string) image.Image {
		t.Helper()
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+tx+"/pair.jpg")
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", tx, r.Status, r.Header.Get("X-Cld-Error"))
		}
		out, _, err := image.Decode(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("%s: %v", tx, err)
		}
		return out
	}
	isBright := func(c color.Color) bool {
		r, g, b, _ := c.RGBA()
		return r>>8 > 200 && g>>8 > 180 && b>>8 < 110
	}
	// c_auto,w_60,h_60 takes one object, tightly: most of the result.
	auto := get("c_auto,g_auto,h_60,w_60")
	n := 0
	for y := 0; y < 60; y++ {
		for x := 0; x < 60; x++ {
			if isBright(auto.At(x, y)) {
				n++
			}
		}
	}
	if n < 60*60/2 {
		t.Errorf("c_auto,h_60,w_60: %d of 3600 pixels are the object's", n)
	}
	// c_fill_pad keeps both (left and right), padding above with the
	// border's red (b_auto).
	pad := get("b_auto,c_fill_pad,g_auto,h_200,w_200")
	if !isBright(pad.At(12, 100)) && !isBright(pad.At(8, 100)) || !isBright(pad.At(188, 100)) && !isBright(pad.At(192, 100)) {
		t.Errorf("c_fill_pad: an object is cut: %v %v", pad.At(12, 100), pad.At(188, 100))
	}
	if r, g, b, _ := pad.At(100, 5).RGBA(); r>>8 < 230 || g>>8 > 30 || b>>8 > 30 {
		t.Errorf("b_auto padding %v, want red", pad.At(100, 5))
	}
	for tx, msg := range map[string]string{
		"c_auto,g_auto:cat,h_60,w_60":            "g_auto:cat is unavailable: it needs object detection",
		"c_fill_pad,h_60,w_60":                   "c_fill_pad requires g_auto",
		"c_fill,h_60,w_60,z_2":                   "Unsupported transformation parameter: z_2 with c_fill",
		"b_auto:border_gradient,c_pad,h_60,w_60": "Unsupported transformation parameter: b_auto:border_gradient",
		"b_auto:sideways,c_pad,h_60,w_60":        "Invalid background in transformation: auto:sideways",
	} {
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+tx+"/pair.jpg")
		if r.Status != 400 || !strings.HasPrefix(r.Header.Get("X-Cld-Error"), msg) {
			t.Errorf("%s: %d %q, want 400 %q", tx, r.Status, r.Header.Get("X-Cld-Error"), msg)
		}
	}
}
