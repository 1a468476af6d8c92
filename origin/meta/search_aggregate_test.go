package meta

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/origin/search"
)

// span is a Range of key from lo to hi (nil: open).
func span(key string, lo, hi *float64) Range { return Range{Key: key, From: lo, To: hi} }

func num(f float64) *float64 { return &f }

// TestSearchRangeAggregations counts the fixture's assets by ranges of
// bytes, pixels (images only), video pixels and duration (videos only, 0
// each), on both stores: bounds exactly at a value (from included, to
// excluded), fractional bounds, overlapping and open ranges, alone and
// with an expression and a value aggregation.
func TestSearchRangeAggregations(t *testing.T) { forEachStore(t, testSearchRangeAggregations) }

func testSearchRangeAggregations(t *testing.T, s Store) {
	searchFixture(t, s)
	// bytes: notes.txt 7, hat 10, shoes/blue 500, shoes/red 2000, clip
	// 5000, shoes/deep/green 3 MB. pixels: hat 200, shoes/blue 10,000,
	// shoes/deep/green 60,000, shoes/red 1,440,000 (images); clip 230,400
	// (a video); notes.txt 0 (raw).
	for _, c := range []struct {
		expr   string
		ranges []RangeAggregation
		want   string
	}{
		{"", []RangeAggregation{{"bytes", []Range{
			span("tiny", nil, num(500)),           // 7, 10 (500 is not below 500)
			span("medium", num(500), num(2000)),   // 500
			span("big", num(2000), nil),           // 2000, 5000, 3 MB
			span("all", nil, nil),                 // every asset
			span("overlap", num(10), num(5001)),   // 10, 500, 2000, 5000
			span("ten", num(9.5), num(10.5)),      // 10
			span("none", num(100000), num(2e5)),   // nothing
			span("fraction", num(7.2), num(10.0)), // nothing: 7 is below 7.2, 10 not below 10
		}}}, "map[bytes:map[all:6 big:3 fraction:0 medium:1 none:0 overlap:4 ten:1 tiny:2]]"},
		{"", []RangeAggregation{{"pixels", []Range{
			span("any", num(0), nil),
			span("small", nil, num(10000)),
			span("mid", num(10000), num(1440000)),
			span("big", num(1440000), nil),
		}}, {"image_pixels", []Range{span("any", nil, nil)}}, {"video_pixels", []Range{
			span("any", num(0), nil),
			span("below", nil, num(230400)),
			span("at", num(230400), num(230401)),
		}}}, "map[image_pixels:map[any:4] pixels:map[any:4 big:1 mid:2 small:1] video_pixels:map[any:1 at:1 below:0]]"},
		{"", []RangeAggregation{{"duration", []Range{
			span("zero", nil, num(1)),
			span("later", num(0.5), nil),
			span("from0", num(0), num(0.1)),
		}}}, "map[duration:map[from0:1 later:0 zero:1]]"},
		{"tags:shirt", []RangeAggregation{{"bytes", []Range{
			span("small", nil, num(600)),
			span("rest", num(600), nil),
		}}, {"pixels", []Range{span("all", nil, nil)}}}, "map[bytes:map[rest:2 small:1] format:map[jpg:1 mp4:1 png:1] pixels:map[all:2]]"},
		{"resource_type:raw", []RangeAggregation{{"pixels", []Range{span("all", nil, nil)}},
			{"duration", []Range{span("all", nil, nil)}}}, "map[duration:map[all:0] format:map[:1] pixels:map[all:0]]"},
	} {
		n, err := search.Parse(c.expr, now)
		if err != nil {
			t.Fatal(err)
		}
		q := SearchQuery{Cloud: "demo", Expr: n, Limit: 1, Count: true, Ranges: c.ranges}
		if c.expr != "" {
			q.Aggregate = []string{"format"}
		}
		page, err := s.Search(context.Background(), q)
		if err != nil {
			t.Fatalf("%q %v: %v", c.expr, c.ranges, err)
		}
		if got := fmt.Sprint(page.Aggregations); got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.expr, got, c.want)
		}
	}
	// A field without ranges is refused.
	if _, err := s.Search(context.Background(), SearchQuery{Cloud: "demo", Limit: 1,
		Ranges: []RangeAggregation{{Field: "width", Ranges: []Range{span("x", nil, nil)}}}}); err == nil {
		t.Error("width ranges: no error")
	}
}

// TestSearchRangeAggregationPlans checks that a range aggregation reads
// what the search's count reads on 20,000 assets: with a selective
// expression, neither a whole table nor every asset of the cloud
// (fullScan, as TestSearchPlans).
func TestSearchRangeAggregationPlans(t *testing.T) { forEachStore(t, testSearchRangeAggregationPlans) }

func testSearchRangeAggregationPlans(t *testing.T, s Store) {
	searchFixture(t, s)
	fillSearch(t, s, "demo", 20000)
	d := rawDB(s)
	window := fmt.Sprintf(`created_at:["%s" TO "%s"]`, now.Add(1000*time.Second).Format(time.RFC3339),
		now.Add(1500*time.Second).Format(time.RFC3339))
	ranges := []RangeAggregation{
		{"bytes", []Range{span("small", nil, num(500)), span("mid", num(500), num(2000)), span("big", num(2000), nil)}},
		{"pixels", []Range{span("small", nil, num(1e5)), span("big", num(1e5), nil)}},
		{"duration", []Range{span("short", nil, num(29.97))}},
	}
	for _, expr := range []string{"tags:tag5 AND format:png", "tags:shirt", "folder:shoes/*", "public_id:bench/12*",
		"context.k:v5", window, "asset_folder:shop"} {
		n, err := search.Parse(expr, now)
		if err != nil {
			t.Fatal(err)
		}
		from, args, err := searchFrom(SearchQuery{Cloud: "demo", Expr: n}, d.d)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ranges {
			query, qargs, err := rangeAggregateSQL(r, from, args)
			if err != nil {
				t.Fatal(err)
			}
			plan := explain(t, context.Background(), d, query, qargs)
			if full := fullScan(plan, d.d.postgres, true); full != "" {
				t.Errorf("%q, %s ranges: %s\n%s\nplan:\n%s", expr, r.Field, full, query, plan)
			}
		}
	}
}
