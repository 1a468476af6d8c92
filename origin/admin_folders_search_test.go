package origin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/admin/search"
)

// The Search Folders API through the Go SDK, on both metadata stores:
// the SDK suite's call (path=), names, path prefixes, external IDs,
// orders, paging through signed cursors, the GET form, and the errors.
func TestGoSDKSearchFolders(t *testing.T) { forEachMetaStore(t, testGoSDKSearchFolders) }

func testGoSDKSearchFolders(t *testing.T, o *testOrigin) {
	ctx := context.Background()
	for _, f := range []string{"shop/shoes/red", "shop/hats", "archive/shoes"} {
		res, err := o.Cld.Admin.CreateFolder(ctx, admin.CreateFolderParams{Folder: f})
		if err != nil || !res.Success {
			t.Fatalf("create %s: %+v %v", f, res, err)
		}
	}
	// The SDK suite's TestSearchFolders_SearchQuery.
	res, err := o.Cld.Admin.SearchFolders(ctx, search.Query{Expression: "path=shop/hats", MaxResults: 1})
	if err != nil || res.Error.Message != "" || res.TotalCount != 1 || len(res.Folders) != 1 {
		t.Fatalf("path=shop/hats: %+v %v", res, err)
	}
	if f := res.Folders[0]; f.Name != "hats" || f.Path != "shop/hats" || len(f.ExternalID) != 32 || f.CreatedAt.IsZero() {
		t.Errorf("folder: %+v", f)
	}
	hats := res.Folders[0].ExternalID
	paths := func(q search.Query) string {
		t.Helper()
		var out []string
		total := -1
		for pages := 0; pages < 20; pages++ {
			res, err := o.Cld.Admin.SearchFolders(ctx, q)
			if err != nil || res.Error.Message != "" {
				t.Fatalf("%+v: %+v %v", q, res.Error, err)
			}
			if total < 0 {
				total = res.TotalCount
			} else if res.TotalCount != total {
				t.Errorf("%+v: total_count %d then %d", q, total, res.TotalCount)
			}
			for _, f := range res.Folders {
				out = append(out, f.Path)
			}
			if res.NextCursor == "" {
				break
			}
			q.NextCursor = res.NextCursor
		}
		if total != len(out) {
			t.Errorf("%+v: total_count %d for %d", q, total, len(out))
		}
		return strings.Join(out, " ")
	}
	byPath := []search.SortByField{{"path": search.Ascending}}
	for _, c := range []struct {
		q    search.Query
		want string
	}{
		{search.Query{SortBy: byPath}, "archive archive/shoes shop shop/hats shop/shoes shop/shoes/red"},
		{search.Query{SortBy: byPath, MaxResults: 2}, "archive archive/shoes shop shop/hats shop/shoes shop/shoes/red"},
		{search.Query{Expression: "name:shoes", SortBy: byPath}, "archive/shoes shop/shoes"},
		{search.Query{Expression: "path:shop/*", SortBy: []search.SortByField{{"path": search.Descending}}, MaxResults: 1}, "shop/shoes/red shop/shoes shop/hats"},
		{search.Query{Expression: "id:" + hats + " OR name:red", SortBy: byPath}, "shop/hats shop/shoes/red"},
		{search.Query{Expression: "created_at>1d AND NOT path:shop*", SortBy: []search.SortByField{{"name": search.Ascending}, {"path": search.Descending}}}, "archive archive/shoes"},
	} {
		if got := paths(c.q); got != c.want {
			t.Errorf("%+v = %q, want %q", c.q, got, c.want)
		}
	}
	// GET with a query.
	a := adminGet(t, o, "folders/search?"+url.Values{"expression": {"name:hats"}}.Encode())
	if a.status != 200 || !strings.Contains(a.raw, `"path":"shop/hats"`) {
		t.Errorf("GET: %d %s", a.status, a.raw)
	}
	for _, c := range []struct {
		q    search.Query
		want string
	}{
		{search.Query{Expression: "tags:x"}, "Search expression error at 0: unsupported field tags (folders are searched by name, path, external_id and created_at)"},
		{search.Query{Expression: "name:(a"}, "Search expression error at 7: expected ) to close the ( at 5, found end of expression"},
		{search.Query{SortBy: []search.SortByField{{"bytes": search.Ascending}}}, "Unsupported sort_by field - bytes"},
		{search.Query{NextCursor: "nonsense"}, "Invalid next_cursor - nonsense"},
	} {
		res, err := o.Cld.Admin.SearchFolders(ctx, c.q)
		if err != nil || res.Error.Message != c.want {
			t.Errorf("%+v: %q %v, want %q", c.q, res.Error.Message, err, c.want)
		}
	}
	// A cursor of another expression is refused.
	first, _ := o.Cld.Admin.SearchFolders(ctx, search.Query{MaxResults: 1})
	other, err := o.Cld.Admin.SearchFolders(ctx, search.Query{Expression: "name:shoes", NextCursor: first.NextCursor})
	if err != nil || first.NextCursor == "" || !strings.HasPrefix(other.Error.Message, "Invalid next_cursor") {
		t.Errorf("another search's cursor: %+v %v", other.Error, err)
	}
	a = adminDo(t, o, http.MethodPost, "folders/search", "application/json", `{"max_results":-1}`)
	if a.status != 400 {
		t.Errorf("max_results -1: %d %s", a.status, a.raw)
	}
}
