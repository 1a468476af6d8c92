package edge

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/purge"
)

// edgeSearchPath is a search URL's path as the SDKs build it (the edge
// never checks the signature: the origin does).
func edgeSearchPath(ttl, query, cursor string) string {
	q := base64.StdEncoding.EncodeToString([]byte(query))
	sum := sha256.Sum256([]byte(ttl + q + "secret"))
	p := "/demo/search/" + hex.EncodeToString(sum[:]) + "/" + ttl + "/" + q
	if cursor != "" {
		p += "/" + cursor
	}
	return p
}

// searchOrigin answers search URLs with JSON kept an hour (longer than
// their ttl) and anything else as imageOrigin does.
func searchOrigin(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/demo/search/") {
		imageOrigin(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	io.WriteString(w, `{"total_count":1,"resources":[{"public_id":"`+r.URL.Path[len(r.URL.Path)-4:]+`"}]}`)
}

// A search URL is filled once (however many ask at once), then served as
// a hit for its ttl and never after it, stale windows or not, whatever
// max-age the origin sends; clients are told max-age the ttl; a cloud-wide
// purge drops it; a malformed one is refused without asking an origin.
func TestSearchURLCachedForItsTTL(t *testing.T) {
	o := startTestOrigin(t, searchOrigin)
	e := startEdge(t, func(c *Config) {
		c.StaleWhileRevalidate, c.StaleIfError = time.Hour, time.Hour
	}, o.URL)
	path := edgeSearchPath("60", `{"expression":"tags=a"}`, "")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := testkit.Get(t, e.URL+path); r.Status != 200 {
				t.Errorf("search URL: %+v", r)
			}
		}()
	}
	wg.Wait()
	if n := o.hits(path); n != 1 {
		t.Fatalf("%d origin requests for one search URL, want 1", n)
	}
	r := testkit.Get(t, e.URL+path+"?_a=1")
	if xcache(r) != "HIT" || r.Header.Get("Cache-Control") != "public, max-age=60" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(r.Body), `"total_count":1`) {
		t.Fatalf("second fetch: %s %v %s", xcache(r), r.Header, r.Body)
	}
	e.Clock.advance(59 * time.Second)
	if r := testkit.Get(t, e.URL+path); xcache(r) != "HIT" || r.Header.Get("Age") != "59" {
		t.Fatalf("within the ttl: %s age %s", xcache(r), r.Header.Get("Age"))
	}
	e.Clock.advance(2 * time.Second)
	if r := testkit.Get(t, e.URL+path); xcache(r) != "MISS" || o.hits(path) != 2 {
		t.Fatalf("past the ttl: %s, %d origin requests", xcache(r), o.hits(path))
	}
	// A page of its own, by its cursor.
	next := edgeSearchPath("60", `{"expression":"tags=a"}`, "abcd")
	if r := testkit.Get(t, e.URL+next); r.Status != 200 || !strings.Contains(string(r.Body), `"abcd"`) || o.hits(next) != 1 {
		t.Fatalf("next page: %+v", r)
	}
	// A cloud-wide purge drops them.
	rule := purge.NewFlush("demo")
	rule.Seq = 1
	e.Index.Apply(rule)
	testkit.Get(t, e.URL+path)
	testkit.Get(t, e.URL+next)
	if o.hits(path) != 3 || o.hits(next) != 2 {
		t.Fatalf("flush kept search answers: %d, %d origin requests", o.hits(path), o.hits(next))
	}
	// Malformed: refused at the edge.
	before := o.count.Load()
	for _, bad := range []string{"/demo/search/abc/60/e30=", edgeSearchPath("0", `{}`, ""), edgeSearchPath("60", `[]`, ""),
		"/demo/search/" + strings.Repeat("a", 64) + "/60/a*b="} {
		if r := testkit.Get(t, e.URL+bad); r.Status != 400 || r.Header.Get("X-Cld-Error") == "" {
			t.Fatalf("%s: %d %q", bad, r.Status, r.Header.Get("X-Cld-Error"))
		}
	}
	if o.count.Load() != before {
		t.Fatalf("malformed search URLs reached the origin")
	}
}

// On a cloud's private-CDN host a search URL without /demo (the SDKs'
// private_cdn) and with it (a cname) are one entry, filled from the
// origin in path form.
func TestSearchURLOnPrivateCDNHost(t *testing.T) {
	o := startTestOrigin(t, searchOrigin)
	e := startEdge(t, func(c *Config) { c.Hosts = map[string]string{"img.test": "demo"} }, o.URL)
	path := edgeSearchPath("60", `{"expression":"tags=a"}`, "")
	for i, u := range []string{strings.TrimPrefix(path, "/demo"), path} {
		r := testkit.Get(t, e.URL+u, "Host", "img.test")
		want := []string{"MISS", "HIT"}[i]
		if r.Status != 200 || xcache(r) != want {
			t.Fatalf("%s on img.test: %d %s, want %s", u, r.Status, xcache(r), want)
		}
	}
	if o.hits(path) != 1 || o.count.Load() != 1 {
		t.Fatalf("origin asked %d times (%d for %s)", o.count.Load(), o.hits(path), path)
	}
}
