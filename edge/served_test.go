package edge

import "testing"

// Served counts delivery requests and body bytes, hits and misses alike.
func TestServedCounters(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	url := e.URL + "/demo/image/upload/v1/pic.jpg"
	a, b := get(t, url), get(t, url)
	get(t, e.URL+"/healthz") // not a delivery request
	req, bytes := e.Served()
	if req != 2 || bytes != int64(len(a.body)+len(b.body)) {
		t.Fatalf("served %d requests, %d bytes; want 2, %d", req, bytes, len(a.body)+len(b.body))
	}
}
