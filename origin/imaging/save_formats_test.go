//go:build cgo

package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// meanDiffRGBA is the mean absolute difference per channel (R, G, B, A)
// between two images of the same size.
func meanDiffRGBA(t testing.TB, a, b image.Image) float64 {
	t.Helper()
	if a.Bounds().Size() != b.Bounds().Size() {
		t.Fatalf("sizes %v and %v", a.Bounds().Size(), b.Bounds().Size())
	}
	w, h := a.Bounds().Dx(), a.Bounds().Dy()
	var sum float64
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			p, q := px(a, x, y), px(b, x, y)
			sum += float64(abs(int(p.R)-int(q.R)) + abs(int(p.G)-int(q.G)) + abs(int(p.B)-int(q.B)) + abs(int(p.A)-int(q.A)))
		}
	}
	return sum / float64(4*w*h)
}

// decodeWithLibvips reads an encoded image back through this package's own
// loaders (libvips' TIFF and HEIF loaders, the BMP and ICO readers) as PNG.
func decodeWithLibvips(t testing.TB, p *Processor, b []byte) image.Image {
	t.Helper()
	return decode(t, do(t, p, b, "", delivery.PNG))
}

// decodeJXL decodes JPEG XL files with libvips' own JPEG XL loader, in a
// program of its own (testdata/jxldecode): this package blocks that
// loader in every process that uses it.
func decodeJXL(t testing.TB, files ...[]byte) []image.Image {
	t.Helper()
	dir := t.TempDir()
	var names []string
	for i, b := range files {
		name := filepath.Join(dir, string(rune('a'+i))+".jxl")
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	cmd := exec.Command("go", append([]string{"run", "./testdata/jxldecode"}, names...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("jxldecode: %v\n%s", err, out)
	}
	var imgs []image.Image
	for _, name := range names {
		b, err := os.ReadFile(name + ".png")
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	return imgs
}

// icoImage checks an ICO of one 32-bit DIB, as encodeICO writes it, and
// decodes its colour with x/image/bmp (the DIB given the file header it
// lacks) and its alpha from the fourth bytes.
func icoImage(t testing.TB, b []byte) (colour image.Image, alpha []byte) {
	t.Helper()
	le := binary.LittleEndian
	if len(b) < 22+40 || le.Uint16(b[2:]) != 1 || le.Uint16(b[4:]) != 1 || le.Uint16(b[6+6:]) != 32 {
		t.Fatalf("not an ICO of one 32-bit image: % x", b[:min(len(b), 22)])
	}
	w, h := int(b[6]), int(b[7])
	if w == 0 {
		w = 256
	}
	if h == 0 {
		h = 256
	}
	size, off := int(le.Uint32(b[6+8:])), int(le.Uint32(b[6+12:]))
	dib := b[off : off+size]
	if int(le.Uint32(dib[4:])) != w || int(le.Uint32(dib[8:])) != 2*h {
		t.Fatalf("directory says %dx%d, DIB %dx%d", w, h, le.Uint32(dib[4:]), le.Uint32(dib[8:]))
	}
	file := append([]byte("BM\x00\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"), dib...)
	le.PutUint32(file[2:], uint32(len(file)))
	le.PutUint32(file[14+8:], uint32(h))
	img, err := bmp.Decode(bytes.NewReader(file))
	if err != nil {
		t.Fatalf("x/image/bmp: %v", err)
	}
	rows := dib[40:]
	alpha = make([]byte, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			alpha[y*w+x] = rows[((h-1-y)*w+x)*4+3]
		}
	}
	return img, alpha
}

// f_tiff, f_bmp, f_ico, f_heic and f_jxl write what they say: each result
// is decoded by a decoder that is not this package's encoder, and its size
// and pixels match the same transformation written as PNG (exactly for the
// lossless formats, within a tolerance for HEIC and JPEG XL). The lossy
// two apply q_.
func TestMoreOutputFormats(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "LadyBird.jpg")
	const tx = "c_fill,w_240,h_160"
	want := decode(t, do(t, p, src, tx, delivery.PNG))
	check := func(f delivery.Format, got image.Image, tol float64) {
		t.Helper()
		if d := meanDiffRGBA(t, got, want); d > tol {
			t.Errorf("%v: mean difference %.2f from the PNG, want at most %.1f", f, d, tol)
		}
		for ch := 0; ch < 3; ch++ {
			if a, b := mean(got, ch), mean(want, ch); a-b > 3 || b-a > 3 {
				t.Errorf("%v: channel %d mean %.1f, PNG %.1f", f, ch, a, b)
			}
		}
	}
	results := map[delivery.Format]Result{}
	for _, f := range []delivery.Format{delivery.TIFF, delivery.BMP, delivery.HEIC, delivery.JXL} {
		res := do(t, p, src, tx, f)
		if res.Format != f || res.Width != 240 || res.Height != 160 {
			t.Fatalf("%v: got %v %dx%d", f, res.Format, res.Width, res.Height)
		}
		results[f] = res
	}
	tf, err := tiff.Decode(bytes.NewReader(results[delivery.TIFF].Body))
	if err != nil {
		t.Fatalf("x/image/tiff: %v", err)
	}
	check(delivery.TIFF, tf, 0)
	bf, err := bmp.Decode(bytes.NewReader(results[delivery.BMP].Body))
	if err != nil {
		t.Fatalf("x/image/bmp: %v", err)
	}
	check(delivery.BMP, bf, 0)
	if info := probe(t, p, results[delivery.HEIC]); info.Format != delivery.HEIC {
		t.Errorf("heic probed as %v", info.Format)
	}
	check(delivery.HEIC, decodeWithLibvips(t, p, results[delivery.HEIC].Body), 8)

	icoRes := do(t, p, src, "c_fill,w_64,h_64", delivery.ICO)
	if icoRes.Format != delivery.ICO || icoRes.Width != 64 || icoRes.Height != 64 {
		t.Fatalf("ico: got %v %dx%d", icoRes.Format, icoRes.Width, icoRes.Height)
	}
	ic, alpha := icoImage(t, icoRes.Body)
	if d := meanDiffRGBA(t, ic, decode(t, do(t, p, src, "c_fill,w_64,h_64", delivery.PNG))); d != 0 {
		t.Errorf("ico: mean difference %.2f from the PNG", d)
	}
	if bytes.Count(alpha, []byte{0xff}) != len(alpha) {
		t.Error("ico of an opaque photo has transparent pixels")
	}

	// q_ sets the lossy encoders' quality: lower is smaller and further
	// from the original.
	low, high := do(t, p, src, tx+",q_10", delivery.JXL), do(t, p, src, tx+",q_95", delivery.JXL)
	hlow, hhigh := do(t, p, src, tx+",q_10", delivery.HEIC), do(t, p, src, tx+",q_95", delivery.HEIC)
	if len(low.Body) >= len(high.Body) || len(hlow.Body) >= len(hhigh.Body) {
		t.Errorf("q_10 and q_95: jxl %d and %d bytes, heic %d and %d", len(low.Body), len(high.Body), len(hlow.Body), len(hhigh.Body))
	}
	if a, b := meanDiffRGBA(t, decodeWithLibvips(t, p, hlow.Body), want), meanDiffRGBA(t, decodeWithLibvips(t, p, hhigh.Body), want); a <= b {
		t.Errorf("heic: q_10 differs by %.2f, q_95 by %.2f", a, b)
	}
	jx := decodeJXL(t, results[delivery.JXL].Body, low.Body, high.Body)
	check(delivery.JXL, jx[0], 8)
	if a, b := meanDiffRGBA(t, jx[1], want), meanDiffRGBA(t, jx[2], want); a <= b {
		t.Errorf("jxl: q_10 differs by %.2f, q_95 by %.2f", a, b)
	}
}

// Transparency survives f_tiff, f_bmp, f_ico, f_heic and f_jxl: the
// corners r_max cuts stay transparent, the middle opaque.
func TestMoreOutputFormatsAlpha(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "rocket.jpg")
	const tx = "c_fill,w_128,h_128,r_max"
	want := decode(t, do(t, p, src, tx, delivery.PNG))
	if px(want, 0, 0).A != 0 || px(want, 64, 64).A != 255 {
		t.Fatal("r_max made no transparent corner")
	}
	alphaAt := func(img image.Image) (corner, middle uint8) {
		b := img.Bounds()
		return px(img, 0, 0).A, px(img, b.Dx()/2, b.Dy()/2).A
	}
	wc, wm := alphaAt(want)
	for _, f := range []delivery.Format{delivery.TIFF, delivery.BMP, delivery.HEIC, delivery.JXL, delivery.ICO} {
		res := do(t, p, src, tx, f)
		var img image.Image
		var err error
		switch f {
		case delivery.TIFF:
			img, err = tiff.Decode(bytes.NewReader(res.Body))
		case delivery.BMP:
			img, err = bmp.Decode(bytes.NewReader(res.Body))
		case delivery.HEIC:
			img = decodeWithLibvips(t, p, res.Body)
		case delivery.JXL:
			img = decodeJXL(t, res.Body)[0]
		case delivery.ICO:
			var alpha []byte
			_, alpha = icoImage(t, res.Body)
			if alpha[0] != wc || alpha[res.Height/2*res.Width+res.Width/2] != wm {
				t.Errorf("ico: alpha %d in the corner, %d in the middle", alpha[0], alpha[res.Height/2*res.Width+res.Width/2])
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		if c, m := alphaAt(img); abs(int(c)-int(wc)) > 8 || abs(int(m)-int(wm)) > 8 {
			t.Errorf("%v: alpha %d in the corner, %d in the middle; PNG %d and %d", f, c, m, wc, wm)
		}
	}
}

// An ICO holds at most 256×256: a larger result answers 400 naming the
// limit, and 256×256 itself is written.
func TestICOSizeLimit(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "rocket.jpg")
	_, err := try(t, p, src, "c_fill,w_300,h_300", delivery.ICO)
	wantError(t, err, 400, "Requested image size 300x300 exceeds the limit of 256 pixels per side for ico")
	if res := do(t, p, src, "c_fill,w_256,h_256", delivery.ICO); res.Width != 256 {
		t.Errorf("ico 256: %dx%d", res.Width, res.Height)
	}
}

// Without an extension or f_, and under f_auto, the formats of this file
// are never chosen: a TIFF, BMP or ICO input comes out as JPEG (PNG with
// alpha), as before.
func TestMoreFormatsNotChosen(t *testing.T) {
	p := newProcessor(t, Config{})
	photo := testkit.Read(t, "rocket.jpg")
	for _, f := range []delivery.Format{delivery.TIFF, delivery.BMP, delivery.ICO, delivery.HEIC} {
		tx := "c_fill,w_64,h_64"
		in := do(t, p, photo, tx, f).Body
		want := delivery.JPG
		if f == delivery.ICO {
			want = delivery.PNG // decoded with alpha
		}
		if res := do(t, p, in, "w_32", delivery.FormatNone); res.Format != want {
			t.Errorf("%v input, no format: %v, want %v", f, res.Format, want)
		}
		tr, _ := delivery.ParseTransformation("w_32,f_auto")
		for _, accept := range []delivery.Format{delivery.FormatNone, delivery.WebP} {
			res, err := p.Transform(t.Context(), in, Request{Transformation: tr, Accept: accept})
			if err != nil || res.Format == f {
				t.Errorf("%v input, f_auto, Accept %v: %v %v", f, accept, res.Format, err)
			}
		}
	}
}

// An encoder this process lacks answers 400 naming the format, as f_avif
// does without an AV1 encoder.
func TestMissingEncoders(t *testing.T) {
	wantError(t, savers{}.available(encHEIC), 400, "Unsupported transformation parameter: f_heic")
	wantError(t, savers{}.available(encJXL), 400, "Unsupported transformation parameter: f_jxl")
	if err := (savers{heic: true, jxl: true}).available(encHEIC); err != nil {
		t.Error(err)
	}
	p := newProcessor(t, Config{})
	if !p.more.heic || !p.more.jxl {
		t.Errorf("Debian's libheif and libvips encode HEIC and JPEG XL, probed %+v", p.more)
	}
}

// The cost budget covers the new encoders: an HEIC of the same size costs
// far more than a JPEG, and a budget the JPEG fits refuses it.
func TestMoreFormatsCost(t *testing.T) {
	src := testkit.Read(t, "LadyBird.jpg")
	p := newProcessor(t, Config{MaxCost: 150e6})
	do(t, p, src, "c_fill,w_800,h_500", delivery.JPG)
	_, err := try(t, p, src, "c_fill,w_800,h_500", delivery.HEIC)
	var e *delivery.Error
	if !errors.As(err, &e) || e.Status != 400 || !strings.HasPrefix(e.Message, "Transformation too expensive") {
		t.Errorf("heic over the budget: %v", err)
	}
}
