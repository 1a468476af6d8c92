//go:build cgo

package imaging

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
)

func renderText(t *testing.T, p *Processor, r TextRequest) image.Image {
	t.Helper()
	res, err := p.Text(t.Context(), r)
	if err != nil {
		t.Fatalf("%+v: %v", r, err)
	}
	if res.Format != delivery.PNG || res.Width < 1 || res.Height < 1 {
		t.Fatalf("%+v: %v %dx%d", r, res.Format, res.Width, res.Height)
	}
	img, err := png.Decode(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// ink counts pixels with some opacity, and reports the colour of the most
// opaque one.
func ink(img image.Image) (n int, strongest color.NRGBA) {
	b := img.Bounds()
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			c := px(img, x, y)
			if c.A > 0 {
				n++
			}
			if c.A > strongest.A {
				strongest = c
			}
		}
	}
	return n, strongest
}

// Text renders a PNG in Cloudinary's defaults (12pt black on transparent)
// and honours size, colour, background, weight, style, decoration and
// opacity.
func TestText(t *testing.T) {
	p := newProcessor(t, Config{})
	def := renderText(t, p, TextRequest{Text: "Sample Name"})
	if h := def.Bounds().Dy(); h < 10 || h > 24 {
		t.Errorf("12pt text is %d pixels high", h)
	}
	if n, c := ink(def); n == 0 || c.A != 255 || c.R != 0 || c.G != 0 || c.B != 0 {
		t.Errorf("default: %d inked pixels, strongest %v", n, c)
	}
	if c := px(def, 0, 0); c.A != 0 {
		t.Errorf("default background %v, want transparent", c)
	}
	big := renderText(t, p, TextRequest{Text: "Sample Name", FontSize: 48})
	if big.Bounds().Dy() < 3*def.Bounds().Dy() {
		t.Errorf("48pt (%v) not much taller than 12pt (%v)", big.Bounds(), def.Bounds())
	}
	red := renderText(t, p, TextRequest{Text: "Hi", FontSize: 40, FontColor: "#ff0000", Background: "blue"})
	total, opaque := inkOf(red, func(c color.NRGBA) bool { return c.A == 255 })
	_, blue := inkOf(red, func(c color.NRGBA) bool { return c == color.NRGBA{0, 0, 255, 255} })
	_, redInk := inkOf(red, func(c color.NRGBA) bool { return c.R > 200 && c.B < 60 })
	if opaque != total || blue == 0 || redInk == 0 {
		t.Errorf("red on blue: %d of %d opaque, %d blue, %d red", opaque, total, blue, redInk)
	}
	normal := renderText(t, p, TextRequest{Text: "Hello World", FontSize: 30})
	bold := renderText(t, p, TextRequest{Text: "Hello World", FontSize: 30, FontWeight: "bold"})
	italic := renderText(t, p, TextRequest{Text: "Hello World", FontSize: 30, FontStyle: "italic"})
	under := renderText(t, p, TextRequest{Text: "Hello World", FontSize: 30, TextDecoration: "underline"})
	nn, _ := ink(normal)
	nb, _ := ink(bold)
	nu, _ := ink(under)
	if nb <= nn || nu <= nn {
		t.Errorf("ink: normal %d, bold %d, underline %d", nn, nb, nu)
	}
	if bytesOf(t, italic) == bytesOf(t, normal) {
		t.Error("italic renders like normal")
	}
	faint := renderText(t, p, TextRequest{Text: "Hello", FontSize: 30, Opacity: 50})
	if _, c := ink(faint); c.A < 120 || c.A > 135 {
		t.Errorf("opacity 50: strongest alpha %d", c.A)
	}
	markup := renderText(t, p, TextRequest{Text: "<b>&amp;</b> 5 < 6", FontSize: 20})
	if markup.Bounds().Dx() < 80 {
		t.Errorf("markup-looking text rendered %v: was it interpreted?", markup.Bounds())
	}
}

func inkOf(img image.Image, match func(color.NRGBA) bool) (int, int) {
	b := img.Bounds()
	total, n := 0, 0
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			total++
			if match(px(img, x, y)) {
				n++
			}
		}
	}
	return total, n
}

func bytesOf(t *testing.T, img image.Image) string {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestTextErrors(t *testing.T) {
	p := newProcessor(t, Config{})
	for _, c := range []struct {
		r   TextRequest
		msg string
	}{
		{TextRequest{}, "Missing required parameter - text"},
		{TextRequest{Text: "  "}, "Missing required parameter - text"},
		{TextRequest{Text: "x", FontColor: "notacolour"}, "Invalid font_color: notacolour"},
		{TextRequest{Text: "x", Background: "#12"}, "Invalid background: #12"},
		{TextRequest{Text: "x", FontWeight: "heavy"}, "Invalid font_weight: heavy"},
		{TextRequest{Text: "x", FontStyle: "oblique"}, "Invalid font_style: oblique"},
		{TextRequest{Text: "x", TextDecoration: "blink"}, "Invalid text_decoration: blink"},
		{TextRequest{Text: "x", FontSize: 501}, "Invalid font_size: 501"},
		{TextRequest{Text: "x", Opacity: 101}, "Invalid opacity: 101"},
		{TextRequest{Text: "x", FontFamily: "Arial,Bold 99"}, "Invalid font_family: Arial,Bold 99"},
		{TextRequest{Text: string(bytes.Repeat([]byte("W"), 900)), FontSize: 500}, "Text image too large - reduce the text or the font_size"},
	} {
		_, err := p.Text(t.Context(), c.r)
		wantError(t, err, 400, c.msg)
	}
}
