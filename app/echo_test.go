package app

import (
	"net/http"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The example end to end: %c0%ae in a URL through an edge to the
// origin comes back escaped in X-Cld-Error and the body, from the miss
// and from the cached 404. Before, the origin answered its raw bytes and
// the edge passed them on.
func TestErrorTextEscapedThroughEdge(t *testing.T) {
	c := startCluster(t, ClusterOptions{})
	for _, path := range []string{"/demo/image/upload/%c0%ae.jpg", "/demo/image/upload/c_scale,w_20/%c0%ae.jpg"} {
		for range 2 {
			a := testkit.Get(t, c.EdgeURLs[0]+path)
			const want = "Resource not found - %C0%AE"
			if a.Status != http.StatusNotFound || a.Header.Get("X-Cld-Error") != want || string(a.Body) != want+"\n" {
				t.Errorf("%s: %d, X-Cld-Error %q, body %q; want 404 %q", path, a.Status, a.Header.Get("X-Cld-Error"), a.Body, want)
			}
		}
	}
}
