package origin_test

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The origin's /metrics, on its metrics listener, counts delivery and API
// requests, responses by class, transforms with their duration, and
// derived images served already made; scraping it and /healthz counts
// nothing, and the API port answers /metrics 404.
func TestMetrics(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "LadyBird.jpg", "metrics/bird")
	url := o.URL + "/demo/image/upload/c_fill,h_100,w_150/metrics/bird.jpg"
	made := testkit.Get(t, url)
	if made.Status != 200 {
		t.Fatalf("derived: %d %s", made.Status, made.Header.Get("X-Cld-Error"))
	}
	again := testkit.Get(t, url)
	if again.Status != 200 || !bytes.Equal(again.Body, made.Body) {
		t.Fatalf("derived again: %d", again.Status)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/c_fill,h_100,w_150/metrics/missing.jpg"); r.Status != 404 {
		t.Fatalf("missing asset: %d, want 404", r.Status)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/w_abc/metrics/bird.jpg"); r.Status != 400 {
		t.Fatalf("bad transformation: %d, want 400", r.Status)
	}
	if r := testkit.Get(t, o.URL+"/healthz"); r.Status != 200 {
		t.Fatalf("healthz: %d", r.Status)
	}
	if r := testkit.Get(t, o.URL+"/metrics"); r.Status != 404 || strings.Contains(string(r.Body), "mediacdn_origin") {
		t.Fatalf("/metrics on the API port: %d %q", r.Status, r.Body)
	}
	for _, path := range []string{"/healthz", "/demo/image/upload/c_fill,h_100,w_150/metrics/bird.jpg", "/v1_1/demo/usage"} {
		if r := testkit.Get(t, o.MetricsURL+path); r.Status != 404 {
			t.Fatalf("%s on the metrics listener: %d", path, r.Status)
		}
	}

	want := map[string]float64{
		`mediacdn_origin_requests_total{kind="delivery"}`:              4,
		`mediacdn_origin_requests_total{kind="api"}`:                   1,
		`mediacdn_origin_responses_total{class="2xx"}`:                 3,
		`mediacdn_origin_responses_total{class="3xx"}`:                 0,
		`mediacdn_origin_responses_total{class="4xx"}`:                 2,
		`mediacdn_origin_responses_total{class="5xx"}`:                 0,
		`mediacdn_origin_transforms_total`:                             1,
		`mediacdn_origin_transform_errors_total`:                       0,
		`mediacdn_origin_transform_duration_seconds_count`:             1,
		`mediacdn_origin_transform_duration_seconds_bucket{le="+Inf"}`: 1,
		`mediacdn_origin_derived_hits_total`:                           1,
	}
	var got map[string]float64
	testkit.CheckFor(t, testkit.Timeout, func() error {
		got = scrape(t, o.MetricsURL)
		for series, v := range want {
			if got[series] != v {
				return fmt.Errorf("%s = %v, want %v", series, got[series], v)
			}
		}
		return nil
	})
	if got[`mediacdn_origin_transform_duration_seconds_sum`] <= 0 {
		t.Errorf("transform duration sum %v, want > 0", got[`mediacdn_origin_transform_duration_seconds_sum`])
	}
	for _, series := range []string{"mediacdn_origin_transform_workers", "mediacdn_origin_transform_queue_capacity"} {
		if got[series] < 1 {
			t.Errorf("%s = %v, want ≥ 1", series, got[series])
		}
	}
	for _, series := range []string{"mediacdn_origin_transforms_busy", "mediacdn_origin_transforms_queued",
		"mediacdn_origin_vips_memory_bytes", "mediacdn_origin_vips_memory_highwater_bytes", "mediacdn_origin_vips_allocations",
		"mediacdn_origin_jpeg_direct_decodes_total", "mediacdn_origin_derived_recordings_pending",
		"mediacdn_origin_layer_decodes_total", "mediacdn_origin_layer_cache_hits_total",
		"mediacdn_origin_layer_cache_bytes", "mediacdn_origin_layer_cache_entries"} {
		if v, ok := got[series]; !ok || v < 0 {
			t.Errorf("%s = %v (present %v), want ≥ 0", series, v, ok)
		}
	}
}

// scrape reads /metrics with a real client and returns its samples by
// series (name and labels). Every sample must follow its family's TYPE.
func scrape(t testing.TB, base string) map[string]float64 {
	t.Helper()
	a := testkit.Get(t, base+"/metrics")
	if ct := a.Header.Get("Content-Type"); a.Status != 200 || ct != "text/plain; version=0.0.4; charset=utf-8" {
		t.Fatalf("/metrics: %v", a)
	}
	samples := map[string]float64{}
	typed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(a.Body))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, _, _ := strings.Cut(rest, " ")
			typed[name] = true
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		series, value, ok := strings.Cut(line, " ")
		v, err := strconv.ParseFloat(value, 64)
		if !ok || err != nil {
			t.Fatalf("/metrics line %q", line)
		}
		name, _, _ := strings.Cut(series, "{")
		family := name
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if f, ok := strings.CutSuffix(name, suffix); ok && typed[f] {
				family = f
			}
		}
		if !typed[family] {
			t.Fatalf("/metrics: %s has no TYPE line before it", series)
		}
		samples[series] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return samples
}
