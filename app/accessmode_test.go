package app

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Switching an asset to access mode authenticated purges its URLs from
// the edges, whatever the cloud's invalidation mode (here legacy, whose
// own rules would leave versioned URLs cached): the unsigned URLs cached
// there stop being served, while signed ones still are.
func TestAccessModeSwitchPurgesUnsignedURLs(t *testing.T) {
	clouds := config.Clouds{"demo": {APIKey: "demo_key", APISecret: "demo_secret", Invalidation: config.Legacy}}
	c := startCaughtUp(t, ClusterOptions{Edges: 2, Clouds: clouds})
	up := call(t, c, "upload", map[string]string{"public_id": "pic"}, "rocket.jpg")
	latest := "v" + strconv.FormatInt(up.Version, 10)
	unsigned := []string{"/demo/image/upload/pic.jpg", "/demo/image/upload/" + latest + "/pic.jpg",
		"/demo/image/upload/w_40/pic.jpg"}
	signed := []string{
		"/demo/image/upload/" + delivery.Sign("", "pic.jpg", "demo_secret", delivery.SHA1, false) + "/pic.jpg",
		"/demo/image/upload/" + delivery.Sign("w_40", "pic.jpg", "demo_secret", delivery.SHA1, false) + "/w_40/pic.jpg",
	}
	sums := map[string]string{}
	cacheAll := func() {
		t.Helper()
		for _, e := range c.EdgeURLs {
			for _, p := range append(append([]string{}, unsigned...), signed...) {
				testkit.Get(t, e+p)
				g := testkit.Get(t, e+p)
				if g.Status != 200 || g.Header.Get("Cache-Status") != "mediacdn; hit" {
					t.Fatalf("%s%s not cached: %+v", e, p, g)
				}
				sums[p] = string(g.Body)
			}
		}
	}
	checkServed := func(when string, unsignedStatus int) {
		t.Helper()
		for _, e := range c.EdgeURLs {
			for _, p := range unsigned {
				if g := testkit.Get(t, e+p); g.Status != unsignedStatus {
					t.Errorf("%s: %s%s: %+v, want %d", when, e, p, g, unsignedStatus)
				}
			}
			for _, p := range signed {
				if g := testkit.Get(t, e+p); g.Status != 200 || string(g.Body) != sums[p] {
					t.Errorf("%s: signed %s%s: %+v", when, e, p, g)
				}
			}
		}
	}

	cacheAll()
	r := admin(t, c, http.MethodPost, "resources/image/upload/update_access_mode",
		"access_mode=authenticated&public_ids[]=pic&wait=5000")
	if r.Invalidation == nil || r.Invalidation.Status != "applied" || r.Invalidation.EdgesApplied != 2 {
		t.Fatalf("update_access_mode invalidation: %+v", r.Invalidation)
	}
	checkServed("after update_access_mode", 401)

	// Public again: refusals are not cached, the URLs serve at once.
	admin(t, c, http.MethodPost, "resources/image/upload/pic", "access_mode=public")
	checkServed("public again", 200)
	cacheAll()

	// The Admin API's update restricts the asset the same way.
	r = admin(t, c, http.MethodPost, "resources/image/upload/pic", "access_mode=authenticated&wait=5000")
	if r.Invalidation == nil || r.Invalidation.Status != "applied" || r.Invalidation.EdgesApplied != 2 {
		t.Fatalf("update invalidation: %+v", r.Invalidation)
	}
	checkServed("after update", 401)
}
