package origin_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// consoleUpload sends one file through /console/upload.json with fields,
// as the upload page's script does, and decodes the Upload API's answer.
func (c *consoleClient) upload(csrf, name string, content []byte, fields map[string]string) (int, map[string]any) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+"/console/upload.json", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", csrf)
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// The upload page offers the cloud's upload presets; a file sent with one
// gets its settings, and the folder and tags given win over the preset's.
func TestConsoleUploadPreset(t *testing.T) {
	o := startOrigin(t, nil)
	for _, name := range []string{"shelved", "zeta"} {
		if a := adminDo(t, o, http.MethodPost, "upload_presets", "application/x-www-form-urlencoded",
			url.Values{"name": {name}, "folder": {"preset_dir"}, "tags": {"from_preset"}, "use_filename": {"true"},
				"unique_filename": {"false"}}.Encode()); a.status != http.StatusOK {
			t.Fatalf("preset %s: %d %s", name, a.status, a.raw)
		}
	}
	c := newConsoleClient(t, o)
	c.mustSignIn()
	page := c.do(http.MethodGet, "/console/upload", nil)
	if page.status != http.StatusOK || !strings.Contains(page.body, `<option value="shelved">shelved</option>`) ||
		!strings.Contains(page.body, `<option value="zeta">zeta</option>`) {
		t.Fatalf("upload page: %d %s", page.status, page.body)
	}
	csrf := between(page.body, `data-csrf="`, `"`)
	img := testkit.Read(t, "logo.png")
	status, out := c.upload(csrf, "rocket.png", img, map[string]string{"upload_preset": "shelved"})
	if status != http.StatusOK || out["public_id"] != "preset_dir/rocket" || !slices.Equal(tagsOf(out), []string{"from_preset"}) {
		t.Fatalf("upload with the preset: %d %v", status, out)
	}
	status, out = c.upload(csrf, "rocket.png", img, map[string]string{"upload_preset": "shelved", "folder": "mine", "tags": "mine,also"})
	if status != http.StatusOK || out["public_id"] != "mine/rocket" || !slices.Equal(tagsOf(out), []string{"mine", "also"}) {
		t.Fatalf("upload with the preset, a folder and tags: %d %v", status, out)
	}
	status, out = c.upload(csrf, "rocket.png", img, map[string]string{"upload_preset": "missing"})
	if msg, _ := out["error"].(map[string]any); status != http.StatusNotFound && status != http.StatusBadRequest || msg == nil {
		t.Fatalf("upload with an unknown preset: %d %v", status, out)
	}
}

func tagsOf(out map[string]any) []string {
	var tags []string
	list, _ := out["tags"].([]any)
	for _, t := range list {
		s, _ := t.(string)
		tags = append(tags, s)
	}
	return tags
}
