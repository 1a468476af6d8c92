package origin_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin/search"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/internal/testservers"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// forEachMetaStore runs test on an origin whose metadata is in SQLite,
// then on one whose metadata is in PostgreSQL (a server of its own,
// stopped at the end).
func forEachMetaStore(t *testing.T, test func(t *testing.T, o *testOrigin)) {
	t.Run("sqlite", func(t *testing.T) { test(t, startOrigin(t, nil)) })
	t.Run("postgres", func(t *testing.T) {
		srv, err := testservers.NewPostgresServer()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Stop() })
		pg := srv.Database(t)
		test(t, startOrigin(t, func(c *origin.Config) { c.MetadataURL = pg.URL }))
	})
}

// The Search API through the Go SDK's search builder, on both metadata
// stores: expressions, fields and with_field, several sort keys, paging
// through every page, aggregations, and the errors.
func TestGoSDKSearch(t *testing.T) { forEachMetaStore(t, testGoSDKSearch) }

func testGoSDKSearch(t *testing.T, o *testOrigin) {
	ctx := context.Background()
	rocket, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "shots/rocket",
		Tags: api.CldAPIArray{"space", "red"}, Context: api.CldAPIMap{"alt": "A rocket"}})
	if msg := sdkFailure(err, rocket); msg != "" {
		t.Fatal(msg)
	}
	cat := uploadAs(t, o, "chelsea.png", "shots/cat")
	uploadAs(t, o, "coffee.png", "coffee")
	// 23 raw files tagged bulk, every third also odd.
	seedAssets(t, o, "bulk/", 23, func(i int, a *meta.Asset) {
		a.Tags = []string{"bulk"}
		if i%3 == 0 {
			a.Tags = append(a.Tags, "odd")
		}
		a.Bytes = int64(100 + i%5)
	})

	// The SDK suite's TestSearch_SearchQuery.
	res, err := o.Cld.Admin.Search(ctx, search.Query{Expression: "format:png",
		WithField:  []string{search.TagsField, search.ContextField, search.ImageMetadataField, search.ImageAnalysisField},
		SortBy:     []search.SortByField{{"created_at": search.Descending}},
		Fields:     []string{"tags", "secure_url"},
		MaxResults: 2})
	if err != nil || res.Error.Message != "" || res.TotalCount != 2 || len(res.Assets) != 2 {
		t.Fatalf("format:png: %+v %v", res, err)
	}
	r := res.Assets[1]
	check(t, "fields", map[string]bool{
		"asset_id":              r.AssetID == cat.AssetID,
		"public_id":             r.PublicID == "shots/cat",
		"folder":                r.Folder == "shots",
		"secure_url":            r.SecureURL == cat.SecureURL,
		"no url":                r.URL == "",
		"no bytes":              r.Bytes == 0,
		"tags":                  r.Tags != nil && len(r.Tags) == 0,
		"image_metadata":        r.ImageMetadata != nil,
		"image_analysis colors": len(r.ImageAnalysis.Colors) > 0,
	})

	// Every field of an asset, with_field tags and context.
	res, err = o.Cld.Admin.Search(ctx, search.Query{Expression: `tags:red AND context.alt:"A rocket"`,
		WithField: []string{search.TagsField, search.ContextField}})
	if err != nil || res.TotalCount != 1 || len(res.Assets) != 1 || res.NextCursor != "" {
		t.Fatalf("tags:red: %+v %v", res, err)
	}
	r = res.Assets[0]
	check(t, "asset", map[string]bool{
		"asset_id":      r.AssetID == rocket.AssetID,
		"public_id":     r.PublicID == "shots/rocket",
		"folder":        r.Folder == "shots",
		"filename":      r.Filename == "rocket",
		"format":        r.Format == "jpg",
		"version":       r.Version == rocket.Version,
		"resource_type": r.ResourceType == "image",
		"type":          r.Type == "upload",
		"created_at":    r.CreatedAt.Equal(rocket.CreatedAt),
		"uploaded_at":   r.UploadedAt.Unix() == int64(rocket.Version),
		"bytes":         r.Bytes == rocket.Bytes,
		"width":         r.Width == 640,
		"height":        r.Height == 427,
		"aspect_ratio":  r.AspectRatio > 1.49 && r.AspectRatio < 1.5,
		"pixels":        r.Pixels == 640*427,
		"url":           r.URL == rocket.URL,
		"secure_url":    r.SecureURL == rocket.SecureURL,
		"status":        r.Status == "active",
		"access_mode":   r.AccessMode == "public",
		"etag":          r.Etag == rocket.Etag,
		"tags":          strings.Join(r.Tags, ",") == "space,red",
		"context":       r.Context["alt"] == "A rocket",
	})

	// Expressions.
	for expr, want := range map[string]string{
		"resource_type:image AND folder:shots":                 "shots/cat shots/rocket",
		"public_id:shots/* OR public_id=coffee":                "coffee shots/cat shots/rocket",
		"format:png -public_id:coffee":                         "shots/cat",
		"width>=451 AND height<=400 AND NOT tags:space":        "coffee shots/cat",
		"tags:odd AND bytes:[101 TO 103]":                      "bulk/00003 bulk/00006 bulk/00012 bulk/00018 bulk/00021",
		"uploaded_at>1d AND tags:(space OR odd) AND bytes>103": "bulk/00009 shots/rocket",
		"uploaded_at<1d":                                       "",
	} {
		res, err := o.Cld.Admin.Search(ctx, search.Query{Expression: expr, MaxResults: 100,
			SortBy: []search.SortByField{{"public_id": search.Ascending}}})
		if err != nil || res.Error.Message != "" {
			t.Fatalf("%s: %+v %v", expr, res, err)
		}
		var got []string
		for _, a := range res.Assets {
			got = append(got, a.PublicID)
		}
		if strings.Join(got, " ") != want || res.TotalCount != len(got) {
			t.Errorf("%s: %q (total %d), want %q", expr, got, res.TotalCount, want)
		}
	}

	// Every page, in two orders: bytes descending, then public ID.
	want := []string{}
	for _, b := range []int{104, 103, 102, 101, 100} {
		for i := 0; i < 23; i++ {
			if 100+i%5 == b {
				want = append(want, fmt.Sprintf("bulk/%05d", i))
			}
		}
	}
	q := search.Query{Expression: "tags:bulk", MaxResults: 4,
		SortBy: []search.SortByField{{"bytes": search.Descending}, {"public_id": search.Ascending}}}
	var got []string
	for pages := 1; ; pages++ {
		res, err := o.Cld.Admin.Search(ctx, q)
		if err != nil || res.Error.Message != "" || res.TotalCount != 23 {
			t.Fatalf("page %d: %+v %v", pages, res, err)
		}
		for _, a := range res.Assets {
			got = append(got, a.PublicID)
		}
		if res.NextCursor == "" {
			if pages != 6 {
				t.Errorf("%d pages", pages)
			}
			break
		}
		if pages > 10 {
			t.Fatal("no end")
		}
		q.NextCursor = res.NextCursor
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged: %q\nwant %q", got, want)
	}

	// A cursor of another search (another order) is refused, and so is
	// one changed by hand (its position, its total, or its signature).
	other, err := o.Cld.Admin.Search(ctx, search.Query{Expression: "tags:bulk", NextCursor: q.NextCursor})
	if err != nil || !strings.HasPrefix(other.Error.Message, "Invalid next_cursor") {
		t.Errorf("foreign cursor: %+v %v", other.Error, err)
	}
	enc, mac, _ := strings.Cut(q.NextCursor, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(enc)
	forged := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), `\"t\":23`, `\"t\":99`, 1)))
	if forged == enc {
		t.Fatalf("cursor without its total: %s", raw)
	}
	for _, cur := range []string{forged + "." + mac, enc + "." + mac[:len(mac)-2] + "AA", enc} {
		q.NextCursor = cur
		res, err := o.Cld.Admin.Search(ctx, q)
		if err != nil || !strings.HasPrefix(res.Error.Message, "Invalid next_cursor") {
			t.Errorf("tampered cursor %s: %+v %v", cur, res.Error, err)
		}
	}

	// Default: newest first, 50 at most.
	res, err = o.Cld.Admin.Search(ctx, search.Query{})
	if err != nil || res.TotalCount != 26 || len(res.Assets) != 26 || res.Assets[25].PublicID != "shots/rocket" {
		t.Fatalf("all: %d %d %v", res.TotalCount, len(res.Assets), err)
	}

	// Aggregations (raw: the SDK's SearchResult has no field for them),
	// and the GET form with a query.
	a := adminDo(t, o, http.MethodPost, "resources/search", "application/json",
		`{"expression":"resource_type:image OR tags:odd","aggregate":["format","type","resource_type"],"max_results":1}`)
	if a.status != 200 || fmt.Sprint(a.body["aggregations"]) !=
		"map[format:map[:8 jpg:1 png:2] resource_type:map[image:3 raw:8] type:map[upload:11]]" {
		t.Errorf("aggregations: %d %s", a.status, a.raw)
	}
	a = adminGet(t, o, "resources/search?"+url.Values{"expression": {"public_id:shots/*"},
		"sort_by": {"public_id:desc"}, "fields": {"format"}}.Encode())
	if a.status != 200 || strings.Join(ids(t, a), " ") != "shots/rocket shots/cat" {
		t.Errorf("GET: %d %s", a.status, a.raw)
	}
	// fields: what is named, and what Cloudinary always adds.
	if res, _ := a.body["resources"].([]any); len(res) > 0 {
		r, _ := res[0].(map[string]any)
		keys := slices.Sorted(maps.Keys(r))
		if strings.Join(keys, " ") != "asset_id created_at folder format public_id resource_type status type" {
			t.Errorf("fields=format: keys %v", keys)
		}
	}
}

// Errors of the Search API: the expression's, with its position, and the
// parameters'.
func TestSearchErrors(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	for _, c := range []struct {
		q    search.Query
		want string
	}{
		{search.Query{Expression: "tags:shirt AND metadata.color:red"},
			`Search expression error at 15: unknown metadata field metadata.color (no structured metadata field has the external ID "color")`},
		{search.Query{Expression: "tags:shirt AND (format:png"}, "Search expression error at 26: expected ) to close the ( at 15, found end of expression"},
		{search.Query{Expression: `shirt AND "--"`}, `Search expression error at 10: quoted term "--" has no word to search (letters or digits)`},
		{search.Query{Expression: "filename=ro*"}, "Search expression error at 0: filename takes no wildcard (search public_id:<prefix>* instead)"},
		{search.Query{SortBy: []search.SortByField{{"colour": search.Ascending}}}, "Unsupported sort_by field - colour"},
		{search.Query{SortBy: []search.SortByField{{"bytes": "sideways"}}}, "Invalid sort_by direction - sideways (must be asc or desc)"},
		{search.Query{SortBy: []search.SortByField{{"bytes": search.Ascending}, {"bytes": search.Descending}}},
			"Invalid sort_by - bytes is given twice"},
		{search.Query{SortBy: []search.SortByField{{"bytes": "asc"}, {"width": "asc"}, {"height": "asc"},
			{"public_id": "asc"}, {"created_at": "asc"}, {"format": "asc"}}}, "Invalid sort_by - at most 5 fields"},
		{search.Query{Aggregate: []string{"width"}}, "Unsupported aggregation - width (supported: format, resource_type, type, bytes, pixels, image_pixels, video_pixels, duration)"},
		{search.Query{WithField: []string{"quality_analysis"}}, "Unsupported with_field - quality_analysis (supported: tags, context, metadata, image_metadata, image_analysis)"},
		{search.Query{NextCursor: "nonsense"}, "Invalid next_cursor - nonsense"},
	} {
		res, err := o.Cld.Admin.Search(ctx, c.q)
		if err != nil || res.Error.Message != c.want {
			t.Errorf("%+v: %q %v, want %q", c.q, res.Error.Message, err, c.want)
		}
	}
	a := adminDo(t, o, http.MethodPost, "resources/search", "application/json", `{"max_results":-1}`)
	if a.status != 400 {
		t.Errorf("max_results -1: %d %s", a.status, a.raw)
	}
	a = adminDo(t, o, http.MethodDelete, "resources/search", "", "")
	if a.status != 405 {
		t.Errorf("DELETE: %d %s", a.status, a.raw)
	}
	// 600 asked for: 500 at most (one asset here).
	a = adminDo(t, o, http.MethodPost, "resources/search", "application/json", `{"max_results":600}`)
	if a.status != 200 {
		t.Errorf("max_results 600: %d %s", a.status, a.raw)
	}
}
