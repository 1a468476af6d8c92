package app

import (
	"net/http"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// publish_resources with invalidate reaches the edges: the authenticated
// asset's signed URL, cached there, answers 404 once the purge is applied,
// and its upload URL, a cached 404 before, serves it (the rename's created
// rule).
func TestPublishPurgesEdges(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{Edges: 2})
	call(t, c, "upload", map[string]string{"public_id": "paid", "type": "authenticated"}, "rocket.jpg")
	signed := "/demo/image/authenticated/" + delivery.Sign("", "paid.jpg", "demo_secret", delivery.SHA1, false) + "/paid.jpg"
	public := "/demo/image/upload/paid.jpg"
	for _, e := range c.EdgeURLs {
		testkit.Get(t, e+signed)
		if g := testkit.Get(t, e+signed); g.Status != 200 || g.Header.Get("Cache-Status") != "mediacdn; hit" {
			t.Fatalf("%s%s not cached: %+v", e, signed, g)
		}
		testkit.Get(t, e+public)
		if g := testkit.Get(t, e+public); g.Status != 404 {
			t.Fatalf("%s%s before publishing: %+v", e, public, g)
		}
	}
	r := admin(t, c, http.MethodPost, "resources/image/publish_resources", "public_ids[]=paid&invalidate=true&wait=5000")
	if r.Invalidation == nil || r.Invalidation.Status != "applied" || r.Invalidation.EdgesApplied != 2 {
		t.Fatalf("publish invalidation: %+v", r.Invalidation)
	}
	for _, e := range c.EdgeURLs {
		if g := testkit.Get(t, e+signed); g.Status != 404 {
			t.Errorf("%s%s after publishing: %+v", e, signed, g)
		}
		if g := testkit.Get(t, e+public); g.Status != 200 {
			t.Errorf("%s%s after publishing: %+v", e, public, g)
		}
	}
}
