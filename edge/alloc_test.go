//go:build !race

package edge

import (
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/config"
	"github.com/mediacdn/mediacdn/delivery"
)

// The hit path allocates nothing: parse, key, lookup, purge check, headers
// and body of a full hit through the handler fasthttp calls, connection
// timeout bookkeeping included; behind a trusted proxy too, the client
// read from X-Forwarded-For.
func TestHitPathAllocatesNothing(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, func(c *Config) { c.AuthTokenKeys = map[string]string{"demo": edgeTokenKey} }, o.URL)
	// hitCtx's peer is 0.0.0.0.
	proxied := startEdge(t, func(c *Config) {
		c.AuthTokenKeys = map[string]string{"demo": edgeTokenKey}
		c.TrustedProxies = []string{"10.0.0.0/8", "0.0.0.0/32"}
	}, o.URL)
	tok := sdkToken(config.AuthToken{ACL: "/image/authenticated/*", IP: "0.0.0.0", Expiration: e.Clock.now().Unix() + 60})
	clientTok := sdkToken(config.AuthToken{ACL: "/image/authenticated/*", IP: "203.0.113.7", Expiration: e.Clock.now().Unix() + 60})
	for _, c := range []struct {
		path    string
		headers []string
		status  int
		proxied bool
	}{
		{"/demo/image/authenticated/v1/pic.jpg?" + clientTok, []string{"X-Forwarded-For", "192.0.2.1, 203.0.113.7, 10.0.0.1"}, 200, true},
		{"/demo/image/upload/v1/folder/pic.jpg", []string{"X-Forwarded-For", "203.0.113.7"}, 200, true},
		{"/demo/image/authenticated/v1/pic.jpg?" + tok, nil, 200, false},
		{"/demo/image/authenticated/v1/pic.jpg", []string{"Cookie", "a=b; " + tok}, 200, false},
		{"/demo/image/upload/c_fill,g_auto,h_200,w_300/v1712345678/folder/pic.jpg?_a=BAMAROfk0", nil, 200, false},
		{"/demo/image/upload/f_auto,q_auto/v1/folder/pic.jpg", []string{"Accept", "image/avif,image/webp,*/*"}, 200, false},
		{"/demo/image/upload/c_limit,dpr_auto,w_auto:100:400/f_auto/v1/folder/pic.jpg",
			[]string{"Accept", "image/webp", "Sec-CH-DPR", "2", "Sec-CH-Width", "333", "Viewport-Width", "800"}, 200, false},
		{"/demo/image/upload/v1/folder/pic.jpg", []string{"If-None-Match", `"etag-` + itoa(len("image:/demo/image/upload/v1/folder/pic.jpg:")) + `"`}, 304, false},
		{"/demo/image/upload/v1/folder/pic.jpg", []string{"Range", "bytes=0-3"}, 206, false},
		{"/demo/image/upload/missing.jpg", nil, 404, false},
		{edgeSearchPath("300", `{"expression":"tags=a"}`, "abcd") + "?_a=1", nil, 200, false},
	} {
		e := e
		if c.proxied {
			e = proxied
		}
		ctx := hitCtx(c.path, c.headers...)
		e.handle(ctx) // miss: fills the cache
		if ctx.Response.StatusCode() != c.status && ctx.Response.StatusCode() != 200 {
			t.Fatalf("%s: warm-up status %d", c.path, ctx.Response.StatusCode())
		}
		allocs := testing.AllocsPerRun(500, func() {
			ctx.Response.Reset()
			e.serve(ctx)
			if ctx.Response.StatusCode() != c.status || string(ctx.Response.Header.Peek("Cache-Status")) != "mediacdn; hit" {
				t.Fatalf("%s: not a hit: %d %q", c.path, ctx.Response.StatusCode(), ctx.Response.Header.Peek("Cache-Status"))
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per hit, want 0", c.path, allocs)
		}
	}
}

// Hits on a private-CDN host allocate nothing either: host form, the path
// that names the cloud, a Host in other case with a port, and a dpr_auto
// variant.
func TestHostFormHitAllocatesNothing(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, func(c *Config) { c.Hosts = map[string]string{"cdn.example": "demo"} }, o.URL)
	for _, c := range []struct {
		path    string
		headers []string
	}{
		{"/image/upload/w_10/v1/pic.jpg", nil},
		{"/demo/image/upload/w_10/v1/pic.jpg", nil},
		{"/demo/image/upload/w_10/v1/pic.jpg", []string{"Host", "CDN.example:8080"}},
		{"/image/upload/dpr_auto,w_10/v1/pic.jpg", []string{"Sec-CH-DPR", "2"}},
	} {
		ctx := hitCtx(c.path, c.headers...)
		e.handle(ctx) // fills the cache (or hits it already)
		allocs := testing.AllocsPerRun(500, func() {
			ctx.Response.Reset()
			e.serve(ctx)
			if ctx.Response.StatusCode() != 200 || string(ctx.Response.Header.Peek("Cache-Status")) != "mediacdn; hit" {
				t.Fatalf("%s %v: not a hit: %d %q", c.path, c.headers, ctx.Response.StatusCode(), ctx.Response.Header.Peek("Cache-Status"))
			}
		})
		if allocs != 0 {
			t.Errorf("%s %v: %v allocations per hit, want 0", c.path, c.headers, allocs)
		}
	}
	if o.count.Load() != 2 {
		t.Errorf("origin requests %d, want 2 (one per object)", o.count.Load())
	}
}

// Refusing a request for a cached entry only a token may see allocates
// nothing either (token.go): no token, one whose HMAC is wrong, an expired
// one, and one in a cookie for another path.
func TestTokenRefusalAllocatesNothing(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, func(c *Config) { c.AuthTokenKeys = map[string]string{"demo": edgeTokenKey} }, o.URL)
	const path = "/demo/image/authenticated/v1/pic.jpg"
	expired := sdkToken(config.AuthToken{ACL: "/image/authenticated/*", Expiration: e.Clock.now().Unix() - 60})
	other := sdkToken(config.AuthToken{ACL: "/image/authenticated/other/*", Expiration: e.Clock.now().Unix() + 60})
	e.handle(hitCtx(path + "?" + sdkToken(config.AuthToken{ACL: "/image/authenticated/*",
		Expiration: e.Clock.now().Unix() + 60}))) // fills the cache
	for _, c := range []struct {
		path    string
		headers []string
		reason  delivery.TokenResult
	}{
		{path, nil, delivery.TokenMissing},
		{path + "?__cld_token__=exp=1~hmac=00", nil, delivery.TokenBadHMAC},
		{path + "?" + expired, nil, delivery.TokenExpired},
		{path, []string{"Cookie", other}, delivery.TokenACLMismatch},
	} {
		ctx := hitCtx(c.path, c.headers...)
		msg, body := c.reason.Message(), c.reason.Message()+"\n"
		allocs := testing.AllocsPerRun(500, func() {
			ctx.Response.Reset()
			e.serve(ctx)
			if ctx.Response.StatusCode() != 401 || string(ctx.Response.Header.Peek("X-Cld-Error")) != msg ||
				string(ctx.Response.Body()) != body {
				t.Fatalf("%s %v: %d %q %q, want 401 %q", c.path, c.headers, ctx.Response.StatusCode(),
					ctx.Response.Header.Peek("X-Cld-Error"), ctx.Response.Body(), msg)
			}
		})
		if allocs != 0 {
			t.Errorf("%s %v: %v allocations per refusal, want 0", c.path, c.headers, allocs)
		}
	}
	if o.count.Load() != 1 {
		t.Errorf("origin requests %d, want 1: refusals come from the cached entry", o.count.Load())
	}
}
