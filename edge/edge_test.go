package edge

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/purge"
)

func TestHitAfterMiss(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	url := e.URL + "/demo/image/upload/c_fill,w_100/v1712345678/folder/pic.jpg"
	first := testkit.Get(t, url)
	second := testkit.Get(t, url+"?_a=BAMAROfk0")
	if first.Status != 200 || second.Status != 200 || string(first.Body) != string(second.Body) {
		t.Fatalf("first %+v second %+v", first, second)
	}
	if o.count.Load() != 1 {
		t.Fatalf("origin requests = %d, want 1 (the query must not split the cache)", o.count.Load())
	}
	if got := first.Header.Get("Cache-Status"); got != "mediacdn; fwd=miss; stored" {
		t.Errorf("miss Cache-Status %q", got)
	}
	if xcache(first) != "MISS" || !strings.HasPrefix(first.Header.Get("Server-Timing"), "fill;dur=") {
		t.Errorf("miss headers %v", first.Header)
	}
	want := map[string]string{
		"Content-Type": "image/jpeg", "Etag": `"etag-` + itoa(len(first.Body)) + `"`,
		"Last-Modified": "Tue, 24 Nov 2026 10:00:00 GMT", "Cache-Control": "public, max-age=2592000, immutable",
		"Cache-Status": "mediacdn; hit", "Access-Control-Allow-Origin": "*",
		"Timing-Allow-Origin": "*", "X-Content-Type-Options": "nosniff", "X-Asset-Version": "1712345678",
		"Age": "0", "Accept-Ranges": "bytes", "Server": "mediacdn",
	}
	for k, v := range want {
		if got := second.Header.Get(k); got != v {
			t.Errorf("hit %s = %q, want %q", k, got, v)
		}
	}
	e.Clock.advance(90 * time.Second)
	if got := testkit.Get(t, url).Header.Get("Age"); got != "90" {
		t.Errorf("Age after 90s = %q", got)
	}
	// Unversioned URLs are not immutable.
	if cc := testkit.Get(t, e.URL+"/demo/image/upload/pic.jpg").Header.Get("Cache-Control"); cc != "public, max-age=3600" {
		t.Errorf("unversioned Cache-Control %q", cc)
	}
}

func TestHostForm(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, func(c *Config) { c.Hosts = map[string]string{"img.example": "demo"} }, o.URL)
	a := testkit.Get(t, e.URL+"/image/upload/pic.jpg", "Host", "img.example")
	b := testkit.Get(t, e.URL+"/demo/image/upload/pic.jpg")
	if a.Status != 200 || b.Status != 200 || o.count.Load() != 1 || o.hits("/demo/image/upload/pic.jpg") != 1 {
		t.Fatalf("host form: %d %d, origin %d", a.Status, b.Status, o.count.Load())
	}
	// One host name (whatever the case and port) for two clouds is refused.
	_, err := New(Config{Origins: []string{o.URL}, Clouds: []string{"a", "b"},
		Hosts: map[string]string{"img.example": "a", "IMG.example:8080": "b"}},
		Deps{Log: slog.New(slog.DiscardHandler), Purges: purge.NewIndex(purge.IndexConfig{})})
	if err == nil || err.Error() != `edge: hosts: host "img.example" is used by clouds "a" and "b"` {
		t.Errorf("two clouds on one host: %v", err)
	}
}

// 1,000 concurrent requests for one cold URL make exactly one origin request.
func TestCoalescing(t *testing.T) {
	release := make(chan struct{})
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		imageOrigin(w, r)
	})
	e := startEdge(t, nil, o.URL)
	const n = 1000
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n}}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	url := e.URL + "/demo/image/upload/w_200/v3/cold.jpg"
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Get(url)
			if err != nil {
				errs <- err
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "image:") {
				errs <- fmt.Errorf("status %d body %q", resp.StatusCode, b)
			}
		}()
	}
	testkit.Eventually(t, testkit.Timeout, "requests to reach the edge", func() bool { return e.m.requests.Load() >= n/2 })
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := o.count.Load(); got != 1 {
		t.Fatalf("origin requests = %d, want exactly 1", got)
	}
	t.Logf("coalesced waiters: %d, hits: %d", e.m.coalesced.Load(), e.m.hits.Load())
}

func TestNegotiatedVariants(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	url := e.URL + "/demo/image/upload/f_auto,q_auto/v1/pic.jpg"
	avif := testkit.Get(t, url, "Accept", "image/avif,image/webp,image/apng,*/*;q=0.8")
	avif2 := testkit.Get(t, url, "Accept", "image/avif;q=0.9, image/png")
	webp := testkit.Get(t, url, "Accept", "image/webp,*/*")
	plain := testkit.Get(t, url, "Accept", "text/html,*/*")
	none := testkit.Get(t, url)
	if o.count.Load() != 3 {
		t.Fatalf("origin requests = %d, want 3 (avif, webp, other)", o.count.Load())
	}
	if string(avif.Body) != string(avif2.Body) || xcache(avif2) != "HIT" || string(plain.Body) != string(none.Body) {
		t.Fatalf("variants not shared: %q %q / %q %q", string(avif.Body), string(avif2.Body), string(plain.Body), string(none.Body))
	}
	if !strings.HasSuffix(string(avif.Body), ":avif") || !strings.HasSuffix(string(webp.Body), ":webp") ||
		!strings.HasSuffix(string(plain.Body), ":std") {
		t.Fatalf("origin saw raw Accept headers, or no variant: %q %q %q", string(avif.Body), string(webp.Body), string(plain.Body))
	}
	for _, r := range []testkit.Answer{avif, webp, plain} {
		if r.Header.Get("Vary") != "Accept" {
			t.Fatalf("Vary = %q", r.Header.Get("Vary"))
		}
	}
	if v := testkit.Get(t, e.URL+"/demo/image/upload/w_10/pic.jpg").Header.Get("Vary"); v != "" {
		t.Fatalf("Vary on a non-negotiated URL: %q", v)
	}
}

func TestConditionalRequests(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	url := e.URL + "/demo/image/upload/v1/pic.jpg"
	full := testkit.Get(t, url)
	etag := full.Header.Get("ETag")
	for _, h := range [][]string{
		{"If-None-Match", etag},
		{"If-None-Match", `"other", ` + etag},
		{"If-None-Match", "W/" + etag},
		{"If-None-Match", "*"},
		{"If-Modified-Since", "Tue, 24 Nov 2026 10:00:00 GMT"},
		{"If-Modified-Since", "Wed, 25 Nov 2026 10:00:00 GMT"},
	} {
		r := testkit.Get(t, url, h...)
		if r.Status != 304 || string(r.Body) != "" || r.Header.Get("ETag") != etag || r.Header.Get("Cache-Control") == "" {
			t.Errorf("%v: %d %q %v", h, r.Status, string(r.Body), r.Header)
		}
	}
	for _, h := range [][]string{
		{"If-None-Match", `"other"`},
		{"If-Modified-Since", "Mon, 23 Nov 2026 10:00:00 GMT"},
	} {
		if r := testkit.Get(t, url, h...); r.Status != 200 || string(r.Body) != string(full.Body) {
			t.Errorf("%v: %d", h, r.Status)
		}
	}
}

// A Last-Modified is never later than the Date it comes with (RFC 9110
// 8.8.2), though fasthttp's Date runs up to a second behind the clock and
// an origin's clock may run ahead: a fill right after an upload, or from
// such an origin, answers the Date instead, on the miss, on hits, and on a
// streamed object too large to cache; If-Modified-Since with it is a 304.
func TestLastModifiedNotAfterDate(t *testing.T) {
	ahead := time.Now().Add(time.Hour)
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("ETag", `"e1"`)
		body := "small"
		if strings.Contains(r.URL.Path, "big") {
			body = strings.Repeat("x", 8<<10)
		}
		lm := time.Now() // the upload's second, as the origin stamps it
		if strings.Contains(r.URL.Path, "ahead") {
			lm = ahead
		}
		http.ServeContent(w, r, "", lm, strings.NewReader(body))
	})
	e := startEdge(t, func(c *Config) { c.MaxObjectSize = 4 << 10 }, o.URL)
	for _, path := range []string{"/demo/image/upload/v1/fresh.jpg", "/demo/image/upload/v1/ahead.jpg", "/demo/image/upload/v1/big-ahead.jpg"} {
		for i := 0; i < 2; i++ {
			r := testkit.Get(t, e.URL+path)
			date, err := http.ParseTime(r.Header.Get("Date"))
			if err != nil {
				t.Fatalf("%s: Date %q: %v", path, r.Header.Get("Date"), err)
			}
			lm, err := http.ParseTime(r.Header.Get("Last-Modified"))
			if r.Status != 200 || err != nil {
				t.Fatalf("%s: %d, Last-Modified %q: %v", path, r.Status, r.Header.Get("Last-Modified"), err)
			}
			if lm.After(date) {
				t.Errorf("%s, %s: Last-Modified %s after Date %s", path, r.Header.Get("Cache-Status"), lm, date)
			}
			if strings.Contains(path, "ahead") && lm.After(time.Now()) {
				t.Errorf("%s: Last-Modified %s in the future", path, lm)
			}
			if c := testkit.Get(t, e.URL+path, "If-Modified-Since", r.Header.Get("Last-Modified")); c.Status != 304 {
				t.Errorf("%s: If-Modified-Since its Last-Modified: %d", path, c.Status)
			}
		}
	}
}

func TestRanges(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	url := e.URL + "/demo/raw/upload/v1/doc.txt"
	full := string(testkit.Get(t, url).Body)
	n := len(full)
	cases := []struct {
		rng    string
		status int
		body   string
		cr     string
	}{
		{"bytes=0-4", 206, full[:5], fmt.Sprintf("bytes 0-4/%d", n)},
		{"bytes=5-", 206, full[5:], fmt.Sprintf("bytes 5-%d/%d", n-1, n)},
		{"bytes=-3", 206, full[n-3:], fmt.Sprintf("bytes %d-%d/%d", n-3, n-1, n)},
		{"bytes=2-100000", 206, full[2:], fmt.Sprintf("bytes 2-%d/%d", n-1, n)},
		{fmt.Sprintf("bytes=%d-", n+10), 416, "", fmt.Sprintf("bytes */%d", n)},
		{"bytes=0-1,3-4", 200, full, ""},
		{"bytes=abc", 200, full, ""},
		{"items=0-1", 200, full, ""},
	}
	for _, c := range cases {
		r := testkit.Get(t, url, "Range", c.rng)
		if r.Status != c.status || string(r.Body) != c.body || r.Header.Get("Content-Range") != c.cr {
			t.Errorf("%s: %d %q %q", c.rng, r.Status, string(r.Body), r.Header.Get("Content-Range"))
		}
	}
}

func TestBadRequests(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, func(c *Config) { c.MaxURLLength = 512 }, o.URL)
	cases := []struct {
		method, path string
		status       int
		cldError     string
	}{
		{"GET", "/demo/image/upload/w_abc/pic.jpg", 400, "Invalid width in transformation: abc"},
		{"GET", "/demo/image/upload/ab_cd/pic.jpg", 400, "Invalid transformation component - ab_cd"},
		{"GET", "/demo/image/upload/pic.exe", 400, "Invalid extension in transformation: exe"},
		{"GET", "/demo/image/upload/" + strings.Repeat("a", 600), 414, "URL too long"},
		{"GET", "/nosuchcloud/image/upload/pic.jpg", 404, "Unknown cloud_name nosuchcloud"},
		{"POST", "/demo/image/upload/pic.jpg", 405, "Method not allowed"},
		{"DELETE", "/demo/image/upload/pic.jpg", 405, "Method not allowed"},
	}
	for _, c := range cases {
		r := testkit.Do(t, c.method, e.URL+c.path)
		if r.Status != c.status || r.Header.Get("X-Cld-Error") != c.cldError {
			t.Errorf("%s %s: %d %q", c.method, c.path, r.Status, r.Header.Get("X-Cld-Error"))
		}
	}
	if o.count.Load() != 0 {
		t.Fatalf("bad requests reached the origin %d times", o.count.Load())
	}
	if r := testkit.Get(t, e.URL+"/healthz"); r.Status != 200 || string(r.Body) != "ok\n" {
		t.Fatalf("healthz %+v", r)
	}
}

func TestNegativeCaching(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	url := e.URL + "/demo/image/upload/missing.jpg"
	for i := 0; i < 3; i++ {
		r := testkit.Get(t, url)
		if r.Status != 404 || r.Header.Get("X-Cld-Error") != "Resource not found - missing" ||
			r.Header.Get("Cache-Control") != "public, max-age=10" {
			t.Fatalf("404: %+v", r)
		}
	}
	if o.count.Load() != 1 {
		t.Fatalf("404 not cached: %d origin requests", o.count.Load())
	}
	// An upload's "created" rule clears the cached 404 at once.
	r := purge.NewCreated("demo", delivery.Image, delivery.Upload, "missing")
	r.Seq = 1
	e.Index.Apply(r)
	testkit.Get(t, url)
	if o.count.Load() != 2 {
		t.Fatalf("created rule did not clear the 404: %d origin requests", o.count.Load())
	}
	// And it expires after NegativeTTL.
	e.Clock.advance(11 * time.Second)
	testkit.Get(t, url)
	if o.count.Load() != 3 {
		t.Fatalf("404 outlived the negative TTL: %d", o.count.Load())
	}
}

func TestPurgeDropsEntries(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	urls := []string{"/demo/image/upload/v5/a/pic.jpg", "/demo/image/upload/c_fill,w_10/a/pic.jpg",
		"/demo/images/v5/a/pic/seo-name.jpg", "/demo/image/upload/other.jpg"}
	for _, u := range urls {
		testkit.Get(t, e.URL+u)
	}
	rule := purge.NewAsset("demo", purge.ModeOf(config.Cloud{}), delivery.Image, delivery.Upload, "a/pic", 5)
	rule.Seq = 1
	e.Index.Apply(rule)
	for _, u := range urls {
		testkit.Get(t, e.URL+u)
	}
	for _, u := range urls[:3] {
		p := strings.SplitN(u, "?", 2)[0]
		if o.hits(p) != 2 {
			t.Errorf("%s: %d origin requests, want 2 (purged)", u, o.hits(p))
		}
	}
	if o.hits(urls[3]) != 1 {
		t.Errorf("unrelated URL refetched")
	}
}

// A fill that started before a purge must not survive it.
func TestFillRacingPurge(t *testing.T) {
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case entered <- struct{}{}:
			<-release
		default:
		}
		imageOrigin(w, r)
	})
	e := startEdge(t, nil, o.URL)
	url := e.URL + "/demo/image/upload/race.jpg"
	done := make(chan testkit.Answer)
	go func() { done <- testkit.Get(t, url) }()
	<-entered // the fill is at the origin
	rule := purge.NewAsset("demo", purge.ModeOf(config.Cloud{}), delivery.Image, delivery.Upload, "race", 0)
	rule.Seq = 1
	e.Index.Apply(rule)
	close(release)
	if r := <-done; r.Status != 200 {
		t.Fatalf("racing request: %d", r.Status)
	}
	testkit.Get(t, url)
	if o.count.Load() != 2 {
		t.Fatalf("the fill that raced the purge was served again: %d origin requests", o.count.Load())
	}
}

func TestStaleWhileRevalidate(t *testing.T) {
	var version atomicString
	version.set("one")
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=60")
		w.Header().Set("ETag", `"`+version.get()+`"`)
		io.WriteString(w, version.get())
	})
	e := startEdge(t, nil, o.URL)
	url := e.URL + "/demo/image/upload/swr.jpg"
	if r := testkit.Get(t, url); string(r.Body) != "one" {
		t.Fatal(string(r.Body))
	}
	version.set("two")
	e.Clock.advance(70 * time.Second) // expired, within stale-while-revalidate (60s)
	r := testkit.Get(t, url)
	if string(r.Body) != "one" || xcache(r) != "STALE" {
		t.Fatalf("stale answer: %q %v", string(r.Body), xcache(r))
	}
	testkit.Eventually(t, testkit.Timeout, "the background refresh", func() bool { return o.count.Load() == 2 })
	testkit.Eventually(t, testkit.Timeout, "the refreshed entry", func() bool { return string(testkit.Get(t, url).Body) == "two" })
	if o.count.Load() != 2 {
		t.Fatalf("origin requests %d, want 2", o.count.Load())
	}
}

// A purge applied while a fill is failing covers the stale copy that would
// stand in for the failure: the client gets the origin's error, never the
// purged content.
func TestStaleIfErrorNotAfterPurge(t *testing.T) {
	var mode atomicString
	mode.set("ok")
	var purgeDuringFill func()
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		switch mode.get() {
		case "purge, then 500":
			purgeDuringFill()
			w.WriteHeader(500)
		case "500":
			w.WriteHeader(500)
		default:
			w.Header().Set("Cache-Control", "public, max-age=60")
			io.WriteString(w, "content")
		}
	})
	e := startEdge(t, func(c *Config) { c.StaleWhileRevalidate = -1 }, o.URL)
	purgeDuringFill = func() {
		rule := purge.NewAsset("demo", purge.ModeOf(config.Cloud{}), delivery.Image, delivery.Upload, "sie", 0)
		rule.Seq = 1
		e.Index.Apply(rule)
	}
	url := e.URL + "/demo/image/upload/sie.jpg"
	testkit.Get(t, url)
	e.Clock.advance(2 * time.Minute)
	mode.set("500")
	if r := testkit.Get(t, url); r.Status != 200 || string(r.Body) != "content" || xcache(r) != "STALE" {
		t.Fatalf("stale-if-error on 500: %d %q %s", r.Status, string(r.Body), xcache(r))
	}
	mode.set("purge, then 500")
	if r := testkit.Get(t, url); r.Status != 500 || string(r.Body) == "content" {
		t.Fatalf("purged during a failing fill: %d %q %s, want the origin's 500", r.Status, string(r.Body), xcache(r))
	}
}

func TestStaleIfErrorAndTimeouts(t *testing.T) {
	var mode atomicString
	mode.set("ok")
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		switch mode.get() {
		case "500":
			w.WriteHeader(500)
		case "slow":
			time.Sleep(2 * time.Second)
		default:
			w.Header().Set("Cache-Control", "public, max-age=60")
			io.WriteString(w, "content")
		}
	})
	e := startEdge(t, func(c *Config) { c.OriginTimeout = 300 * time.Millisecond; c.StaleWhileRevalidate = -1 }, o.URL)
	url := e.URL + "/demo/image/upload/sie.jpg"
	testkit.Get(t, url)
	mode.set("500")
	e.Clock.advance(2 * time.Minute)
	if r := testkit.Get(t, url); r.Status != 200 || string(r.Body) != "content" || xcache(r) != "STALE" {
		t.Fatalf("stale-if-error on 500: %d %q", r.Status, string(r.Body))
	}
	e.Clock.advance(25 * time.Hour) // past stale-if-error
	if r := testkit.Get(t, url); r.Status != 500 {
		t.Fatalf("past stale-if-error: %d", r.Status)
	}
	mode.set("slow")
	start := time.Now()
	r := testkit.Get(t, e.URL+"/demo/image/upload/slow.jpg")
	if r.Status != 504 || r.Header.Get("X-Cld-Error") != "Origin timeout" || time.Since(start) > 1500*time.Millisecond {
		t.Fatalf("slow origin: %d %q after %v", r.Status, r.Header.Get("X-Cld-Error"), time.Since(start))
	}
}

func TestOriginFailover(t *testing.T) {
	dead := startTestOrigin(t, imageOrigin)
	deadURL := dead.URL
	dead.Close()
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, deadURL, o.URL)
	for i, n := 0, 0; n < 3; i++ {
		p := fmt.Sprintf("/demo/image/upload/f%d.jpg", i)
		if e.origins.rank(nil, []byte(p))[0] != 0 {
			continue // a key the dead origin ranks first for
		}
		n++
		if r := testkit.Get(t, e.URL+p); r.Status != 200 {
			t.Fatalf("failover: %d", r.Status)
		}
	}
	if o.count.Load() != 3 {
		t.Fatalf("second origin served %d", o.count.Load())
	}
	if e.origins.healthy() != 1 {
		t.Fatalf("dead origin not marked down")
	}
	r := testkit.Get(t, e.URL+"/readyz")
	if r.Status != 200 {
		t.Fatalf("readyz with one healthy origin: %d %s", r.Status, string(r.Body))
	}
}

func TestLargeObjectsStreamWithoutCaching(t *testing.T) {
	big := strings.Repeat("x", 100_000)
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		http.ServeContent(w, r, "", time.Time{}, strings.NewReader(big))
	})
	e := startEdge(t, func(c *Config) { c.MaxObjectSize = 4 << 10 }, o.URL)
	url := e.URL + "/demo/video/upload/v1/big.mp4"
	for i := 0; i < 2; i++ {
		r := testkit.Get(t, url)
		if r.Status != 200 || len(r.Body) != len(big) || xcache(r) != "PASS" {
			t.Fatalf("large object: %d, %d bytes, %q", r.Status, len(r.Body), xcache(r))
		}
	}
	if r := testkit.Get(t, url, "Range", "bytes=10-19"); r.Status != 206 || string(r.Body) != big[10:20] {
		t.Fatalf("range on a large object: %d %q", r.Status, string(r.Body))
	}
	if o.count.Load() < 3 {
		t.Fatalf("large object cached: %d origin requests", o.count.Load())
	}
}

// /metrics is served on the metrics listener only: the delivery port
// answers it 404 (before, it served the counters to anyone).
func TestMetricsEndpoint(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, func(c *Config) { c.MetricsListen = "127.0.0.1:0" }, o.URL)
	testkit.Get(t, e.URL+"/demo/image/upload/m.jpg")
	testkit.Get(t, e.URL+"/demo/image/upload/m.jpg")
	metrics := "http://" + e.MetricsAddr()
	if e.MetricsAddr() == "" || e.MetricsAddr() == e.Addr() {
		t.Fatalf("metrics listener %q, delivery %q", e.MetricsAddr(), e.Addr())
	}
	r := testkit.Get(t, metrics+"/metrics")
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		t.Fatalf("metrics listener: %d %q", r.Status, r.Header.Get("Content-Type"))
	}
	for _, want := range []string{"mediacdn_edge_cache_hits_total 1", "mediacdn_edge_cache_misses_total 1",
		"mediacdn_edge_requests_total 2", "mediacdn_edge_fill_duration_seconds_count 1", "mediacdn_edge_cache_bytes "} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("metrics lack %q:\n%s", want, string(r.Body))
		}
	}
	if r := testkit.Get(t, e.URL+"/metrics"); r.Status != 404 || strings.Contains(string(r.Body), "mediacdn_edge") {
		t.Errorf("/metrics on the delivery port: %d %q", r.Status, string(r.Body))
	}
	// The metrics listener serves nothing else (/purge/applies needs a
	// purge subscriber, which this edge has not), and health stays on the
	// delivery port.
	for _, path := range []string{"/healthz", "/demo/image/upload/m.jpg", "/metrics/x", "/purge/applies"} {
		if r := testkit.Get(t, metrics+path); r.Status != 404 {
			t.Errorf("%s on the metrics listener: %d", path, r.Status)
		}
	}
	if r := testkit.Get(t, e.URL+"/healthz"); r.Status != 200 {
		t.Errorf("/healthz: %d", r.Status)
	}
}

// Without metrics_listen an edge serves no metrics at all.
func TestNoMetricsListener(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	if e.MetricsAddr() != "" {
		t.Errorf("metrics listener %q without metrics_listen", e.MetricsAddr())
	}
	if r := testkit.Get(t, e.URL+"/metrics"); r.Status != 404 {
		t.Errorf("/metrics: %d", r.Status)
	}
}

type atomicString struct {
	mu sync.Mutex
	s  string
}

func (a *atomicString) set(s string) { a.mu.Lock(); a.s = s; a.mu.Unlock() }
func (a *atomicString) get() string  { a.mu.Lock(); defer a.mu.Unlock(); return a.s }

// xcache names how the edge answered, from Cache-Status.
func xcache(r testkit.Answer) string {
	for _, st := range cacheStatusValues {
		if r.Header.Get("Cache-Status") == st[0] {
			return st[1]
		}
	}
	return ""
}
