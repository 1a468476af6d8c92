package origin_test

import (
	"bytes"
	"context"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Explode makes one derived image per page of a PDF, recorded, so that
// delivery finds each page made; it answers Cloudinary's processing and
// batch_id.
func TestExplodePDF(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, pdfPages(), 0o600); err != nil {
		t.Fatal(err)
	}
	if res, err := o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: "doc"}); sdkFailure(err, res) != "" {
		t.Fatal(sdkFailure(err, res))
	}
	res, err := o.Cld.Upload.Explode(ctx, uploader.ExplodeParams{PublicID: "doc"})
	if msg := sdkFailure(err, res); msg != "" || res.Status != "processing" || len(res.BatchID) != 32 {
		t.Fatalf("explode: %s %+v", msg, res)
	}
	o.Server.WaitRecorded()
	key := meta.Key{Cloud: cloudName, ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "doc"}
	derived, err := o.Store.Meta.ListDerived(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range derived {
		got = append(got, d.Transformation+"/"+d.Format)
	}
	if strings.Join(got, " ") != "pg_1/png pg_2/png" {
		t.Fatalf("derived after explode: %q, want pg_1/png and pg_2/png", got)
	}
	for path, w := range map[string]int{"pg_1/doc.png": 417, "pg_2/doc.png": 625} {
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+path)
		img, err := png.Decode(bytes.NewReader(r.Body))
		if r.Status != 200 || err != nil || img.Bounds().Dx() != w {
			t.Errorf("%s: %v %v, want %d wide", path, r, err, w)
		}
	}

	// With more transformation, in a format, each page is that.
	res, err = o.Cld.Upload.Explode(ctx, uploader.ExplodeParams{PublicID: "doc", Format: "jpg"})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	status, body := post(t, o.URL+"/v1_1/demo/image/explode", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"public_id": {"doc"}, "transformation": {"w_50,pg_all"}}.Encode()), true)
	if status != 200 || !strings.Contains(body, `"status":"processing"`) {
		t.Fatalf("explode w_50,pg_all: %d %s", status, body)
	}
	o.Server.WaitRecorded()
	if derived, err = o.Store.Meta.ListDerived(ctx, key); err != nil || len(derived) != 6 {
		t.Errorf("derived: %d %v, want 6", len(derived), err)
	}
	for _, d := range derived {
		if strings.HasPrefix(d.Transformation, "w_50,") && d.Width != 50 {
			t.Errorf("%s: %d wide", d.Transformation, d.Width)
		}
	}
}

// What explode refuses: no public ID, an asset that is not there, a
// transformation without exactly one pg_all, a bad notification_url.
func TestExplodeRefusals(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "rocket.jpg", "pic")
	for _, c := range []struct {
		fields url.Values
		status int
		want   string
	}{
		{url.Values{"transformation": {"pg_all"}}, 400, "Missing required parameter - public_id"},
		{url.Values{"public_id": {"nope"}, "transformation": {"pg_all"}}, 404, "Resource not found - nope"},
		{url.Values{"public_id": {"pic"}}, 400, "Transformation must contain exactly one pg_all - "},
		{url.Values{"public_id": {"pic"}, "transformation": {"pg_all/pg_all"}}, 400, "exactly one pg_all"},
		{url.Values{"public_id": {"pic"}, "transformation": {"pg_allx"}}, 400, "exactly one pg_all"},
		{url.Values{"public_id": {"pic"}, "transformation": {"pg_all"}, "format": {"nope"}}, 400, "Invalid format - nope"},
		{url.Values{"public_id": {"pic"}, "transformation": {"pg_all"}, "notification_url": {"ftp://example.com/h"}},
			400, "Invalid notification_url - ftp://example.com/h"},
	} {
		status, body := post(t, o.URL+"/v1_1/demo/image/explode", "application/x-www-form-urlencoded",
			strings.NewReader(c.fields.Encode()), true)
		if status != c.status || !strings.Contains(errorMessage(t, body), c.want) {
			t.Errorf("%v: %d %s, want %d %q", c.fields, status, body, c.status, c.want)
		}
	}
}
