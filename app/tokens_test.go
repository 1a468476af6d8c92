package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/asset"
	cldconfig "github.com/cloudinary/cloudinary-go/v2/config"
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

const e2eTokenKey = "9a8b7c6d5e4f3021"

func tokenClouds() config.Clouds {
	return config.Clouds{"demo": {APIKey: "demo_key", APISecret: "demo_secret", AuthTokenKey: e2eTokenKey}}
}

// goSDKTokenURL is the path and query of the Go SDK's URL (asset.Image,
// Config.URL.SignURL with Config.AuthToken) for an image.
func goSDKTokenURL(t *testing.T, publicID string, typ api.DeliveryType, tok cldconfig.AuthToken) string {
	t.Helper()
	conf, err := cldconfig.NewFromParams("demo", "demo_key", "demo_secret")
	if err != nil {
		t.Fatal(err)
	}
	conf.URL.SignURL = true
	tok.Key = e2eTokenKey
	conf.AuthToken = tok
	img, err := asset.Image(publicID, conf)
	if err != nil {
		t.Fatal(err)
	}
	img.DeliveryType = typ
	s, err := img.String()
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u.EscapedPath() + "?" + u.RawQuery
}

// Go SDK URLs with an auth token through a real edge and origin: a valid
// token is served (query or cookie), from one cache entry whatever the
// token; expired, tampered, wrong-ACL and wrong-IP tokens, and none, get
// 401 with the reason, from the edge itself once the entry is cached.
func TestAuthTokensEndToEnd(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{Clouds: tokenClouds()})
	edge := c.EdgeURLs[0]
	call(t, c, "upload", map[string]string{"public_id": "vip", "type": "authenticated"}, "rocket.jpg")
	now := time.Now().Unix()
	tok := func(a cldconfig.AuthToken) string { return goSDKTokenURL(t, "vip", api.Authenticated, a) }
	first := tok(cldconfig.AuthToken{Duration: 300})
	path, query, _ := strings.Cut(first, "?")

	g := testkit.Get(t, edge+first)
	if g.Status != 200 || g.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("url token: %d %q", g.Status, g.Header.Get("X-Cld-Error"))
	}
	body := string(g.Body)
	for i, c := range []struct {
		uri, cookie, reason string
	}{
		{first, "", ""},
		{tok(cldconfig.AuthToken{ACL: "/image/authenticated/*", Expiration: now + 300}), "", ""},
		{tok(cldconfig.AuthToken{ACL: "*", IP: "127.0.0.1", Duration: 300}), "", ""},
		{path, query, ""},
		{path, "", "Missing token"},
		{tok(cldconfig.AuthToken{ACL: "*", Expiration: now - 10}), "", "Invalid token - expired"},
		{strings.Replace(first, "exp=", "exp=9", 1), "", "Invalid token - bad hmac"},
		{tok(cldconfig.AuthToken{ACL: "/video/*", Duration: 300}), "", "Invalid token - the acl does not cover this URL"},
		{tok(cldconfig.AuthToken{ACL: "*", IP: "192.0.2.44", Duration: 300}), "", "Invalid token - wrong ip"},
	} {
		var h []string
		if c.cookie != "" {
			h = []string{"Cookie", c.cookie}
		}
		g := testkit.Get(t, edge+c.uri, h...)
		switch {
		case c.reason == "" && (g.Status != 200 || string(g.Body) != body || g.Header.Get("Cache-Status") != "mediacdn; hit"):
			t.Errorf("%d: %s: %d %q %q, want a hit", i, c.uri, g.Status, g.Header.Get("Cache-Status"), g.Header.Get("X-Cld-Error"))
		case c.reason != "" && (g.Status != 401 || !strings.HasPrefix(g.Header.Get("X-Cld-Error"), c.reason)):
			t.Errorf("%d: %s: %d %q, want 401 %q", i, c.uri, g.Status, g.Header.Get("X-Cld-Error"), c.reason)
		}
	}
	// A missing asset: a token holder learns it is missing, from the
	// edge's cache the second time; no one else does.
	missing := goSDKTokenURL(t, "nothing", api.Authenticated, cldconfig.AuthToken{ACL: "*", Duration: 300})
	for i, want := range []string{"mediacdn; fwd=miss; stored", "mediacdn; hit"} {
		if g := testkit.Get(t, edge+missing); g.Status != 404 || g.Header.Get("Cache-Status") != want {
			t.Fatalf("missing, with a token, %d: %d %q", i, g.Status, g.Header.Get("Cache-Status"))
		}
	}
	missingPath, _, _ := strings.Cut(missing, "?")
	if g := testkit.Get(t, edge+missingPath); g.Status != 401 {
		t.Fatalf("missing, without a token: %d", g.Status)
	}
}

// An asset with an anonymous window through a real edge and origin: 401
// before it (a token still gets it), anyone inside it, from the edge's
// cache, and 401 again after it, the edge checking its clock on each hit.
// Then an access_control change purges the edge's entry: the asset needs
// a token at once.
func TestAnonymousWindowEndToEnd(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{Clouds: tokenClouds()})
	edge := c.EdgeURLs[0]
	start := time.Now().Truncate(time.Second).Add(3 * time.Second)
	end := start.Add(4 * time.Second)
	window, _ := json.Marshal([]map[string]string{{"access_type": "anonymous",
		"start": start.UTC().Format(time.RFC3339), "end": end.UTC().Format(time.RFC3339)}, {"access_type": "token"}})
	call(t, c, "upload", map[string]string{"public_id": "sale", "access_control": string(window)}, "rocket.jpg")
	plain := edge + "/demo/image/upload/sale.jpg"
	withToken := edge + goSDKTokenURL(t, "sale", api.Upload, cldconfig.AuthToken{ACL: "*", Duration: 600})

	if time.Now().Before(start) {
		if g := testkit.Get(t, plain); g.Status != 401 {
			t.Fatalf("before the window: %d", g.Status)
		}
	}
	if g := testkit.Get(t, withToken); g.Status != 200 {
		t.Fatalf("token before the window: %d %q", g.Status, g.Header.Get("X-Cld-Error"))
	}
	testkit.Eventually(t, testkit.Timeout, "the window to open", func() bool {
		return testkit.Get(t, plain).Status == 200
	})
	if g := testkit.Get(t, plain); time.Now().Before(end) && (g.Status != 200 || g.Header.Get("Cache-Status") != "mediacdn; hit") {
		t.Fatalf("inside the window: %d %q", g.Status, g.Header.Get("Cache-Status"))
	}
	testkit.Eventually(t, testkit.Timeout, "the window to close", func() bool {
		return testkit.Get(t, plain).Status == 401
	})
	if g := testkit.Get(t, withToken); g.Status != 200 || g.Header.Get("Cache-Status") != "mediacdn; hit" {
		t.Fatalf("token after the window: %d %q", g.Status, g.Header.Get("Cache-Status"))
	}

	// Open for good, then token only: each change reaches the edge.
	r := admin(t, c, http.MethodPost, "resources/image/upload/sale",
		"access_control="+url.QueryEscape(`[{"access_type":"anonymous"}]`)+"&wait=5000")
	if r.Invalidation == nil || r.Invalidation.Status != "applied" {
		t.Fatalf("update invalidation: %+v", r.Invalidation)
	}
	if g := testkit.Get(t, plain); g.Status != 200 {
		t.Fatalf("opened: %d %q", g.Status, g.Header.Get("X-Cld-Error"))
	}
	if g := testkit.Get(t, plain); g.Status != 200 || g.Header.Get("Cache-Status") != "mediacdn; hit" {
		t.Fatalf("opened, cached: %d %q", g.Status, g.Header.Get("Cache-Status"))
	}
	r = admin(t, c, http.MethodPost, "resources/image/upload/sale",
		"access_control="+url.QueryEscape(`[{"access_type":"token"}]`)+"&wait=5000")
	if r.Invalidation == nil || r.Invalidation.Status != "applied" {
		t.Fatalf("update invalidation: %+v", r.Invalidation)
	}
	if g := testkit.Get(t, plain); g.Status != 401 {
		t.Fatalf("token only: %d", g.Status)
	}
	if g := testkit.Get(t, withToken); g.Status != 200 {
		t.Fatalf("token only, with a token: %d %q", g.Status, g.Header.Get("X-Cld-Error"))
	}
}
