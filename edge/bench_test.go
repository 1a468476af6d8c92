package edge

import (
	"testing"

	cldconfig "github.com/cloudinary/cloudinary-go/v2/config"
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/purge"
	"github.com/valyala/fasthttp"
)

// BenchmarkHit measures a full hit through the handler fasthttp calls,
// connection timeout bookkeeping included (no network):
//
//	go test ./edge -run '^$' -bench Hit -benchmem
//
// The cases on an edge with private-CDN hosts: a path-form hit whose Host
// is not one of them (an IP and port), and a host-form hit on one; and an
// original requested with the ten headers a browser sends; and an
// authenticated original with an auth token (ACL and IP), verified on
// every hit, from the peer and from a client behind a trusted proxy
// (X-Forwarded-For walked past it).
func BenchmarkHit(b *testing.B) {
	o := startTestOrigin(b, imageOrigin)
	withHosts := func(c *Config) { c.Hosts = map[string]string{"img.example": "demo"} }
	withKey := func(c *Config) { c.AuthTokenKeys = map[string]string{"demo": edgeTokenKey} }
	token := sdkToken(cldconfig.AuthToken{ACL: "/image/authenticated/*", IP: "0.0.0.0", Expiration: 1_900_000_000})
	clientToken := sdkToken(cldconfig.AuthToken{ACL: "/image/authenticated/*", IP: "203.0.113.7", Expiration: 1_900_000_000})
	withProxy := func(c *Config) { // hitCtx's peer is 0.0.0.0
		withKey(c)
		c.TrustedProxies = []string{"10.0.0.0/8", "0.0.0.0/32"}
	}
	for _, bc := range []struct {
		name, path, host string
		mutate           func(*Config)
	}{
		{"original", "/demo/image/upload/v1/sample.jpg", "cdn.example", nil},
		{"derived", "/demo/image/upload/c_fill,g_auto,h_200,w_300/f_auto/q_auto/v1712345678/folder/photo.jpg?_a=BAMAROfk0", "cdn.example", nil},
		{"original/hosts/path-form", "/demo/image/upload/v1/sample.jpg", "127.0.0.1:8080", withHosts},
		{"original/hosts/host-form", "/image/upload/v1/sample.jpg", "img.example", withHosts},
		{"original/browser", "/demo/image/upload/v1/sample.jpg", "cdn.example", nil},
		{"original/token", "/demo/image/authenticated/v1/sample.jpg?" + token, "cdn.example", withKey},
		{"original/token/proxied", "/demo/image/authenticated/v1/sample.jpg?" + clientToken, "cdn.example", withProxy},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := startEdge(b, bc.mutate, o.URL)
			headers := []string{"Accept", "image/webp,*/*", "Host", bc.host}
			if bc.name == "original/browser" {
				headers = browserHeaders(bc.host)
			}
			if bc.name == "original/token/proxied" {
				headers = append(headers, "X-Forwarded-For", "198.51.100.1, 203.0.113.7, 10.0.0.1")
			}
			warm := hitCtx(bc.path, headers...)
			e.handle(warm)
			if st := string(warm.Response.Header.Peek("Cache-Status")); warm.Response.StatusCode() != 200 {
				b.Fatalf("warm-up: %d %q", warm.Response.StatusCode(), st)
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				ctx := hitCtx(bc.path, headers...)
				for pb.Next() {
					ctx.Response.Reset()
					e.serve(ctx)
				}
			})
		})
	}
}

// browserHeaders are the headers a browser sends with an image request
// from a page.
func browserHeaders(host string) []string {
	return []string{
		"Host", host,
		"Connection", "keep-alive",
		"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Accept", "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
		"Sec-Fetch-Site", "cross-site",
		"Sec-Fetch-Mode", "no-cors",
		"Sec-Fetch-Dest", "image",
		"Referer", "https://www.example.com/articles/2026/12/a-long-article-title-with-pictures",
		"Accept-Encoding", "gzip, deflate, br, zstd",
		"Accept-Language", "en-GB,en;q=0.9,fr;q=0.8",
	}
}

// BenchmarkHitWithPurgeLog is the hit path with 100,000 rules in the purge
// log (none covering the entry): it must stay as fast and allocation-free.
func BenchmarkHitWithPurgeLog(b *testing.B) {
	o := startTestOrigin(b, imageOrigin)
	for _, rules := range []int{0, 100_000} {
		b.Run(itoa(rules)+"rules", func(b *testing.B) {
			e := startEdge(b, nil, o.URL)
			path := "/demo/image/upload/c_fill,w_300/v1712345678/folder/photo.jpg"
			e.handle(hitCtx(path))
			mode := purge.ModeOf(config.Cloud{})
			for i := 1; i <= rules; i++ {
				r := purge.NewAsset("demo", mode, delivery.Image, delivery.Upload, "other/"+itoa(i), 0)
				r.Seq = uint64(i)
				e.Index.Apply(r)
			}
			ctx := hitCtx(path)
			e.handle(ctx) // checks the entry against the log once
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ctx.Response.Reset()
				e.serve(ctx)
				if ctx.Response.StatusCode() != fasthttp.StatusOK {
					b.Fatal(ctx.Response.StatusCode())
				}
			}
		})
	}
}

// BenchmarkAdmit is the cost of the RFC 9112 checks (strict.go) on a
// browser's request, the part of a hit they add:
//
//	go test ./edge -run '^$' -bench Admit -benchmem
func BenchmarkAdmit(b *testing.B) {
	s := &Server{cfg: Config{MaxURLLength: 8192, MaxHeaderBytes: 8192}}
	for _, bc := range []struct {
		name    string
		headers []string
	}{
		{"two-headers", []string{"Accept", "image/webp,*/*"}},
		{"browser", browserHeaders("cdn.example")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := hitCtx("/demo/image/upload/v1/sample.jpg", bc.headers...)
			b.ReportAllocs()
			for b.Loop() {
				if !s.admit(ctx) {
					b.Fatal("refused")
				}
			}
		})
	}
}
