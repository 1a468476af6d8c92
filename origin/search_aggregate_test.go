package origin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api/admin/search"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// seedAggregated stores six assets under agg/ whose sizes sit on the
// bounds of the default ranges (docs/search.md): images of 5,000 and
// 10,240 bytes and 2 MB (120,000, 1,000,000 and 6,000,000 pixels), videos
// of 50 and 200 MB (1920x1080 and 1280x720), a raw file of 7 bytes.
func seedAggregated(t *testing.T, o *testOrigin) {
	t.Helper()
	type spec struct {
		rt     delivery.ResourceType
		format string
		bytes  int64
		w, h   int
	}
	specs := []spec{
		{delivery.Image, "jpg", 5000, 400, 300},
		{delivery.Image, "jpg", 10 << 10, 1000, 1000},
		{delivery.Image, "jpg", 2 << 20, 3000, 2000},
		{delivery.Video, "mp4", 50 << 20, 1920, 1080},
		{delivery.Video, "mp4", 200 << 20, 1280, 720},
		{delivery.Raw, "", 7, 0, 0},
	}
	seedAssets(t, o, "agg/", len(specs), func(i int, a *meta.Asset) {
		s := specs[i]
		a.ResourceType, a.Format, a.Bytes, a.Width, a.Height = s.rt, s.format, s.bytes, s.w, s.h
	})
	seedAssets(t, o, "other/", 3, nil) // not matched by public_id:agg/*
}

// The Search API's range aggregations on both metadata stores: bytes,
// pixels and duration named through the Go SDK's search (mediacdn's
// default ranges, in order, every range present), and range objects in a
// raw JSON body and a GET query, as Cloudinary's CLI and the Node SDK send
// them.
func TestSearchRangeAggregations(t *testing.T) { forEachMetaStore(t, testSearchRangeAggregations) }

func testSearchRangeAggregations(t *testing.T, o *testOrigin) {
	seedAggregated(t, o)
	res, err := o.Cld.Admin.Search(context.Background(), search.Query{Expression: "public_id:agg/*",
		Aggregate: []string{search.Bytes, search.Pixels, search.Duration, search.Format, "video_pixels", search.Bytes}})
	if err != nil || res.Error.Message != "" || res.TotalCount != 6 || res.Response == nil {
		t.Fatalf("SDK search: %+v %v", res, err)
	}
	raw, _ := res.Response.(*map[string]any)
	if raw == nil {
		t.Fatalf("SDK response: %T", res.Response)
	}
	want := "map[bytes:map[huge:1 large:1 medium:0 small:1 tiny:2 very_large:1] duration:map[long:0 medium:0 short:2 very_long:0] " +
		"format:map[:1 jpg:3 mp4:2] pixels:map[huge:0 large:1 medium:1 small:0 tiny:1] video_pixels:map[4k:0 full_hd:1 hd:1 sd:0]]"
	if got := fmt.Sprint((*raw)["aggregations"]); got != want {
		t.Errorf("SDK aggregations:\n got %s\nwant %s", got, want)
	}
	// The Go SDK's Aggregate takes a range object as JSON text.
	res, err = o.Cld.Admin.Search(context.Background(), search.Query{Expression: "public_id:agg/*",
		Aggregate: []string{`{"type":"bytes","ranges":[{"key":"small","to":10240},{"from":10240}]}`}})
	if err != nil || res.Error.Message != "" {
		t.Fatalf("SDK range object: %+v %v", res, err)
	}
	raw, _ = res.Response.(*map[string]any)
	if got := fmt.Sprint((*raw)["aggregations"]); got != "map[bytes:map[10240-*:4 small:2]]" {
		t.Errorf("SDK range object: %s", got)
	}
	// The order asked for, ranges in their order.
	a := adminDo(t, o, http.MethodPost, "resources/search", "application/json",
		`{"expression":"public_id:agg/*","aggregate":["bytes","format","pixels"],"max_results":1}`)
	if wantRaw := `"aggregations":{"bytes":{"tiny":2,"small":1,"medium":0,"large":1,"very_large":1,"huge":1},` +
		`"format":{"":1,"jpg":3,"mp4":2},"pixels":{"tiny":1,"small":0,"medium":1,"large":1,"huge":0}}`; a.status != 200 ||
		!strings.Contains(a.raw, wantRaw) {
		t.Errorf("ordered: %d %s\nwant %s", a.status, a.raw, wantRaw)
	}

	// Range objects: from included, to excluded, fractional bounds,
	// keys made of the bounds when not given, overlapping ranges.
	body := `{"expression":"public_id:agg/*","aggregate":["format",` +
		`{"type":"bytes","ranges":[{"key":"tiny","to":5000},{"key":"medium","from":5000,"to":10240},{"key":"big","from":10240},{"key":"any"}]},` +
		`{"type":"video_pixels","ranges":[{"from":921600,"to":2073600},{"key":"4k","from":8294400}]},` +
		`{"type":"duration","ranges":[{"key":"short","from":24.5,"to":29.97},{"key":"zero","to":1}]},` +
		`{"type":"image_pixels","ranges":[{"key":"all"},{"key":"mp","from":1e6,"to":6e6},{"key":"upto6","to":6000000.5}]}]}`
	a = adminDo(t, o, http.MethodPost, "resources/search", "application/json", body)
	wantRaw := `"aggregations":{"format":{"":1,"jpg":3,"mp4":2},"bytes":{"tiny":1,"medium":1,"big":4,"any":6},` +
		`"video_pixels":{"921600-2073600":1,"4k":0},"duration":{"short":0,"zero":2},"image_pixels":{"all":3,"mp":1,"upto6":3}}`
	if a.status != 200 || !strings.Contains(a.raw, wantRaw) {
		t.Errorf("range objects: %d %s\nwant %s", a.status, a.raw, wantRaw)
	}
	// The same by GET, the object as a JSON query value.
	a = adminGet(t, o, "resources/search?"+url.Values{"expression": {"public_id:agg/*"}, "aggregate": {
		`{"type":"bytes","ranges":[{"key":"small","to":10240},{"key":"big","from":10240}]}`, "resource_type"}}.Encode())
	if wantRaw := `"aggregations":{"bytes":{"small":2,"big":4},"resource_type":{"image":3,"raw":1,"video":2}}`; a.status != 200 ||
		!strings.Contains(a.raw, wantRaw) {
		t.Errorf("GET: %d %s\nwant %s", a.status, a.raw, wantRaw)
	}
}

// Refusals of aggregate, each naming what is wrong, through the Go SDK
// (names) and raw JSON bodies (range objects).
func TestSearchAggregateErrors(t *testing.T) {
	o := startOrigin(t, nil)
	for _, c := range []struct{ aggregate []string }{{[]string{"width"}}, {[]string{"format", "size"}}} {
		res, err := o.Cld.Admin.Search(context.Background(), search.Query{Aggregate: c.aggregate})
		want := "Unsupported aggregation - " + c.aggregate[len(c.aggregate)-1] +
			" (supported: format, resource_type, type, bytes, pixels, image_pixels, video_pixels, duration)"
		if err != nil || res.Error.Message != want {
			t.Errorf("%v: %q %v, want %q", c.aggregate, res.Error.Message, err, want)
		}
	}
	bytesOf := func(ranges string) string { return `{"type":"bytes","ranges":` + ranges + `}` }
	many := strings.TrimSuffix(strings.Repeat(`{"to":1},`, 51), ",")
	for _, c := range []struct{ aggregate, want string }{
		{`"{nope"`, `Invalid aggregation - {nope (an aggregation object is {"type": "bytes", "ranges": [{"key": "small", "from": 0, "to": 1000}, ...]})`},
		{`{"ranges":[{"to":1}]}`, "Invalid aggregation - type is missing (one of bytes, pixels, image_pixels, video_pixels, duration)"},
		{`{"type":"format","ranges":[{"to":1}]}`, "Unsupported range aggregation - format (ranges count bytes, pixels, image_pixels, video_pixels, duration)"},
		{`{"type":"bytes","ranges":[{"to":1}],"field":"x"}`, "Invalid aggregation - unknown member field (an aggregation object has type and ranges)"},
		{`{"type":"bytes"}`, "Invalid aggregation - bytes: ranges must list 1 to 50 ranges"},
		{bytesOf(`[]`), "Invalid aggregation - bytes: ranges must list 1 to 50 ranges"},
		{bytesOf(`{"to":1}`), "Invalid aggregation - bytes: ranges must list 1 to 50 ranges"},
		{bytesOf(`[` + many + `]`), "Invalid aggregation - bytes: ranges must list 1 to 50 ranges"},
		{bytesOf(`[5]`), "Invalid aggregation - bytes: range 1 is not an object of key, from and to"},
		{bytesOf(`[{"to":1},{"key":"x","below":1}]`), "Invalid aggregation - bytes: range 2 has an unknown member below (a range has key, from and to)"},
		{bytesOf(`[{"key":"","to":1}]`), "Invalid aggregation - bytes: range 1 has an empty key"},
		{bytesOf(`[{"key":5,"to":1}]`), "Invalid aggregation - bytes: range 1 has a key that is not text: 5"},
		{bytesOf(`[{"key":"` + strings.Repeat("k", 65) + `","to":1}]`), "Invalid aggregation - bytes: range 1 has a key longer than 64 characters"},
		{bytesOf(`[{"key":"a","to":1},{"key":"a","from":1}]`), "Invalid aggregation - bytes: key a is given twice"},
		{bytesOf(`[{"to":1},{"to":1}]`), "Invalid aggregation - bytes: key *-1 is given twice"},
		{bytesOf(`[{"from":"abc"}]`), `Invalid aggregation - bytes: range 1 has a from that is not a number: "abc"`},
		{bytesOf(`[{"to":true}]`), `Invalid aggregation - bytes: range 1 has a to that is not a number: true`},
		{bytesOf(`[{"from":1e400}]`), "Invalid aggregation - bytes: range 1 has a from that is not a finite number: 1e400"},
		{bytesOf(`[{"from":5,"to":5}]`), "Invalid aggregation - bytes: range 1 has from 5 not below to 5"},
		{bytesOf(`[{"to":1},{"from":10.5,"to":2}]`), "Invalid aggregation - bytes: range 2 has from 10.5 not below to 2"},
		{bytesOf(`[{"to":1}]`) + `,"bytes"`, "Invalid aggregation - bytes is given twice"},
		{`"pixels",{"type":"pixels","ranges":[{"to":1}]}`, "Invalid aggregation - pixels is given twice"},
	} {
		a := adminDo(t, o, http.MethodPost, "resources/search", "application/json", `{"aggregate":[`+c.aggregate+`]}`)
		if msg, _ := a.body["error"].(map[string]any)["message"].(string); a.status != 400 || msg != c.want {
			t.Errorf("%s: %d %s\nwant %q", c.aggregate, a.status, a.raw, c.want)
		}
	}
	// A name given twice counts once.
	a := adminDo(t, o, http.MethodPost, "resources/search", "application/json", `{"aggregate":["bytes","bytes"]}`)
	if a.status != 200 || strings.Count(a.raw, `"bytes":{`) != 1 {
		t.Errorf("bytes twice: %d %s", a.status, a.raw)
	}
}

// The official Node SDK's search builder passes a range aggregation
// object through as it is (test/node/search_aggregate.js).
func TestNodeSDKSearchAggregate(t *testing.T) {
	o := startOrigin(t, nil)
	seedAggregated(t, o)
	runNode(t, "search_aggregate.js", o.URL, testkit.Dir(t))
}
