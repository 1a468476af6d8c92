package delivery

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

// searchPath builds a search URL's path as the Node SDK's to_url does.
func searchPath(cloud, secret, ttl, query, cursor string) string {
	q := base64.StdEncoding.EncodeToString([]byte(query))
	sum := sha256.Sum256([]byte(ttl + q + secret))
	p := "/" + cloud + "/search/" + hex.EncodeToString(sum[:]) + "/" + ttl + "/" + q
	if cursor != "" {
		p += "/" + cursor
	}
	return p
}

// searchSeeds are search URLs for the fuzzers.
func searchSeeds() []string {
	return []string{searchPath("demo", "s", "300", `{"expression":"x"}`, ""),
		searchPath("demo", "s", "60", slashQuery, "abc.def"), searchPath("demo", "s", "1", `{"a":1}`, "abcd")}
}

func (s *SearchURL) pathForTest() string { return string(s.appendPath(nil)) }

// slashQuery is a query whose base64 holds "/" (0xFF bytes in the JSON's
// text encode so) and ends without padding.
const slashQuery = `{"expression":"tags=???"}`

func TestParseSearchURL(t *testing.T) {
	t.Parallel()
	if enc := base64.StdEncoding.EncodeToString([]byte(slashQuery)); !strings.Contains(enc, "/") {
		t.Fatalf("test query %q encodes without a slash: %s", slashQuery, enc)
	}
	for _, c := range []struct {
		name, query, cursor string
	}{
		{"first page", `{"expression":"resource_type:image","max_results":10}`, ""},
		{"with cursor", `{"expression":"tags=a"}`, "eyJhIjpbIngiXX0.AbC-_d"},
		{"slashes in the query", slashQuery, ""},
		{"slashes and a cursor", slashQuery, "abc"},
		{"padded and a cursor", `{"a":1}`, "abcd"},
	} {
		path := searchPath("demo", "secret", "300", c.query, c.cursor)
		u, err := Parse(path + "?_a=1")
		if err != nil {
			t.Fatalf("%s: %s: %v", c.name, path, err)
		}
		if !u.IsSearch() || u.Cloud != "demo" || u.Search.TTL != 300 || u.Search.TTLText != "300" || u.Search.Cursor != c.cursor {
			t.Fatalf("%s: parsed %+v", c.name, u)
		}
		q, err := u.Search.DecodeQuery()
		if err != nil || string(q) != c.query {
			t.Fatalf("%s: query %q, %v", c.name, q, err)
		}
		if u.PublicID != "" || u.Resource != ResourceNone || u.Type != TypeNone || u.Varies() {
			t.Fatalf("%s: a search URL names no asset: %+v", c.name, u)
		}
		checkRoundTrip(t, &u)
		checkRequestKey(t, "", path, &u)
		// On the cloud's private-CDN host, with or without the cloud
		// segment: one key.
		hu, err := ParseHost("demo", strings.TrimPrefix(path, "/demo"))
		if err != nil || hu.Search != u.Search || string(hu.AppendCacheKey(nil, Variant{})) != path {
			t.Fatalf("%s: host form %+v, %v", c.name, hu, err)
		}
		if !CloudPrefixed("demo", path) {
			t.Fatalf("%s: %s not cloud-prefixed", c.name, path)
		}
	}
}

func TestParseSearchURLRefused(t *testing.T) {
	t.Parallel()
	good := searchPath("demo", "s", "300", `{"expression":"x"}`, "")
	parts := strings.Split(good, "/") // "", demo, search, sig, ttl, query
	sig, q := parts[3], parts[5]
	long := base64.StdEncoding.EncodeToString([]byte(`{"expression":"` + strings.Repeat("a", MaxSearchQueryLength) + `"}`))
	for _, c := range []struct{ uri, msg string }{
		{"/demo/search/" + sig, "Invalid search URL ttl"},
		{"/demo/search/" + sig + "/300", "Missing search query"},
		{"/demo/search/" + sig + "/300/", "Missing search query"},
		{"/demo/search/abc/300/" + q, "Invalid search URL signature"},
		{"/demo/search/" + strings.ToUpper(sig) + "/300/" + q, "Invalid search URL signature"},
		{"/demo/search/" + sig + "/0/" + q, "Invalid search URL ttl"},
		{"/demo/search/" + sig + "/-5/" + q, "Invalid search URL ttl"},
		{"/demo/search/" + sig + "/0300/" + q, "Invalid search URL ttl"},
		{"/demo/search/" + sig + "/86401/" + q, "Invalid search URL ttl"},
		{"/demo/search/" + sig + "/1e3/" + q, "Invalid search URL ttl"},
		{"/demo/search/" + sig + "/300/!!!!", "Invalid search query"},
		{"/demo/search/" + sig + "/300/" + q[:len(q)-1], "Invalid search query"},
		{"/demo/search/" + sig + "/300/" + base64.StdEncoding.EncodeToString([]byte(`[1,2]`)), "Invalid search query"},
		{"/demo/search/" + sig + "/300/" + base64.StdEncoding.EncodeToString([]byte(`{"a":`)), "Invalid search query"},
		{"/demo/search/" + sig + "/300/" + q + "/", "Invalid next_cursor"},
		{"/demo/search/" + sig + "/300/" + q + "/a%20b", "Invalid next_cursor"},
		{"/demo/search/" + sig + "/300/" + q + "/" + strings.Repeat("c", MaxSearchCursorLength+1), "Invalid next_cursor"},
		{"/demo/search/" + sig + "/300/" + long, "Search query too long"},
	} {
		_, err := Parse(c.uri)
		if err == nil {
			t.Fatalf("%s accepted", c.uri)
		}
		checkParseError(t, c.uri, err)
		if de := err.(*Error); de.Status != 400 || !strings.HasPrefix(de.Message, c.msg) {
			t.Fatalf("%.200s: %d %q, want 400 %q", c.uri, de.Status, de.Message, c.msg)
		}
	}
	// "search" as the public ID's only segment stays a root-form image.
	if u, err := Parse("/demo/search"); err != nil || u.IsSearch() || u.PublicID != "search" {
		t.Fatalf("/demo/search: %+v, %v", u, err)
	}
}
