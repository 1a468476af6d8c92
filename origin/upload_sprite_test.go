package origin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// sprite stacks the images with a tag, in public ID order, into one PNG
// whose every rectangle is that image's pixels, with a CSS class and a JSON
// entry per image; /image/sprite/<tag>.png, .css and .json deliver them.
func TestSpriteImageCSSJSON(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	uploadWithTag(t, o, "icons", [2]string{"chelsea.png", "b/cat"}, [2]string{"rocket.jpg", "a"}, [2]string{"logo.png", "c"})
	uploadAs(t, o, "coffee.png", "untagged")

	res, err := o.Cld.Upload.GenerateSprite(ctx, uploader.GenerateSpriteParams{Tag: "icons", Transformation: "w_60"})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	v := fmt.Sprintf("/demo/image/sprite/v%d/icons", res.Version)
	if res.PublicID != "icons" || res.ImageURL != "http://cdn.test"+v+".png" || res.SecureImageURL != "https://cdn.test"+v+".png" ||
		res.CSSURL != "http://cdn.test"+v+".css" || res.SecureCSSURL != "https://cdn.test"+v+".css" ||
		res.JSONURL != "http://cdn.test"+v+".json" || res.SecureJSONURL != "https://cdn.test"+v+".json" {
		t.Fatalf("sprite: %+v", res)
	}
	// In public ID order, top to bottom: a (640x427 at w_60: 60x40),
	// b/cat (451x300: 60x40), c (500x500: 60x60).
	want := map[string]uploader.ImageInfo{
		"a": {Width: 60, Height: 40, X: 0, Y: 0}, "b/cat": {Width: 60, Height: 40, X: 0, Y: 40}, "c": {Width: 60, Height: 60, X: 0, Y: 80},
	}
	if fmt.Sprint(res.ImageInfos) != fmt.Sprint(want) {
		t.Fatalf("image_infos: %v, want %v", res.ImageInfos, want)
	}
	r := testkit.Get(t, o.URL+"/demo/image/sprite/icons.png")
	if r.Status != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("sprite png: %d %v", r.Status, r.Header)
	}
	sprite := decodePNG(t, r.Body)
	if sprite.Bounds().Dx() != 60 || sprite.Bounds().Dy() != 140 {
		t.Fatalf("sprite: %v, want 60x140", sprite.Bounds())
	}
	for id, info := range res.ImageInfos {
		src := decodePNG(t, testkit.Get(t, o.URL+"/demo/image/upload/w_60/"+id+".png").Body)
		rect := sprite.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(image.Rect(info.X, info.Y, info.X+info.Width, info.Y+info.Height))
		if d := meanDiff(rect, src); d != 0 {
			t.Errorf("%s: its rectangle differs from the image by %.2f per channel", id, d)
		}
	}

	css := testkit.Get(t, o.URL+"/demo/image/sprite/v1/icons.css")
	if css.Status != 200 || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("css: %d %v", css.Status, css.Header)
	}
	wantCSS := fmt.Sprintf(".a { background: url('https://cdn.test%[1]s.png') 0px 0px; width: 60px; height: 40px; }\n"+
		".b\\/cat { background: url('https://cdn.test%[1]s.png') 0px -40px; width: 60px; height: 40px; }\n"+
		".c { background: url('https://cdn.test%[1]s.png') 0px -80px; width: 60px; height: 60px; }\n", v)
	if string(css.Body) != wantCSS {
		t.Errorf("css:\n%s\nwant:\n%s", css.Body, wantCSS)
	}
	js := testkit.Get(t, o.URL+"/demo/image/sprite/icons.json")
	var file struct {
		ImageURL   string                        `json:"image_url"`
		ImageInfos map[string]uploader.ImageInfo `json:"image_infos"`
	}
	if err := json.Unmarshal(js.Body, &file); err != nil || js.Status != 200 || file.ImageURL != res.ImageURL ||
		fmt.Sprint(file.ImageInfos) != fmt.Sprint(want) {
		t.Errorf("json: %d %v %s", js.Status, err, js.Body)
	}
	// A transformation of the sprite image; none of its CSS.
	if r := testkit.Get(t, o.URL+"/demo/image/sprite/w_30/icons.png"); r.Status != 200 || decodePNG(t, r.Body).Bounds().Dx() != 30 {
		t.Errorf("w_30 of the sprite: %d", r.Status)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/sprite/w_30/icons.css"); r.Status != 400 {
		t.Errorf("w_30 of the css: %d, want 400", r.Status)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/sprite/other.css"); r.Status != 404 {
		t.Errorf("css of no sprite: %d, want 404", r.Status)
	}
}

// Running sprite again overwrites the three files and purges the tag's
// sprite URLs once they are all stored; deleting the tag's images leaves
// the sprite as it was.
func TestSpriteOverwritePurges(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	uploadWithTag(t, o, "ov", [2]string{"chelsea.png", "one"}, [2]string{"coffee.png", "two"})
	first, err := o.Cld.Upload.GenerateSprite(ctx, uploader.GenerateSpriteParams{Tag: "ov", Transformation: "w_40"})
	if msg := sdkFailure(err, first); msg != "" {
		t.Fatal(msg)
	}
	n := len(o.Events.all())
	second, err := o.Cld.Upload.GenerateSprite(ctx, uploader.GenerateSpriteParams{Tag: "ov", Transformation: "w_20"})
	if msg := sdkFailure(err, second); msg != "" {
		t.Fatal(msg)
	}
	evs := o.Events.all()[n:]
	key := meta.Key{Cloud: cloudName, ResourceType: delivery.Image, Type: delivery.Sprite, PublicID: "ov"}
	if len(evs) != 1 || evs[0].Kind != origin.EventOverwritten || evs[0].Asset != key || !evs[0].Invalidate ||
		evs[0].OldVersion != int64(second.Version) {
		t.Errorf("events of the second sprite: %+v, want one purge of the tag's sprite URLs", evs)
	}
	css := testkit.Get(t, o.URL+"/demo/image/sprite/ov.css")
	if !strings.Contains(string(css.Body), fmt.Sprintf("/v%d/ov.png') 0px -13px; width: 20px; height: 13px;", second.Version)) {
		t.Errorf("css after the second sprite:\n%s", css.Body)
	}
	for _, id := range []string{"one", "two"} {
		if res, err := o.Cld.Upload.Destroy(ctx, uploader.DestroyParams{PublicID: id}); sdkFailure(err, res) != "" {
			t.Fatal(sdkFailure(err, res))
		}
	}
	if r := testkit.Get(t, o.URL+"/demo/image/sprite/ov.css"); r.Status != 200 || string(r.Body) != string(css.Body) {
		t.Errorf("css after the images were deleted: %d %s", r.Status, r.Body)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/sprite/ov.png"); r.Status != 200 || decodePNG(t, r.Body).Bounds().Dy() != 26 {
		t.Errorf("sprite after the images were deleted: %d", r.Status)
	}
}

// What sprite refuses: no tag, a tag no image has, more images than
// max_frames, a sprite larger than the output limits, a format other than
// PNG, async or a notification_url with mode=download, a bad
// notification_url.
func TestSpriteRefusals(t *testing.T) {
	o := startOrigin(t, func(c *origin.Config) {
		c.Imaging.MaxFrames = 2
		c.Imaging.MaxOutputPixels = 400 * 400
	})
	uploadWithTag(t, o, "three", [2]string{"chelsea.png", "a"}, [2]string{"coffee.png", "b"}, [2]string{"logo.png", "c"})
	uploadWithTag(t, o, "two", [2]string{"chelsea.png", "d"}, [2]string{"coffee.png", "e"})
	for _, c := range []struct {
		fields url.Values
		status int
		want   string
	}{
		{url.Values{}, 400, "Missing required parameter - tag"},
		{url.Values{"tag": {"none"}}, 404, "No images found with tag - none"},
		{url.Values{"tag": {"three"}}, 400, "Too many images with tag three - more than the limit of 2"},
		{url.Values{"tag": {"two"}, "transformation": {"w_400"}}, 400, "Requested image size 400x533 exceeds the limit of 160000 pixels"},
		{url.Values{"tag": {"two"}, "transformation": {"f_gif"}}, 400, "Invalid format - gif (sprites are png or jpg)"},
		{url.Values{"tag": {"two"}, "format": {"webp"}}, 400, "Invalid format - webp (sprites are png or jpg)"},
		{url.Values{"tag": {"two"}, "async": {"true"}, "mode": {"download"}}, 400, "async is not supported with mode=download (the file is the answer)"},
		{url.Values{"async": {"true"}}, 400, "Missing required parameter - tag"},
		{url.Values{"tag": {"two"}, "notification_url": {"ftp://example.com/h"}}, 400, "Invalid notification_url - ftp://example.com/h"},
		{url.Values{"tag": {"two"}, "mode": {"download"}, "notification_url": {"https://example.com/h"}}, 400,
			"notification_url is not supported with mode=download (nothing is stored)"},
	} {
		status, body := post(t, o.URL+"/v1_1/demo/image/sprite", "application/x-www-form-urlencoded",
			strings.NewReader(c.fields.Encode()), true)
		if status != c.status || !strings.Contains(errorMessage(t, body), c.want) {
			t.Errorf("%v: %d %s, want %d %q", c.fields, status, body, c.status, c.want)
		}
	}
	if r := testkit.Get(t, o.URL+"/demo/image/sprite/two.png"); r.Status != 404 {
		t.Errorf("a refused sprite stored something: %d", r.Status)
	}
}

// A sprite in JPEG (format=jpg, or f_jpg in the transformation as the Node
// SDK sends it): the same rectangles, a JPEG file that decodes to the
// images (within JPEG's loss), white where an image is transparent, and
// URLs and CSS naming .jpg.
func TestSpriteJPEG(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	uploadWithTag(t, o, "jp", [2]string{"chelsea.png", "a"}, [2]string{"logo.png", "b"})
	png, err := o.Cld.Upload.GenerateSprite(ctx, uploader.GenerateSpriteParams{Tag: "jp", Transformation: "w_60"})
	if msg := sdkFailure(err, png); msg != "" {
		t.Fatal(msg)
	}
	pngImage := decodePNG(t, testkit.Get(t, o.URL+"/demo/image/sprite/jp.png").Body)
	for _, fields := range []url.Values{
		{"tag": {"jp"}, "transformation": {"f_jpg,w_60"}},
		{"tag": {"jp"}, "transformation": {"w_60"}, "format": {"jpg"}},
	} {
		status, body := post(t, o.URL+"/v1_1/demo/image/sprite", "application/x-www-form-urlencoded",
			strings.NewReader(fields.Encode()), true)
		var res uploader.GenerateSpriteResult
		if err := json.Unmarshal([]byte(body), &res); status != 200 || err != nil {
			t.Fatalf("%v: %d %s", fields, status, body)
		}
		v := fmt.Sprintf("/demo/image/sprite/v%d/jp", res.Version)
		if res.ImageURL != "http://cdn.test"+v+".jpg" || res.SecureImageURL != "https://cdn.test"+v+".jpg" ||
			fmt.Sprint(res.ImageInfos) != fmt.Sprint(png.ImageInfos) {
			t.Fatalf("%v: %+v", fields, res)
		}
		r := testkit.Get(t, o.URL+"/demo/image/sprite/jp.jpg")
		if r.Status != 200 || r.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("sprite jpg: %d %v", r.Status, r.Header)
		}
		img, err := jpeg.Decode(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds() != pngImage.Bounds() {
			t.Fatalf("jpeg %v, png %v", img.Bounds(), pngImage.Bounds())
		}
		cat := res.ImageInfos["a"]
		rect := image.Rect(cat.X, cat.Y, cat.X+cat.Width, cat.Y+cat.Height)
		if d := meanDiff(img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(rect), pngImage.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(rect)); d > 4 {
			t.Errorf("the cat's rectangle differs from the PNG sprite's by %.2f per channel", d)
		}
		// logo.png's transparent corner is white.
		logo := res.ImageInfos["b"]
		if c := color.NRGBAModel.Convert(img.At(logo.X, logo.Y)).(color.NRGBA); c.R < 245 || c.G < 245 || c.B < 245 {
			t.Errorf("logo's transparent corner: %v, want white", c)
		}
		css := testkit.Get(t, o.URL+"/demo/image/sprite/jp.css")
		if !strings.Contains(string(css.Body), v+".jpg') 0px 0px;") {
			t.Errorf("css: %s", css.Body)
		}
	}
}
