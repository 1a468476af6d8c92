package origin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// The library's bulk form deletes every asset matching its search, a
// Search API page (100 assets, an Admin delete by public_ids) a chunk,
// or only their derived images (the assets then stay and the search's
// cursor moves on); a search matching more than 10,000 assets is
// refused, deleting nothing.
func TestConsoleBulkSearch(t *testing.T) {
	o := startOrigin(t, nil)
	sale := func(i int, a *meta.Asset) {
		if i%2 == 0 {
			a.Tags = []string{"sale"}
		}
	}
	seedAssets(t, o, "s/", 250, sale)
	seedAssets(t, o, "keep/", 4, sale)
	c := newConsoleClient(t, o)
	c.mustSignIn()
	lib := c.do(http.MethodGet, "/console/library?"+url.Values{"rt": {"raw"}, "prefix": {"s/"}, "q": {"tags:sale"}}.Encode(), nil)
	if lib.status != http.StatusOK || !strings.Contains(lib.body, `value="search" id="scope-search"> Every asset matching the search (125)`) {
		t.Fatalf("library: %d %s", lib.status, lib.body)
	}
	form := url.Values{"csrf": {lib.csrf(t)}, "rt": {"raw"}, "type": {"upload"}, "scope": {"search"}, "prefix": {"s/"},
		"q": {"tags:sale"}, "tag": {""}, "format": {""}, "deleted": {"0"}, "calls": {"0"}}
	type chunk struct {
		Deleted    int    `json:"deleted"`
		Partial    bool   `json:"partial"`
		NextCursor string `json:"next_cursor"`
		Done       string `json:"done"`
	}
	// run sends chunks until the last, as the page's script does.
	run := func(action string) []chunk {
		t.Helper()
		form.Set("action", action)
		form.Del("next_cursor")
		var out []chunk
		deleted := 0
		for len(out) < 10 {
			form.Set("deleted", strconv.Itoa(deleted))
			form.Set("calls", strconv.Itoa(len(out)))
			a := c.do(http.MethodPost, "/console/bulk.json", form)
			var ch chunk
			if err := json.Unmarshal([]byte(a.body), &ch); err != nil || a.status != http.StatusOK {
				t.Fatalf("bulk.json %s: %d %s", action, a.status, a.body)
			}
			out = append(out, ch)
			deleted += ch.Deleted
			if !ch.Partial {
				return out
			}
			form.Set("next_cursor", ch.NextCursor)
		}
		t.Fatalf("bulk.json %s: no last chunk after %d", action, len(out))
		return nil
	}
	derived := run("derived")
	if len(derived) != 2 || !strings.Contains(derived[1].Done, "matching the search in 2 chunk(s)") {
		t.Fatalf("derived images only: %+v", derived)
	}
	if n := len(ids(t, adminGet(t, o, "resources/raw/upload?prefix=s/&max_results=500"))); n != 250 {
		t.Fatalf("%d assets under s/ after deleting derived images only, want 250", n)
	}
	del := run("delete")
	if len(del) != 2 || del[0].Deleted != 100 || del[1].Deleted != 25 || del[1].Done != "Deleted 125 assets matching the search in 2 chunk(s)" {
		t.Fatalf("delete: %+v", del)
	}
	left := ids(t, adminGet(t, o, "resources/raw/upload?prefix=s/&max_results=500"))
	if len(left) != 125 || left[0] != "s/00001" {
		t.Fatalf("after the deletion, %d assets under s/ (first %v), want the 125 untagged", len(left), left[:min(1, len(left))])
	}
	if n := len(ids(t, adminGet(t, o, "resources/raw/upload?prefix=keep/"))); n != 4 {
		t.Fatalf("%d assets under keep/, want 4", n)
	}
	// Without the page's script, one request does every chunk.
	form.Set("q", "public_id:s/000*")
	form.Set("action", "delete")
	form.Del("next_cursor")
	a := c.do(http.MethodPost, "/console/bulk", form)
	if loc := a.header.Get("Location"); a.status != http.StatusSeeOther || !strings.Contains(loc, url.QueryEscape("Deleted 50 assets matching the search in 1 chunk(s)")) {
		t.Fatalf("bulk without script: %d %s %s", a.status, loc, a.body)
	}
	// A search is required; one matching more than 10,000 is refused.
	form.Set("q", "")
	if a := c.do(http.MethodPost, "/console/bulk.json", form); a.status != http.StatusBadRequest || !strings.Contains(a.body, "Missing search") {
		t.Fatalf("bulk by search without a search: %d %s", a.status, a.body)
	}
	seedBlobless(t, o, "big/", 10001)
	form.Set("prefix", "big/")
	form.Set("q", "bytes>0")
	a = c.do(http.MethodPost, "/console/bulk.json", form)
	if a.status != http.StatusBadRequest || !strings.Contains(a.body, "10001 assets match the search - a bulk deletion takes at most 10000") {
		t.Fatalf("a search of 10,001 assets: %d %s", a.status, a.body)
	}
	if n := len(ids(t, adminGet(t, o, "resources/raw/upload?prefix=big/&max_results=10"))); n != 10 {
		t.Fatalf("%d assets under big/ after the refusal", n)
	}
}

// seedBlobless stores n raw assets "<prefix><i>" in the store without a
// blob: enough for searches and listings, quicker than seedAssets.
func seedBlobless(t *testing.T, o *testOrigin, prefix string, n int) {
	t.Helper()
	now := time.Now().UTC()
	var batch []*meta.Asset
	for i := range n {
		id := fmt.Sprintf("%s%05d", prefix, i)
		batch = append(batch, &meta.Asset{Key: meta.Key{Cloud: cloudName, ResourceType: delivery.Raw, Type: delivery.Upload, PublicID: id},
			AssetID: fmt.Sprintf("%032x", i), VersionID: "v", Bytes: 7, ETag: "e", CreatedAt: now, UpdatedAt: now, DisplayName: id})
		if len(batch) == 1000 || i == n-1 {
			if err := o.Store.Meta.Import(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
}
