package origin_test

import (
	"bytes"
	"context"
	"image"
	"image/gif"
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// uploadWithTag uploads corpus files as public IDs, each with tag.
func uploadWithTag(t *testing.T, o *testOrigin, tag string, files ...[2]string) {
	t.Helper()
	for _, f := range files {
		res, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, f[0]),
			uploader.UploadParams{PublicID: f[1], Tags: api.CldAPIArray{tag}, Overwrite: api.Bool(true)})
		if msg := sdkFailure(err, res); msg != "" {
			t.Fatalf("upload %s: %s", f[0], msg)
		}
	}
}

// multi joins the images with a tag, in public ID order, into an animated
// GIF (every frame the first's size), an animated WebP or a PDF (a page
// each), stored as the multi asset of the tag and delivered, also
// transformed, under /image/multi/.
func TestMultiGIFWebPPDF(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	uploadWithTag(t, o, "anim", [2]string{"chelsea.png", "b"}, [2]string{"rocket.jpg", "a"}, [2]string{"logo.png", "c"})
	uploadAs(t, o, "coffee.png", "untagged")

	res, err := o.Cld.Upload.Multi(ctx, uploader.MultiParams{Tag: "anim", Transformation: "w_120"})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	if res.PublicID != "anim" || len(res.AssetID) != 32 || res.Version == 0 ||
		!strings.HasSuffix(res.URL, "/demo/image/multi/v"+itoa(res.Version)+"/anim.gif") ||
		!strings.HasPrefix(res.SecureURL, "https://") {
		t.Fatalf("multi: %+v", res)
	}
	r := testkit.Get(t, o.URL+"/demo/image/multi/anim.gif")
	if r.Status != 200 || r.Header.Get("Content-Type") != "image/gif" {
		t.Fatalf("delivery: %d %v", r.Status, r.Header)
	}
	g, err := gif.DecodeAll(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	// rocket.jpg (a, 640x427) is first: w_120 makes it 120x80; the others
	// are filled to that.
	if len(g.Image) != 3 || g.Config.Width != 120 || g.Config.Height != 80 {
		t.Fatalf("gif: %d frames %dx%d, want 3 of 120x80", len(g.Image), g.Config.Width, g.Config.Height)
	}
	for i, d := range g.Delay {
		if d != 10 {
			t.Errorf("frame %d: delay %d, want 10 (100 ms)", i, d)
		}
	}
	// The first frame is rocket, w_120, as delivered from its upload.
	want := decodePNG(t, testkit.Get(t, o.URL+"/demo/image/upload/w_120/a.png").Body)
	if d := meanDiff(g.Image[0], want); d > 12 {
		t.Errorf("first frame differs from a at w_120 by %.1f per channel", d)
	}

	// A transformation of the multi, and another format, through delivery.
	if r := testkit.Get(t, o.URL+"/demo/image/multi/w_60/anim.gif"); r.Status != 200 {
		t.Fatalf("w_60: %d %s", r.Status, r.Header.Get("X-Cld-Error"))
	} else if g, err := gif.DecodeAll(bytes.NewReader(r.Body)); err != nil || len(g.Image) != 3 || g.Config.Width != 60 {
		t.Errorf("w_60: %v %d frames %d wide", err, len(g.Image), g.Config.Width)
	}

	// WebP, the format in the transformation as the Node SDK sends it.
	status, body := post(t, o.URL+"/v1_1/demo/image/multi", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"tag": {"anim"}, "transformation": {"w_100/f_webp"}}.Encode()), true)
	if status != 200 || !strings.Contains(body, `/image/multi/v`) || !strings.Contains(body, `anim.webp"`) {
		t.Fatalf("multi webp: %d %s", status, body)
	}
	r = testkit.Get(t, o.URL+"/demo/image/multi/anim.webp")
	if info := probe(t, r.Body); r.Status != 200 || info.Format != delivery.WebP || info.Pages != 3 ||
		info.Width != 100 || info.Height != 67 {
		t.Fatalf("webp: %d %+v, want 3 frames of 100x67", r.Status, info)
	}

	// PDF: a page per image, each its own size.
	mres, err := o.Cld.Upload.Multi(ctx, uploader.MultiParams{Tag: "anim", Format: "pdf", Transformation: "w_50"})
	if msg := sdkFailure(err, mres); msg != "" {
		t.Fatal(msg)
	}
	r = testkit.Get(t, o.URL+"/demo/image/multi/anim.pdf")
	if info := probe(t, r.Body); r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" ||
		info.Format != delivery.PDF || info.Pages != 3 {
		t.Fatalf("pdf: %d %v %+v", r.Status, r.Header, info)
	}
	for pg, h := range map[string]int{"1": 33, "2": 33, "3": 50} { // a, b (451x300), c (500x500) at w_50
		r := testkit.Get(t, o.URL+"/demo/image/multi/pg_"+pg+",dn_72/anim.png") // a point a pixel
		if r.Status != 200 {
			t.Fatalf("page %s: %d %s", pg, r.Status, r.Header.Get("X-Cld-Error"))
		}
		if im := decodePNG(t, r.Body); im.Bounds().Dx() != 50 || im.Bounds().Dy() != h {
			t.Errorf("page %s: %v, want 50x%d", pg, im.Bounds(), h)
		}
	}
}

// Explode of a multi asset (the Go SDK's TestUploader_Explode) makes one
// derived image per frame.
func TestExplodeMulti(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	uploadWithTag(t, o, "ex", [2]string{"chelsea.png", "one"}, [2]string{"coffee.png", "two"})
	if res, err := o.Cld.Upload.Multi(ctx, uploader.MultiParams{Tag: "ex", Transformation: "w_40"}); sdkFailure(err, res) != "" {
		t.Fatal(sdkFailure(err, res))
	}
	res, err := o.Cld.Upload.Explode(ctx, uploader.ExplodeParams{PublicID: "ex", Type: "multi"})
	if msg := sdkFailure(err, res); msg != "" || res.BatchID == "" {
		t.Fatalf("explode: %s %+v", msg, res)
	}
	o.Server.WaitRecorded()
	derived, err := o.Store.Meta.ListDerived(ctx, multiKey("ex"))
	if err != nil || len(derived) != 2 {
		t.Fatalf("derived of the multi: %d %v, want 2", len(derived), err)
	}
	for _, pg := range []string{"pg_1", "pg_2"} {
		if r := testkit.Get(t, o.URL+"/demo/image/multi/"+pg+"/ex.png"); r.Status != 200 {
			t.Errorf("%s: %d", pg, r.Status)
		}
	}
}

// Running multi again for a tag overwrites its asset and purges its URLs;
// removing the tag's images leaves it as it was.
func TestMultiOverwritePurges(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	uploadWithTag(t, o, "ov", [2]string{"chelsea.png", "one"}, [2]string{"coffee.png", "two"})
	first, err := o.Cld.Upload.Multi(ctx, uploader.MultiParams{Tag: "ov", Transformation: "w_40"})
	if msg := sdkFailure(err, first); msg != "" {
		t.Fatal(msg)
	}
	before := testkit.Get(t, o.URL+"/demo/image/multi/ov.gif").Body
	second, err := o.Cld.Upload.Multi(ctx, uploader.MultiParams{Tag: "ov", Transformation: "w_30"})
	if msg := sdkFailure(err, second); msg != "" {
		t.Fatal(msg)
	}
	if second.AssetID != first.AssetID || second.Version <= first.Version {
		t.Errorf("second multi: %+v after %+v", second, first)
	}
	var purged bool
	for _, e := range o.Events.all() {
		if e.Kind == origin.EventOverwritten && e.Asset == multiKey("ov") && e.Invalidate && e.OldVersion == int64(first.Version) {
			purged = true
		}
	}
	if !purged {
		t.Errorf("no purge of the first multi: %+v", o.Events.all())
	}
	after := testkit.Get(t, o.URL+"/demo/image/multi/ov.gif").Body
	if g, err := gif.DecodeConfig(bytes.NewReader(after)); err != nil || g.Width != 30 || bytes.Equal(before, after) {
		t.Errorf("after the second multi: %v %d wide", err, g.Width)
	}
	// The tag's images deleted: the multi stays.
	for _, id := range []string{"one", "two"} {
		if res, err := o.Cld.Upload.Destroy(ctx, uploader.DestroyParams{PublicID: id}); sdkFailure(err, res) != "" {
			t.Fatal(sdkFailure(err, res))
		}
	}
	if r := testkit.Get(t, o.URL+"/demo/image/multi/ov.gif"); r.Status != 200 || !bytes.Equal(r.Body, after) {
		t.Errorf("multi after its images were deleted: %d", r.Status)
	}
}

// What multi refuses: no tag, a tag no image has (Cloudinary's refusal),
// more frames than max_frames, a format it does not make, async or a
// notification_url with mode=download, a bad notification_url.
func TestMultiRefusals(t *testing.T) {
	o := startOrigin(t, func(c *origin.Config) { c.Imaging.MaxFrames = 2 })
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
		{url.Values{"tag": {"two"}, "format": {"mp4"}}, 400, "Invalid format - mp4"},
		{url.Values{"tag": {"two"}, "transformation": {"f_jpg"}}, 400, "Invalid format - jpg"},
		{url.Values{"tag": {"two"}, "async": {"true"}, "mode": {"download"}}, 400, "async is not supported with mode=download (the file is the answer)"},
		{url.Values{"async": {"true"}}, 400, "Missing required parameter - tag"},
		{url.Values{"tag": {"two"}, "notification_url": {"ftp://example.com/h"}}, 400, "Invalid notification_url - ftp://example.com/h"},
		{url.Values{"tag": {"two"}, "mode": {"download"}, "notification_url": {"https://example.com/h"}}, 400,
			"notification_url is not supported with mode=download (nothing is stored)"},
		{url.Values{"tag": {"two"}, "urls": {"https://example.com/a.jpg"}}, 400, "Either tag or urls - not both"},
	} {
		status, body := post(t, o.URL+"/v1_1/demo/image/multi", "application/x-www-form-urlencoded",
			strings.NewReader(c.fields.Encode()), true)
		if status != c.status || !strings.Contains(errorMessage(t, body), c.want) {
			t.Errorf("%v: %d %s, want %d %q", c.fields, status, body, c.status, c.want)
		}
	}
	if r := testkit.Get(t, o.URL+"/demo/image/multi/two.gif"); r.Status != 404 {
		t.Errorf("a refused multi stored something: %d", r.Status)
	}

	// An animation whose estimated work is over max_cost: each frame can be
	// made, the GIF of two 451x300 frames cannot.
	o = startOrigin(t, func(c *origin.Config) { c.Imaging.MaxCost = 100 * time.Millisecond })
	uploadWithTag(t, o, "two", [2]string{"chelsea.png", "d"}, [2]string{"coffee.png", "e"})
	status, body := post(t, o.URL+"/v1_1/demo/image/multi", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"tag": {"two"}}.Encode()), true)
	if status != 400 || !strings.Contains(errorMessage(t, body), "Transformation too expensive - estimated work of") {
		t.Errorf("an expensive multi: %d %s", status, body)
	}
	if status, body := post(t, o.URL+"/v1_1/demo/image/multi", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"tag": {"two"}, "transformation": {"w_100"}}.Encode()), true); status != 200 {
		t.Errorf("a cheap multi: %d %s", status, body)
	}
}

func multiKey(tag string) meta.Key {
	return meta.Key{Cloud: cloudName, ResourceType: delivery.Image, Type: delivery.Multi, PublicID: tag}
}

func itoa(v int) string { return strconv.Itoa(v) }

// meanDiff is the mean absolute difference per channel (0-255) of two
// images of one size (255 when their sizes differ).
func meanDiff(a, b image.Image) float64 {
	if a.Bounds().Size() != b.Bounds().Size() {
		return 255
	}
	var sum, n float64
	for y := 0; y < a.Bounds().Dy(); y++ {
		for x := 0; x < a.Bounds().Dx(); x++ {
			ar, ag, ab, _ := a.At(a.Bounds().Min.X+x, a.Bounds().Min.Y+y).RGBA()
			br, bg, bb, _ := b.At(b.Bounds().Min.X+x, b.Bounds().Min.Y+y).RGBA()
			for _, d := range [][2]uint32{{ar, br}, {ag, bg}, {ab, bb}} {
				sum += math.Abs(float64(d[0]>>8) - float64(d[1]>>8))
				n++
			}
		}
	}
	return sum / n
}
