package origin_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/imaging"
	"github.com/mediacdn/mediacdn/origin/meta"
)

func probe(t testing.TB, b []byte) imaging.Info {
	t.Helper()
	p, err := imaging.New(imaging.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	info, err := p.Probe(b)
	if err != nil {
		t.Fatalf("probe of delivered bytes: %v", err)
	}
	return info
}

func uploadAs(t testing.TB, o *testOrigin, file, id string, extra ...string) *uploader.UploadResult {
	t.Helper()
	params := uploader.UploadParams{PublicID: id, Overwrite: api.Bool(true)}
	for i := 0; i+1 < len(extra); i += 2 {
		switch extra[i] {
		case "type":
			params.Type = api.DeliveryType(extra[i+1])
		case "eager":
			params.Eager = extra[i+1]
		}
	}
	res, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, file), params)
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatalf("upload %s: %s", file, msg)
	}
	return res
}

func TestDeliverOriginalAndDerived(t *testing.T) {
	o := startOrigin(t, nil)
	up := uploadAs(t, o, "LadyBird.jpg", "garden/ladybird")
	data := testkit.Read(t, "LadyBird.jpg")

	orig := testkit.Get(t, o.URL+"/demo/image/upload/garden/ladybird.jpg")
	if orig.Status != 200 || !bytes.Equal(orig.Body, data) || orig.Header.Get("Content-Type") != "image/jpeg" ||
		orig.Header.Get("ETag") != `"`+md5hex(data)+`"` || orig.Header.Get("Cache-Control") != "public, max-age=3600" ||
		orig.Header.Get("X-Asset-Version") != strconv.Itoa(up.Version) || orig.Header.Get("Last-Modified") == "" {
		t.Fatalf("original: %d %v", orig.Status, orig.Header)
	}
	versioned := testkit.Get(t, o.URL+"/demo/image/upload/v"+strconv.Itoa(up.Version)+"/garden/ladybird.jpg")
	if versioned.Header.Get("Cache-Control") != "public, max-age=2592000, immutable" {
		t.Fatalf("versioned Cache-Control %q", versioned.Header.Get("Cache-Control"))
	}

	fill := testkit.Get(t, o.URL+"/demo/image/upload/c_fill,h_200,w_300/garden/ladybird.webp")
	if fill.Status != 200 || fill.Header.Get("Content-Type") != "image/webp" {
		t.Fatalf("derived: %d %v %s", fill.Status, fill.Header, fill.Header.Get("X-Cld-Error"))
	}
	if info := probe(t, fill.Body); info.Width != 300 || info.Height != 200 || info.Format != delivery.WebP {
		t.Fatalf("derived image: %+v", info)
	}
	// Recorded as a derived resource of this version, served from store.
	before := o.Server.Transforms()
	again := testkit.Get(t, o.URL+"/demo/image/upload/c_fill,h_200,w_300/v1/garden/ladybird.webp")
	if !bytes.Equal(again.Body, fill.Body) || o.Server.Transforms() != before {
		t.Fatalf("derived not reused: %d transforms", o.Server.Transforms()-before)
	}
	key := meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "garden/ladybird"}
	o.Server.WaitRecorded()
	list, err := o.Store.Meta.ListDerived(context.Background(), key)
	if err != nil || len(list) != 1 || list[0].Transformation != "c_fill,h_200,w_300" || list[0].Format != "webp" ||
		list[0].Width != 300 || list[0].Height != 200 || list[0].Bytes != int64(len(fill.Body)) || list[0].Version != int64(up.Version) {
		t.Fatalf("derived records: %+v %v", list, err)
	}

	// Any version serves the newest copy; an overwrite makes old derived
	// files unreachable.
	blobsBefore := countBlobs(t, o)
	up2 := uploadAs(t, o, "Storm.jpg", "garden/ladybird")
	old := testkit.Get(t, o.URL+"/demo/image/upload/v"+strconv.Itoa(up.Version)+"/garden/ladybird.jpg")
	if !bytes.Equal(old.Body, testkit.Read(t, "Storm.jpg")) || old.Header.Get("X-Asset-Version") != strconv.Itoa(up2.Version) {
		t.Fatal("an old version number did not serve the newest copy")
	}
	if list, _ := o.Store.Meta.ListDerived(context.Background(), key); len(list) != 0 {
		t.Fatalf("old derived still listed: %+v", list)
	}
	if n := countBlobs(t, o); n != blobsBefore-1 {
		t.Fatalf("blobs after overwrite: %d, want %d (old original and derived gone, new original in)", n, blobsBefore-1)
	}
	refill := testkit.Get(t, o.URL+"/demo/image/upload/c_fill,h_200,w_300/garden/ladybird.webp")
	if bytes.Equal(refill.Body, fill.Body) {
		t.Fatal("derived image of the old version served after an overwrite")
	}
}

// Derived files are written without fsync; one lost or damaged (after a
// power loss) is noticed by its ETag when read and made again.
func TestDamagedDerivedFileIsMadeAgain(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "LadyBird.jpg", "bird")
	url := o.URL + "/demo/image/upload/c_fill,h_200,w_300/bird.jpg"
	want := testkit.Get(t, url)
	if want.Status != 200 {
		t.Fatalf("derived: %d %s", want.Status, want.Header.Get("X-Cld-Error"))
	}
	key := meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "bird"}
	for _, c := range []struct {
		name   string
		damage func(path string) error
	}{
		{"truncated", func(p string) error { return os.Truncate(p, 100) }},
		{"same size, other bytes", func(p string) error {
			return os.WriteFile(p, bytes.Repeat([]byte{0}, len(want.Body)), 0o600)
		}},
		{"missing", os.Remove},
	} {
		o.Server.WaitRecorded()
		list, err := o.Store.Meta.ListDerived(context.Background(), key)
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: derived records %+v %v", c.name, list, err)
		}
		path := blobPath(t, o, list[0].Blob)
		if err := c.damage(path); err != nil {
			t.Fatal(err)
		}
		before := o.Server.Transforms()
		got := testkit.Get(t, url)
		if got.Status != 200 || !bytes.Equal(got.Body, want.Body) || got.Header.Get("ETag") != want.Header.Get("ETag") {
			t.Fatalf("%s: %d, %d bytes, ETag %s (want %d bytes, %s)", c.name, got.Status, len(got.Body),
				got.Header.Get("ETag"), len(want.Body), want.Header.Get("ETag"))
		}
		if n := o.Server.Transforms() - before; n != 1 {
			t.Fatalf("%s: %d transforms, want 1", c.name, n)
		}
		o.Server.WaitRecorded()
		again, err := o.Store.Meta.ListDerived(context.Background(), key)
		if err != nil || len(again) != 1 || again[0].Blob == list[0].Blob {
			t.Fatalf("%s: derived records after repair %+v %v", c.name, again, err)
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s: damaged file left behind: %v", c.name, err)
		}
	}
}

// blobPath finds a blob's file under the origin's data directory.
func blobPath(t *testing.T, o *testOrigin, key string) string {
	t.Helper()
	var found string
	filepath.WalkDir(o.Dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == key {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatalf("blob %s not on disk", key)
	}
	return found
}

// 200 concurrent requests for one missing derived image make one transform.
func TestDeriveOnce(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "LadyBird.jpg", "bug")
	before := o.Server.Transforms()
	var wg sync.WaitGroup
	bodies := make([][]byte, 200)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 200, MaxIdleConnsPerHost: 200}}
	for i := range bodies {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, err := client.Get(o.URL + "/demo/image/upload/c_fit,h_400,w_400/bug.jpg")
			if err != nil {
				t.Error(err)
				return
			}
			bodies[i], _ = io.ReadAll(resp.Body)
			resp.Body.Close()
		}(i)
	}
	wg.Wait()
	if n := o.Server.Transforms() - before; n != 1 {
		t.Fatalf("%d transforms for 200 concurrent requests, want 1", n)
	}
	for _, b := range bodies {
		if !bytes.Equal(b, bodies[0]) || len(b) == 0 {
			t.Fatal("requests got different bytes")
		}
	}
}

func TestNegotiatedFormat(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "rocket.jpg", "rocket")
	uploadAs(t, o, "logo.png", "logo")
	for _, c := range []struct {
		path, accept, ct string
	}{
		{"/demo/image/upload/f_auto,w_100/rocket", "image/avif,image/webp,*/*", "image/avif"},
		{"/demo/image/upload/f_auto,w_100/rocket", "image/webp,*/*", "image/webp"},
		{"/demo/image/upload/f_auto,w_100/rocket", "*/*", "image/jpeg"},
		{"/demo/image/upload/f_auto,w_100/logo", "*/*", "image/png"},
		{"/demo/image/upload/f_auto,q_auto,w_100/logo", "image/webp", "image/webp"},
	} {
		r := testkit.Get(t, o.URL+c.path, "Accept", c.accept)
		if r.Status != 200 || r.Header.Get("Content-Type") != c.ct || r.Header.Get("Vary") != "Accept" {
			t.Errorf("%s with %s: %d %s vary=%q err=%q", c.path, c.accept, r.Status, r.Header.Get("Content-Type"),
				r.Header.Get("Vary"), r.Header.Get("X-Cld-Error"))
		}
	}
}

// An edge names the variant it wants (delivery.HeaderVariant): the origin
// makes that one, whatever Accept and the client hints say, and a request
// without the header that negotiates the same variant finds it made. A
// header that is not a variant of the URL is refused; a URL that does not
// vary ignores it.
func TestVariantHeader(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "rocket.jpg", "rocket")
	uploadAs(t, o, "logo.png", "logo")
	rocket := probe(t, testkit.Read(t, "rocket.jpg"))
	for _, c := range []struct {
		path, variant string
		headers       []string
		ct            string
		width         int
	}{
		{"/demo/image/upload/f_auto,w_100/rocket", "webp", []string{"Accept", "image/avif,image/webp,*/*"}, "image/webp", 100},
		{"/demo/image/upload/f_auto,w_100/rocket", "avif", []string{"Accept", "*/*"}, "image/avif", 100},
		{"/demo/image/upload/f_auto,w_100/rocket", "std", []string{"Accept", "image/avif,image/webp"}, "image/jpeg", 100},
		{"/demo/image/upload/f_auto,q_auto,w_100/logo", "std", []string{"Accept", "image/webp"}, "image/png", 100},
		{"/demo/image/upload/dpr_auto,w_100/rocket.jpg", ";dpr=2", []string{"Sec-CH-DPR", "1", "DPR", "3"}, "image/jpeg", 200},
		{"/demo/image/upload/dpr_auto,f_auto,w_100/rocket", "webp;dpr=1.5",
			[]string{"Accept", "image/avif", "Sec-CH-DPR", "3"}, "image/webp", 150},
		// A URL that does not vary: the header is not read.
		{"/demo/image/upload/w_100/rocket.jpg", "avif;dpr=4", []string{"Accept", "image/avif"}, "image/jpeg", 100},
		{"/demo/image/upload/rocket.jpg", "bogus", nil, "image/jpeg", rocket.Width},
	} {
		r := testkit.Get(t, o.URL+c.path, append([]string{delivery.HeaderVariant, c.variant}, c.headers...)...)
		if r.Status != 200 || r.Header.Get("Content-Type") != c.ct {
			t.Errorf("%s as %q with %v: %d %s %q", c.path, c.variant, c.headers, r.Status, r.Header.Get("Content-Type"),
				r.Header.Get("X-Cld-Error"))
			continue
		}
		if w := probe(t, r.Body).Width; w != c.width {
			t.Errorf("%s as %q with %v: width %d, want %d", c.path, c.variant, c.headers, w, c.width)
		}
	}

	// Without the header the origin negotiates, and finds what edges had
	// made: no transform. (The bytes are checked, not Content-Type: a
	// derived image read back from the store is typed by the URL's
	// extension.)
	before := o.Server.Transforms()
	for _, c := range []struct {
		path    string
		headers []string
		format  delivery.Format
		width   int
	}{
		{"/demo/image/upload/f_auto,w_100/rocket", []string{"Accept", "image/webp,*/*"}, delivery.WebP, 100},
		{"/demo/image/upload/f_auto,w_100/rocket", []string{"Accept", "image/png"}, delivery.JPG, 100},
		{"/demo/image/upload/dpr_auto,f_auto,w_100/rocket", []string{"Accept", "image/webp", "Sec-CH-DPR", "1.5"}, delivery.WebP, 150},
		{"/demo/image/upload/dpr_auto,w_100/rocket.jpg", []string{"DPR", "2", "Accept", "image/avif"}, delivery.JPG, 200},
	} {
		r := testkit.Get(t, o.URL+c.path, c.headers...)
		if r.Status != 200 {
			t.Errorf("%s with %v: %d %q", c.path, c.headers, r.Status, r.Header.Get("X-Cld-Error"))
			continue
		}
		if info := probe(t, r.Body); info.Format != c.format || info.Width != c.width {
			t.Errorf("%s with %v: %s %d wide, want %s %d", c.path, c.headers, info.Format, info.Width, c.format, c.width)
		}
	}
	if n := o.Server.Transforms() - before; n != 0 {
		t.Errorf("%d transforms for variants made already, want 0", n)
	}

	// Derived rows name a variant as they always have (std as ""), so
	// that images recorded before the header existed are found.
	o.Server.WaitRecorded()
	key := meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "rocket"}
	list, err := o.Store.Meta.ListDerived(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for _, d := range list {
		stored = append(stored, d.Transformation+" "+d.Variant)
	}
	slices.Sort(stored)
	want := []string{"dpr_auto,f_auto,w_100 webp;dpr=1.5", "dpr_auto,w_100 ;dpr=2", "f_auto,w_100 ", "f_auto,w_100 avif",
		"f_auto,w_100 webp", "w_100 "}
	if !slices.Equal(stored, want) {
		t.Errorf("stored variants %q, want %q", stored, want)
	}

	for _, c := range []struct{ path, variant string }{
		{"/demo/image/upload/f_auto,w_100/rocket", "jpeg"},
		{"/demo/image/upload/f_auto,w_100/rocket", "AVIF"},
		{"/demo/image/upload/f_auto,w_100/rocket", "avif;dpr=2"},
		{"/demo/image/upload/dpr_auto,w_100/rocket", "avif"},
		{"/demo/image/upload/dpr_auto,w_100/rocket", ";dpr=2.0"},
		{"/demo/image/upload/dpr_auto,f_auto,w_100/rocket", ";dpr=2"},
	} {
		r := testkit.Get(t, o.URL+c.path, delivery.HeaderVariant, c.variant)
		if want := "Invalid X-Delivery-Variant - " + c.variant; r.Status != 400 || r.Header.Get("X-Cld-Error") != want {
			t.Errorf("%s as %q: %d %q, want 400 %q", c.path, c.variant, r.Status, r.Header.Get("X-Cld-Error"), want)
		}
	}
}

func TestDeliveryAccess(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "rocket.jpg", "secret", "type", "private")
	uploadAs(t, o, "rocket.jpg", "locked", "type", "authenticated")
	uploadAs(t, o, "rocket.jpg", "pub")
	sign := func(tx, id string) string {
		s := delivery.Sign(tx, id, apiSecret, delivery.SHA1, false)
		return s
	}
	cases := []struct {
		path   string
		status int
		err    string
	}{
		{"/demo/image/private/secret.jpg", 401, "Missing URL signature - private originals need a signed URL"},
		{"/demo/image/private/" + sign("", "secret.jpg") + "/secret.jpg", 200, ""},
		{"/demo/image/private/w_50/secret.jpg", 200, ""},
		{"/demo/image/authenticated/locked.jpg", 401, "Missing URL signature - authenticated assets need a signed URL"},
		{"/demo/image/authenticated/w_50/locked.jpg", 401, "Missing URL signature - authenticated assets need a signed URL"},
		{"/demo/image/authenticated/" + sign("w_50", "locked.jpg") + "/w_50/locked.jpg", 200, ""},
		{"/demo/image/authenticated/s--AAAAAAAA--/w_50/locked.jpg", 401, "Invalid URL signature"},
		{"/demo/image/upload/nothere.jpg", 404, "Resource not found - nothere"},
		{"/demo/image/upload/w_abc/secret.jpg", 400, "Invalid width in transformation: abc"},
		{"/other/image/upload/secret.jpg", 404, "Unknown cloud_name other"},
		{"/demo/image/fetch/http://example.com/a.jpg", 403, "Fetch from example.com is not allowed for cloud demo"},
		{"/demo/image/facebook/zuck.jpg", 400, "Unsupported delivery type - facebook"},
		{"/demo/image/upload/l_video:dog/pub.jpg", 400, "Unsupported layer type - video"},
	}
	for _, c := range cases {
		r := testkit.Get(t, o.URL+c.path)
		if r.Status != c.status || !strings.HasPrefix(r.Header.Get("X-Cld-Error"), c.err) {
			t.Errorf("%s: %d %q, want %d %q", c.path, r.Status, r.Header.Get("X-Cld-Error"), c.status, c.err)
		}
	}
}

func TestStrictTransformations(t *testing.T) {
	dir := t.TempDir()
	o := startOriginClouds(t, dir, config.Cloud{APIKey: apiKey, APISecret: apiSecret, StrictTransformations: true,
		NamedTransformations: map[string]string{"thumb": "c_fill,h_50,w_50"}})
	uploadAs(t, o, "rocket.jpg", "pic", "eager", "c_scale,w_80")
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/demo/image/upload/pic.jpg", 200},              // originals are fine
		{"/demo/image/upload/c_scale,w_10/pic.jpg", 401}, // not allowed on the fly
		{"/demo/image/upload/t_thumb/pic.jpg", 200},      // named: allowed for strict
		{"/demo/image/upload/c_scale,w_80/pic.jpg", 200}, // eager: pre-generated
		{"/demo/image/upload/" + delivery.Sign("c_scale,w_10", "pic.jpg", apiSecret, delivery.SHA1, false) + "/c_scale,w_10/pic.jpg", 200}, // signed
	} {
		r := testkit.Get(t, o.URL+c.path)
		if r.Status != c.status {
			t.Errorf("%s: %d %q", c.path, r.Status, r.Header.Get("X-Cld-Error"))
		}
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/c_scale,w_20/pic.jpg"); r.Header.Get("X-Cld-Error") != "Transformation c_scale,w_20/ is not allowed" {
		t.Errorf("strict error %q", r.Header.Get("X-Cld-Error"))
	}
	if info := probe(t, testkit.Get(t, o.URL+"/demo/image/upload/t_thumb/pic.jpg").Body); info.Width != 50 || info.Height != 50 {
		t.Errorf("named transformation result %+v", info)
	}
}

func TestEagerOnUpload(t *testing.T) {
	o := startOrigin(t, nil)
	res := uploadAs(t, o, "LadyBird.jpg", "eager", "eager", "c_fill,h_100,w_100|w_50/png")
	if len(res.Eager) != 2 || res.Eager[0].Transformation != "c_fill,h_100,w_100" || res.Eager[0].Width != 100 ||
		res.Eager[0].Height != 100 || res.Eager[1].Format != "png" || res.Eager[1].Width != 50 ||
		!strings.Contains(res.Eager[1].URL, "/demo/image/upload/w_50/v"+strconv.Itoa(res.Version)+"/eager.png") {
		t.Fatalf("eager: %+v", res.Eager)
	}
	before := o.Server.Transforms()
	r := testkit.Get(t, o.URL+"/demo/image/upload/c_fill,h_100,w_100/eager.jpg")
	if r.Status != 200 || o.Server.Transforms() != before {
		t.Fatalf("eager derived not reused: %d, %d transforms", r.Status, o.Server.Transforms()-before)
	}
}

func TestDeliveryDetails(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "rocket.jpg", "rocket")
	uploadAs(t, o, "chelsea.png", "avatar")
	url := o.URL + "/demo/image/upload/rocket.jpg"
	full := testkit.Get(t, url)
	if r := testkit.Get(t, url, "If-None-Match", full.Header.Get("ETag")); r.Status != 304 || len(r.Body) != 0 {
		t.Fatalf("conditional: %d", r.Status)
	}
	if r := testkit.Get(t, url, "Range", "bytes=0-99"); r.Status != 206 || len(r.Body) != 100 {
		t.Fatalf("range: %d %d", r.Status, len(r.Body))
	}
	resp, err := http.Head(url)
	if err != nil || resp.StatusCode != 200 || resp.ContentLength != int64(len(full.Body)) {
		t.Fatalf("HEAD: %v %+v", err, resp)
	}
	resp.Body.Close()
	d := testkit.Get(t, o.URL+"/demo/image/upload/d_avatar.png,w_40/nobody.jpg")
	if d.Status != 200 || d.Header.Get("X-Default-Image") != "avatar" || d.Header.Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("default image: %d %v", d.Status, d.Header)
	}
	a := testkit.Get(t, o.URL+"/demo/image/upload/fl_attachment:my-pic,w_40/rocket.jpg")
	if a.Header.Get("Content-Disposition") != `attachment; filename="my-pic.jpg"` {
		t.Fatalf("attachment: %q", a.Header.Get("Content-Disposition"))
	}
}

// startOriginClouds is startOrigin with one cloud "demo" configured as cl.
func startOriginClouds(t testing.TB, dir string, cl config.Cloud) *testOrigin {
	t.Helper()
	return startOriginWith(t, func(c *origin.Config) { c.DataDir = dir }, nil, cl)
}

func TestUploadFormatAndText(t *testing.T) {
	o := startOrigin(t, nil)
	ct, body := form(t, [][2]string{{"public_id", "converted"}, {"format", "webp"}}, "c.png", testkit.Read(t, "chelsea.png"))
	status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true)
	if status != 200 || !strings.Contains(resp, `"format":"webp"`) || !strings.Contains(resp, `"width":451`) {
		t.Fatalf("format conversion: %d %s", status, resp)
	}
	stored := testkit.Get(t, o.URL+"/demo/image/upload/converted.webp")
	if info := probe(t, stored.Body); info.Format != delivery.WebP {
		t.Fatalf("stored format %v", info.Format)
	}
	ct, body = form(t, [][2]string{{"text", "Sample Name"}, {"public_id", "dark_name"}, {"font_family", "Arial"},
		{"font_size", "12"}, {"font_color", "black"}, {"opacity", "90"}}, "", nil)
	status, resp = post(t, o.URL+"/v1_1/demo/image/text", ct, body, true)
	if status != 200 || !strings.Contains(resp, `"public_id":"dark_name"`) || !strings.Contains(resp, `"format":"png"`) {
		t.Fatalf("text: %d %s", status, resp)
	}
	img := testkit.Get(t, o.URL+"/demo/image/upload/dark_name.png")
	if info := probe(t, img.Body); img.Status != 200 || info.Width < 20 || info.Height < 8 {
		t.Fatalf("text image: %d %+v", img.Status, info)
	}
	ct, body = form(t, [][2]string{{"public_id", "x"}}, "", nil)
	if status, resp := post(t, o.URL+"/v1_1/demo/image/text", ct, body, true); status != 400 || errorMessage(t, resp) != "Missing required parameter - text" {
		t.Fatalf("text without text: %d %s", status, resp)
	}
}
