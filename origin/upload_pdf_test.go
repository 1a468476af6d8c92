package origin_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// pdfPages is a two-page PDF written here: page 1 is 200x100 points,
// page 2 300x150.
func pdfPages() []byte {
	return testkit.PDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 150] >>",
	)
}

// An uploaded PDF is an image asset of format pdf with its pages, in the
// upload response and the Admin API's details; delivery rasterises a page.
func TestUploadPDF(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, pdfPages(), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: "doc"})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatalf("upload: %s", msg)
	}
	if res.ResourceType != "image" || res.Format != "pdf" || res.Pages != 2 || res.Width != 200 || res.Height != 100 {
		t.Errorf("upload: %s %s, %d pages of %dx%d", res.ResourceType, res.Format, res.Pages, res.Width, res.Height)
	}
	a, err := o.Cld.Admin.Asset(ctx, admin.AssetParams{PublicID: "doc"})
	if msg := sdkFailure(err, a); msg != "" {
		t.Fatalf("details: %s", msg)
	}
	if a.Format != "pdf" || a.Pages != 2 {
		t.Errorf("details: %s, %d pages", a.Format, a.Pages)
	}
	for path, w := range map[string]int{"doc.png": 417, "pg_2/doc.png": 625, "pg_2,dn_72/doc.png": 300, "pg_2,dn_144/doc.png": 600} {
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+path)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		img, err := png.Decode(bytes.NewReader(r.Body))
		if err != nil || img.Bounds().Dx() != w {
			t.Errorf("%s: %v, width want %d", path, err, w)
		}
	}
}
