package origin_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Conditions and variables through the real origin: tags and context
// come from the asset's record, sizes from its header.
func TestDeliverConditions(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	upload := func(file, id string, tags []string, cx map[string]string) {
		t.Helper()
		res, err := o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: id, Overwrite: api.Bool(true),
			Tags: tags, Context: cx, Eager: "if_!sale!_in_tags/e_grayscale/if_end/c_scale,w_100/png"})
		if msg := sdkFailure(err, res); msg != "" {
			t.Fatalf("upload %s: %s", id, msg)
		}
	}
	upload(testkit.Path(t, "coffee.png"), "tagged", []string{"sale", "new"}, map[string]string{"mode": "bw"})
	upload(testkit.Path(t, "coffee.png"), "plain", nil, nil)
	upload(portraitPNG(t), "portrait", nil, nil)

	get := func(tx, id string) image.Image {
		t.Helper()
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+tx+"/"+id+".png")
		if r.Status != 200 {
			t.Fatalf("%s/%s: %d %s", tx, id, r.Status, r.Header.Get("X-Cld-Error"))
		}
		img, err := png.Decode(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("%s/%s: %v", tx, id, err)
		}
		return img
	}
	// A condition on tags or context applies to the asset that has them.
	for _, tx := range []string{"if_!sale!_in_tags/e_grayscale/if_end", "if_ctx:!mode!_eq_!bw!/e_grayscale/if_end",
		"if_!sale:new!_in_tags_and_ctx:!mode!_ne_!!/e_grayscale/if_end"} {
		if !greyImage(get(tx, "tagged")) || greyImage(get(tx, "plain")) {
			t.Errorf("%s: tagged grey %v, plain grey %v; want only the tagged one", tx, greyImage(get(tx, "tagged")),
				greyImage(get(tx, "plain")))
		}
	}
	// The eager image was made at upload with the upload's tags; its URL
	// serves it as stored.
	o.Server.WaitRecorded()
	if !greyImage(get("if_!sale!_in_tags/e_grayscale/if_end/c_scale,w_100", "tagged")) {
		t.Error("the eager image of the tagged upload is not grey")
	}
	// An incoming transformation reads the upload's tags too.
	res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "coffee.png"), uploader.UploadParams{PublicID: "incoming",
		Tags: []string{"sale"}, Transformation: "if_!sale!_in_tags/e_grayscale/if_end"})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatalf("upload with an incoming transformation: %s", msg)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/incoming.png"); r.Status != 200 {
		t.Fatalf("incoming: %d", r.Status)
	} else if img, err := png.Decode(bytes.NewReader(r.Body)); err != nil || !greyImage(img) {
		t.Errorf("the tagged upload's incoming transformation did not apply (%v)", err)
	}
	// Pad if portrait: the portrait is padded, the landscape left alone.
	const pad = "if_ar_lt_1.0/c_pad,h_500,w_500/if_end"
	if b := get(pad, "portrait").Bounds(); b.Dx() != 500 || b.Dy() != 500 {
		t.Errorf("%s on a portrait: %v, want 500x500", pad, b)
	} else if c := get(pad, "portrait").At(10, 250); !padding(c) {
		t.Errorf("%s on a portrait: padding %v, want transparent (PNG) or white", pad, c)
	}
	if b := get(pad, "plain").Bounds(); b.Dx() != 600 || b.Dy() != 400 {
		t.Errorf("%s on a landscape: %v, want 600x400", pad, b)
	}
	// if_else, variables, arithmetic.
	for _, c := range []struct {
		tx, id string
		w, h   int
	}{
		{"if_iw_lte_400/c_fill,h_120,w_240/if_else/c_fill,h_240,w_400/if_end", "plain", 400, 240},
		{"if_iw_lte_400/c_fill,h_120,w_240/if_else/c_fill,h_240,w_400/if_end", "portrait", 240, 120},
		{"$w_200/w_$w_mul_2", "plain", 400, 267},
		{"w_iw_div_2", "plain", 300, 200},
	} {
		if b := get(c.tx, c.id).Bounds(); b.Dx() != c.w || b.Dy() != c.h {
			t.Errorf("%s on %s: %v, want %dx%d", c.tx, c.id, b, c.w, c.h)
		}
	}
	// Bad expressions answer 400 naming them, at parse time or when evaluated.
	for tx, msg := range map[string]string{
		"w_iw_div_0":                    "Division by zero in expression iw_div_0",
		"w_$w_div":                      "Invalid expression $w_div",
		"if_w_gt_1/if_h_gt_1/if_end":    "Nested conditions are not supported: if_h_gt_1",
		"fn_wasm:blur.wasm":             "Unsupported transformation parameter: fn_wasm:blur.wasm",
		"if_ar_lt_1.0,t_padsq":          "A named transformation cannot share the component of its condition if_ar_lt_1.0",
		"if_md:!sku!_eq_!a!/w_1/if_end": "Structured metadata (md) is not supported",
	} {
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+tx+"/plain.png")
		if r.Status != 400 || !strings.HasPrefix(r.Header.Get("X-Cld-Error"), msg) {
			t.Errorf("%s: %d %q, want 400 %q", tx, r.Status, r.Header.Get("X-Cld-Error"), msg)
		}
	}
	// A named transformation inside a condition.
	if res, err := o.Cld.Admin.CreateTransformation(ctx, admin.CreateTransformationParams{Name: "padsq",
		Transformation: "c_pad,h_500,w_500"}); err != nil || res.Error.Message != "" {
		t.Fatalf("create padsq: %v %+v", err, res)
	}
	if b := get("if_ar_lt_1.0/t_padsq/if_end", "portrait").Bounds(); b.Dx() != 500 || b.Dy() != 500 {
		t.Errorf("t_padsq inside a condition on a portrait: %v, want 500x500", b)
	}
	if b := get("if_ar_lt_1.0/t_padsq/if_end", "plain").Bounds(); b.Dx() != 600 {
		t.Errorf("t_padsq inside a condition on a landscape: %v, want 600x400", b)
	}
}

// As Cloudinary, a derived image is made once per transformation: a tag
// added later does not change what its URL serves, until the derived
// images are deleted (or the asset overwritten) and made again.
func TestDeliverConditionsOnTagChange(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	uploadAs(t, o, "coffee.png", "later")
	const url = "/demo/image/upload/if_!sale!_in_tags/e_grayscale/if_end/later.png"
	grey := func() bool {
		t.Helper()
		r := testkit.Get(t, o.URL+url)
		img, err := png.Decode(bytes.NewReader(r.Body))
		if r.Status != 200 || err != nil {
			t.Fatalf("%d %s %v", r.Status, r.Header.Get("X-Cld-Error"), err)
		}
		return greyImage(img)
	}
	if grey() {
		t.Fatal("untagged asset came out grey")
	}
	o.Server.WaitRecorded()
	if res, err := o.Cld.Upload.AddTag(ctx, uploader.AddTagParams{Tag: "sale", PublicIDs: []string{"later"}}); err != nil || res.Error.Message != "" {
		t.Fatalf("add tag: %v %+v", err, res)
	}
	if grey() {
		t.Fatal("the stored derived image was made again on a tag change; Cloudinary keeps it")
	}
	if res, err := o.Cld.Admin.DeleteAssets(ctx, admin.DeleteAssetsParams{PublicIDs: []string{"later"},
		KeepOriginal: api.Bool(true)}); err != nil || res.Error.Message != "" {
		t.Fatalf("delete derived: %v %+v", err, res)
	}
	if !grey() {
		t.Fatal("after the derived images were deleted, the tagged asset is not grey")
	}
}

// portraitPNG writes a 200x400 image with a gradient (no grey pixels).
func portraitPNG(t *testing.T) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 200, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 200; x++ {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y / 2), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "portrait.png")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// greyImage reports whether sampled pixels all have equal channels.
func greyImage(img image.Image) bool {
	b := img.Bounds()
	for y := b.Min.Y + 3; y < b.Max.Y; y += 37 {
		for x := b.Min.X + 3; x < b.Max.X; x += 41 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 != g>>8 || g>>8 != bl>>8 {
				return false
			}
		}
	}
	return true
}

// padding reports whether c is what c_pad adds: transparent, or white.
func padding(c color.Color) bool {
	r, g, b, a := c.RGBA()
	return a == 0 || r>>8 > 245 && g>>8 > 245 && b>>8 > 245
}
