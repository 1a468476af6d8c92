package edge

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// sheddingOrigin answers 503 (with Retry-After: 7 unless the path says
// "bare") while shed holds "yes", else like imageOrigin.
func sheddingOrigin(shed *atomicString) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if shed.get() != "yes" {
			imageOrigin(w, r)
			return
		}
		if !strings.Contains(r.URL.Path, "bare") {
			w.Header().Set("Retry-After", "7")
		}
		w.Header().Set("X-Cld-Error", "Too many image transformations in progress, try again later")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "Too many image transformations in progress, try again later\n")
	}
}

// An origin's 503 reaches the client as a 503 with the origin's
// Retry-After (the edge's own when it names none), is not cached, does not
// count as an origin error, and does not mark the origin down.
func TestOrigin503IsPassedThrough(t *testing.T) {
	var shed atomicString
	shed.set("yes")
	o := startTestOrigin(t, sheddingOrigin(&shed))
	e := startEdge(t, nil, o.URL)
	for _, c := range []struct{ path, retry string }{
		{"/demo/image/upload/w_10/shed.jpg", "7"},
		{"/demo/image/upload/w_10/bare.jpg", "1"},
		{"/demo/image/upload/shed.jpg", "7"},
	} {
		for i := 0; i < 2; i++ { // the second one is not served from the cache
			r := testkit.Get(t, e.URL+c.path)
			if r.Status != 503 || r.Header.Get("Retry-After") != c.retry ||
				r.Header.Get("X-Cld-Error") != "Too many image transformations in progress, try again later" ||
				r.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("%s: %d Retry-After %q, X-Cld-Error %q, Cache-Control %q", c.path, r.Status,
					r.Header.Get("Retry-After"), r.Header.Get("X-Cld-Error"), r.Header.Get("Cache-Control"))
			}
		}
		if n := o.hits(c.path); n != 2 {
			t.Errorf("%s: the origin saw %d requests, want 2 (a 503 is not cached)", c.path, n)
		}
	}
	if e.origins.healthy() != 1 {
		t.Error("an origin answering 503 was marked down")
	}
	if r := testkit.Get(t, e.URL+"/readyz"); r.Status != 200 {
		t.Errorf("readyz while the origin sheds: %d %s", r.Status, string(r.Body))
	}
	if shedN, errs := e.m.originShed.Load(), e.m.originErrors.Load(); shedN != 6 || errs != 0 {
		t.Errorf("origin 503s counted as shed %d (want 6), as errors %d (want 0)", shedN, errs)
	}
	shed.set("no")
	if r := testkit.Get(t, e.URL+"/demo/image/upload/w_10/shed.jpg"); r.Status != 200 {
		t.Errorf("after the origin stopped shedding: %d", r.Status)
	}
}

// While an origin sheds, an expired copy is served as stale-if-error
// allows: a better answer than the 503.
func TestOrigin503ServesStale(t *testing.T) {
	var shed atomicString
	o := startTestOrigin(t, sheddingOrigin(&shed))
	e := startEdge(t, func(c *Config) { c.StaleWhileRevalidate = -1 }, o.URL)
	url := e.URL + "/demo/image/upload/w_10/stale.jpg"
	if r := testkit.Get(t, url); r.Status != 200 {
		t.Fatal(r.Status)
	}
	shed.set("yes")
	e.Clock.advance(2 * time.Hour) // expired (max-age 3600), within stale-if-error
	if r := testkit.Get(t, url); r.Status != 200 || xcache(r) != "STALE" || r.Header.Get("Retry-After") != "" {
		t.Fatalf("stale on 503: %d %q Retry-After %q", r.Status, xcache(r), r.Header.Get("Retry-After"))
	}
	e.Clock.advance(25 * time.Hour) // past stale-if-error
	if r := testkit.Get(t, url); r.Status != 503 || r.Header.Get("Retry-After") != "7" {
		t.Fatalf("past stale-if-error: %d Retry-After %q", r.Status, r.Header.Get("Retry-After"))
	}
}

// Transformations and originals use separate connection budgets: with the
// one transformation connection held by a slow transform, another
// transformation waits origin_conn_wait and is answered 503 with
// Retry-After by the edge (the origin is not marked down), or from its
// stale copy while stale-if-error allows, while an original is filled at
// once on its own budget.
func TestTransformationBudgetDoesNotStarveOriginals(t *testing.T) {
	gate := make(chan struct{})
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "slow") {
			<-gate
		}
		imageOrigin(w, r)
	})
	e := startEdge(t, func(c *Config) {
		c.OriginMaxConns = 1
		c.OriginTransformConns = 1
		c.OriginConnWait = 50 * time.Millisecond
		c.StaleWhileRevalidate = -1
	}, o.URL)
	cached := e.URL + "/demo/image/upload/w_30/cached.jpg"
	if r := testkit.Get(t, cached); r.Status != 200 {
		t.Fatal(r.Status)
	}
	e.Clock.advance(2 * time.Hour) // expired (max-age 3600), within stale-if-error
	slow := make(chan testkit.Answer, 1)
	go func() { slow <- testkit.Get(t, e.URL+"/demo/image/upload/w_10/slow.jpg") }()
	testkit.Eventually(t, testkit.Timeout, "the slow transform at the origin", func() bool { return o.hits("/demo/image/upload/w_10/slow.jpg") == 1 })

	r := testkit.Get(t, e.URL+"/demo/image/upload/w_20/next.jpg")
	if r.Status != 503 || r.Header.Get("Retry-After") != "1" || r.Header.Get("X-Cld-Error") != "Origin busy" ||
		r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("a transformation past its budget: %d Retry-After %q X-Cld-Error %q Cache-Control %q", r.Status,
			r.Header.Get("Retry-After"), r.Header.Get("X-Cld-Error"), r.Header.Get("Cache-Control"))
	}
	if r := testkit.Get(t, cached); r.Status != 200 || xcache(r) != "STALE" {
		t.Errorf("an expired transformation past its budget: %d %q, want its stale copy", r.Status, xcache(r))
	}
	for i := 0; i < 3; i++ {
		if r := testkit.Get(t, e.URL+"/demo/image/upload/v"+itoa(i+1)+"/original.jpg"); r.Status != 200 {
			t.Errorf("an original while the transformation budget is busy: %d %q", r.Status, r.Header.Get("X-Cld-Error"))
		}
	}
	if e.origins.healthy() != 1 {
		t.Error("a busy budget marked the origin down")
	}
	if busy, errs := e.m.originBusy.Load(), e.m.originErrors.Load(); busy != 2 || errs != 0 {
		t.Errorf("busy fills %d (want 2), origin errors %d (want 0)", busy, errs)
	}
	close(gate)
	if r := <-slow; r.Status != 200 {
		t.Errorf("the slow transform: %d", r.Status)
	}
	if r := testkit.Get(t, e.URL+"/demo/image/upload/w_20/next.jpg"); r.Status != 200 {
		t.Errorf("the shed transformation, asked again: %d", r.Status)
	}
}

// An origin that cannot be reached is the only 502.
func TestUnreachableOriginIs502(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	url := o.URL
	o.Close()
	e := startEdge(t, nil, url)
	for _, p := range []string{"/demo/image/upload/w_10/x.jpg", "/demo/image/upload/x.jpg"} {
		r := testkit.Get(t, e.URL+p)
		if r.Status != 502 || r.Header.Get("X-Cld-Error") != "Origin unavailable" || r.Header.Get("Retry-After") != "" {
			t.Errorf("%s with the origin gone: %d %q", p, r.Status, r.Header.Get("X-Cld-Error"))
		}
	}
	if e.origins.healthy() != 0 {
		t.Error("an unreachable origin is not marked down")
	}
}
