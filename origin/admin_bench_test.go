package origin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/origin/meta"

	"github.com/mediacdn/mediacdn/delivery"
)

// BenchmarkAdminListPrefix measures the Admin API listing a page of 500
// assets by prefix out of 100,000 (target: under 50 ms), through the full
// HTTP path of a real origin: Basic auth, rate limit, SQLite keyset query,
// JSON with URLs for every asset. It reports the median and 99th
// percentile latency per page.
//
//	go test ./origin -run '^$' -bench AdminListPrefix -benchtime 200x
func BenchmarkAdminListPrefix(b *testing.B) {
	const total = 100_000
	o := startOriginWith(b, nil, nil, config.Cloud{APIKey: apiKey, APISecret: apiSecret,
		Admin: config.AdminAPI{RateLimit: 1 << 30}})
	ctx := context.Background()
	now := time.Now().UTC()
	batch := make([]*meta.Asset, 0, 5000)
	for i := 0; i < total; i++ {
		id := fmt.Sprintf("p/%06d", i)
		batch = append(batch, &meta.Asset{Key: meta.Key{Cloud: cloudName, ResourceType: delivery.Image, Type: delivery.Upload,
			PublicID: id}, AssetID: fmt.Sprintf("%016x%016x", rand.Uint64(), rand.Uint64()), VersionID: "v",
			Format: "jpg", Bytes: 100_000, Width: 800, Height: 600, Pages: 1, ETag: "e", Blob: "none",
			CreatedAt: now, UpdatedAt: now, DisplayName: id, Tags: []string{"bench"}})
		if len(batch) == cap(batch) {
			if err := o.Store.Meta.Import(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	client := &http.Client{}
	get := func(b *testing.B, url string) map[string]any {
		req, _ := http.NewRequest(http.MethodGet, o.URL+"/v1_1/demo/"+url, nil)
		req.SetBasicAuth(apiKey, apiSecret)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var out map[string]any
		if resp.StatusCode != 200 || json.Unmarshal(body, &out) != nil || len(out["resources"].([]any)) != 500 {
			b.Fatalf("%d %.200s", resp.StatusCode, body)
		}
		return out
	}
	deep := get(b, "resources/image/upload?prefix=p/0&max_results=500")["next_cursor"].(string)
	for i := 0; i < 80; i++ { // 40,000 in
		deep = get(b, "resources/image/upload?prefix=p/0&max_results=500&next_cursor="+deep)["next_cursor"].(string)
	}
	for _, c := range []struct{ name, url string }{
		{"first-page", "resources/image/upload?prefix=p/&max_results=500"},
		{"page-at-40000", "resources/image/upload?prefix=p/&max_results=500&next_cursor=" + deep},
		{"with-tags-and-context", "resources/image/upload?prefix=p/0&max_results=500&tags=true&context=true"},
	} {
		b.Run(c.name, func(b *testing.B) { benchLatency(b, 5, func() { get(b, c.url) }) })
	}
}

// benchLatency runs call warm times (the caches warmed), then b.N times
// timed, and reports the median and 99th percentile latency.
func benchLatency(b *testing.B, warm int, call func()) {
	for range warm {
		call()
	}
	runtime.GC()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		call()
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
