//go:build cgo

package imaging

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
)

// Inputs in other colour spaces and depths come out as 8-bit sRGB with
// their colours: 16-bit RGBA and grey PNGs, palette PNGs, grey JPEGs.
func TestInputColourSpaces(t *testing.T) {
	p := newProcessor(t, Config{})
	orange := color.NRGBA{255, 128, 0, 255}
	grey := color.NRGBA{90, 90, 90, 255}
	encPNG := func(img image.Image) []byte {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	rgba64 := image.NewNRGBA64(image.Rect(0, 0, 40, 30))
	gray16 := image.NewGray16(image.Rect(0, 0, 40, 30))
	pal := image.NewPaletted(image.Rect(0, 0, 40, 30), color.Palette{orange, color.NRGBA{0, 0, 0, 0}})
	gray8 := image.NewGray(image.Rect(0, 0, 40, 30))
	for y := 0; y < 30; y++ {
		for x := 0; x < 40; x++ {
			rgba64.Set(x, y, orange)
			gray16.Set(x, y, grey)
			gray8.Set(x, y, grey)
			pal.SetColorIndex(x, y, uint8(x/20)) // right half transparent
		}
	}
	var grayJPEG bytes.Buffer
	if err := jpeg.Encode(&grayJPEG, gray8, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		src   []byte
		left  color.NRGBA
		right color.NRGBA
	}{
		{"16-bit RGBA PNG", encPNG(rgba64), orange, orange},
		{"16-bit grey PNG", encPNG(gray16), grey, grey},
		{"palette PNG with transparency", encPNG(pal), orange, color.NRGBA{}},
		{"grey JPEG", grayJPEG.Bytes(), grey, grey},
	} {
		for _, tx := range []string{"w_20", "w_20/e_sepia:1", "w_20/c_pad,w_30,h_30,b_white"} {
			res := do(t, p, c.src, tx, delivery.PNG)
			out := decode(t, res)
			y := res.Height / 2
			l, r := px(out, 2, y), px(out, 17, y)
			right := c.right
			if tx == "w_20/c_pad,w_30,h_30,b_white" {
				l, r = px(out, 7, y), px(out, 22, y)
				if right.A == 0 { // b_ fills transparent pixels
					right = color.NRGBA{255, 255, 255, 255}
				}
			}
			if !near(l, c.left, 3) || !near(r, right, 3) && (right.A != 0 || r.A != 0) {
				t.Errorf("%s %s: %v %v, want %v %v", c.name, tx, l, r, c.left, right)
			}
		}
	}
}
