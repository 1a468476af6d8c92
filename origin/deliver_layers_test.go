package origin_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
)

// uploadRedLogo uploads a 50×40 opaque red PNG as id (of delivery type typ).
func uploadRedLogo(t *testing.T, o *testOrigin, id, typ string) {
	t.Helper()
	uploadSolid(t, o, id, typ, 50, 40, color.NRGBA{255, 0, 0, 255})
}

// uploadSolid uploads a w×h PNG of one colour as id (of delivery type typ).
func uploadSolid(t *testing.T, o *testOrigin, id, typ string, w, h int, c color.NRGBA) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:], []byte{c.R, c.G, c.B, c.A})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := o.Cld.Upload.Upload(context.Background(), path,
		uploader.UploadParams{PublicID: id, Type: api.DeliveryType(typ), Overwrite: api.Bool(true)})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatalf("upload %s: %s", id, msg)
	}
}

// redBox is the bounding box of red-dominant pixels of a PNG.
func redBox(t *testing.T, body []byte) (image.Rectangle, image.Rectangle) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	var r image.Rectangle
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if c.R > 200 && c.G < 40 && c.B < 40 {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r, b
}

// The watermark: the origin reads the layer's original (folders, private
// and authenticated delivery types) and imaging puts it where asked.
func TestDeliverImageLayers(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "LadyBird.jpg", "ladybird")
	uploadRedLogo(t, o, "logo", "upload")
	uploadRedLogo(t, o, "brand/logo", "upload")
	uploadRedLogo(t, o, "plogo", "private")
	uploadRedLogo(t, o, "alogo", "authenticated")
	sign := func(tx string) string { return delivery.Sign(tx, "ladybird.png", apiSecret, delivery.SHA1, false) }

	const watermark = "c_fill,h_500,w_800/l_logo,w_200/fl_layer_apply,g_south_east"
	for _, tx := range []string{watermark, strings.Replace(watermark, "l_logo", "l_brand:logo", 1),
		strings.Replace(watermark, "l_logo", "l_private:plogo", 1)} {
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+tx+"/ladybird.png")
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", tx, r.Status, r.Header.Get("X-Cld-Error"))
		}
		got, bounds := redBox(t, r.Body)
		if want := image.Rect(600, 340, 800, 500); got != want || bounds.Dx() != 800 || bounds.Dy() != 500 {
			t.Errorf("%s: red box %v in %v, want %v", tx, got, bounds, want)
		}
	}

	authed := strings.Replace(watermark, "l_logo", "l_authenticated:alogo", 1)
	for _, c := range []struct {
		path   string
		status int
		err    string
	}{
		{"/demo/image/upload/l_nologo/fl_layer_apply/ladybird.png", 404, "Resource not found - nologo"},
		{"/demo/image/upload/l_brand:nologo/ladybird.png", 404, "Resource not found - brand/nologo"},
		{"/demo/image/upload/l_alogo/ladybird.png", 404, "Resource not found - alogo"}, // an upload-type alogo
		{"/demo/image/upload/" + authed + "/ladybird.png", 401, "Missing URL signature - authenticated layers need a signed URL"},
		{"/demo/image/upload/" + sign(authed) + "/" + authed + "/ladybird.png", 200, ""},
		// The signature covers the whole transformation, layers included.
		{"/demo/image/upload/" + sign(watermark) + "/" + strings.Replace(watermark, "l_logo", "l_private:plogo", 1) + "/ladybird.png", 401, "Invalid URL signature"},
		{"/demo/image/upload/" + sign(watermark) + "/" + strings.Replace(watermark, "g_south_east", "g_north_west", 1) + "/ladybird.png", 401, "Invalid URL signature"},
		{"/demo/image/upload/l_fetch:aHR0cHM6Ly9leGFtcGxlLmNvbS9sb2dvLnBuZw/fl_layer_apply/ladybird.png", 403, "Fetch from example.com is not allowed for cloud demo"},
		{"/demo/image/upload/l_video:dog/ladybird.png", 400, "Unsupported layer type - video"},
	} {
		r := testkit.Get(t, o.URL+c.path)
		if r.Status != c.status || r.Header.Get("X-Cld-Error") != c.err {
			t.Errorf("%s: %d %q, want %d %q", c.path, r.Status, r.Header.Get("X-Cld-Error"), c.status, c.err)
		}
	}
}

// Under strict transformations a layer URL must be signed (or eager) like
// any other; the signature covers the layer.
func TestStrictTransformationsCoverLayers(t *testing.T) {
	o := startOriginClouds(t, t.TempDir(), config.Cloud{APIKey: apiKey, APISecret: apiSecret, StrictTransformations: true})
	uploadAs(t, o, "rocket.jpg", "pic")
	uploadRedLogo(t, o, "logo", "upload")
	const tx = "l_logo/fl_layer_apply,g_south_east"
	if r := testkit.Get(t, o.URL+"/demo/image/upload/"+tx+"/pic.png"); r.Status != 401 {
		t.Errorf("unsigned layer under strict transformations: %d %q", r.Status, r.Header.Get("X-Cld-Error"))
	}
	signed := delivery.Sign(tx, "pic.png", apiSecret, delivery.SHA1, false)
	if r := testkit.Get(t, o.URL+"/demo/image/upload/"+signed+"/"+tx+"/pic.png"); r.Status != 200 {
		t.Errorf("signed layer under strict transformations: %d %q", r.Status, r.Header.Get("X-Cld-Error"))
	}
}

// The Node SDK's Admin API suite sets up with an eager
// c_scale,l_text:Arial_60:<text>,w_100 (here through the Go SDK); eager
// image layers are read from the store like delivered ones.
func TestEagerLayers(t *testing.T) {
	o := startOrigin(t, nil)
	uploadRedLogo(t, o, "logo", "upload")
	res := uploadAs(t, o, "LadyBird.jpg", "eager_text", "eager", "c_scale,l_text:Arial_60:api_test_tag_1234,w_100|l_logo,w_0.5,fl_relative/fl_layer_apply,g_north_west/png")
	if len(res.Eager) != 2 || res.Eager[0].Transformation != "c_scale,l_text:Arial_60:api_test_tag_1234,w_100" ||
		res.Eager[0].Width != res.Width || res.Eager[1].Width != res.Width {
		t.Fatalf("eager: %+v (original %dx%d)", res.Eager, res.Width, res.Height)
	}
	u, err := url.Parse(res.Eager[1].SecureURL)
	if err != nil {
		t.Fatal(err)
	}
	r := testkit.Get(t, o.URL+u.Path)
	if r.Status != 200 {
		t.Fatalf("eager layer image: %d %s", r.Status, r.Header.Get("X-Cld-Error"))
	}
	if got, b := redBox(t, r.Body); got.Min != (image.Point{}) || got.Dx() != b.Dx()/2 {
		t.Errorf("eager fl_relative layer: red box %v in %v, want the left half's width", got, b)
	}
	bad, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, "rocket.jpg"),
		uploader.UploadParams{PublicID: "x", Eager: "l_nologo/fl_layer_apply"})
	if msg := sdkFailure(err, bad); msg != "server answered: Resource not found - nologo" {
		t.Errorf("eager with a missing layer: %q", msg)
	}
}

// Text layers through a URL: the SDKs' escapes (%252C, %252F, %20,
// UTF-8 emoji) reach the text decoded; the text is drawn.
func TestDeliverTextLayer(t *testing.T) {
	o := startOrigin(t, nil)
	uploadSolid(t, o, "white", "upload", 400, 200, color.NRGBA{255, 255, 255, 255})
	for _, tx := range []string{
		"l_text:Arial_40_bold:Sale%252C%2050%25%20off%252F,co_red/fl_layer_apply,g_north",
		"l_text:Helvetica_30:%F0%9F%98%80%20smile,b_red/fl_layer_apply",
	} {
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+tx+"/white.png")
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", tx, r.Status, r.Header.Get("X-Cld-Error"))
		}
		if got, _ := redBox(t, r.Body); got.Dx() < 100 || got.Dy() < 20 {
			t.Errorf("%s: red text box %v", tx, got)
		}
	}
	r := testkit.Get(t, o.URL+"/demo/image/upload/l_text:Wingdings_40:x/white.png")
	if r.Status != 400 || r.Header.Get("X-Cld-Error") != "Unsupported font family - Wingdings" {
		t.Errorf("unknown font: %d %q", r.Status, r.Header.Get("X-Cld-Error"))
	}
}

// l_fetch: the remote image is fetched as a fetch URL would be (the
// cloud's fetch_domains, the guarded fetcher, a stored copy) and laid over.
func TestDeliverFetchLayer(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 50, 40))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:], []byte{255, 0, 0, 255})
	}
	var logo bytes.Buffer
	if err := png.Encode(&logo, img); err != nil {
		t.Fatal(err)
	}
	remote := startRemote(t, map[string][]byte{"/logo.png": logo.Bytes()})
	o := startOriginWith(t, func(c *origin.Config) { c.Fetch.AllowNetworks = []string{"127.0.0.0/8"} }, nil,
		config.Cloud{APIKey: apiKey, APISecret: apiSecret, FetchDomains: []string{"127.0.0.1"}})
	uploadSolid(t, o, "white", "upload", 400, 300, color.NRGBA{255, 255, 255, 255})
	layer := func(u string) string { return "l_fetch:" + base64.RawURLEncoding.EncodeToString([]byte(u)) }

	for i := 0; i < 2; i++ { // the second request, another transformation, reads the stored copy
		tx := layer(remote.URL+"/logo.png") + "/fl_layer_apply,g_south_east"
		if i == 1 {
			tx += ",x_10"
		}
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+tx+"/white.png")
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", tx, r.Status, r.Header.Get("X-Cld-Error"))
		}
		if got, want := first(redBox(t, r.Body)), image.Rect(350-10*i, 260, 400-10*i, 300); got != want {
			t.Errorf("%s: red box %v, want %v", tx, got, want)
		}
	}
	if n := remote.count("/logo.png"); n != 1 {
		t.Errorf("remote asked %d times, want once", n)
	}
	for _, c := range []struct {
		u      string
		status int
		err    string
	}{
		{remote.URL + "/missing.png", 404, ""},
		{"http://example.com/logo.png", 403, "Fetch from example.com is not allowed for cloud demo"},
	} {
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+layer(c.u)+"/white.png")
		if r.Status != c.status || c.err != "" && r.Header.Get("X-Cld-Error") != c.err {
			t.Errorf("%s: %d %q, want %d %q", c.u, r.Status, r.Header.Get("X-Cld-Error"), c.status, c.err)
		}
	}
}

func first(r, _ image.Rectangle) image.Rectangle { return r }

// Under fetch_signed_only a fetch layer (l_fetch) is held to what a fetch
// URL is: an unsigned URL naming one answers 401 without asking the
// remote, a signed one lays it over.
func TestDeliverFetchLayerSignedOnly(t *testing.T) {
	remote := startRemote(t, map[string][]byte{"/logo.png": testkit.Read(t, "rocket.jpg")})
	o := startOriginWith(t, func(c *origin.Config) { c.Fetch.AllowNetworks = []string{"127.0.0.0/8"} }, nil,
		config.Cloud{APIKey: apiKey, APISecret: apiSecret, FetchDomains: []string{"127.0.0.1"}, FetchSignedOnly: true})
	uploadSolid(t, o, "white", "upload", 400, 300, color.NRGBA{255, 255, 255, 255})
	tx := "l_fetch:" + base64.RawURLEncoding.EncodeToString([]byte(remote.URL+"/logo.png")) + ",w_50/fl_layer_apply"

	r := testkit.Get(t, o.URL+"/demo/image/upload/"+tx+"/white.png")
	if r.Status != 401 || r.Header.Get("X-Cld-Error") != "Missing URL signature - fetch URLs of cloud demo must be signed" {
		t.Fatalf("unsigned URL with a fetch layer: %d %q", r.Status, r.Header.Get("X-Cld-Error"))
	}
	if n := remote.count("/logo.png"); n != 0 {
		t.Fatalf("an unsigned URL asked the remote %d times", n)
	}
	img, err := o.Cld.Image("white.png")
	if err != nil {
		t.Fatal(err)
	}
	img.Transformation = tx
	img.Config.URL.SignURL = true
	signed, err := img.String()
	if err != nil {
		t.Fatal(err)
	}
	path := signed[strings.Index(signed, "/demo/image/upload/"):]
	if r := testkit.Get(t, o.URL+path); r.Status != 200 {
		t.Fatalf("signed URL with a fetch layer %s: %d %q", path, r.Status, r.Header.Get("X-Cld-Error"))
	}
	if n := remote.count("/logo.png"); n != 1 {
		t.Errorf("remote asked %d times, want once", n)
	}
}

// TestLayerCacheMetrics: a logo used by two transformations of an image is
// decoded once and then taken from the layer cache, as /metrics counts.
func TestLayerCacheMetrics(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "rocket.jpg", "pic")
	uploadRedLogo(t, o, "logo", "upload")
	before := scrape(t, o.MetricsURL)
	for _, tx := range []string{"w_300/l_logo,w_50/fl_layer_apply", "w_200/l_logo,w_50/fl_layer_apply"} {
		if r := testkit.Get(t, o.URL+"/demo/image/upload/"+tx+"/pic.png"); r.Status != 200 {
			t.Fatalf("%s: %d %s", tx, r.Status, r.Header.Get("X-Cld-Error"))
		}
	}
	after := scrape(t, o.MetricsURL)
	for series, want := range map[string]float64{"mediacdn_origin_layer_decodes_total": 1, "mediacdn_origin_layer_cache_hits_total": 1} {
		if d := after[series] - before[series]; d != want {
			t.Errorf("%s grew by %v, want %v", series, d, want)
		}
	}
	if after["mediacdn_origin_layer_cache_entries"] < 1 || after["mediacdn_origin_layer_cache_bytes"] <= 0 {
		t.Errorf("layer cache: %v entries, %v bytes", after["mediacdn_origin_layer_cache_entries"], after["mediacdn_origin_layer_cache_bytes"])
	}
}
