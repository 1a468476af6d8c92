//go:build cgo

package imaging

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// writeBMP encodes img as a BMP: 24 bits (BI_RGB), 32 bits with an alpha
// bit field (BITMAPV4HEADER), 8 bits with a palette of the image's colours
// (at most 256), or 1 bit (black and white); bottom-up unless topDown.
func writeBMP(t testing.TB, img image.Image, bpp int, topDown bool) []byte {
	t.Helper()
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dib := 40
	if bpp == 32 {
		dib = 108
	}
	var palette []color.NRGBA
	index := map[color.NRGBA]int{}
	if bpp <= 8 {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
				if _, ok := index[c]; !ok {
					index[c] = len(palette)
					palette = append(palette, c)
				}
			}
		}
		if len(palette) > 1<<bpp {
			t.Fatalf("writeBMP: %d colours for %d bits", len(palette), bpp)
		}
	}
	stride := (w*bpp + 31) / 32 * 4
	offset := 14 + dib + 4*len(palette)
	out := make([]byte, offset+stride*h)
	le := binary.LittleEndian
	copy(out, "BM")
	le.PutUint32(out[2:], uint32(len(out)))
	le.PutUint32(out[10:], uint32(offset))
	d := out[14:]
	le.PutUint32(d[0:], uint32(dib))
	le.PutUint32(d[4:], uint32(w))
	height := int32(h)
	if topDown {
		height = -height
	}
	le.PutUint32(d[8:], uint32(height))
	le.PutUint16(d[12:], 1)
	le.PutUint16(d[14:], uint16(bpp))
	if bpp == 32 {
		le.PutUint32(d[16:], 3) // BI_BITFIELDS
		le.PutUint32(d[40:], 0x00ff0000)
		le.PutUint32(d[44:], 0x0000ff00)
		le.PutUint32(d[48:], 0x000000ff)
		le.PutUint32(d[52:], 0xff000000)
	}
	le.PutUint32(d[32:], uint32(len(palette)))
	for i, c := range palette {
		copy(out[14+dib+4*i:], []byte{c.B, c.G, c.R, 0})
	}
	for y := 0; y < h; y++ {
		row := y
		if !topDown {
			row = h - 1 - y
		}
		r := out[offset+row*stride:]
		for x := 0; x < w; x++ {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			switch bpp {
			case 1, 8:
				i := index[c]
				bit := x * bpp
				r[bit/8] |= byte(i << (8 - bpp - bit%8))
			case 24:
				copy(r[3*x:], []byte{c.B, c.G, c.R})
			case 32:
				copy(r[4*x:], []byte{c.B, c.G, c.R, c.A})
			}
		}
	}
	return out
}

// BMP inputs (read in Go, not by ImageMagick) load with their exact
// pixels, whatever their depth and row order, probe as bmp, and transform.
func TestBMPInput(t *testing.T) {
	p := newProcessor(t, Config{})
	photo := decode(t, do(t, p, testkit.Read(t, "rocket.jpg"), "w_64", delivery.PNG)) // 64x43
	gray := image.NewGray(image.Rect(0, 0, 9, 5))
	for i := range gray.Pix {
		gray.Pix[i] = byte(i * 5)
	}
	bw := image.NewGray(image.Rect(0, 0, 13, 3))
	for i := range bw.Pix {
		if i%3 == 0 {
			bw.Pix[i] = 255
		}
	}
	alpha := image.NewNRGBA(image.Rect(0, 0, 6, 4))
	for i := 0; i < len(alpha.Pix); i += 4 {
		copy(alpha.Pix[i:], []byte{200, byte(i), 40, byte(255 - i*8)})
	}
	for _, c := range []struct {
		name    string
		img     image.Image
		bpp     int
		topDown bool
	}{
		{"24-bit bottom-up", photo, 24, false},
		{"24-bit top-down", photo, 24, true},
		{"8-bit palette", gray, 8, false},
		{"1-bit", bw, 1, false},
		{"32-bit with alpha", alpha, 32, false},
	} {
		src := writeBMP(t, c.img, c.bpp, c.topDown)
		info, err := p.Probe(src)
		w, h := c.img.Bounds().Dx(), c.img.Bounds().Dy()
		if err != nil || info.Format != delivery.BMP || info.Width != w || info.Height != h || info.Alpha != (c.bpp == 32) {
			t.Errorf("%s: probe %+v %v", c.name, info, err)
			continue
		}
		got := decode(t, do(t, p, src, "", delivery.PNG))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				want := color.NRGBAModel.Convert(c.img.At(x, y)).(color.NRGBA)
				if g := px(got, x, y); g != want {
					t.Fatalf("%s: pixel %d,%d is %v, want %v", c.name, x, y, g, want)
				}
			}
		}
		// Without a format, a BMP (not written here) becomes PNG or JPEG.
		res := do(t, p, src, "w_4", delivery.FormatNone)
		if res.Width != 4 || (res.Format != delivery.JPG && res.Format != delivery.PNG) {
			t.Errorf("%s: w_4 gave %v %dx%d", c.name, res.Format, res.Width, res.Height)
		}
	}
}

// Bad BMPs are refused as invalid, and a header over the pixel limit as
// too large, before any pixel is decoded.
func TestBMPRefused(t *testing.T) {
	p := newProcessor(t, Config{MaxInputPixels: 1000})
	good := writeBMP(t, image.NewGray(image.Rect(0, 0, 10, 10)), 24, false)
	rle := bytes.Clone(good)
	binary.LittleEndian.PutUint32(rle[30:], 1) // BI_RLE8
	big := writeBMP(t, image.NewGray(image.Rect(0, 0, 2000, 10)), 1, false)
	for _, c := range []struct {
		name string
		src  []byte
		msg  string
	}{
		{"truncated", good[:len(good)-10], "Invalid image file"},
		{"run-length", rle, "Invalid image file"},
		{"header only", good[:54], "Invalid image file"},
		{"over the pixel limit", big, "Image is too large - 2000x10 is more than the limit of 1000 pixels"},
	} {
		_, err := p.Probe(c.src)
		wantError(t, err, 400, c.msg)
		_, err = try(t, p, c.src, "w_5", delivery.PNG)
		wantError(t, err, 400, c.msg)
	}
	if res := do(t, p, good, "", delivery.PNG); res.Width != 10 || !strings.HasPrefix(string(res.Body[1:4]), "PNG") {
		t.Errorf("good BMP: %dx%d", res.Width, res.Height)
	}
}

// Reading a BMP's header decodes nothing, whatever the caller: a file
// whose pixels are corrupt (palette indexes past its palette) has a header
// that reads, including through probeHeader, and fails only once decoded.
func TestBMPHeaderDecodesNothing(t *testing.T) {
	src := writeBMP(t, image.NewGray(image.Rect(0, 0, 4, 2)), 8, false) // a palette of one colour
	for i := int(binary.LittleEndian.Uint32(src[10:])); i < len(src); i++ {
		src[i] = 200
	}
	if h, err := probeHeader(newSource(src, loaderBMP)); err != nil || h.width != 4 || h.height != 2 {
		t.Fatalf("probeHeader: %+v %v", h, err)
	}
	p := newProcessor(t, Config{})
	if info, err := p.Probe(src); err != nil || info.Width != 4 {
		t.Fatalf("Probe: %+v %v", info, err)
	}
	_, err := try(t, p, src, "w_2", delivery.PNG)
	wantError(t, err, 400, "Invalid image file")
}
