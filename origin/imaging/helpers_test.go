//go:build cgo

package imaging

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
)

// do runs one transform and fails the test on error.
func do(t testing.TB, p *Processor, src []byte, tx string, f delivery.Format) Result {
	t.Helper()
	res, err := try(t, p, src, tx, f)
	if err != nil {
		t.Fatalf("%s (%v): %v", tx, f, err)
	}
	return res
}

// try runs one transform.
func try(t testing.TB, p *Processor, src []byte, tx string, f delivery.Format) (Result, error) {
	t.Helper()
	tr, err := delivery.ParseTransformation(tx)
	if err != nil {
		t.Fatalf("parse %q: %v", tx, err)
	}
	return p.Transform(context.Background(), src, Request{Transformation: tr, Format: f})
}

// wantError checks err is a *delivery.Error with this status and message.
func wantError(t testing.TB, err error, status int, msg string) {
	t.Helper()
	var e *delivery.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want *delivery.Error %d %q", err, status, msg)
	}
	if e.Status != status || (msg != "" && e.Message != msg) {
		t.Fatalf("got %d %q, want %d %q", e.Status, e.Message, status, msg)
	}
}

// decode decodes a JPEG, PNG or GIF result with the standard library.
func decode(t testing.TB, r Result) image.Image {
	t.Helper()
	var img image.Image
	var err error
	switch r.Format {
	case delivery.JPG:
		img, err = jpeg.Decode(bytes.NewReader(r.Body))
	case delivery.PNG:
		img, err = png.Decode(bytes.NewReader(r.Body))
	case delivery.GIF:
		img, err = gif.Decode(bytes.NewReader(r.Body))
	default:
		t.Fatalf("cannot decode %v here", r.Format)
	}
	if err != nil {
		t.Fatalf("decode %v: %v", r.Format, err)
	}
	if b := img.Bounds(); b.Dx() != r.Width || b.Dy() != r.Height {
		t.Fatalf("decoded %v, result says %dx%d", b, r.Width, r.Height)
	}
	return img
}

// decodeFile decodes a corpus image with the standard library.
func decodeFile(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// px is a pixel as 8-bit non-premultiplied RGBA.
func px(img image.Image, x, y int) color.NRGBA {
	return color.NRGBAModel.Convert(img.At(img.Bounds().Min.X+x, img.Bounds().Min.Y+y)).(color.NRGBA)
}

// near reports whether two colours differ by at most tol per channel.
func near(a, b color.NRGBA, tol int) bool {
	d := func(x, y uint8) bool { return abs(int(x)-int(y)) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && d(a.A, b.A)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// probe checks a result's bytes with Probe: format and size.
func probe(t testing.TB, p *Processor, r Result) Info {
	t.Helper()
	info, err := p.Probe(r.Body)
	if err != nil {
		t.Fatalf("probe result: %v", err)
	}
	if info.Format != r.Format || info.Width != r.Width || info.Height != r.Height {
		t.Fatalf("result says %v %dx%d, bytes are %v %dx%d", r.Format, r.Width, r.Height,
			info.Format, info.Width, info.Height)
	}
	return info
}

// craftPNGHeader is a PNG whose IHDR declares w × h pixels (8-bit RGB),
// followed by a tiny IDAT and IEND: enough for a header reader.
func craftPNGHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	pngChunk(&b, "IHDR", ihdr)
	pngChunk(&b, "IDAT", []byte{0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01})
	pngChunk(&b, "IEND", nil)
	return b.Bytes()
}

func pngChunk(b *bytes.Buffer, typ string, data []byte) {
	_ = binary.Write(b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	_ = binary.Write(b, binary.BigEndian, crc.Sum32())
}

// withEXIF inserts an EXIF APP1 segment (Orientation and Artist) after a
// JPEG's SOI.
func withEXIF(jpg []byte, orientation uint16, artist string) []byte {
	var t bytes.Buffer
	t.WriteString("MM\x00\x2a\x00\x00\x00\x08")
	_ = binary.Write(&t, binary.BigEndian, uint16(2))
	entry := func(tag, typ uint16, count, value uint32) {
		for _, v := range []any{tag, typ, count, value} {
			_ = binary.Write(&t, binary.BigEndian, v)
		}
	}
	entry(0x0112, 3, 1, uint32(orientation)<<16)
	entry(0x013b, 2, uint32(len(artist)+1), 8+2+2*12+4)
	_ = binary.Write(&t, binary.BigEndian, uint32(0))
	t.WriteString(artist + "\x00")
	return withSegment(jpg, 0xe1, append([]byte("Exif\x00\x00"), t.Bytes()...))
}

// withIPTC inserts a Photoshop APP13 segment holding an IPTC copyright
// notice.
func withIPTC(jpg []byte, copyright string) []byte {
	iptc := append([]byte{0x1c, 0x02, 0x74, 0, byte(len(copyright))}, copyright...)
	if len(iptc)%2 == 1 {
		iptc = append(iptc, 0)
	}
	var s bytes.Buffer
	s.WriteString("Photoshop 3.0\x00" + "8BIM\x04\x04\x00\x00")
	_ = binary.Write(&s, binary.BigEndian, uint32(len(iptc)))
	s.Write(iptc)
	return withSegment(jpg, 0xed, s.Bytes())
}

func withSegment(jpg []byte, marker byte, payload []byte) []byte {
	seg := []byte{0xff, marker, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// animatedGIF has one solid 20×20 frame per colour.
func animatedGIF(t testing.TB, colors ...color.RGBA) []byte {
	t.Helper()
	g := &gif.GIF{}
	for _, c := range colors {
		pal := color.Palette{c, color.RGBA{0, 0, 0, 255}}
		f := image.NewPaletted(image.Rect(0, 0, 20, 20), pal)
		g.Image = append(g.Image, f)
		g.Delay = append(g.Delay, 10)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// mean is the average of a channel over an image (0 R, 1 G, 2 B, 3 A).
func mean(img image.Image, ch int) float64 {
	b := img.Bounds()
	var sum float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			sum += float64([]uint8{c.R, c.G, c.B, c.A}[ch])
		}
	}
	return sum / float64(b.Dx()*b.Dy())
}

// edges sums absolute differences between horizontal neighbours (green):
// a measure of sharpness.
func edges(img image.Image) float64 {
	b := img.Bounds()
	var sum float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X + 1; x < b.Max.X; x++ {
			sum += float64(abs(int(px(img, x-b.Min.X, y-b.Min.Y).G) - int(px(img, x-1-b.Min.X, y-b.Min.Y).G)))
		}
	}
	return sum / float64(b.Dx()*b.Dy())
}
