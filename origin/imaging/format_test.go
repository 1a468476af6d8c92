//go:build cgo

package imaging

import (
	"bytes"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// f_jpg, f_png, f_webp, f_avif and f_gif write what they say (checked by
// reading the bytes back); formats this package does not write answer 400
// (f_tiff, f_bmp, f_ico, f_heic and f_jxl: save_formats_test.go).
func TestOutputFormats(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "rocket.jpg")
	for _, f := range []delivery.Format{delivery.JPG, delivery.PNG, delivery.WebP, delivery.AVIF, delivery.GIF} {
		res := do(t, p, src, "w_200", f)
		if res.Format != f || res.Width != 200 {
			t.Errorf("%v: got %v %dx%d", f, res.Format, res.Width, res.Height)
		}
		probe(t, p, res)
	}
	for _, f := range []delivery.Format{delivery.PDF, delivery.SVG, delivery.JP2, delivery.PSD} {
		_, err := try(t, p, src, "w_200", f)
		wantError(t, err, 400, "Unsupported transformation parameter: f_"+f.String())
	}
}

// FormatNone keeps the input's format.
func TestKeepInputFormat(t *testing.T) {
	p := newProcessor(t, Config{})
	for name, f := range map[string]delivery.Format{"rocket.jpg": delivery.JPG, "logo.png": delivery.PNG} {
		if res := do(t, p, testkit.Read(t, name), "w_100", delivery.FormatNone); res.Format != f {
			t.Errorf("%s: %v, want %v", name, res.Format, f)
		}
	}
	webp := do(t, p, testkit.Read(t, "rocket.jpg"), "w_300", delivery.WebP)
	if res := do(t, p, webp.Body, "w_100", delivery.FormatNone); res.Format != delivery.WebP {
		t.Errorf("webp input: %v", res.Format)
	}
}

// f_auto: AVIF, else WebP, as Accept allows; else JPEG, or PNG when the
// result has alpha.
func TestFormatAuto(t *testing.T) {
	p := newProcessor(t, Config{})
	photo, logo := testkit.Read(t, "rocket.jpg"), testkit.Read(t, "logo.png")
	tr, _ := delivery.ParseTransformation("w_100,f_auto")
	for _, c := range []struct {
		src    []byte
		accept delivery.Format
		want   delivery.Format
	}{
		{photo, delivery.AVIF, delivery.AVIF},
		{photo, delivery.WebP, delivery.WebP},
		{photo, delivery.FormatNone, delivery.JPG},
		{logo, delivery.FormatNone, delivery.PNG},
		{logo, delivery.WebP, delivery.WebP},
	} {
		res, err := p.Transform(t.Context(), c.src, Request{Transformation: tr, Format: delivery.FormatAuto, Accept: c.accept})
		if err != nil || res.Format != c.want {
			t.Errorf("accept %v: %v %v, want %v", c.accept, res.Format, err, c.want)
			continue
		}
		probe(t, p, res)
	}
	// A pad makes alpha possible only when the format keeps it: with no
	// lossy alpha format accepted, a photo is padded white and stays JPEG.
	res, err := p.Transform(t.Context(), photo, Request{Format: delivery.FormatAuto,
		Transformation: mustParse(t, "c_pad,w_300,h_300")})
	if err != nil || res.Format != delivery.JPG {
		t.Errorf("padded photo: %v %v, want jpg", res.Format, err)
	}
}

// q_ and q_auto levels order file sizes; the mapping follows imgproxy's
// defaults.
func TestQuality(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "Garden.jpg")
	size := func(tx string, f delivery.Format) int { return len(do(t, p, src, tx, f).Body) }
	for _, f := range []delivery.Format{delivery.JPG, delivery.WebP, delivery.AVIF} {
		if lo, hi := size("w_400,q_10", f), size("w_400,q_90", f); lo >= hi {
			t.Errorf("%v: q_10 %d bytes, q_90 %d", f, lo, hi)
		}
		low, eco, good, best := size("w_400,q_auto:low", f), size("w_400,q_auto:eco", f),
			size("w_400,q_auto", f), size("w_400,q_auto:best", f)
		if !(low < eco && eco < good && good < best) {
			t.Errorf("%v: q_auto low %d eco %d good %d best %d", f, low, eco, good, best)
		}
		if def, good2 := size("w_400", f), size("w_400,q_auto:good", f); def != good || good2 != good {
			t.Errorf("%v: default %d, q_auto %d, q_auto:good %d differ", f, def, good, good2)
		}
	}
	for _, c := range []struct {
		q    string
		e    encoder
		want int
	}{
		{"", encJPEG, 80}, {"", encWebP, 79}, {"", encAVIF, 63},
		{"auto:best", encJPEG, 90}, {"auto:eco", encWebP, 69}, {"auto:low", encAVIF, 45},
		{"35", encAVIF, 35},
	} {
		var q delivery.Component
		if c.q != "" {
			q = mustParse(t, "q_"+c.q).Components[0]
		}
		if got := quality(q.Quality, c.q != "", c.e); got != c.want {
			t.Errorf("q_%s on %d: %d, want %d", c.q, c.e, got, c.want)
		}
	}
	// q_80:444 turns chroma subsampling off: a bigger file than q_80:420.
	if a, b := size("w_400,q_80:444", delivery.JPG), size("w_400,q_80:420", delivery.JPG); a <= b {
		t.Errorf("q_80:444 %d bytes, q_80:420 %d", a, b)
	}
}

// fl_progressive writes a progressive JPEG (SOF2) or an interlaced PNG;
// the default is baseline.
func TestProgressive(t *testing.T) {
	p := newProcessor(t, Config{})
	src := testkit.Read(t, "rocket.jpg")
	sof2 := []byte{0xff, 0xc2}
	if b := do(t, p, src, "w_100", delivery.JPG).Body; bytes.Contains(b, sof2) {
		t.Error("baseline JPEG has SOF2")
	}
	if b := do(t, p, src, "w_100,fl_progressive", delivery.JPG).Body; !bytes.Contains(b, sof2) {
		t.Error("fl_progressive JPEG has no SOF2")
	}
	// PNG: the IHDR's interlace byte (offset 28 in the file) is 1 for Adam7.
	if b := do(t, p, src, "w_100", delivery.PNG).Body; b[28] != 0 {
		t.Error("plain PNG is interlaced")
	}
	if b := do(t, p, src, "w_100,fl_progressive", delivery.PNG).Body; b[28] != 1 {
		t.Error("fl_progressive PNG is not interlaced")
	}
}

// Metadata is stripped by default, after the EXIF orientation is applied;
// fl_keep_iptc keeps the IPTC block; fl_strip_profile (and the default)
// drop ICC profiles.
func TestMetadata(t *testing.T) {
	p := newProcessor(t, Config{})
	src := withIPTC(withEXIF(testkit.Read(t, "rocket.jpg"), 1, "Secret Photographer"), "(c) Copyright Holder")
	if info, err := p.Probe(src); err != nil || info.Width != 640 {
		t.Fatalf("crafted input: %+v %v", info, err)
	}
	plain := do(t, p, src, "w_100", delivery.JPG).Body
	for _, s := range []string{"Exif", "Secret Photographer", "Copyright Holder", "Photoshop"} {
		if bytes.Contains(plain, []byte(s)) {
			t.Errorf("default output keeps %q", s)
		}
	}
	kept := do(t, p, src, "w_100,fl_keep_iptc", delivery.JPG).Body
	if !bytes.Contains(kept, []byte("Copyright Holder")) {
		t.Error("fl_keep_iptc lost the IPTC copyright")
	}
	if bytes.Contains(kept, []byte("Secret Photographer")) {
		t.Error("fl_keep_iptc kept EXIF")
	}
	// astronaut.png and rocket.jpg carry ICC profiles.
	for _, name := range []string{"astronaut.png", "rocket.jpg"} {
		for _, tx := range []string{"w_100", "w_100,fl_strip_profile", "w_100,fl_strip_profile.keep_iptc"} {
			for _, f := range []delivery.Format{delivery.PNG, delivery.JPG, delivery.WebP} {
				b := do(t, p, testkit.Read(t, name), tx, f).Body
				if bytes.Contains(b, []byte("iCCP")) || bytes.Contains(b, []byte("ICC_PROFILE")) || bytes.Contains(b, []byte("ICCP")) {
					t.Errorf("%s %s %v keeps an ICC profile", name, tx, f)
				}
			}
		}
	}
}

// The EXIF orientation is applied before anything else, and Probe reports
// the upright size; a_ignore keeps the stored orientation.
func TestEXIFOrientation(t *testing.T) {
	p := newProcessor(t, Config{})
	jpg := do(t, p, testkit.Read(t, "coffee.png"), "", delivery.JPG).Body // 600x400 JPEG, no EXIF
	src := withEXIF(jpg, 6, "someone")
	info, err := p.Probe(src)
	if err != nil || info.Width != 400 || info.Height != 600 || info.Orientation != 6 {
		t.Fatalf("probe: %+v %v, want 400x600 orientation 6", info, err)
	}
	for _, c := range []struct {
		tx   string
		w, h int
	}{
		{"", 400, 600},
		{"w_200", 200, 300},
		{"c_fill,w_100,h_300", 100, 300},
		{"a_ignore", 600, 400},
		{"a_ignore,w_300", 300, 200},
	} {
		res := do(t, p, src, c.tx, delivery.JPG)
		if res.Width != c.w || res.Height != c.h {
			t.Errorf("%q: %dx%d, want %dx%d", c.tx, res.Width, res.Height, c.w, c.h)
		}
		if bytes.Contains(res.Body, []byte("Exif")) {
			t.Errorf("%q kept EXIF", c.tx)
		}
	}
	// Orientation 6 turns the image clockwise: its left column becomes the
	// top row.
	in := decodeFile(t, jpg)
	out := decode(t, do(t, p, src, "", delivery.PNG))
	if !near(px(out, 399, 0), px(in, 0, 0), 24) || !near(px(out, 0, 0), px(in, 0, 399), 24) {
		t.Errorf("orientation 6: corners %v %v, want %v %v", px(out, 399, 0), px(out, 0, 0), px(in, 0, 0), px(in, 0, 399))
	}
}

// An AVIF input keeps its format; a HEIC one (not written here) becomes JPEG.
func TestKeepAVIF(t *testing.T) {
	p := newProcessor(t, Config{})
	avif := do(t, p, testkit.Read(t, "rocket.jpg"), "w_200", delivery.AVIF)
	if !isAVIF(avif.Body) || !isHEIF(avif.Body) {
		t.Fatalf("ftyp of our AVIF: %q", avif.Body[:32])
	}
	if res := do(t, p, avif.Body, "w_100", delivery.FormatNone); res.Format != delivery.AVIF || res.Width != 100 {
		t.Errorf("AVIF input: %v %dx%d", res.Format, res.Width, res.Height)
	}
	heic := append([]byte{0, 0, 0, 24}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	if isAVIF(heic) || !isHEIF(heic) {
		t.Error("HEIC brand taken for AVIF")
	}
}
