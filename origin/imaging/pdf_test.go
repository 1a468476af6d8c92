//go:build cgo

package imaging

import (
	"image/color"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// twoPagePDF is a PDF written here, object by object: page 1 is 200x100
// points filled red, page 2 is 300x150 points, its left half blue and the
// rest blank (white).
func twoPagePDF() []byte {
	return testkit.PDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>",
		testkit.PDFStream("1 0 0 rg 0 0 200 100 re f"),
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 150] /Contents 6 0 R >>",
		testkit.PDFStream("0 0 1 rg 0 0 150 150 re f"),
	)
}

// A PDF is probed as format pdf with its pages, verified, and rasterised:
// page 1 by default at 150 dpi (Cloudinary's default), pg_ another page,
// dn_ the density.
func TestPDF(t *testing.T) {
	p := newProcessor(t, Config{})
	src := twoPagePDF()
	info, err := p.Probe(src)
	if err != nil || info.Format != delivery.PDF || info.Pages != 2 || info.Width != 200 || info.Height != 100 {
		t.Fatalf("probe: %+v %v", info, err)
	}
	if err := p.Verify(t.Context(), src); err != nil {
		t.Fatalf("verify: %v", err)
	}
	res := do(t, p, src, "", delivery.FormatNone)
	if res.Format != delivery.PNG || res.Width != 417 || res.Height != 208 {
		t.Fatalf("page 1: %v %dx%d", res.Format, res.Width, res.Height)
	}
	if c := px(decode(t, res), 200, 100); !near(c, color.NRGBA{255, 0, 0, 255}, 8) {
		t.Errorf("page 1: %v, want red", c)
	}
	two := decode(t, do(t, p, src, "pg_2,dn_72", delivery.PNG))
	if b := two.Bounds(); b.Dx() != 300 || b.Dy() != 150 {
		t.Fatalf("pg_2: %v", b)
	}
	if l, r := px(two, 50, 75), px(two, 250, 75); !near(l, color.NRGBA{0, 0, 255, 255}, 8) || !near(r, color.NRGBA{255, 255, 255, 255}, 8) {
		t.Errorf("pg_2: left %v right %v, want blue and white", l, r)
	}
	for tx, w := range map[string]int{"dn_144": 400, "dn_36": 100, "pg_2,dn_144/w_0.5": 300} {
		if r := do(t, p, src, tx, delivery.PNG); r.Width != w {
			t.Errorf("%s: width %d, want %d", tx, r.Width, w)
		}
	}
	for _, v := range []string{"0", "601", "x"} {
		_, err := try(t, p, src, "dn_"+v, delivery.PNG)
		wantError(t, err, 400, "Invalid density in transformation: "+v)
	}
	_, err = try(t, p, src, "pg_3", delivery.PNG)
	wantError(t, err, 400, "Invalid page in transformation: 3")
	_, err = try(t, newProcessor(t, Config{MaxInputPixels: 100_000}), src, "dn_600", delivery.PNG)
	wantError(t, err, 400, "Image is too large - 1667x833 is more than the limit of 100000 pixels")
	if r := do(t, p, testkit.Read(t, "rocket.jpg"), "dn_300,w_50", delivery.JPG); r.Width != 50 {
		t.Errorf("dn_ on a raster image: %dx%d", r.Width, r.Height)
	}
}
