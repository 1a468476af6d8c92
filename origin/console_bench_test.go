package origin_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// BenchmarkConsoleLibrary measures the console's pages on a cloud of
// 100,000 assets (issue 21: "pages stay fast on a cloud of 100,000
// assets"): the library's first page, a prefix, a search, and an asset,
// each through the full HTTP path of a real origin with a signed-in
// session (the pages call the Admin and Search APIs in process). It
// reports the median and 99th percentile latency of each page.
//
//	go test ./origin -run '^$' -bench ConsoleLibrary -benchtime 100x
func BenchmarkConsoleLibrary(b *testing.B) {
	const total = 100_000
	o := startOriginWith(b, nil, nil, config.Cloud{APIKey: apiKey, APISecret: apiSecret,
		Admin: config.AdminAPI{RateLimit: 1 << 30}})
	ctx := context.Background()
	now := time.Now().UTC()
	batch := make([]*meta.Asset, 0, 5000)
	for i := range total {
		id := fmt.Sprintf("p/%02d/%06d", i%100, i)
		format := []string{"jpg", "png", "webp"}[i%3]
		batch = append(batch, &meta.Asset{Key: meta.Key{Cloud: cloudName, ResourceType: delivery.Image, Type: delivery.Upload,
			PublicID: id}, AssetID: fmt.Sprintf("%016x%016x", rand.Uint64(), rand.Uint64()), VersionID: "v",
			Format: format, Bytes: 100_000, Width: 800, Height: 600, Pages: 1, ETag: "e", Blob: "none",
			CreatedAt: now, UpdatedAt: now, DisplayName: id, Tags: []string{fmt.Sprint("t", i%50)}})
		if len(batch) == cap(batch) {
			if err := o.Store.Meta.Import(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(b *testing.B, path string) string {
		resp, err := client.Get(o.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d %.300s", path, resp.StatusCode, body)
		}
		return string(body)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(get(b, "/console/signin"))
	if csrf == nil {
		b.Fatal("no CSRF token on the sign-in page")
	}
	resp, err := client.PostForm(o.URL+"/console/signin", url.Values{"csrf": {csrf[1]}, "cloud": {cloudName},
		"api_key": {apiKey}, "api_secret": {apiSecret}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign-in: %v %v", resp, err)
	}
	resp.Body.Close()
	for _, c := range []struct{ name, path, want string }{
		{"library", "/console/library", `class="asset-link"`},
		{"prefix", "/console/library?prefix=p%2f42%2f", "p/42/0"},
		{"search", "/console/library?" + url.Values{"q": {"tags:t7 AND format:png"}}.Encode(), `class="asset-link"`},
		{"asset", "/console/asset?" + url.Values{"rt": {"image"}, "type": {"upload"}, "id": {"p/42/000042"}}.Encode(), "p/42/000042"},
	} {
		b.Run(c.name, func(b *testing.B) {
			if page := get(b, c.path); !strings.Contains(page, c.want) {
				b.Fatalf("%s: the page lacks %q: %.500s", c.path, c.want, page)
			}
			benchLatency(b, 3, func() { get(b, c.path) })
		})
	}
}
