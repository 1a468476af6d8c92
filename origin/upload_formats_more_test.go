package origin_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Delivery writes TIFF, BMP, ICO, HEIC and JPEG XL from an extension or
// f_, with their media types; an icon over 256×256 is refused. What it
// writes is then uploaded through the Go SDK: each is an image with
// Cloudinary's format name and its size, and a corrupt copy of each is
// refused with "Invalid image file" (as an image: auto would store it as
// raw). A JPEG XL is stored and delivered as
// it is, never transformed (its loader is untrusted).
func TestMoreFormatsDeliveredAndUploaded(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	uploadAs(t, o, "rocket.jpg", "formats/src")
	written := map[string][]byte{}
	for _, c := range []struct {
		path, format, contentType string
	}{
		{"c_fill,w_64,h_48/formats/src.tiff", "tiff", "image/tiff"},
		{"c_fill,w_64,h_48/formats/src.tif", "tiff", "image/tiff"},
		{"c_fill,w_64,h_48,f_tiff/formats/src", "tiff", "image/tiff"},
		{"c_fill,w_64,h_48/formats/src.bmp", "bmp", "image/bmp"},
		{"c_fill,w_64,h_48/formats/src.ico", "ico", "image/vnd.microsoft.icon"},
		{"c_fill,w_64,h_48/formats/src.heic", "heic", "image/heic"},
		{"c_fill,w_64,h_48,q_50/formats/src.jxl", "jxl", "image/jxl"},
	} {
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+c.path)
		if r.Status != 200 || r.Header.Get("Content-Type") != c.contentType {
			t.Fatalf("%s: %d %q %s", c.path, r.Status, r.Header.Get("Content-Type"), r.Header.Get("X-Cld-Error"))
		}
		if info := probe(t, r.Body); info.Format.String() != c.format || info.Width != 64 || info.Height != 48 {
			t.Errorf("%s: %+v", c.path, info)
		}
		written[c.format] = r.Body
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/c_fill,w_300,h_300/formats/src.ico"); r.Status != 400 ||
		r.Header.Get("X-Cld-Error") != "Requested image size 300x300 exceeds the limit of 256 pixels per side for ico" {
		t.Errorf("ico 300x300: %d %q", r.Status, r.Header.Get("X-Cld-Error"))
	}

	for _, format := range []string{"tiff", "bmp", "ico", "heic", "jxl"} {
		data := written[format]
		id := "formats/up_" + format
		res, err := o.Cld.Upload.Upload(ctx, writeTemp(t, "file."+format, data), uploader.UploadParams{PublicID: id})
		if msg := sdkFailure(err, res); msg != "" {
			t.Fatalf("%s: %s", format, msg)
		}
		if res.ResourceType != "image" || res.Format != format || res.Width != 64 || res.Height != 48 || res.Bytes != len(data) {
			t.Errorf("%s: %+v", format, res)
		}
		corrupt := data[:len(data)/2]
		if format == "jxl" {
			corrupt = data[:3] // never decoded: only a broken header is seen
		}
		res, err = o.Cld.Upload.Upload(ctx, writeTemp(t, "bad."+format, corrupt), uploader.UploadParams{PublicID: id + "_bad", ResourceType: "image"})
		if err != nil || res.Error.Message != "Invalid image file" {
			t.Errorf("corrupt %s: %+v %v", format, res, err)
		}
	}

	orig := testkit.Get(t, o.URL+"/demo/image/upload/formats/up_jxl.jxl")
	if orig.Status != 200 || !bytes.Equal(orig.Body, written["jxl"]) || orig.Header.Get("Content-Type") != "image/jxl" {
		t.Errorf("jxl original: %d %q", orig.Status, orig.Header.Get("Content-Type"))
	}
	for _, path := range []string{"w_10/formats/up_jxl.jxl", "formats/up_jxl.png"} {
		if r := testkit.Get(t, o.URL+"/demo/image/upload/"+path); r.Status != 400 ||
			r.Header.Get("X-Cld-Error") != "Transformations of JPEG XL images are not supported" {
			t.Errorf("%s: %d %q", path, r.Status, r.Header.Get("X-Cld-Error"))
		}
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/w_16/formats/up_ico.png"); r.Status != 200 || probe(t, r.Body).Width != 16 {
		t.Errorf("ico input to png: %d", r.Status)
	}
}
