package app

import (
	"net/http"
	"testing"
)

// The example end to end: %c0%ae in a URL through an edge to the
// origin comes back escaped in X-Cld-Error and the body, from the miss
// and from the cached 404. Before, the origin answered its raw bytes and
// the edge passed them on.
func TestErrorTextEscapedThroughEdge(t *testing.T) {
	c := startCluster(t, ClusterOptions{})
	for _, path := range []string{"/demo/image/upload/%c0%ae.jpg", "/demo/image/upload/c_scale,w_20/%c0%ae.jpg"} {
		for range 2 {
			a := request(t, http.MethodGet, c.EdgeURLs[0]+path)
			const want = "Resource not found - %C0%AE"
			if a.status != http.StatusNotFound || a.header.Get("X-Cld-Error") != want || string(a.body) != want+"\n" {
				t.Errorf("%s: %d, X-Cld-Error %q, body %q; want 404 %q", path, a.status, a.header.Get("X-Cld-Error"), a.body, want)
			}
		}
	}
}
