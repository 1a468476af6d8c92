package app

import (
	"bytes"
	"image"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// size is a delivered image's width and height.
func size(t *testing.T, b []byte) (int, int) {
	t.Helper()
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("delivered bytes are not an image: %v", err)
	}
	return cfg.Width, cfg.Height
}

// w_auto through an edge and an origin: the width follows the hints,
// rounded up to the step (Sec-CH-Width 333 gives 400, 401 gives 500), the
// fallback stands in without hints, Vary names the hints, widths that
// round alike are one fill and one transform, the DPR hint multiplies a
// viewport's width but not Sec-CH-Width, and a cloud with client_hints
// sends Accept-CH from the edge as from the origin.
func TestAutoWidthThroughEdge(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{Configure: func(f *File) {
		demo := f.Clouds["demo"]
		demo.ClientHints = true
		f.Clouds["demo"] = demo
	}})
	call(t, c, "upload", map[string]string{"public_id": "pic"}, "rocket.jpg") // 640×427
	origin := sharedOrigin{metrics: c.OriginMetricsURL}
	const vary = "Sec-CH-Width, Width, Sec-CH-Viewport-Width, Viewport-Width, Sec-CH-DPR, DPR"
	for _, tc := range []struct {
		path          string
		headers       []string
		width, height int
		cache         string
		transforms    int // the origin's, since the start
	}{
		{"c_limit,w_auto:100:200/pic.jpg", []string{"Sec-CH-Width", "333"}, 400, 267, "mediacdn; fwd=miss; stored", 1},
		{"c_limit,w_auto:100:200/pic.jpg", []string{"Sec-CH-Width", "400"}, 400, 267, "mediacdn; hit", 1},
		{"c_limit,w_auto:100:200/pic.jpg", []string{"Width", "390"}, 400, 267, "mediacdn; hit", 1},
		{"c_limit,w_auto:100:200/pic.jpg", []string{"Sec-CH-Width", "401"}, 500, 334, "mediacdn; fwd=miss; stored", 2},
		{"c_limit,w_auto:100:200/pic.jpg", nil, 200, 133, "mediacdn; fwd=miss; stored", 3},
		{"c_limit,w_auto:100:200/pic.jpg", []string{"Sec-CH-Width", "5000"}, 640, 427, "mediacdn; fwd=miss; stored", 4},
		{"c_fill,ar_1:1,dpr_auto,w_auto/pic.jpg", []string{"Sec-CH-Width", "333", "Sec-CH-DPR", "2"}, 400, 400,
			"mediacdn; fwd=miss; stored", 5},
		{"c_fill,ar_1:1,dpr_auto,w_auto/pic.jpg", []string{"Viewport-Width", "150", "Sec-CH-DPR", "2"}, 300, 300,
			"mediacdn; fwd=miss; stored", 6},
		{"c_fill,ar_1:1,dpr_auto,w_auto/pic.jpg", []string{"Sec-CH-Viewport-Width", "140", "DPR", "2"}, 300, 300,
			"mediacdn; hit", 6},
	} {
		a := testkit.Get(t, c.EdgeURLs[0]+"/demo/image/upload/"+tc.path, tc.headers...)
		if a.Status != 200 {
			t.Fatalf("%s %v: %d %q", tc.path, tc.headers, a.Status, a.Header.Get("X-Cld-Error"))
		}
		w, h := size(t, a.Body)
		if w != tc.width || h != tc.height || a.Header.Get("Vary") != vary || a.Header.Get("Cache-Status") != tc.cache ||
			a.Header.Get("Accept-CH") != "Sec-CH-DPR, Sec-CH-Width, Sec-CH-Viewport-Width" {
			t.Errorf("%s %v: %d×%d Vary %q %q Accept-CH %q, want %d×%d %q", tc.path, tc.headers, w, h, a.Header.Get("Vary"),
				a.Header.Get("Cache-Status"), a.Header.Get("Accept-CH"), tc.width, tc.height, tc.cache)
		}
		if n := origin.transforms(t); n != tc.transforms {
			t.Errorf("%s %v: %d transforms at the origin, want %d", tc.path, tc.headers, n, tc.transforms)
		}
	}
}
