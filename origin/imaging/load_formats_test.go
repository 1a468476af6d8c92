//go:build cgo

package imaging

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// icoFile puts images (PNG files or DIBs) in an icon directory; sizes are
// what the directory declares for each.
func icoFile(sizes [][2]int, images ...[]byte) []byte {
	le := binary.LittleEndian
	out := make([]byte, 6+16*len(images))
	le.PutUint16(out[2:], 1)
	le.PutUint16(out[4:], uint16(len(images)))
	for i, img := range images {
		d := out[6+16*i:]
		d[0], d[1] = byte(sizes[i][0]), byte(sizes[i][1])
		le.PutUint16(d[4:], 1)
		le.PutUint16(d[6:], 32)
		le.PutUint32(d[8:], uint32(len(img)))
		le.PutUint32(d[12:], uint32(len(out)))
		out = append(out, img...)
	}
	return out
}

// paletteDIB is a 16×16 8-bit icon image: red on the left, blue on the
// right, with a transparency mask over the top half.
func paletteDIB() []byte {
	le := binary.LittleEndian
	const w, h = 16, 16
	b := make([]byte, 40+2*4+w*h+4*h)
	le.PutUint32(b[0:], 40)
	le.PutUint32(b[4:], w)
	le.PutUint32(b[8:], 2*h)
	le.PutUint16(b[12:], 1)
	le.PutUint16(b[14:], 8)
	le.PutUint32(b[32:], 2)
	copy(b[40:], []byte{0, 0, 255, 0, 255, 0, 0, 0}) // BGRx: red, blue
	rows := b[48:]
	for y := 0; y < h; y++ {
		for x := w / 2; x < w; x++ {
			rows[y*w+x] = 1
		}
	}
	mask := b[48+w*h:] // bottom-up rows of 4 bytes: the top half is rows 8-15
	for y := h / 2; y < h; y++ {
		copy(mask[4*y:], []byte{0xff, 0xff, 0, 0})
	}
	return b
}

// ICO inputs are read in Go: the largest image of the directory, a PNG or
// a DIB (32-bit with alpha, or paletted with a transparency mask), probed
// with its size and decoded to the same pixels.
func TestICOInput(t *testing.T) {
	p := newProcessor(t, Config{})
	photo := testkit.Read(t, "rocket.jpg")

	written := do(t, p, photo, "c_fill,w_64,h_48", delivery.ICO).Body
	if info, err := p.Probe(written); err != nil || info.Format != delivery.ICO || info.Width != 64 || info.Height != 48 || !info.Alpha {
		t.Fatalf("probe of a written ICO: %+v %v", info, err)
	}
	if err := p.Verify(context.Background(), written); err != nil {
		t.Fatal(err)
	}
	want := decode(t, do(t, p, photo, "c_fill,w_64,h_48", delivery.PNG))
	if d := meanDiffRGBA(t, decode(t, do(t, p, written, "", delivery.PNG)), want); d != 0 {
		t.Errorf("32-bit ICO: mean difference %.2f", d)
	}

	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, want); err != nil {
		t.Fatal(err)
	}
	both := icoFile([][2]int{{16, 16}, {64, 48}}, paletteDIB(), pngBuf.Bytes())
	if info, err := p.Probe(both); err != nil || info.Width != 64 || info.Height != 48 {
		t.Fatalf("probe of an ICO with a PNG: %+v %v", info, err)
	}
	if d := meanDiffRGBA(t, decode(t, do(t, p, both, "", delivery.PNG)), want); d != 0 {
		t.Errorf("PNG in ICO: mean difference %.2f", d)
	}

	pal := icoFile([][2]int{{16, 16}}, paletteDIB())
	img := decode(t, do(t, p, pal, "", delivery.PNG))
	for _, c := range []struct {
		x, y int
		want color.NRGBA
	}{{2, 12, color.NRGBA{255, 0, 0, 255}}, {12, 12, color.NRGBA{0, 0, 255, 255}}, {2, 2, color.NRGBA{A: 0}}, {12, 2, color.NRGBA{A: 0}}} {
		if got := px(img, c.x, c.y); !near(got, c.want, 1) && (c.want.A != 0 || got.A != 0) {
			t.Errorf("paletted ICO at (%d,%d): %v, want %v", c.x, c.y, got, c.want)
		}
	}
}

// A corrupt ICO answers 400 "Invalid image file", at the header (Probe)
// or the pixels (Verify, Transform).
func TestICOCorrupt(t *testing.T) {
	p := newProcessor(t, Config{})
	written := do(t, p, testkit.Read(t, "rocket.jpg"), "c_fill,w_32,h_32", delivery.ICO).Body
	var big bytes.Buffer
	if err := png.Encode(&big, image.NewNRGBA(image.Rect(0, 0, 300, 20))); err != nil {
		t.Fatal(err)
	}
	badPNG := icoFile([][2]int{{16, 16}}, append(append([]byte{}, big.Bytes()[:40]...), make([]byte, 40)...))
	badPNG[6+16+16+2], badPNG[6+16+16+3] = 0, 10 // IHDR says 10×20 pixels; the PNG's data is cut short
	for _, c := range []struct {
		name     string
		b        []byte
		atHeader bool // Probe refuses it; else Verify and Transform do
	}{
		{"truncated", written[:len(written)/2], true},
		{"no images", written[:22], true},
		{"over 256", icoFile([][2]int{{0, 20}}, big.Bytes()), true},
		{"garbage PNG", badPNG, false},
	} {
		_, err := p.Probe(c.b)
		if c.atHeader {
			wantError(t, err, 400, "Invalid image file")
			continue
		}
		if err != nil {
			t.Fatalf("%s: probe %v", c.name, err)
		}
		wantError(t, p.Verify(context.Background(), c.b), 400, "Invalid image file")
		_, err = try(t, p, c.b, "w_10", delivery.PNG)
		wantError(t, err, 400, "Invalid image file")
	}
}

// jxlBitWriter writes bits least significant first, as a JPEG XL
// codestream stores them.
type jxlBitWriter struct {
	b []byte
	n int
}

func (w *jxlBitWriter) put(v uint32, bits int) {
	for i := 0; i < bits; i++ {
		if w.n%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[w.n/8] |= byte(v>>i&1) << (w.n % 8)
		w.n++
	}
}

// jxlHeader is a codestream's signature, SizeHeader (not small: U32 with
// selector 1, 13 bits) and ImageMetadata's orientation.
func jxlHeader(w, h, orientation int) []byte {
	bw := &jxlBitWriter{b: []byte{0xff, 0x0a}, n: 16}
	bw.put(0, 1) // not small
	bw.put(1, 2) // 13 bits
	bw.put(uint32(h-1), 13)
	bw.put(0, 3) // ratio 0: width follows
	bw.put(1, 2)
	bw.put(uint32(w-1), 13)
	bw.put(0, 1) // not all default
	bw.put(1, 1) // extra fields
	bw.put(uint32(orientation-1), 3)
	return append(bw.b, make([]byte, 16)...)
}

// JPEG XL inputs are never decoded (libvips' loader is untrusted): their
// size comes from the codestream header, bare or in the container, they
// are handed back unchanged when nothing is asked of them, and any
// transformation answers 400.
func TestJXLInput(t *testing.T) {
	p := newProcessor(t, Config{MaxInputPixels: 1 << 24})
	written := do(t, p, testkit.Read(t, "rocket.jpg"), "c_scale,w_801,h_333", delivery.JXL).Body
	box := func(typ string, payload []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
		return append(append(b, typ...), payload...)
	}
	container := append(append(append([]byte{}, jxlContainer...), box("ftyp", []byte("jxl \x00\x00\x00\x00jxl "))...), box("jxlc", written)...)
	for _, c := range []struct {
		name string
		b    []byte
		w, h int
	}{
		{"written", written, 801, 333},
		{"container", container, 801, 333},
		{"small header", []byte("\xff\x0a\x4f\x02\x00\x00"), 64, 64},
		{"orientation 6", jxlHeader(300, 200, 6), 200, 300},
		{"orientation 3", jxlHeader(300, 200, 3), 300, 200},
	} {
		info, err := p.Probe(c.b)
		if err != nil || info.Format != delivery.JXL || info.Width != c.w || info.Height != c.h {
			t.Errorf("%s: %+v %v, want %dx%d", c.name, info, err, c.w, c.h)
		}
		if err := p.Verify(context.Background(), c.b); err != nil {
			t.Errorf("%s: verify %v", c.name, err)
		}
	}
	res := do(t, p, written, "", delivery.FormatNone)
	if !bytes.Equal(res.Body, written) || res.Format != delivery.JXL || res.Width != 801 {
		t.Errorf("untransformed JPEG XL: %v %dx%d, %d bytes", res.Format, res.Width, res.Height, len(res.Body))
	}
	for _, c := range []struct {
		tx string
		f  delivery.Format
	}{{"w_100", delivery.FormatNone}, {"", delivery.PNG}, {"w_100", delivery.JXL}} {
		_, err := try(t, p, written, c.tx, c.f)
		wantError(t, err, 400, "Transformations of JPEG XL images are not supported")
	}
	for name, b := range map[string][]byte{
		"signature only":    []byte("\xff\x0a"),
		"container, no box": container[:len(jxlContainer)+20],
		"cut header":        jxlHeader(300, 200, 1)[:4],
	} {
		_, err := p.Probe(b)
		wantError(t, err, 400, "Invalid image file")
		if err := p.Verify(context.Background(), b); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
	_, err := p.Probe(jxlHeader(8000, 8000, 1))
	wantError(t, err, 400, "Image is too large - 8000x8000 is more than the limit of 16777216 pixels")
}
