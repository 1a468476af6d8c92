package origin_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// A truncated image (a JPEG without its end, a PNG without IEND) is
// refused at upload with 400 Invalid image file and nothing is stored,
// whether the Go SDK uploads it as auto (its default) or the API is told it
// is an image: stored, it would fail every later transform (issue 15).
func TestTruncatedImageRefusedAtUpload(t *testing.T) {
	o := startOrigin(t, nil)
	jpg, png := testkit.Read(t, "Aqua.jpg"), testkit.Read(t, "coffee.png")
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		file []byte
	}{
		{"cut.jpg", jpg[:len(jpg)*2/3]},
		{"noeoi.jpg", jpg[:len(jpg)-2]},
		{"noiend.png", png[:len(png)-12]},
		{"cut.png", png[:len(png)*2/3]},
	} {
		path := filepath.Join(dir, c.name)
		if err := os.WriteFile(path, c.file, 0o644); err != nil {
			t.Fatal(err)
		}
		id := strings.TrimSuffix(c.name, filepath.Ext(c.name))
		res, err := o.Cld.Upload.Upload(context.Background(), path, uploader.UploadParams{PublicID: id})
		if err != nil || res.Error.Message != "Invalid image file" {
			t.Errorf("%s as auto: %v %+v", c.name, err, res.Error)
		}
		ct, body := form(t, [][2]string{{"public_id", id}}, c.name, c.file)
		if status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true); status != 400 ||
			errorMessage(t, resp) != "Invalid image file" {
			t.Errorf("%s as image: %d %s", c.name, status, resp)
		}
		assertNothingStored(t, o, id)
	}
	res, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, "Aqua.jpg"),
		uploader.UploadParams{PublicID: "whole", Overwrite: api.Bool(true)})
	if err != nil || res.Error.Message != "" || res.Width != 2560 {
		t.Errorf("a whole image: %v %+v", err, res)
	}
}
