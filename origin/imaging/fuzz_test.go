//go:build cgo

package imaging

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// FuzzProbe feeds arbitrary bytes to Probe, Transform and Verify: they
// must answer (an image or a 4xx) and never crash the process.
func FuzzProbe(f *testing.F) {
	for _, name := range []string{"rocket.jpg", "chelsea.png"} {
		b := testkit.Read(f, name)
		f.Add(b[:min(len(b), 4096)])
	}
	f.Add(smallJPEG(f, 96, 64)) // whole, and shrunk by 2 for the fill: jpeg.c decodes it
	f.Add(craftPNGHeader(1, 1))
	f.Add(craftPNGHeader(70000, 70000))
	f.Add([]byte(`<svg width="10" height="10"/>`))
	f.Add([]byte("GIF89a\x01\x00\x01\x00"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Add([]byte("\x00\x00\x00\x18ftypavif"))
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	f.Add(writeBMP(f, image.NewGray(image.Rect(0, 0, 5, 3)), 8, false))
	f.Add(writeBMP(f, image.NewNRGBA(image.Rect(0, 0, 3, 2)), 32, true))
	f.Add(icoFile([][2]int{{16, 16}}, paletteDIB()))
	f.Add(icoFile([][2]int{{2, 2}}, craftPNGHeader(2, 2)))
	f.Add(jxlHeader(300, 200, 6))
	f.Add(append(append([]byte{}, jxlContainer...), "\x00\x00\x00\x0ejxlc\xff\x0a\x4f\x02"...))
	p := newProcessor(f, Config{MaxInputPixels: 4_000_000})
	tr := mustParse(f, "c_fill,w_32,h_32")
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := p.Probe(b); err != nil {
			wantStatus(t, err, 400)
		}
		if _, err := p.Transform(t.Context(), b, Request{Transformation: tr, Format: delivery.PNG}); err != nil {
			wantStatus(t, err, 400)
		}
		if err := p.Verify(t.Context(), b); err != nil {
			wantStatus(t, err, 400)
		}
	})
}

// smallJPEG is a w × h colour gradient as a baseline 4:2:0 JPEG.
func smallJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	e, ok := err.(*delivery.Error)
	if !ok || e.Status != status {
		t.Fatalf("%v (%T), want status %d", err, err, status)
	}
}
