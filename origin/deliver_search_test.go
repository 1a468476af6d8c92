package origin_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// searchURLPath builds a search URL's path as the Node SDK's to_url does:
// the query's JSON (keys sorted: json.Marshal of a map), base64, signed
// with hex(sha256(ttl + query + secret)), the cursor after it.
func searchURLPath(t testing.TB, secret, ttl string, query map[string]any, cursor string) string {
	t.Helper()
	b, err := json.Marshal(query)
	if err != nil {
		t.Fatal(err)
	}
	q := base64.StdEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(ttl + q + secret))
	p := "/" + cloudName + "/search/" + hex.EncodeToString(sum[:]) + "/" + ttl + "/" + q
	if cursor != "" {
		p += "/" + cursor
	}
	return p
}

// searchURLAnswer is a search URL's answer from a server at base.
type searchURLAnswer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func getSearchURL(t testing.TB, base, path string) searchURLAnswer {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := searchURLAnswer{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &a.body); err != nil {
			t.Fatalf("%s: not JSON: %s", path, b)
		}
		delete(a.body, "time")
	}
	return a
}

// sameSearch compares two searches' answers without their time.
func sameSearch(t testing.TB, what string, got, want map[string]any) {
	t.Helper()
	delete(got, "time")
	delete(want, "time")
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// A search URL at the origin answers what the Admin API's search answers,
// page by page, with the ttl as max-age; a tampered or foreign signature,
// a changed ttl, a bad query or parameter are refused as
// delivery refusals are (X-Cld-Error).
func TestSearchURL(t *testing.T) {
	o := startOrigin(t, nil)
	seedAssets(t, o, "sq/", 7, func(i int, a *meta.Asset) {
		if i%2 == 0 {
			a.Tags = []string{"even"}
		}
	})
	query := map[string]any{"expression": "folder:sq", "max_results": 3, "sort_by": []map[string]string{{"public_id": "asc"}},
		"with_field": []string{"tags"}}
	path := searchURLPath(t, apiSecret, "120", query, "")
	got := getSearchURL(t, o.URL, path)
	if got.status != http.StatusOK || got.header.Get("Cache-Control") != "public, max-age=120" ||
		!strings.HasPrefix(got.header.Get("Content-Type"), "application/json") {
		t.Fatalf("search URL: %d %v %s", got.status, got.header, got.raw)
	}
	body, _ := json.Marshal(query)
	want := adminDo(t, o, http.MethodPost, "resources/search", "application/json", string(body))
	sameSearch(t, "first page", got.body, want.body)
	if got.body["total_count"] != float64(7) || len(got.body["resources"].([]any)) != 3 {
		t.Fatalf("first page: %s", got.raw)
	}
	// Every page, by the cursor in the path.
	var seen []string
	for page := 1; ; page++ {
		for _, r := range got.body["resources"].([]any) {
			seen = append(seen, r.(map[string]any)["public_id"].(string))
		}
		cursor, _ := got.body["next_cursor"].(string)
		if cursor == "" {
			break
		}
		got = getSearchURL(t, o.URL, searchURLPath(t, apiSecret, "120", query, cursor))
		if got.status != http.StatusOK {
			t.Fatalf("page %d: %d %s", page+1, got.status, got.raw)
		}
		query["next_cursor"] = cursor
		body, _ := json.Marshal(query)
		delete(query, "next_cursor")
		want := adminDo(t, o, http.MethodPost, "resources/search", "application/json", string(body))
		sameSearch(t, "next page", got.body, want.body)
	}
	if strings.Join(seen, ",") != "sq/00000,sq/00001,sq/00002,sq/00003,sq/00004,sq/00005,sq/00006" {
		t.Fatalf("pages: %v", seen)
	}

	tampered := []byte(path)
	i := len("/demo/search/")
	tampered[i] = "01"[map[bool]int{true: 1}[tampered[i] == '0']]
	good := strings.Split(path, "/") // "", demo, search, sig, ttl, query
	for _, c := range []struct {
		name, path string
		status     int
		msg        string
	}{
		{"tampered signature", string(tampered), 401, "Invalid URL signature"},
		{"another secret", searchURLPath(t, "other_secret", "120", query, ""), 401, "Invalid URL signature"},
		{"ttl changed", strings.Join([]string{"", cloudName, "search", good[3], "121", good[5]}, "/"), 401, "Invalid URL signature"},
		{"zero ttl", searchURLPath(t, apiSecret, "0", query, ""), 400, "Invalid search URL ttl - 0"},
		{"ttl over a day", searchURLPath(t, apiSecret, "86401", query, ""), 400, "Invalid search URL ttl - 86401"},
		{"junk base64", "/demo/search/" + good[3] + "/120/not*base64", 400, "Invalid search query"},
		{"bad cursor", searchURLPath(t, apiSecret, "120", query, "abc"), 400, "Invalid next_cursor"},
		{"bad sort_by", searchURLPath(t, apiSecret, "60", map[string]any{"expression": "tags=x", "sort_by": []map[string]string{{"nope": "asc"}}}, ""),
			400, "Unsupported sort_by field - nope"},
		{"bad expression", searchURLPath(t, apiSecret, "60", map[string]any{"expression": "tags=(a"}, ""), 400, "Search expression error"},
		{"unknown cloud", strings.Replace(path, "/demo/", "/nocloud/", 1), 404, "Unknown cloud_name nocloud"},
	} {
		a := getSearchURL(t, o.URL, c.path)
		if a.status != c.status || !strings.Contains(a.header.Get(delivery.HeaderError), c.msg) {
			t.Fatalf("%s: %d %q (%s), want %d %q", c.name, a.status, a.header.Get(delivery.HeaderError), a.raw, c.status, c.msg)
		}
	}
}

// Search URLs count against the cloud's Admin API rate limit: past it,
// 420 with Retry-After, as an Admin API search.
func TestSearchURLRateLimit(t *testing.T) {
	o := startOriginWith(t, nil, nil, config.Cloud{APIKey: apiKey, APISecret: apiSecret, Admin: config.AdminAPI{RateLimit: 2}})
	for i, want := range []int{200, 200, 420} {
		a := getSearchURL(t, o.URL, searchURLPath(t, apiSecret, "60", map[string]any{"expression": "tags=x"}, ""))
		if a.status != want {
			t.Fatalf("search %d: %d %s", i+1, a.status, a.raw)
		}
		// A refusal for a while (Retry-After) is kept by no cache: a
		// shared cache downstream would answer 420 past the reset.
		if want == 420 && (a.header.Get("Retry-After") == "" || a.header.Get(delivery.HeaderError) != "Rate Limit Exceeded" ||
			a.header.Get("Cache-Control") != "no-store") {
			t.Fatalf("420: %v", a.header)
		}
	}
}

// A next_cursor changed by hand (the one part of a search URL its
// signature does not cover) is refused before the search counts against
// the rate limit: whoever holds a search URL cannot spend the cloud's
// Admin API calls by varying it.
func TestSearchURLForgedCursorNotCounted(t *testing.T) {
	o := startOriginWith(t, nil, nil, config.Cloud{APIKey: apiKey, APISecret: apiSecret, Admin: config.AdminAPI{RateLimit: 2}})
	query := map[string]any{"expression": "tags=x"}
	for i := range 3 {
		a := getSearchURL(t, o.URL, searchURLPath(t, apiSecret, "60", query, "forged"+strings.Repeat("x", i)+".bWFj"))
		if a.status != http.StatusBadRequest || !strings.HasPrefix(a.header.Get(delivery.HeaderError), "Invalid next_cursor") {
			t.Fatalf("forged cursor %d: %d %v", i, a.status, a.header)
		}
	}
	for i := range 2 {
		if a := getSearchURL(t, o.URL, searchURLPath(t, apiSecret, "60", query, "")); a.status != http.StatusOK {
			t.Fatalf("search %d after forged cursors: %d %s", i+1, a.status, a.raw)
		}
	}
}

// The signatures the SDKs' own unit tests expect (the Node SDK's
// test/unit/search/search_spec.js, the Go SDK's
// asset/search_url_asset_test.go: API secret "secret") are accepted: the
// origin signs as Cloudinary does, not only as this file's helper does.
func TestSearchURLSDKSignatures(t *testing.T) {
	o := startOriginWith(t, nil, nil, config.Cloud{APIKey: apiKey, APISecret: "secret"})
	const q = "eyJleHByZXNzaW9uIjoicmVzb3VyY2VfdHlwZTppbWFnZSBBTkQgdGFncz1raXR0ZW4gQU5EIHVwbG9hZGVkX2F0" +
		"PjFkIEFORCBieXRlcz4xbSIsIm1heF9yZXN1bHRzIjozMCwic29ydF9ieSI6W3sicHVibGljX2lkIjoiZGVzYyJ9XX0="
	for _, c := range []struct{ sig, ttl string }{
		{"431454b74cefa342e2f03e2d589b2e901babb8db6e6b149abf25bc0dd7ab20b7", "300"},
		{"25b91426a37d4f633a9b34383c63889ff8952e7ffecef29a17d600eeb3db0db7", "1000"},
	} {
		// Past the signature, the search runs: it answers, or refuses the
		// expression (the search parser's own business: "bytes>1m").
		a := getSearchURL(t, o.URL, "/demo/search/"+c.sig+"/"+c.ttl+"/"+q)
		if !(a.status == 200 && a.header.Get("Cache-Control") == "public, max-age="+c.ttl ||
			a.status == 400 && strings.HasPrefix(a.header.Get(delivery.HeaderError), "Search expression error")) {
			t.Fatalf("ttl %s: %d %v %s", c.ttl, a.status, a.header, a.raw)
		}
		// The other vector's signature is not this ttl's.
		other := "25b91426a37d4f633a9b34383c63889ff8952e7ffecef29a17d600eeb3db0db7"
		if c.ttl == "1000" {
			other = "431454b74cefa342e2f03e2d589b2e901babb8db6e6b149abf25bc0dd7ab20b7"
		}
		if a := getSearchURL(t, o.URL, "/demo/search/"+other+"/"+c.ttl+"/"+q); a.status != 401 {
			t.Fatalf("ttl %s with the other signature: %d %s", c.ttl, a.status, a.raw)
		}
	}
}
