package app

import (
	"net/http"
	"strings"
	"testing"
)

// URLs over the length limit answer what docs/configuration.md says, at
// both ports of an installation: 414 past 8 KiB (the edge's
// max_url_length, the origin's delivery bound), and at the origin 431 for
// a request head well over its HTTP server's 64 KiB (Go's net/http reads a
// few KiB more before it gives up).
func TestURLLengthLimits(t *testing.T) {
	c := startCluster(t, ClusterOptions{})
	url := func(base string, n int) string {
		p := "/demo/image/upload/"
		return base + p + strings.Repeat("a", n-len(p)-len(".jpg")) + ".jpg"
	}
	for _, base := range []string{c.EdgeURLs[0], c.OriginURL} {
		a := request(t, http.MethodGet, url(base, 8193))
		if a.status != http.StatusRequestURITooLong || a.header.Get("X-Cld-Error") != "URL too long" {
			t.Errorf("%s: 8193 bytes: %d %q", base, a.status, a.header.Get("X-Cld-Error"))
		}
		if a := request(t, http.MethodGet, url(base, 8192)); a.status != http.StatusBadRequest {
			t.Errorf("%s: 8192 bytes: %d %q", base, a.status, a.header.Get("X-Cld-Error"))
		}
	}
	if a := request(t, http.MethodGet, url(c.OriginURL, 200<<10)); a.status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("origin: a 200 KiB URL: %d", a.status)
	}
}
