package edge

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/purge"
)

// A CORS preflight is answered at the edge (no origin request) with 204
// and what a browser needs; a plain OPTIONS with Allow; other methods 405.
func TestPreflight(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	url := e.URL + "/demo/image/upload/w_100/v1/pic.jpg"
	r := testkit.Do(t, http.MethodOptions, url, "Origin", "https://app.example", "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "x-requested-with, range")
	if r.Status != http.StatusNoContent || string(r.Body) != "" {
		t.Fatalf("preflight: %d %q", r.Status, string(r.Body))
	}
	for k, v := range map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
		"Access-Control-Allow-Headers": "x-requested-with, range", "Access-Control-Max-Age": "86400",
		"Allow": "GET, HEAD, OPTIONS", "Vary": "Access-Control-Request-Headers"} {
		if got := r.Header.Get(k); got != v {
			t.Errorf("preflight %s = %q, want %q", k, got, v)
		}
	}
	r = testkit.Do(t, http.MethodOptions, url, "Origin", "https://app.example", "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "bad header")
	if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Headers") != "" {
		t.Errorf("preflight with a malformed header list: %d %v", r.Status, r.Header)
	}
	r = testkit.Do(t, http.MethodOptions, url)
	if r.Status != http.StatusNoContent || r.Header.Get("Allow") != "GET, HEAD, OPTIONS" ||
		r.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("plain OPTIONS: %d %v", r.Status, r.Header)
	}
	r = testkit.Do(t, http.MethodPost, url)
	if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("POST: %d %v", r.Status, r.Header)
	}
	if o.count.Load() != 0 {
		t.Errorf("OPTIONS reached the origin: %d requests", o.count.Load())
	}
}

// On a private-CDN host, the URL with the cloud's /<cloud>/ segment (an SDK
// with cname but not private_cdn) and without it are one entry, with the
// path-form URL on any host; a purge covers all three. The host matches
// whatever its case and port (the configured one's too).
func TestHostFormNamesItsCloud(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, func(c *Config) { c.Hosts = map[string]string{"Img.example:8443": "demo"} }, o.URL)
	forms := [][]string{
		{"/image/upload/w_10/v1/a/pic.jpg", "Host", "img.example"},
		{"/demo/image/upload/w_10/v1/a/pic.jpg", "Host", "img.example"},
		{"/demo/image/upload/w_10/v1/a/pic.jpg", "Host", "IMG.example:8080"},
		{"/demo/image/upload/w_10/v1/a/pic.jpg"},
	}
	var first testkit.Answer
	for i, f := range forms {
		r := testkit.Get(t, e.URL+f[0], f[1:]...)
		if i == 0 {
			first = r
		} else if r.Status != 200 || string(r.Body) != string(first.Body) || xcache(r) != "HIT" {
			t.Errorf("%v: %d %q %q, want a hit on %q", f, r.Status, string(r.Body), xcache(r), string(first.Body))
		}
	}
	if o.count.Load() != 1 || o.hits("/demo/image/upload/w_10/v1/a/pic.jpg") != 1 {
		t.Fatalf("origin requests %d, want 1", o.count.Load())
	}
	rule := purge.NewAsset("demo", purge.ModeOf(config.Cloud{}), delivery.Image, delivery.Upload, "a/pic", 0)
	rule.Seq = 1
	e.Index.Apply(rule)
	for _, f := range forms[1:] {
		if r := testkit.Get(t, e.URL+f[0], f[1:]...); r.Status != 200 || xcache(r) == "HIT" && o.count.Load() == 1 {
			t.Errorf("%v after the purge: %d %q", f, r.Status, xcache(r))
		}
	}
	if o.count.Load() != 2 {
		t.Errorf("origin requests after the purge %d, want 2", o.count.Load())
	}
	// A root-form path on the host is a public ID in a folder named like
	// the cloud: another object.
	testkit.Get(t, e.URL+"/demo/pic.jpg", "Host", "img.example")
	if o.hits("/demo/demo/pic.jpg") != 1 {
		t.Errorf("root form on the host: origin saw %d requests for /demo/demo/pic.jpg", o.hits("/demo/demo/pic.jpg"))
	}
}

// dpr_auto is cached per DPR hint (rounded; Accept does not split it) and
// says so in Vary; with f_auto too, per format and hint. The origin is
// told the variant, never the client's headers.
func TestClientHintVariants(t *testing.T) {
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write([]byte("variant=" + r.Header.Get(delivery.HeaderVariant) + " accept=" + r.Header.Get("Accept") +
			" hints=" + r.Header.Get("Sec-CH-DPR") + r.Header.Get("DPR")))
	})
	e := startEdge(t, nil, o.URL)
	url := e.URL + "/demo/image/upload/dpr_auto,w_100/v1/pic.jpg"
	for _, c := range []struct {
		headers []string
		body    string
		cache   string
		origin  int64
	}{
		{[]string{"Sec-CH-DPR", "2"}, "variant=;dpr=2 accept= hints=", "MISS", 1},
		{[]string{"Sec-CH-DPR", "2", "Accept", "image/avif"}, "variant=;dpr=2 accept= hints=", "HIT", 1},
		{[]string{"DPR", "2.01"}, "variant=;dpr=2 accept= hints=", "HIT", 1},
		{nil, "variant=;dpr=1 accept= hints=", "MISS", 2},
		{[]string{"Sec-CH-DPR", "1"}, "variant=;dpr=1 accept= hints=", "HIT", 2},
		{[]string{"Sec-CH-DPR", "3", "DPR", "1"}, "variant=;dpr=3 accept= hints=", "MISS", 3},
	} {
		r := testkit.Get(t, url, c.headers...)
		if r.Status != 200 || string(r.Body) != c.body || xcache(r) != c.cache || o.count.Load() != c.origin ||
			r.Header.Get("Vary") != "Sec-CH-DPR, DPR" {
			t.Errorf("%v: %d %q %s vary %q, origin %d; want %q %s origin %d", c.headers, r.Status, string(r.Body), xcache(r),
				r.Header.Get("Vary"), o.count.Load(), c.body, c.cache, c.origin)
		}
	}
	both := e.URL + "/demo/image/upload/dpr_auto,f_auto,w_100/v1/pic"
	a := testkit.Get(t, both, "Sec-CH-DPR", "2", "Accept", "image/webp")
	b := testkit.Get(t, both, "Sec-CH-DPR", "2", "Accept", "image/webp,*/*")
	c := testkit.Get(t, both, "Sec-CH-DPR", "2", "Accept", "image/avif")
	if string(a.Body) != "variant=webp;dpr=2 accept= hints=" || xcache(b) != "HIT" || string(c.Body) != "variant=avif;dpr=2 accept= hints=" ||
		a.Header.Get("Vary") != "Accept, Sec-CH-DPR, DPR" || b.Header.Get("Vary") != "Accept, Sec-CH-DPR, DPR" {
		t.Errorf("dpr_auto with f_auto: %q %q %q, Vary %q", string(a.Body), xcache(b), string(c.Body), a.Header.Get("Vary"))
	}
}

// An object over max_object_size is streamed, not cached, with the headers
// a cached one has and a Cache-Status saying why; the edge remembers it is
// too large (one origin request each time after the first), answers a
// matching If-None-Match or If-Modified-Since with 304 itself, and a purge
// forgets it.
func TestLargeObjectHeaders(t *testing.T) {
	big := strings.Repeat("x", 100_000)
	lastModified := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.Header().Set("ETag", `"big-1"`)
		w.Header().Set("X-Asset-Version", "1712345678")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("Content-Disposition", `attachment; filename="big.mp4"`)
		http.ServeContent(w, r, "", lastModified, strings.NewReader(big))
	})
	e := startEdge(t, func(c *Config) { c.MaxObjectSize = 4 << 10 }, o.URL)
	path := "/demo/video/upload/fl_attachment/v1712345678/big.mp4"
	url := e.URL + path
	want := map[string]string{
		"Content-Type": "video/mp4", "Etag": `"big-1"`, "Last-Modified": "Tue, 24 Nov 2026 10:00:00 GMT",
		"Cache-Control": "public, max-age=2592000, immutable", "Access-Control-Allow-Origin": "*",
		"Timing-Allow-Origin": "*", "X-Content-Type-Options": "nosniff", "X-Asset-Version": "1712345678",
		"Content-Disposition": `attachment; filename="big.mp4"`, "Age": "0", "Accept-Ranges": "bytes",
		"Cache-Status": "mediacdn; fwd=miss; detail=too-large",
	}
	for i := 0; i < 2; i++ {
		r := testkit.Get(t, url)
		if r.Status != 200 || string(r.Body) != big {
			t.Fatalf("large object: %d, %d bytes", r.Status, len(r.Body))
		}
		for k, v := range want {
			if got := r.Header.Get(k); got != v {
				t.Errorf("request %d: %s = %q, want %q", i, k, got, v)
			}
		}
	}
	if n := o.hits(path); n != 3 {
		t.Errorf("origin requests for two GETs: %d, want 3 (a buffered attempt, then one stream each)", n)
	}
	for _, h := range [][]string{{"If-None-Match", `"big-1"`}, {"If-None-Match", `W/"big-1", "other"`},
		{"If-Modified-Since", "Tue, 24 Nov 2026 10:00:00 GMT"}} {
		r := testkit.Get(t, url, h...)
		if r.Status != 304 || string(r.Body) != "" || r.Header.Get("ETag") != `"big-1"` ||
			r.Header.Get("Cache-Control") != want["Cache-Control"] || r.Header.Get("Cache-Status") != "mediacdn; hit; detail=too-large" {
			t.Errorf("%v: %d, %d bytes, %v", h, r.Status, len(r.Body), r.Header)
		}
	}
	if n := o.hits(path); n != 3 {
		t.Errorf("304s went to the origin: %d requests", n)
	}
	if r := testkit.Get(t, url, "If-None-Match", `"other"`); r.Status != 200 || string(r.Body) != big {
		t.Errorf("non-matching If-None-Match: %d", r.Status)
	}
	r := testkit.Get(t, url, "Range", "bytes=10-19")
	if r.Status != 206 || string(r.Body) != big[10:20] || r.Header.Get("Content-Range") != "bytes 10-19/100000" ||
		r.Header.Get("Cache-Control") != want["Cache-Control"] || r.Header.Get("ETag") != `"big-1"` {
		t.Errorf("range: %d, %d bytes, %v", r.Status, len(r.Body), r.Header)
	}
	if unversioned := testkit.Get(t, e.URL+"/demo/video/upload/big.mp4"); unversioned.Header.Get("Cache-Control") != "public, max-age=3600" {
		t.Errorf("unversioned large object: Cache-Control %q", unversioned.Header.Get("Cache-Control"))
	}
	// After a purge the edge knows nothing: a buffered attempt again, then
	// the origin answers the condition.
	before := o.hits(path)
	rule := purge.NewAsset("demo", purge.ModeOf(config.Cloud{}), delivery.Video, delivery.Upload, "big", 0)
	rule.Seq = 1
	e.Index.Apply(rule)
	r = testkit.Get(t, url, "If-None-Match", `"big-1"`)
	if r.Status != 304 || r.Header.Get("Cache-Status") != "mediacdn; fwd=miss; detail=too-large" || o.hits(path) != before+2 ||
		r.Header.Get("ETag") != `"big-1"` || r.Header.Get("Cache-Control") != want["Cache-Control"] {
		t.Errorf("after a purge: %d %v, %d origin requests", r.Status, r.Header, o.hits(path)-before)
	}
}

// A large object that is replaced by one that fits is cached again.
func TestLargeObjectThatShrinksIsCached(t *testing.T) {
	var size atomic.Int64
	size.Store(100_000)
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.Header().Set("ETag", `"`+strconv.FormatInt(size.Load(), 10)+`"`)
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.ServeContent(w, r, "", time.Time{}, strings.NewReader(strings.Repeat("x", int(size.Load()))))
	})
	e := startEdge(t, func(c *Config) { c.MaxObjectSize = 4 << 10 }, o.URL)
	url := e.URL + "/demo/video/upload/v1/clip.mp4"
	if r := testkit.Get(t, url); xcache(r) != "PASS" || len(r.Body) != 100_000 {
		t.Fatalf("large: %q %d", xcache(r), len(r.Body))
	}
	size.Store(1000)
	if r := testkit.Get(t, url); xcache(r) != "PASS" || len(r.Body) != 1000 {
		t.Fatalf("first request after it shrank: %q %d", xcache(r), len(r.Body))
	}
	if r := testkit.Get(t, url); xcache(r) != "MISS" || len(r.Body) != 1000 {
		t.Fatalf("second request after it shrank: %q %d", xcache(r), len(r.Body))
	}
	if r := testkit.Get(t, url); xcache(r) != "HIT" {
		t.Fatalf("third request after it shrank: %q", xcache(r))
	}
}
