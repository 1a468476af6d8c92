package origin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// assetPage is the console's asset page of an image of type upload.
func (c *consoleClient) assetPage(id string, extra url.Values) consoleAnswer {
	c.t.Helper()
	v := url.Values{"rt": {"image"}, "type": {"upload"}, "id": {id}}
	for k, vs := range extra {
		v[k] = vs
	}
	a := c.do(http.MethodGet, "/console/asset?"+v.Encode(), nil)
	if a.status != http.StatusOK {
		c.t.Fatalf("asset page of %s: %d %s", id, a.status, a.body)
	}
	return a
}

// post sends a form of the asset page with the session's CSRF token.
func (c *consoleClient) post(path string, page consoleAnswer, form url.Values) consoleAnswer {
	c.t.Helper()
	form.Set("csrf", page.csrf(c.t))
	return c.do(http.MethodPost, path, form)
}

// The asset page renames, overwrites by upload, restores a backup and
// edits structured metadata, each through the APIs.
func TestConsoleAssetChanges(t *testing.T) {
	o := startOriginWith(t, nil, nil, config.Cloud{APIKey: apiKey, APISecret: apiSecret, Backup: true})
	ctx := context.Background()
	if _, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "shelf/pic"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{`{"type":"string","external_id":"title","label":"Title"}`,
		`{"type":"integer","external_id":"rank","label":"Rank"}`,
		`{"type":"set","external_id":"mood","label":"Mood","datasource":{"values":[{"external_id":"calm","value":"Calm"},{"external_id":"wild","value":"Wild"}]}}`} {
		if a := adminDo(t, o, http.MethodPost, "metadata_fields", "application/json", f); a.status != http.StatusOK {
			t.Fatalf("metadata field: %d %s", a.status, a.raw)
		}
	}
	c := newConsoleClient(t, o)
	c.mustSignIn()
	page := c.assetPage("shelf/pic", nil)
	for _, want := range []string{`id="md-title"`, `id="md-rank" name="md.rank" value="" type="number"`, `name="md.mood" value="wild"`} {
		if !strings.Contains(page.body, want) {
			t.Fatalf("metadata form: no %s in %s", want, page.body)
		}
	}

	// Metadata: a bad integer is the Admin API's refusal; good values are saved.
	form := url.Values{"rt": {"image"}, "type": {"upload"}, "id": {"shelf/pic"}, "md_field": {"title", "rank", "mood"},
		"md_type.title": {"string"}, "md_type.rank": {"integer"}, "md_type.mood": {"set"},
		"md.title": {"A rocket"}, "md.rank": {"high"}, "md.mood": {"calm", "wild"}}
	if a := c.post("/console/asset/metadata", page, form); a.status != http.StatusBadRequest {
		t.Fatalf("metadata with a bad integer: %d %s", a.status, a.body)
	}
	form.Set("md.rank", "3")
	if a := c.post("/console/asset/metadata", page, form); a.status != http.StatusSeeOther {
		t.Fatalf("metadata: %d %s", a.status, a.body)
	}
	var details struct {
		Metadata map[string]any `json:"metadata"`
		Version  int64          `json:"version"`
	}
	json.Unmarshal([]byte(adminGet(t, o, "resources/image/upload/shelf/pic").raw), &details)
	if got, _ := json.Marshal(details.Metadata); string(got) != `{"mood":["calm","wild"],"rank":3,"title":"A rocket"}` {
		t.Fatalf("metadata saved: %s", got)
	}
	page = c.assetPage("shelf/pic", nil)
	if !strings.Contains(page.body, `name="md.mood" value="calm" checked`) || !strings.Contains(page.body, `name="md.rank" value="3"`) {
		t.Fatalf("metadata form after saving: %s", page.body)
	}
	// Clearing a value the asset had; an empty field it had no value of
	// (no md_had) is left out, not cleared.
	form = url.Values{"rt": {"image"}, "type": {"upload"}, "id": {"shelf/pic"}, "md_field": {"title", "rank"},
		"md_type.title": {"string"}, "md_type.rank": {"integer"}, "md.title": {""}, "md_had.title": {"true"}, "md.rank": {""}}
	if a := c.post("/console/asset/metadata", page, form); a.status != http.StatusSeeOther {
		t.Fatalf("metadata cleared: %d %s", a.status, a.body)
	}
	details.Metadata = nil
	json.Unmarshal([]byte(adminGet(t, o, "resources/image/upload/shelf/pic").raw), &details)
	if got, _ := json.Marshal(details.Metadata); string(got) != `{"mood":["calm","wild"],"rank":3}` {
		t.Fatalf("metadata after clearing the title: %s", got)
	}
	if !strings.Contains(page.body, `name="md_had.title" value="true"`) || strings.Contains(c.assetPage("shelf/pic", nil).body, `name="md_had.title"`) {
		t.Fatalf("md_had marks the fields with a value only")
	}

	// Overwrite by upload: the same public ID through upload.json, a
	// backup kept; then restore the first version.
	first := details.Version
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "logo.png")
	png, err := os.ReadFile(testkit.Path(t, "logo.png"))
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(png)
	for k, v := range map[string]string{"public_id": "shelf/pic", "type": "upload", "overwrite": "true", "invalidate": "true"} {
		mw.WriteField(k, v)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, o.URL+"/console/upload.json?rt=image", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", page.csrf(t))
	resp, err := c.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var up struct {
		PublicID string `json:"public_id"`
		Format   string `json:"format"`
	}
	json.NewDecoder(resp.Body).Decode(&up)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || up.PublicID != "shelf/pic" || up.Format != "png" {
		t.Fatalf("overwrite: %d %+v", resp.StatusCode, up)
	}
	page = c.assetPage("shelf/pic", nil)
	versions := regexpAll(`data-version="([^"]+)"><td>(\d+)</td><td>(\w+)</td>`, page.body)
	if len(versions) != 2 || versions[1][3] != "jpg" || versions[1][2] != itoa(int(first)) {
		t.Fatalf("versions after the overwrite: %v in %s", versions, page.body)
	}
	if a := c.post("/console/asset/restore", page, url.Values{"rt": {"image"}, "type": {"upload"}, "id": {"shelf/pic"},
		"version_id": {versions[1][1]}}); a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "Restored+as+version") {
		t.Fatalf("restore: %d %v %s", a.status, a.header, a.body)
	}
	if f := jsonField(t, adminGet(t, o, "resources/image/upload/shelf/pic").raw, "format"); f != "jpg" {
		t.Fatalf("format after restoring the first version: %s", f)
	}

	// Rename: the asset moves, its old URLs are invalidated.
	before := len(o.Events.all())
	a := c.post("/console/asset/rename", page, url.Values{"rt": {"image"}, "type": {"upload"}, "id": {"shelf/pic"},
		"to_public_id": {"shelf/renamed"}})
	if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "id=shelf%2Frenamed") {
		t.Fatalf("rename: %d %v %s", a.status, a.header, a.body)
	}
	if st := adminGet(t, o, "resources/image/upload/shelf/pic").status; st != http.StatusNotFound {
		t.Fatalf("the old public ID after the rename: %d", st)
	}
	if adminGet(t, o, "resources/image/upload/shelf/renamed").status != http.StatusOK {
		t.Fatal("the new public ID after the rename is missing")
	}
	invalidated := false
	for _, e := range o.Events.all()[before:] {
		if e.Asset.PublicID == "shelf/pic" && e.Invalidate {
			invalidated = true
		}
	}
	if !invalidated {
		t.Fatalf("the rename invalidated nothing of shelf/pic: %+v", o.Events.all()[before:])
	}
	if _, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "logo.png"), uploader.UploadParams{PublicID: "shelf/other"}); err != nil {
		t.Fatal(err)
	}
	a = c.post("/console/asset/rename", page, url.Values{"rt": {"image"}, "type": {"upload"}, "id": {"shelf/renamed"},
		"to_public_id": {"shelf/other"}})
	if a.status/100 != 4 || !strings.Contains(a.body, "shelf/other") {
		t.Fatalf("rename onto another asset without overwrite: %d %s", a.status, a.body)
	}
}

// The delivery URL builder: a named transformation and a typed one, the
// URL signed where the cloud's strict transformations or the asset's
// type need it, and the result delivered.
func TestConsoleURLBuilder(t *testing.T) {
	o := startOriginWith(t, nil, nil, config.Cloud{APIKey: apiKey, APISecret: apiSecret, StrictTransformations: true})
	ctx := context.Background()
	for _, id := range []string{"pic"} {
		if _, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "secret", Type: "private"}); err != nil {
		t.Fatal(err)
	}
	if a := adminDo(t, o, http.MethodPost, "transformations/small", "application/x-www-form-urlencoded",
		"transformation=c_fill,w_40,h_30"); a.status != http.StatusOK {
		t.Fatalf("named: %d %s", a.status, a.raw)
	}
	if a := adminDo(t, o, http.MethodPut, "transformations/small", "application/x-www-form-urlencoded",
		"allowed_for_strict=true"); a.status != http.StatusOK {
		t.Fatalf("allow named: %d %s", a.status, a.raw)
	}
	c := newConsoleClient(t, o)
	c.mustSignIn()
	built := func(id, typ string, q url.Values) (string, string) {
		t.Helper()
		q.Set("rt", "image")
		q.Set("type", typ)
		q.Set("id", id)
		a := c.do(http.MethodGet, "/console/asset?"+q.Encode(), nil)
		u := htmlUnescape(between(a.body, `<code id="built-url">`, `</code>`))
		if a.status != http.StatusOK || u == "" {
			t.Fatalf("builder %v: %d %s", q, a.status, a.body)
		}
		return u, between(a.body, `<p id="built-signed">`, `</p>`)
	}
	check := func(u string, signed bool, w, h int) {
		t.Helper()
		path := strings.TrimPrefix(u, "http://cdn.test")
		du, err := delivery.Parse(path)
		if err != nil || du.Signed() != signed {
			t.Fatalf("%s: signed %v, want %v (%v)", u, du.Signed(), signed, err)
		}
		got := testkit.Get(t, o.URL+path)
		if got.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, got.Status, got.Body[:min(len(got.Body), 200)])
		}
		if w > 0 {
			if gw, gh := imageSize(t, got.Body); gw != w || h > 0 && gh != h {
				t.Fatalf("%s: %dx%d, want %dx%d", path, gw, gh, w, h)
			}
		}
	}
	page := c.assetPage("pic", nil)
	if !strings.Contains(page.body, `<option>t_small</option>`) {
		t.Fatalf("the named transformations are not offered: %s", page.body)
	}
	u, why := built("pic", "upload", url.Values{"named": {"t_small"}})
	if !strings.HasSuffix(u, "/demo/image/upload/t_small/v"+jsonField(t, adminGet(t, o, "resources/image/upload/pic").raw, "version")+"/pic.jpg") || !strings.HasPrefix(why, "Not signed") {
		t.Fatalf("named, allowed for strict: %s (%s)", u, why)
	}
	check(u, false, 40, 30)
	// The derived image's width and height, from Admin details.
	if d := c.assetPage("pic", nil); !strings.Contains(d.body, `<td><a href="https://cdn.test/demo/image/upload/t_small/`) ||
		!strings.Contains(d.body, "<td>40 × 30</td>") {
		t.Fatalf("the derived image's size is not shown: %s", d.body)
	}
	u, why = built("pic", "upload", url.Values{"tx": {"c_scale,w_20"}})
	if !strings.Contains(why, "strict transformations") {
		t.Fatalf("a typed transformation in a strict cloud: %s (%s)", u, why)
	}
	check(u, true, 20, 0)
	u, why = built("secret", "private", url.Values{"named": {"t_small"}, "tx": {"e_grayscale"}})
	if !strings.Contains(why, "private") || !strings.Contains(u, "/t_small/e_grayscale/") {
		t.Fatalf("private: %s (%s)", u, why)
	}
	check(u, true, 40, 30)
	a := c.do(http.MethodGet, "/console/asset?rt=image&type=upload&id=pic&tx=w_abc", nil)
	if !strings.Contains(a.body, `id="builder-error">Invalid transformation`) {
		t.Fatalf("a bad transformation: %s", a.body)
	}
}

// regexpAll is every match of expr in s, with its groups.
func regexpAll(expr, s string) [][]string {
	return regexp.MustCompile(expr).FindAllStringSubmatch(s, -1)
}

// jsonField is a top-level field of a JSON object, as text.
func jsonField(t *testing.T, body, name string) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return strings.Trim(string(m[name]), `"`)
}

// imageSize is the width and height of an encoded image.
func imageSize(t *testing.T, b []byte) (int, int) {
	t.Helper()
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not an image: %v", err)
	}
	return cfg.Width, cfg.Height
}

// htmlUnescape is the text of an HTML text node.
func htmlUnescape(s string) string { return html.UnescapeString(s) }
