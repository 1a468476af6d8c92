package app

import (
	"bytes"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"mime"
	"net/http"
	"strconv"
	"testing"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testhttp"
)

// answer is one delivery response, body included.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// request sends method to url with headers ("Host" sets the request's
// host; testhttp.Do).
func request(t *testing.T, method, url string, headers ...string) answer {
	t.Helper()
	a := testhttp.Do(t, method, url, headers...)
	return answer{a.Status, a.Header, a.Body}
}

func width(t *testing.T, b []byte) int {
	t.Helper()
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("delivered bytes are not an image: %v", err)
	}
	return cfg.Width
}

// startCaughtUp starts a cluster with one edge and waits until the edge
// has confirmed the purge stream (so that unversioned entries are hits).
func startCaughtUp(t *testing.T, o ClusterOptions) *Cluster {
	t.Helper()
	configure := o.Configure
	o.Configure = func(f *File) {
		fastPurgeTimers(f)
		if configure != nil {
			configure(f)
		}
	}
	c := startCluster(t, o)
	waitFor(t, "the edge to catch up", func() bool { return c.EdgeState(0).CaughtUp })
	return c
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
			a := request(t, http.MethodGet, c.EdgeURLs[0]+tc.path)
			got := a.header.Get("Content-Disposition")
			_, params, _ := mime.ParseMediaType(got)
			if a.status != 200 || a.header.Get("Cache-Status") != want || got != tc.header || params["filename"] != tc.name {
				t.Errorf("%s: %d %q %q (name %q), want %q %q", tc.path, a.status, a.header.Get("Cache-Status"), got,
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
			a := request(t, http.MethodGet, f[0], f[1:]...)
			want := "mediacdn; hit"
			if i == 0 {
				want, first = firstStatus, a.body
			}
			if a.status != 200 || !bytes.Equal(a.body, first) || a.header.Get("Cache-Status") != want {
				t.Errorf("%s, %v: %d %q (%d bytes, first %d), want %q", when, f, a.status, a.header.Get("Cache-Status"),
					len(a.body), len(first), want)
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
		a := request(t, http.MethodOptions, base+"/demo/image/upload/w_10/nothere.jpg", "Origin", "https://app.example",
			"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-requested-with")
		if a.status != http.StatusNoContent || a.header.Get("Access-Control-Allow-Origin") != "*" ||
			a.header.Get("Access-Control-Allow-Methods") != "GET, HEAD, OPTIONS" ||
			a.header.Get("Access-Control-Allow-Headers") != "x-requested-with" || a.header.Get("Access-Control-Max-Age") != "86400" {
			t.Errorf("%s preflight: %d %v", base, a.status, a.header)
		}
		if a := request(t, http.MethodOptions, base+"/demo/image/upload/pic.jpg"); a.status != http.StatusNoContent ||
			a.header.Get("Allow") != "GET, HEAD, OPTIONS" {
			t.Errorf("%s plain OPTIONS: %d %v", base, a.status, a.header)
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
		a := request(t, http.MethodGet, url, tc.headers...)
		if a.status != 200 || width(t, a.body) != tc.width || a.header.Get("Vary") != "Sec-CH-DPR, DPR" ||
			a.header.Get("Cache-Status") != tc.cache {
			t.Errorf("%v: %d width %d Vary %q %q, want width %d %q", tc.headers, a.status, width(t, a.body),
				a.header.Get("Vary"), a.header.Get("Cache-Status"), tc.width, tc.cache)
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
		a := request(t, http.MethodGet, url, "Accept", tc.accept)
		if a.status != 200 || a.header.Get("Content-Type") != tc.contentType || a.header.Get("Vary") != "Accept" ||
			a.header.Get("Cache-Status") != tc.cache {
			t.Errorf("Accept %q: %d %s Vary %q %q, want %s %q", tc.accept, a.status, a.header.Get("Content-Type"),
				a.header.Get("Vary"), a.header.Get("Cache-Status"), tc.contentType, tc.cache)
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
		a := request(t, http.MethodGet, url)
		etag = a.header.Get("ETag")
		if a.status != 200 || len(a.body) < 16<<10 || etag == "" || a.header.Get("Cache-Control") != "public, max-age=2592000, immutable" ||
			a.header.Get("X-Content-Type-Options") != "nosniff" || a.header.Get("Timing-Allow-Origin") != "*" ||
			a.header.Get("Access-Control-Allow-Origin") != "*" || a.header.Get("Cache-Status") != "mediacdn; fwd=miss; detail=too-large" {
			t.Errorf("large original, request %d: %d, %d bytes, %v", i, a.status, len(a.body), a.header)
		}
	}
	a := request(t, http.MethodGet, url, "If-None-Match", etag)
	if a.status != http.StatusNotModified || len(a.body) != 0 || a.header.Get("Cache-Status") != "mediacdn; hit; detail=too-large" ||
		a.header.Get("ETag") != etag || a.header.Get("Cache-Control") != "public, max-age=2592000, immutable" {
		t.Errorf("If-None-Match: %d %v", a.status, a.header)
	}
	small := c.EdgeURLs[0] + "/demo/image/upload/w_20/pic.jpg"
	request(t, http.MethodGet, small)
	if a := request(t, http.MethodGet, small); a.header.Get("Cache-Status") != "mediacdn; hit" {
		t.Errorf("a small derived image is not cached: %q", a.header.Get("Cache-Status"))
	}
}
