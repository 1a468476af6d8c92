package origin_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// bulk.json deletes a prefix one Admin API call (1,000 assets) a request,
// so that the page shows the progress after each; the last says what the
// whole deletion did.
func TestConsoleBulkChunks(t *testing.T) {
	o := startOrigin(t, nil)
	seedAssets(t, o, "bulk/", 1003, nil)
	seedAssets(t, o, "keep/", 1, nil)
	c := newConsoleClient(t, o)
	c.mustSignIn()
	lib := c.do(http.MethodGet, "/console/library?rt=raw&prefix=bulk/", nil)
	form := url.Values{"csrf": {lib.csrf(t)}, "rt": {"raw"}, "type": {"upload"}, "scope": {"prefix"}, "prefix": {"bulk/"},
		"action": {"delete"}, "deleted": {"0"}, "calls": {"0"}}
	type chunk struct {
		Deleted    int    `json:"deleted"`
		Partial    bool   `json:"partial"`
		NextCursor string `json:"next_cursor"`
		Done       string `json:"done"`
	}
	step := func() chunk {
		t.Helper()
		a := c.do(http.MethodPost, "/console/bulk.json", form)
		var ch chunk
		if err := json.Unmarshal([]byte(a.body), &ch); err != nil || a.status != http.StatusOK {
			t.Fatalf("bulk.json: %d %s", a.status, a.body)
		}
		return ch
	}
	first := step()
	if first.Deleted != 1000 || !first.Partial || first.NextCursor == "" || first.Done != "" {
		t.Fatalf("first chunk: %+v", first)
	}
	if n := len(ids(t, adminGet(t, o, "resources/raw/upload?prefix=bulk/"))); n != 3 {
		t.Fatalf("%d assets left under bulk/ after the first chunk, want 3", n)
	}
	form.Set("next_cursor", first.NextCursor)
	form.Set("deleted", "1000")
	form.Set("calls", "1")
	last := step()
	if last.Deleted != 3 || last.Partial || last.Done != "Deleted 1003 assets in 2 Admin API call(s)" {
		t.Fatalf("last chunk: %+v", last)
	}
	if n := len(ids(t, adminGet(t, o, "resources/raw/upload?prefix=keep/"))); n != 1 {
		t.Fatalf("%d assets left under keep/, want 1", n)
	}
	form.Del("next_cursor")
	form.Set("csrf", "0000")
	if a := c.do(http.MethodPost, "/console/bulk.json", form); a.status != http.StatusForbidden {
		t.Fatalf("bulk.json without the CSRF token: %d %s", a.status, a.body)
	}
}
