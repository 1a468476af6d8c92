package origin_test

import (
	"bytes"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Effects through a delivery URL: the derived image is measurably
// changed, and effects this server cannot do answer 400 naming them.
func TestDeliverEffects(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "coffee.png", "cup")
	get := func(tx string) image.Image {
		t.Helper()
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+tx+"cup.png")
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", tx, r.Status, r.Header.Get("X-Cld-Error"))
		}
		img, _, err := image.Decode(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("%s: %v", tx, err)
		}
		return img
	}
	orig := get("")
	if a, b := meanLuma(orig, orig.Bounds()), meanLuma(get("e_brightness:40/"), orig.Bounds()); b < a+40 {
		t.Errorf("e_brightness:40: mean %.1f → %.1f", a, b)
	}
	// The region is pixelated (one colour per 25 px square), the rest is
	// as it was, and w_/h_ here do not resize.
	region := image.Rect(0, 0, 100, 100)
	pix := get("e_pixelate_region:25,h_100,w_100,x_0,y_0/")
	if pix.Bounds() != orig.Bounds() {
		t.Fatalf("e_pixelate_region: %v, want %v", pix.Bounds(), orig.Bounds())
	}
	if a, b := spreadIn(orig, image.Rect(0, 0, 25, 25)), spreadIn(pix, image.Rect(0, 0, 25, 25)); b > 1 || a < 2 {
		t.Errorf("e_pixelate_region: a square's spread %.2f → %.2f", a, b)
	}
	if a, b := meanLuma(orig, image.Rect(300, 200, 400, 300)), meanLuma(pix, image.Rect(300, 200, 400, 300)); a != b {
		t.Errorf("e_pixelate_region changed pixels outside %v: %.2f → %.2f", region, a, b)
	}
	for tx, msg := range map[string]string{
		"e_blur_faces:0/":       "Invalid effect in transformation: blur_faces:0",
		"e_background_removal/": "e_background_removal is unavailable: it needs an AI model or a paid add-on",
		"e_brightness:101/":     "Invalid effect in transformation: brightness:101",
		"e_outline:fill/":       "Unsupported transformation parameter: e_outline:fill",
	} {
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+tx+"cup.png")
		if r.Status != 400 || !strings.HasPrefix(r.Header.Get("X-Cld-Error"), msg) {
			t.Errorf("%s: %d %q, want 400 %q", tx, r.Status, r.Header.Get("X-Cld-Error"), msg)
		}
	}
}

// meanLuma is the mean of (R+G+B)/3 over r, 0-255.
func meanLuma(img image.Image, r image.Rectangle) float64 {
	var sum float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			sum += float64(cr+cg+cb) / 3 / 257
		}
	}
	return sum / float64(r.Dx()*r.Dy())
}

// spreadIn is the largest difference of red between two pixels of r.
func spreadIn(img image.Image, r image.Rectangle) float64 {
	lo, hi := 255.0, 0.0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, _, _, _ := img.At(x, y).RGBA()
			v := float64(cr) / 257
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	return hi - lo
}
