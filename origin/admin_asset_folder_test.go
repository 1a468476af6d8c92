package origin_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// resources/by_asset_folder answers total_count, as Cloudinary: the
// folder's assets of every resource type (not its subfolders'), the same
// on every page.
func TestByAssetFolderTotalCount(t *testing.T) {
	o := startOrigin(t, nil)
	folders := []string{"shelf", "shelf", "shelf", "shelf/sub", "other", "other"}
	seedAssets(t, o, "a", len(folders), func(i int, a *meta.Asset) {
		a.AssetFolder = folders[i]
		if i == 2 {
			a.ResourceType = delivery.Raw
		}
	})
	first := adminGet(t, o, "resources/by_asset_folder?asset_folder=shelf&max_results=2")
	if first.status != 200 || first.body["total_count"] != 3.0 || len(first.body["resources"].([]any)) != 2 {
		t.Fatalf("first page: %d %s", first.status, first.raw)
	}
	cursor, _ := first.body["next_cursor"].(string)
	next := adminGet(t, o, "resources/by_asset_folder?asset_folder=shelf&max_results=2&next_cursor="+url.QueryEscape(cursor))
	if next.status != 200 || next.body["total_count"] != 3.0 || len(next.body["resources"].([]any)) != 1 {
		t.Fatalf("second page: %d %s", next.status, next.raw)
	}
	for folder, want := range map[string]float64{"/shelf/sub/": 1, "other": 2, "none": 0} {
		a := adminGet(t, o, "resources/by_asset_folder?asset_folder="+url.QueryEscape(folder))
		if a.status != 200 || a.body["total_count"] != want {
			t.Errorf("%s: %d %s, want total_count %v", folder, a.status, a.raw, want)
		}
	}
}

// The count is bounded by search_timeout: past it the page is listed
// without a total_count rather than held.
func TestByAssetFolderCountBounded(t *testing.T) {
	o := startOrigin(t, func(c *origin.Config) { c.SearchTimeout = time.Nanosecond })
	seedAssets(t, o, "a", 3, func(i int, a *meta.Asset) { a.AssetFolder = "shelf" })
	a := adminGet(t, o, "resources/by_asset_folder?asset_folder=shelf")
	if _, counted := a.body["total_count"]; a.status != 200 || counted || len(a.body["resources"].([]any)) != 3 {
		t.Fatalf("%d %s", a.status, a.raw)
	}
}
