package app

import (
	"bytes"
	_ "image/jpeg"
	_ "image/png"
	"mime"
	"net/http"
	"strconv"
	"testing"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// width is a delivered image's width.
func width(t *testing.T, b []byte) int {
	t.Helper()
	w, _ := size(t, b)
	return w
}

// fl_attachment through an edge: the origin's Content-Disposition, on the
// miss and on the hit, read by a client as the exact name.
func TestAttachmentThroughEdge(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{})
	call(t, c, "upload", map[string]string{"public_id": "folder/pic"}, "rocket.jpg")
	for _, tc := range []struct{ path, header, name string }{
		{"/demo/image/upload/fl_attachment/folder/pic.jpg", `attachment; filename="rocket.jpg"`, "rocket.jpg"}, // the uploaded file's name
		{"/demo/image/upload/fl_attachment:caf%C3%A9,w_40/folder/pic.png",
			`attachment; filename="caf_.png"; filename*=UTF-8''caf%C3%A9.png`, "café.png"},
	} {
		for _, want := range []string{"mediacdn; fwd=miss; stored", "mediacdn; hit"} {
			a := testkit.Get(t, c.EdgeURLs[0]+tc.path)
			got := a.Header.Get("Content-Disposition")
			_, params, _ := mime.ParseMediaType(got)
			if a.Status != 200 || a.Header.Get("Cache-Status") != want || got != tc.header || params["filename"] != tc.name {
				t.Errorf("%s: %d %q %q (name %q), want %q %q", tc.path, a.Status, a.Header.Get("Cache-Status"), got,
					params["filename"], want, tc.header)
			}
		}
	}
}

// A private-CDN host: the URL with and without /demo/ and the path-form
// URL on the edge's own address are one cached object, and an overwrite
// with invalidate refreshes all three.
func TestPrivateCDNHostThroughEdge(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{Clouds: config.Clouds{"demo": {APIKey: "demo_key", APISecret: "demo_secret",
		Hosts: []string{"img.test"}}}})
	call(t, c, "upload", map[string]string{"public_id": "pic"}, "rocket.jpg")
	edge := c.EdgeURLs[0]
	forms := [][]string{
		{edge + "/image/upload/w_60/pic.jpg", "Host", "img.test"},
		{edge + "/demo/image/upload/w_60/pic.jpg", "Host", "img.test"},
		{edge + "/demo/image/upload/w_60/pic.jpg"},
	}
	check := func(when string, firstStatus string) []byte {
		var first []byte
		for i, f := range forms {
			a := testkit.Get(t, f[0], f[1:]...)
			want := "mediacdn; hit"
			if i == 0 {
				want, first = firstStatus, a.Body
			}
			if a.Status != 200 || !bytes.Equal(a.Body, first) || a.Header.Get("Cache-Status") != want {
				t.Errorf("%s, %v: %d %q (%d bytes, first %d), want %q", when, f, a.Status, a.Header.Get("Cache-Status"),
					len(a.Body), len(first), want)
			}
		}
		return first
	}
	before := check("first", "mediacdn; fwd=miss; stored")
	over := call(t, c, "upload", map[string]string{"public_id": "pic", "invalidate": "true", "wait": "5000"}, "chelsea.png")
	if over.Invalidation == nil || over.Invalidation.Status != "applied" {
		t.Fatalf("overwrite invalidation: %+v", over.Invalidation)
	}
	after := check("after the purge", "mediacdn; fwd=miss; stored")
	if bytes.Equal(before, after) {
		t.Error("the old image survived the purge")
	}
}

// OPTIONS preflights at the edge and at the origin's delivery answer 204
// with the CORS headers; neither asks for the object.
func TestPreflightAtEdgeAndOrigin(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{})
	for _, base := range []string{c.EdgeURLs[0], c.OriginURL} {
		a := testkit.Do(t, http.MethodOptions, base+"/demo/image/upload/w_10/nothere.jpg", "Origin", "https://app.example",
			"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-requested-with")
		if a.Status != http.StatusNoContent || a.Header.Get("Access-Control-Allow-Origin") != "*" ||
			a.Header.Get("Access-Control-Allow-Methods") != "GET, HEAD, OPTIONS" ||
			a.Header.Get("Access-Control-Allow-Headers") != "x-requested-with" || a.Header.Get("Access-Control-Max-Age") != "86400" {
			t.Errorf("%s preflight: %d %v", base, a.Status, a.Header)
		}
		if a := testkit.Do(t, http.MethodOptions, base+"/demo/image/upload/pic.jpg"); a.Status != http.StatusNoContent ||
			a.Header.Get("Allow") != "GET, HEAD, OPTIONS" {
			t.Errorf("%s plain OPTIONS: %d %v", base, a.Status, a.Header)
		}
	}
}

// dpr_auto through an edge: the image is sized by the DPR hint, each hint
// value is cached apart, and Vary names the hint.
func TestClientHintsThroughEdge(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{})
	call(t, c, "upload", map[string]string{"public_id": "pic"}, "rocket.jpg")
	url := c.EdgeURLs[0] + "/demo/image/upload/dpr_auto,w_100/pic.jpg"
	for _, tc := range []struct {
		headers []string
		width   int
		cache   string
	}{
		{[]string{"Sec-CH-DPR", "2"}, 200, "mediacdn; fwd=miss; stored"},
		{nil, 100, "mediacdn; fwd=miss; stored"},
		{[]string{"Sec-CH-DPR", "2", "Accept", "image/webp"}, 200, "mediacdn; hit"},
		{[]string{"DPR", "1"}, 100, "mediacdn; hit"},
	} {
		a := testkit.Get(t, url, tc.headers...)
		if a.Status != 200 || width(t, a.Body) != tc.width || a.Header.Get("Vary") != "Sec-CH-DPR, DPR" ||
			a.Header.Get("Cache-Status") != tc.cache {
			t.Errorf("%v: %d width %d Vary %q %q, want width %d %q", tc.headers, a.Status, width(t, a.Body),
				a.Header.Get("Vary"), a.Header.Get("Cache-Status"), tc.width, tc.cache)
		}
	}
}

// f_auto through an edge: the format follows the client's Accept (AVIF,
// WebP, else JPEG), each variant is made once and cached apart, and Vary
// names Accept. The edge names the variant to the origin; the origin makes
// that one.
func TestNegotiatedFormatThroughEdge(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{})
	call(t, c, "upload", map[string]string{"public_id": "pic"}, "rocket.jpg")
	url := c.EdgeURLs[0] + "/demo/image/upload/f_auto,w_100/pic"
	for _, tc := range []struct {
		accept, contentType, cache string
	}{
		{"image/avif,image/webp,*/*", "image/avif", "mediacdn; fwd=miss; stored"},
		{"image/webp,*/*", "image/webp", "mediacdn; fwd=miss; stored"},
		{"text/html,*/*", "image/jpeg", "mediacdn; fwd=miss; stored"},
		{"image/avif", "image/avif", "mediacdn; hit"},
		{"image/webp;q=0.9", "image/webp", "mediacdn; hit"},
		{"", "image/jpeg", "mediacdn; hit"},
	} {
		a := testkit.Get(t, url, "Accept", tc.accept)
		if a.Status != 200 || a.Header.Get("Content-Type") != tc.contentType || a.Header.Get("Vary") != "Accept" ||
			a.Header.Get("Cache-Status") != tc.cache {
			t.Errorf("Accept %q: %d %s Vary %q %q, want %s %q", tc.accept, a.Status, a.Header.Get("Content-Type"),
				a.Header.Get("Vary"), a.Header.Get("Cache-Status"), tc.contentType, tc.cache)
		}
	}
}

// An original over the edge's max_object_size: streamed with the headers a
// cached one has, and 304 for a matching If-None-Match from the edge.
func TestLargeObjectThroughEdge(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{Configure: func(f *File) { f.Edge.MaxObjectSize = 16 * config.KiB }})
	up := call(t, c, "upload", map[string]string{"public_id": "pic"}, "rocket.jpg")
	url := c.EdgeURLs[0] + "/demo/image/upload/v" + strconv.FormatInt(up.Version, 10) + "/pic.jpg"
	var etag string
	for i := 0; i < 2; i++ {
		a := testkit.Get(t, url)
		etag = a.Header.Get("ETag")
		if a.Status != 200 || len(a.Body) < 16<<10 || etag == "" || a.Header.Get("Cache-Control") != "public, max-age=2592000, immutable" ||
			a.Header.Get("X-Content-Type-Options") != "nosniff" || a.Header.Get("Timing-Allow-Origin") != "*" ||
			a.Header.Get("Access-Control-Allow-Origin") != "*" || a.Header.Get("Cache-Status") != "mediacdn; fwd=miss; detail=too-large" {
			t.Errorf("large original, request %d: %d, %d bytes, %v", i, a.Status, len(a.Body), a.Header)
		}
	}
	a := testkit.Get(t, url, "If-None-Match", etag)
	if a.Status != http.StatusNotModified || len(a.Body) != 0 || a.Header.Get("Cache-Status") != "mediacdn; hit; detail=too-large" ||
		a.Header.Get("ETag") != etag || a.Header.Get("Cache-Control") != "public, max-age=2592000, immutable" {
		t.Errorf("If-None-Match: %d %v", a.Status, a.Header)
	}
	small := c.EdgeURLs[0] + "/demo/image/upload/w_20/pic.jpg"
	testkit.Get(t, small)
	if a := testkit.Get(t, small); a.Header.Get("Cache-Status") != "mediacdn; hit" {
		t.Errorf("a small derived image is not cached: %q", a.Header.Get("Cache-Status"))
	}
}
