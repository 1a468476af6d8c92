package origin_test

import (
	"testing"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

const widthVary = "Sec-CH-Width, Width, Sec-CH-Viewport-Width, Viewport-Width, Sec-CH-DPR, DPR"

// w_auto takes its width from the width hints, rounded up to the step
// (100 by default), or the fallback without a hint (else the image's own
// width); Sec-CH-Width is in device pixels already, so a DPR does not
// multiply it again, while the viewport's width (CSS pixels) is multiplied
// by the DPR hint. The image (rocket.jpg) is 640×427.
func TestAutoWidth(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "rocket.jpg", "rocket")
	for _, c := range []struct {
		path          string
		headers       []string
		width, height int
	}{
		{"w_auto/rocket.jpg", []string{"Sec-CH-Width", "333"}, 400, 267},
		{"w_auto/rocket.jpg", []string{"Sec-CH-Width", "401"}, 500, 334},
		{"w_auto/rocket.jpg", []string{"Width", "120"}, 200, 133},
		{"w_auto/rocket.jpg", nil, 640, 427},
		{"w_auto:100:250/rocket.jpg", nil, 250, 167},
		{"w_auto:50:250/rocket.jpg", []string{"Sec-CH-Width", "333"}, 350, 234},
		{"c_limit,w_auto/rocket.jpg", []string{"Sec-CH-Width", "1000"}, 640, 427},
		{"dpr_auto,w_auto/rocket.jpg", []string{"Sec-CH-Width", "333", "Sec-CH-DPR", "2"}, 400, 267},
		{"dpr_3.0,w_auto/rocket.jpg", []string{"Sec-CH-Width", "333"}, 400, 267},
		{"c_fill,ar_1:1,w_auto/rocket.jpg", []string{"Viewport-Width", "150", "Sec-CH-DPR", "2"}, 300, 300},
		{"c_fill,ar_1:1,dpr_auto,w_auto/rocket.jpg", []string{"Sec-CH-Viewport-Width", "101", "DPR", "1.5"}, 200, 200},
	} {
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+c.path, c.headers...)
		if r.Status != 200 || r.Header.Get("Vary") != widthVary {
			t.Errorf("%s %v: %d Vary %q (%s)", c.path, c.headers, r.Status, r.Header.Get("Vary"), r.Header.Get("X-Cld-Error"))
			continue
		}
		if info := probe(t, r.Body); info.Width != c.width || info.Height != c.height {
			t.Errorf("%s %v: %d×%d, want %d×%d", c.path, c.headers, info.Width, info.Height, c.width, c.height)
		}
	}
}

// Hints that round to the same width are one derived image, made once;
// the width an edge names is made whatever the hints say, and a width the
// URL's rounding cannot give is refused.
func TestAutoWidthMadeOncePerStep(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "rocket.jpg", "rocket")
	url := o.URL + "/demo/image/upload/w_auto/rocket.jpg"
	before := o.Server.Transforms()
	for _, hint := range []string{"333", "350", "301", "400"} {
		r := testkit.Get(t, url, "Sec-CH-Width", hint)
		if r.Status != 200 || probe(t, r.Body).Width != 400 {
			t.Fatalf("Sec-CH-Width %s: %d %q", hint, r.Status, r.Header.Get("X-Cld-Error"))
		}
	}
	if n := o.Server.Transforms() - before; n != 1 {
		t.Errorf("%d transforms for one rounded width, want 1", n)
	}
	r := testkit.Get(t, url, delivery.HeaderVariant, ";w=300", "Sec-CH-Width", "999")
	if r.Status != 200 || probe(t, r.Body).Width != 300 {
		t.Errorf("variant ;w=300: %d %q", r.Status, r.Header.Get("X-Cld-Error"))
	}
	for _, v := range []string{";w=333", ";w=400;dpr=2", "webp;w=400", ";dpr=2", ";w=150"} {
		r := testkit.Get(t, url, delivery.HeaderVariant, v)
		if want := "Invalid X-Delivery-Variant - " + v; r.Status != 400 || r.Header.Get("X-Cld-Error") != want {
			t.Errorf("variant %q: %d %q, want 400 %q", v, r.Status, r.Header.Get("X-Cld-Error"), want)
		}
	}
}

// What w_auto cannot do answers 400 naming it: responsive breakpoints,
// and two w_auto that round differently.
func TestAutoWidthRefused(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "rocket.jpg", "rocket")
	for _, c := range []struct{ path, msg string }{
		{"w_auto:breakpoints/rocket.jpg", "Unsupported transformation parameter: w_auto:breakpoints"},
		{"w_auto:breakpoints_100_1000_20_10:400/rocket.jpg", "Unsupported transformation parameter: w_auto:breakpoints_100_1000_20_10:400"},
		{"w_auto:0/rocket.jpg", "Invalid width in transformation: auto:0"},
		{"w_auto/w_auto:50/rocket.jpg", "Invalid width in transformation: auto:50 - every w_auto of a URL takes the same step and fallback"},
	} {
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+c.path, "Sec-CH-Width", "300")
		if r.Status != 400 || r.Header.Get("X-Cld-Error") != c.msg {
			t.Errorf("%s: %d %q, want 400 %q", c.path, r.Status, r.Header.Get("X-Cld-Error"), c.msg)
		}
	}
}

// A cloud with client_hints asks browsers for them (Accept-CH) on its
// delivery answers; others do not.
func TestAcceptCH(t *testing.T) {
	on := startOriginClouds(t, t.TempDir(), config.Cloud{APIKey: apiKey, APISecret: apiSecret, ClientHints: true})
	uploadAs(t, on, "rocket.jpg", "rocket")
	off := startOrigin(t, nil)
	uploadAs(t, off, "rocket.jpg", "rocket")
	for _, path := range []string{"/demo/image/upload/w_auto/rocket.jpg", "/demo/image/upload/rocket.jpg", "/demo/image/upload/missing.jpg"} {
		a, b := testkit.Get(t, on.URL+path), testkit.Get(t, off.URL+path)
		if a.Header.Get("Accept-CH") != "Sec-CH-DPR, Sec-CH-Width, Sec-CH-Viewport-Width" || b.Header.Get("Accept-CH") != "" {
			t.Errorf("%s: Accept-CH %q (%d) with client_hints, %q (%d) without", path, a.Header.Get("Accept-CH"), a.Status,
				b.Header.Get("Accept-CH"), b.Status)
		}
	}
}
