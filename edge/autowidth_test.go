package edge

import (
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// variantOrigin answers with the variant the edge named, and records each
// one it was asked for.
func variantOrigin(seen *sync.Map) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := r.Header.Get(delivery.HeaderVariant)
		seen.Store(v, true)
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write([]byte("variant=" + v + " hints=" + r.Header.Get("Sec-CH-Width") + r.Header.Get("Width") +
			r.Header.Get("Viewport-Width")))
	}
}

const widthVary = "Sec-CH-Width, Width, Sec-CH-Viewport-Width, Viewport-Width, Sec-CH-DPR, DPR"

// w_auto is cached per rounded width: hints that round to the same step
// share one entry and one fill, the fallback stands in without hints, and
// Vary names every hint. The origin is told the rounded width, never the
// client's headers.
func TestAutoWidthVariants(t *testing.T) {
	var seen sync.Map
	o := startTestOrigin(t, variantOrigin(&seen))
	e := startEdge(t, nil, o.URL)
	url := e.URL + "/demo/image/upload/c_limit,w_auto:100:400/v1/pic.jpg"
	for _, c := range []struct {
		headers []string
		body    string
		cache   string
		origin  int64
	}{
		{[]string{"Sec-CH-Width", "333"}, "variant=;w=400 hints=", "MISS", 1},
		{[]string{"Sec-CH-Width", "350"}, "variant=;w=400 hints=", "HIT", 1},
		{[]string{"Width", "399", "Accept", "image/avif"}, "variant=;w=400 hints=", "HIT", 1},
		{nil, "variant=;w=400 hints=", "HIT", 1}, // the fallback
		{[]string{"Sec-CH-Width", "401"}, "variant=;w=500 hints=", "MISS", 2},
		{[]string{"Sec-CH-Width", "500", "Width", "901"}, "variant=;w=500 hints=", "HIT", 2},
		{[]string{"Viewport-Width", "300", "Sec-CH-DPR", "2"}, "variant=;w=600 hints=", "MISS", 3},
		{[]string{"Sec-CH-Width", "99999"}, "variant=;w=8192 hints=", "MISS", 4},
	} {
		r := testkit.Get(t, url, c.headers...)
		if r.Status != 200 || string(r.Body) != c.body || xcache(r) != c.cache || o.count.Load() != c.origin ||
			r.Header.Get("Vary") != widthVary {
			t.Errorf("%v: %d %q %s vary %q, origin %d; want %q %s origin %d", c.headers, r.Status, string(r.Body), xcache(r),
				r.Header.Get("Vary"), o.count.Load(), c.body, c.cache, c.origin)
		}
	}
	// With dpr_auto and f_auto too: the key holds the token, the DPR and
	// the width; Sec-CH-Width is in device pixels already.
	both := e.URL + "/demo/image/upload/dpr_auto,w_auto/f_auto/v1/pic"
	a := testkit.Get(t, both, "Sec-CH-DPR", "2", "Sec-CH-Width", "640", "Accept", "image/webp")
	b := testkit.Get(t, both, "Sec-CH-DPR", "2", "Sec-CH-Width", "700", "Accept", "image/webp,*/*")
	c := testkit.Get(t, both, "Accept", "image/webp")
	if string(a.Body) != "variant=webp;dpr=2;w=700 hints=" || xcache(b) != "HIT" || string(c.Body) != "variant=webp;dpr=1;w=0 hints=" ||
		a.Header.Get("Vary") != "Accept, "+widthVary {
		t.Errorf("w_auto with dpr_auto and f_auto: %q %s %q, Vary %q", string(a.Body), xcache(b), string(c.Body), a.Header.Get("Vary"))
	}
}

// A thousand distinct Sec-CH-Width values are not a thousand entries: the
// key holds the rounded width, so the edge fills (and holds) at most
// ceil(1000/100) variants of the URL.
func TestAutoWidthHintsCannotBustTheCache(t *testing.T) {
	var seen sync.Map
	o := startTestOrigin(t, variantOrigin(&seen))
	e := startEdge(t, nil, o.URL)
	url := e.URL + "/demo/image/upload/w_auto/v1/pic.jpg"
	before := e.cache.entries()
	for w := 1; w <= 1000; w++ {
		if r := testkit.Get(t, url, "Sec-CH-Width", strconv.Itoa(w)); r.Status != 200 {
			t.Fatalf("Sec-CH-Width %d: %d", w, r.Status)
		}
	}
	variants := 0
	seen.Range(func(k, _ any) bool {
		variants++
		if v, ok := delivery.ParseVariant(k.(string)); !ok || v.Width%100 != 0 {
			t.Errorf("origin asked for %q", k)
		}
		return true
	})
	if n := o.count.Load(); n != 10 || variants != 10 {
		t.Errorf("origin requests %d for %d variants, want 10 and 10", n, variants)
	}
	if n := e.cache.entries() - before; n > 11 { // the variants and the URL's marker
		t.Errorf("%d entries, want at most 11", n)
	}
}

// The origin's Accept-CH (a cloud with client_hints) goes with every
// answer the edge makes of the entry: the fill, hits and 304s.
func TestAcceptCHPassedOn(t *testing.T) {
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Accept-CH", delivery.AcceptCH)
		w.Header().Set("ETag", `"a"`)
		imageOrigin(w, r)
	})
	e := startEdge(t, nil, o.URL)
	url := e.URL + "/demo/image/upload/w_auto/v1/pic.jpg"
	for i, headers := range [][]string{{"Sec-CH-Width", "300"}, {"Sec-CH-Width", "300"}, {"Sec-CH-Width", "300", "If-None-Match", `"a"`}} {
		r := testkit.Get(t, url, headers...)
		if r.Header.Get("Accept-CH") != "Sec-CH-DPR, Sec-CH-Width, Sec-CH-Viewport-Width" {
			t.Errorf("answer %d (%d %s): Accept-CH %q", i, r.Status, xcache(r), r.Header.Get("Accept-CH"))
		}
	}
	plain := startTestOrigin(t, imageOrigin)
	e = startEdge(t, nil, plain.URL)
	if r := testkit.Get(t, e.URL+"/demo/image/upload/w_auto/v1/pic.jpg"); r.Status != 200 || r.Header.Get("Accept-CH") != "" {
		t.Errorf("without the origin's: %d Accept-CH %q", r.Status, r.Header.Get("Accept-CH"))
	}
}
