package app

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2"
	"github.com/cloudinary/cloudinary-go/v2/api/admin/search"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Search URLs end to end: the official Node SDK's search.to_url builds
// them on the edge's address and fetches them through a real edge and
// origin (test/node/search_url.js): answers equal to the Admin API's
// search, page by page; the second fetch an edge hit; tampered
// signatures, bad ttls, junk queries and forged cursors refused.
func TestNodeSDKSearchURLThroughEdge(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{})
	for _, id := range []string{"sq/a", "sq/b", "sq/c"} {
		call(t, c, "upload", map[string]string{"public_id": id, "tags": "sq"}, "rocket.jpg")
	}
	call(t, c, "upload", map[string]string{"public_id": "other/d"}, "rocket.jpg")
	testkit.RunNodeSDK(t, "search_url.js", "MEDIACDN_API="+c.OriginURL,
		"MEDIACDN_EDGE="+strings.TrimPrefix(c.EdgeURLs[0], "http://"))
}

// The Go SDK's SearchURL (asset.SearchURLAsset.ToURL) on the edge's
// address (CName, Secure false): its first page and the next one through
// the edge answer what the Admin API answers to the query the URL carries,
// and a second fetch is a hit; a cloud-wide purge drops them.
func TestGoSDKSearchURLThroughEdge(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{})
	for _, id := range []string{"sq/a", "sq/b", "sq/c"} {
		call(t, c, "upload", map[string]string{"public_id": id}, "rocket.jpg")
	}
	cld, err := cloudinary.NewFromURL("cloudinary://demo_key:demo_secret@demo?upload_prefix=" + c.OriginURL + "&analytics=false")
	if err != nil {
		t.Fatal(err)
	}
	cld.Config.URL.Secure, cld.Config.URL.CName = false, strings.TrimPrefix(c.EdgeURLs[0], "http://")
	su, err := cld.SearchURL(search.Query{Expression: "folder:sq", SortBy: []search.SortByField{{"public_id": search.Ascending}},
		MaxResults: 2})
	if err != nil {
		t.Fatal(err)
	}
	cursor, first := "", ""
	for page := 1; page <= 2; page++ {
		u, err := su.ToURL(90, cursor)
		if err != nil || !strings.HasPrefix(u, c.EdgeURLs[0]+"/demo/search/") {
			t.Fatalf("ToURL: %q %v", u, err)
		}
		if page == 1 {
			first = u
		}
		got := testkit.Get(t, u)
		if got.Status != 200 || got.Header.Get("Cache-Status") != "mediacdn; fwd=miss; stored" {
			t.Fatalf("page %d: %d %q %s", page, got.Status, got.Header.Get("Cache-Status"), got.Body)
		}
		if again := testkit.Get(t, u); again.Header.Get("Cache-Status") != "mediacdn; hit" || string(again.Body) != string(got.Body) {
			t.Fatalf("page %d again: %q", page, again.Header.Get("Cache-Status"))
		}
		// The Admin API's answer to the query the URL carries.
		q, err := base64.StdEncoding.DecodeString(strings.Split(u, "/")[7])
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		json.Unmarshal(q, &body)
		if cursor != "" {
			body["next_cursor"] = cursor
		}
		q, _ = json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, c.OriginURL+"/v1_1/demo/resources/search",
			strings.NewReader(string(q)))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth("demo_key", "demo_secret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var g, w map[string]any
		err = json.NewDecoder(resp.Body).Decode(&w)
		resp.Body.Close()
		if err != nil || json.Unmarshal(got.Body, &g) != nil {
			t.Fatalf("page %d: %s / %v", page, got.Body, err)
		}
		delete(g, "time")
		delete(w, "time")
		gb, _ := json.Marshal(g)
		wb, _ := json.Marshal(w)
		if string(gb) != string(wb) {
			t.Fatalf("page %d:\n got %s\nwant %s", page, gb, wb)
		}
		cursor, _ = g["next_cursor"].(string)
		if n := len(g["resources"].([]any)); page == 1 && (n != 2 || cursor == "") || page == 2 && (n != 1 || cursor != "") {
			t.Fatalf("page %d: %s", page, gb)
		}
	}
	// A cloud-wide purge (invalidations all=true) drops search answers.
	if out, err := adminPurge(t, c.OriginURL, url.Values{"all": {"true"}}); err != nil {
		t.Fatalf("purge: %v %s", err, out)
	}
	testkit.Eventually(t, testkit.Timeout, "the search URL purged", func() bool {
		return testkit.Get(t, first).Header.Get("Cache-Status") == "mediacdn; fwd=miss; stored"
	})
}
