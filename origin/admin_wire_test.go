package origin_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/config"
)

// Every parameter encoding the SDK families use reaches the same delete:
// Go (JSON body, comma-joined arrays), Node (urlencoded body even on
// DELETE, x[]), Python (query string on DELETE), x[N], JSON arrays, and a
// body without Content-Type.
func TestAdminParameterEncodings(t *testing.T) {
	o := startOrigin(t, nil)
	cases := []struct {
		name, path, contentType, body string
	}{
		{"go json, comma string", "resources/image/upload", "application/json; charset=utf-8", `{"public_ids":"a,b/c","invalidate":true}`},
		{"node urlencoded x[]", "resources/image/upload", "application/x-www-form-urlencoded", "public_ids%5B%5D=a&public_ids%5B%5D=b%2Fc&invalidate=true"},
		{"python query", "resources/image/upload?public_ids%5B%5D=a&public_ids%5B%5D=b%2Fc&invalidate=True", "", ""},
		{"indexed x[N]", "resources/image/upload", "application/x-www-form-urlencoded", "public_ids%5B0%5D=a&public_ids%5B1%5D=b%2Fc"},
		{"json array", "resources/image/upload", "application/json", `{"public_ids":["a","b/c"],"invalidate":"1"}`},
		{"no content type", "resources/image/upload", "", "public_ids=a,b/c"},
		{"node encoded path", "resources%2Fimage%2Fupload", "application/x-www-form-urlencoded", "public_ids%5B%5D=a&public_ids%5B%5D=b%2Fc"},
		{"multipart", "resources/image/upload", "multipart", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			uploadAs(t, o, "chelsea.png", "a")
			uploadAs(t, o, "chelsea.png", "b/c")
			ct, body := c.contentType, c.body
			if ct == "multipart" {
				mct, buf := form(t, [][2]string{{"public_ids[]", "a"}, {"public_ids[]", "b/c"}}, "", nil)
				ct, body = mct, buf.String()
			}
			a := adminDo(t, o, http.MethodDelete, c.path, ct, body)
			del, _ := a.body["deleted"].(map[string]any)
			if a.status != 200 || del["a"] != "deleted" || del["b/c"] != "deleted" || len(del) != 2 {
				t.Fatalf("%d %s", a.status, a.raw)
			}
		})
	}
}

// IDs in paths arrive raw (Go) or percent-encoded (Node), both work; so do
// tags with slashes.
func TestAdminPathEncodings(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "chelsea.png", "folder/pic one")
	o.Cld.Upload.AddTag(context.Background(), uploader.AddTagParams{Tag: "a/b", PublicIDs: []string{"folder/pic one"}})
	for _, path := range []string{
		"resources/image/upload/folder/pic%20one",
		"resources/image/upload/folder%2Fpic%20one",
		"resources%2Fimage%2Fupload%2Ffolder%2Fpic%20one",
	} {
		a := adminGet(t, o, path)
		if a.status != 200 || a.body["public_id"] != "folder/pic one" {
			t.Errorf("%s: %d %s", path, a.status, a.raw)
		}
	}
	for _, path := range []string{"resources/image/tags/a/b", "resources/image/tags/a%2Fb"} {
		if got := ids(t, adminGet(t, o, path)); len(got) != 1 {
			t.Errorf("%s: %v", path, got)
		}
	}
}

// Only HTTP Basic with the cloud's key and secret opens the Admin API.
func TestAdminAuthentication(t *testing.T) {
	o := startOrigin(t, nil)
	for _, c := range []struct {
		name string
		set  func(*http.Request)
		msg  string
	}{
		{"none", func(*http.Request) {}, "Must supply api_key"},
		{"wrong key", func(r *http.Request) { r.SetBasicAuth("other", apiSecret) }, "Unknown API key other"},
		{"wrong secret", func(r *http.Request) { r.SetBasicAuth(apiKey, "nope") }, "api_secret mismatch"},
		{"bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer tok") }, "Invalid token"},
	} {
		req, _ := http.NewRequest(http.MethodGet, o.URL+"/v1_1/demo/ping", nil)
		c.set(req)
		a := send(t, req)
		if a.status != 401 || !strings.HasPrefix(a.errorMessage(), c.msg) {
			t.Errorf("%s: %d %s", c.name, a.status, a.raw)
		}
	}
	// A signed Upload-API-style request is not Admin API auth.
	req, _ := http.NewRequest(http.MethodGet, o.URL+"/v1_1/demo/ping?api_key="+apiKey+"&timestamp=1&signature=x", nil)
	if a := send(t, req); a.status != 401 {
		t.Errorf("signed request: %d", a.status)
	}
	if a := adminGet(t, o, "nothing/here"); a.status != 404 {
		t.Errorf("unknown path: %d", a.status)
	}
	if a := adminDo(t, o, http.MethodPut, "ping", "", ""); a.status != 405 || a.header.Get("Allow") != "GET" {
		t.Errorf("wrong method: %d %v", a.status, a.header)
	}
}

// Rate limit: per cloud and clock hour, headers on every response, 420
// past the limit, a fresh count the next hour; uploads are not counted.
func TestAdminRateLimit(t *testing.T) {
	clock := &testClock{now: time.Date(2030, 1, 2, 10, 59, 0, 0, time.UTC)} // read by the usage recorder too
	cl := config.Cloud{APIKey: apiKey, APISecret: apiSecret, Admin: config.AdminAPI{RateLimit: 3}}
	o := startOriginWith(t, nil, clock.Now, cl)
	for i := 0; i < 3; i++ {
		a := adminGet(t, o, "ping")
		if a.status != 200 || a.header.Get("X-FeatureRateLimit-Limit") != "3" ||
			a.header.Get("X-FeatureRateLimit-Remaining") != strconv.Itoa(2-i) ||
			a.header.Get("X-FeatureRateLimit-Reset") != "Wed, 02 Jan 2030 11:00:00 GMT" {
			t.Fatalf("call %d: %d %v", i, a.status, a.header)
		}
	}
	a := adminGet(t, o, "resources/image")
	if a.status != 420 || a.errorMessage() != "Rate Limit Exceeded" || a.header.Get("X-FeatureRateLimit-Remaining") != "0" ||
		a.header.Get("Retry-After") != "60" {
		t.Fatalf("past the limit: %d %v %s", a.status, a.header, a.raw)
	}
	status, body := post(t, o.URL+"/v1_1/demo/image/destroy", "application/x-www-form-urlencoded",
		strings.NewReader("public_id=x"), true)
	if status != 200 || !strings.Contains(body, "not found") {
		t.Fatalf("upload API limited: %d %s", status, body)
	}
	clock.Add(time.Minute)
	if a := adminGet(t, o, "ping"); a.status != 200 || a.header.Get("X-FeatureRateLimit-Remaining") != "2" ||
		a.header.Get("X-FeatureRateLimit-Reset") != "Wed, 02 Jan 2030 12:00:00 GMT" {
		t.Fatalf("next hour: %d %v", a.status, a.header)
	}
	// Refused authentication is not counted, but says where the cloud stands.
	req, _ := http.NewRequest(http.MethodGet, o.URL+"/v1_1/demo/ping", nil)
	if a := send(t, req); a.status != 401 || a.header.Get("X-FeatureRateLimit-Remaining") != "2" {
		t.Fatalf("unauthenticated: %d %v", a.status, a.header)
	}
}

// Errors carry Cloudinary's statuses and wording.
func TestAdminErrors(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "chelsea.png", "x")
	var many []string
	for i := 0; i <= 100; i++ {
		many = append(many, "id"+strconv.Itoa(i))
	}
	for _, c := range []struct {
		method, path, body string
		status             int
		msg                string
	}{
		{"GET", "resources/image/upload/missing", "", 404, "Resource not found - missing"},
		{"POST", "resources/image/upload/missing", "tags=a", 404, "Resource not found - missing"},
		{"DELETE", "resources/image/upload", "", 400, "Missing required parameter - public_ids, prefix or all"},
		{"DELETE", "resources/image/upload", "public_ids=a&all=true", 400, "Give only one of public_ids, prefix and all"},
		{"DELETE", "resources/image/upload", "public_ids=" + strings.Join(many, ","), 400, "Too many public_ids - at most 100 per call"},
		{"GET", "resources/image/upload?max_results=-1", "", 400, "Invalid value -1 for parameter max_results - must be between 1 and 500"},
		{"GET", "resources/image?next_cursor=garbage", "", 400, "Invalid next_cursor - garbage"},
		{"GET", "resources/image?direction=sideways", "", 400, "Invalid direction - sideways (must be asc, desc, 1 or -1)"},
		{"GET", "resources/image/list", "", 400, "Invalid type - list (must be upload, private, authenticated or fetch)"},
		{"GET", "resources/image/context", "", 400, "Missing required parameter - key"},
		{"POST", "transformations", "name=bad name&transformation=w_1", 400, "Invalid transformation name - bad name (letters, digits, _ and - only)"},
		{"POST", "transformations", "name=ok&transformation=zz_1", 400, "Invalid transformation - "},
		{"GET", "transformations/t_nothing", "", 404, "Transformation not found - t_nothing"},
		{"POST", "resources/image/upload/x", "face_coordinates=1,2,3", 400, "Invalid face_coordinates - 1,2,3"},
		{"POST", "resources/image/upload/x", "moderation_status=maybe", 400, "Invalid moderation_status - maybe"},
		{"GET", "usage/01-01-2999", "", 400, "Invalid date - 01-01-2999 is in the future"},
		{"GET", "usage/2001-13-01", "", 400, "Invalid date - 2001-13-01 (want dd-mm-yyyy or yyyy-mm-dd)"},
		{"GET", "folders/nope", "", 404, "Can't find folder with path nope"},
		{"PUT", "folders/a", "", 400, "Missing required parameter - to_folder"},
		{"POST", "folders/v1%2Fx", "", 400, "Invalid folder - v1/x"},
	} {
		ct := ""
		if c.body != "" {
			ct = "application/x-www-form-urlencoded"
		}
		a := adminDo(t, o, c.method, c.path, ct, c.body)
		if a.status != c.status || !strings.HasPrefix(a.errorMessage(), c.msg) {
			t.Errorf("%s %s: %d %s", c.method, c.path, a.status, a.raw)
		}
	}
}

// Retry-After rounds up (delivery.RetryAfterHeader, the one rule of every
// path): 1.4 s before the hour asks for 2 s, never for the 1 s that would
// come back too early.
func TestAdminRateLimitRetryAfterRoundsUp(t *testing.T) {
	clock := time.Date(2030, 1, 2, 10, 59, 58, 600_000_000, time.UTC)
	now := func() time.Time { return clock }
	cl := config.Cloud{APIKey: apiKey, APISecret: apiSecret, Admin: config.AdminAPI{RateLimit: 1}}
	o := startOriginWith(t, nil, now, cl)
	if a := adminGet(t, o, "ping"); a.status != 200 {
		t.Fatalf("first call: %d %s", a.status, a.raw)
	}
	if a := adminGet(t, o, "ping"); a.status != 420 || a.header.Get("Retry-After") != "2" {
		t.Fatalf("past the limit 1.4 s before the hour: %d Retry-After %q", a.status, a.header.Get("Retry-After"))
	}
}
