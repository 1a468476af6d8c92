package edge

import (
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Served counts delivery requests and body bytes, hits and misses alike.
func TestServedCounters(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	url := e.URL + "/demo/image/upload/v1/pic.jpg"
	a, b := testkit.Get(t, url), testkit.Get(t, url)
	testkit.Get(t, e.URL+"/healthz") // not a delivery request
	req, bytes := e.Served()
	if req != 2 || bytes != int64(len(a.Body)+len(b.Body)) {
		t.Fatalf("served %d requests, %d bytes; want 2, %d", req, bytes, len(a.Body)+len(b.Body))
	}
}
