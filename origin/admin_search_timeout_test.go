package origin_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api/admin/search"
	"github.com/mediacdn/mediacdn/origin"
)

// A search past search_timeout (here one that cannot start in time)
// answers 400 Search timed out, the Search API's (Go SDK) and the folders'
// search alike; a word prefix of one character is refused with its
// position.
func TestSearchTimeout(t *testing.T) {
	o := startOrigin(t, func(c *origin.Config) { c.SearchTimeout = time.Nanosecond })
	ctx := context.Background()
	res, err := o.Cld.Admin.Search(ctx, search.Query{Expression: "tags:shoes"})
	if err != nil || res.Error.Message != "Search timed out - narrow the expression" {
		t.Errorf("search: %+v %v", res.Error, err)
	}
	a := adminGet(t, o, "folders/search?"+url.Values{"expression": {"name:hats"}}.Encode())
	if a.status != http.StatusBadRequest || a.errorMessage() != "Search timed out - narrow the expression" {
		t.Errorf("folders: %d %s", a.status, a.raw)
	}

	o = startOrigin(t, nil)
	res, err = o.Cld.Admin.Search(ctx, search.Query{Expression: "tags:shoes"})
	if err != nil || res.Error.Message != "" {
		t.Errorf("search within the default bound: %+v %v", res.Error, err)
	}
	res, err = o.Cld.Admin.Search(ctx, search.Query{Expression: "tags:shoes AND s*"})
	if err != nil || res.Error.Message != `Search expression error at 15: prefix "s*" is too short - a word prefix needs at least 2 letters or digits before *` {
		t.Errorf("a short prefix: %+v %v", res.Error, err)
	}
}
