package app

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
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
		a := testkit.Get(t, url(base, 8193))
		if a.Status != http.StatusRequestURITooLong || a.Header.Get("X-Cld-Error") != "URL too long" {
			t.Errorf("%s: 8193 bytes: %d %q", base, a.Status, a.Header.Get("X-Cld-Error"))
		}
		if a := testkit.Get(t, url(base, 8192)); a.Status != http.StatusBadRequest {
			t.Errorf("%s: 8192 bytes: %d %q", base, a.Status, a.Header.Get("X-Cld-Error"))
		}
	}
	if a := testkit.Get(t, url(c.OriginURL, 200<<10)); a.Status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("origin: a 200 KiB URL: %d", a.Status)
	}
}
