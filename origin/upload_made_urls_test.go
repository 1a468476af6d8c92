package origin_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/gif"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
)

// sprite and multi of urls (the Node SDK's urls[]) rather than a tag: the
// remote images in the order given, each downloaded once (stored as a
// fetch asset) whatever the cloud's fetch_domains, the result stored under
// a public ID named after the list.
func TestSpriteMultiURLs(t *testing.T) {
	rs := startRemote(t, map[string][]byte{"/a.png": testkit.Read(t, "chelsea.png"), "/b.jpg": testkit.Read(t, "rocket.jpg"),
		"/notes.txt": []byte("just text")})
	o := startFetchOrigin(t, nil) // no fetch_domains
	a, b := rs.URL+"/a.png", rs.URL+"/b.jpg"
	call := func(action string, fields url.Values) (int, string) {
		return post(t, o.URL+"/v1_1/demo/image/"+action, "application/x-www-form-urlencoded",
			strings.NewReader(fields.Encode()), true)
	}

	var sprite uploader.GenerateSpriteResult
	for range 2 {
		status, body := call("sprite", url.Values{"urls[]": {a, b}, "transformation": {"w_60"}})
		if err := json.Unmarshal([]byte(body), &sprite); status != 200 || err != nil {
			t.Fatalf("sprite: %d %s", status, body)
		}
	}
	want := map[string]uploader.ImageInfo{a: {Width: 60, Height: 40, X: 0, Y: 0}, b: {Width: 60, Height: 40, X: 0, Y: 40}}
	if !strings.HasPrefix(sprite.PublicID, "urls_") || fmt.Sprint(sprite.ImageInfos) != fmt.Sprint(want) {
		t.Fatalf("sprite: %+v", sprite)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/sprite/"+sprite.PublicID+".png"); r.Status != 200 ||
		decodePNG(t, r.Body).Bounds().Dy() != 80 {
		t.Errorf("sprite png: %d", r.Status)
	}
	if rs.count("/a.png") != 1 || rs.count("/b.jpg") != 1 {
		t.Errorf("downloads: %d %d, want one each", rs.count("/a.png"), rs.count("/b.jpg"))
	}

	status, body := call("multi", url.Values{"urls[]": {b, a}, "transformation": {"c_crop,w_0.5"}})
	var multi struct {
		PublicID string `json:"public_id"`
		Pages    int    `json:"pages"`
		URL      string `json:"url"`
	}
	if err := json.Unmarshal([]byte(body), &multi); status != 200 || err != nil || multi.Pages != 2 ||
		!strings.HasPrefix(multi.PublicID, "urls_") || multi.PublicID == sprite.PublicID || !strings.HasSuffix(multi.URL, ".gif") {
		t.Fatalf("multi: %d %s", status, body)
	}
	r := testkit.Get(t, o.URL+"/demo/image/multi/"+multi.PublicID+".gif")
	if g, err := gif.DecodeAll(bytes.NewReader(r.Body)); r.Status != 200 || err != nil || len(g.Image) != 2 || g.Config.Width != 320 {
		t.Errorf("multi gif: %d %v", r.Status, err)
	}

	for _, c := range []struct {
		fields url.Values
		status int
		want   string
	}{
		{url.Values{"urls[]": {a, rs.URL + "/none.png"}}, 400, "Error in loading " + rs.URL + "/none.png"},
		{url.Values{"urls[]": {rs.URL + "/notes.txt"}}, 400, "Invalid image file"},
		{url.Values{"urls[]": {"ftp://example.com/a.png"}}, 400, "Invalid fetch URL - ftp://example.com/a.png"},
		{url.Values{"urls[]": {a}, "tag": {"t"}}, 400, "Either tag or urls - not both"},
		{url.Values{"urls[]": {a + "?" + strings.Repeat("x", 2100)}}, 400, "longer than 2048 bytes"},
		{url.Values{"urls[]": strings.Split(strings.Repeat(a+" ", 101), " ")[:101]}, 400, "Too many urls - more than the limit of 100"},
	} {
		status, body := call("sprite", c.fields)
		if status != c.status || !strings.Contains(errorMessage(t, body), c.want) {
			t.Errorf("%v: %d %s, want %d %q", c.fields, status, body, c.status, c.want)
		}
	}

	// More urls than max_frames; an address the origin may not reach.
	small := startOriginWith(t, func(c *origin.Config) {
		c.Fetch.AllowNetworks = []string{"127.0.0.0/8"}
		c.Imaging.MaxFrames = 1
	}, nil, config.Cloud{APIKey: apiKey, APISecret: apiSecret})
	status, body = post(t, small.URL+"/v1_1/demo/image/multi", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"urls[]": {a, b}}.Encode()), true)
	if status != 400 || !strings.Contains(body, "Too many urls - more than the limit of 1") {
		t.Errorf("more than max_frames: %d %s", status, body)
	}
	closed := startOrigin(t, nil)
	status, body = post(t, closed.URL+"/v1_1/demo/image/sprite", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"urls[]": {a}}.Encode()), true)
	if status == 200 || rs.count("/a.png") != 1 {
		t.Errorf("loopback without allow_networks: %d %s (downloads %d)", status, body, rs.count("/a.png"))
	}
}
