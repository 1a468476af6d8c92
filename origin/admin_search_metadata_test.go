package origin_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/admin/search"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// metadata.<external_id> in search expressions through the Go SDK, on
// both metadata stores: each field type compared as its type (strings
// exact and by prefix, integers and dates compared and in ranges, enum
// and set entries by their external IDs), with_field metadata answering
// the values of the fields that exist, an unknown field refused with its
// position, and a deleted field no longer searchable.
func TestGoSDKSearchMetadata(t *testing.T) { forEachMetaStore(t, testGoSDKSearchMetadata) }

func testGoSDKSearchMetadata(t *testing.T, o *testOrigin) {
	ctx := context.Background()
	setDemoFields(t, o) // alt (string), size (integer), shot (date), mood (enum), colors (set)
	file := testkit.Path(t, "rocket.jpg")
	for _, a := range []struct {
		id string
		md api.Metadata
	}{
		{"m/one", api.Metadata{"alt": "A cat", "size": 12, "shot": "2024-02-29", "mood": "calm", "colors": []string{"green", "blue"}}},
		{"m/two", api.Metadata{"alt": "A dog", "size": 40, "shot": "2025-06-01", "mood": "wild"}},
		{"m/three", api.Metadata{"alt": "Bird", "size": 25, "colors": []string{"blue"}}},
	} {
		up, err := o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: a.id, Metadata: a.md})
		if msg := sdkFailure(err, up); msg != "" {
			t.Fatal(msg)
		}
	}
	uploadAs(t, o, "chelsea.png", "m/plain") // colors: red, the default
	find := func(expr string) string {
		t.Helper()
		res, err := o.Cld.Admin.Search(ctx, search.Query{Expression: expr, SortBy: []search.SortByField{{"public_id": search.Ascending}}})
		if err != nil || res.Error.Message != "" {
			t.Fatalf("%s: %+v %v", expr, res.Error, err)
		}
		var out []string
		for _, a := range res.Assets {
			out = append(out, a.PublicID)
		}
		if res.TotalCount != len(out) {
			t.Errorf("%s: total_count %d for %d", expr, res.TotalCount, len(out))
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct{ expr, want string }{
		{`metadata.alt="A cat"`, "m/one"},
		{`metadata.alt="A*"`, "m/one m/two"}, // a whole-value prefix
		{"metadata.alt:ca*", "m/one"},        // a word prefix (words need 2 characters before *)
		{"metadata.size>20", "m/three m/two"},
		{"metadata.size:[12 TO 25}", "m/one"},
		{"metadata.size<=12 OR metadata.size>=40", "m/one m/two"},
		{"metadata.shot:2024-02-29", "m/one"},
		{"metadata.shot>2024-12-31", "m/two"},
		{"metadata.shot:[2024-01-01 TO 2026-01-01]", "m/one m/two"},
		{"metadata.mood:wild", "m/two"},
		{"metadata.colors:blue", "m/one m/three"},
		{"metadata.colors:red", "m/plain m/two"}, // the default of a mandatory field
		{"metadata.colors:blue AND NOT metadata.mood:calm", "m/three"},
		{"NOT metadata.colors:red AND folder:m", "m/one m/three"},
		{"folder:m AND metadata.size>0 AND format:jpg", "m/one m/three m/two"},
	} {
		if got := find(c.expr); got != c.want {
			t.Errorf("%s = %q, want %q", c.expr, got, c.want)
		}
	}

	// with_field metadata: the values, as details show them.
	res, err := o.Cld.Admin.Search(ctx, search.Query{Expression: "metadata.mood:calm", WithField: []string{"metadata"}})
	if err != nil || res.Error.Message != "" || len(res.Assets) != 1 {
		t.Fatalf("with_field metadata: %+v %v", res, err)
	}
	raw := (*res.Response.(*map[string]any))["resources"].([]any)[0].(map[string]any)["metadata"]
	if fmt.Sprint(raw) != "map[alt:A cat colors:[green blue] mood:calm shot:2024-02-29 size:12]" {
		t.Errorf("with_field metadata: %v", raw)
	}

	// A name that is no field; then a deleted field, gone from the index
	// and the answers.
	res, err = o.Cld.Admin.Search(ctx, search.Query{Expression: "format:jpg AND metadata.colour:blue"})
	want := `Search expression error at 15: unknown metadata field metadata.colour (no structured metadata field has the external ID "colour")`
	if err != nil || res.Error.Message != want {
		t.Errorf("unknown field: %q %v", res.Error.Message, err)
	}
	del, err := o.Cld.Admin.DeleteMetadataField(ctx, admin.DeleteMetadataFieldParams{FieldExternalID: "mood"})
	if err != nil || del.Error.Message != "" {
		t.Fatalf("delete mood: %+v %v", del, err)
	}
	res, err = o.Cld.Admin.Search(ctx, search.Query{Expression: "metadata.mood:calm"})
	if err != nil || !strings.Contains(res.Error.Message, "unknown metadata field metadata.mood") {
		t.Errorf("deleted field: %+v %v", res.Error, err)
	}
	res, err = o.Cld.Admin.Search(ctx, search.Query{Expression: "public_id=m/one", WithField: []string{"metadata"}})
	if err != nil || len(res.Assets) != 1 {
		t.Fatalf("after the delete: %+v %v", res, err)
	}
	raw = (*res.Response.(*map[string]any))["resources"].([]any)[0].(map[string]any)["metadata"]
	if fmt.Sprint(raw) != "map[alt:A cat colors:[green blue] shot:2024-02-29 size:12]" {
		t.Errorf("with_field metadata after the delete: %v", raw)
	}
}
