package origin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The Transformations page creates, previews, edits and deletes named
// transformations through the Admin API, and lists the derived images an
// unsafe update keeps (purging nothing) for deletion with invalidate.
func TestConsoleTransformations(t *testing.T) {
	o := startOrigin(t, nil)
	if _, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "pic"}); err != nil {
		t.Fatal(err)
	}
	c := newConsoleClient(t, o)
	c.mustSignIn()
	list := c.do(http.MethodGet, "/console/transformations", nil)
	if list.status != http.StatusOK || !strings.Contains(list.body, "No named transformation yet") {
		t.Fatalf("transformations: %d %s", list.status, list.body)
	}
	if a := c.do(http.MethodPost, "/console/transformations/create", url.Values{"csrf": {list.csrf(t)}, "name": {"thumb"},
		"definition": {"w_abc"}}); a.status != http.StatusBadRequest || !strings.Contains(a.body, "Invalid transformation") {
		t.Fatalf("a bad definition: %d %s", a.status, a.body)
	}
	a := c.do(http.MethodPost, "/console/transformations/create", url.Values{"csrf": {list.csrf(t)}, "name": {"thumb"},
		"definition": {"c_fill,w_30,h_20"}})
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/console/transformation?") {
		t.Fatalf("create: %d %v %s", a.status, a.header, a.body)
	}
	if l := c.do(http.MethodGet, "/console/transformations", nil); !strings.Contains(l.body, `name=t_thumb">t_thumb</a>`) {
		t.Fatalf("the list lacks t_thumb: %s", l.body)
	}

	// A preview of a definition not saved yet.
	page := c.do(http.MethodGet, "/console/transformation?"+url.Values{"name": {"t_thumb"}, "asset": {"pic"},
		"definition": {"c_scale,w_25"}}.Encode(), nil)
	if !strings.Contains(page.body, `<code id="saved-definition">c_fill,w_30,h_20</code>`) {
		t.Fatalf("transformation page: %d %s", page.status, page.body)
	}
	preview := strings.TrimPrefix(htmlUnescape(between(page.body, `<code id="preview-url">`, `</code>`)), "http://cdn.test")
	if got := testkit.Get(t, o.URL+preview); got.Status != http.StatusOK {
		t.Fatalf("preview %q: %d", preview, got.Status)
	} else if w, _ := imageSize(t, got.Body); w != 25 {
		t.Fatalf("preview %s: width %d, want 25", preview, w)
	}

	// A derived image of t_thumb; an unsafe update keeps it and purges nothing.
	version := jsonField(t, adminGet(t, o, "resources/image/upload/pic").raw, "version")
	if got := testkit.Get(t, o.URL+"/demo/image/upload/t_thumb/v"+version+"/pic.jpg"); got.Status != http.StatusOK {
		t.Fatalf("t_thumb: %d", got.Status)
	}
	page = c.do(http.MethodGet, "/console/transformation?name=t_thumb", nil)
	if n := strings.Count(page.body, `name="derived_id"`); n != 1 || !strings.Contains(page.body, "keeps the\n1 derived image(s)") {
		t.Fatalf("derived images of t_thumb: %d in %s", n, page.body)
	}
	before := len(o.Events.all())
	a = c.do(http.MethodPost, "/console/transformation/update", url.Values{"csrf": {page.csrf(t)}, "name": {"t_thumb"},
		"saved": {"c_fill,w_30,h_20"}, "definition": {"c_fill,w_50,h_40"}, "allowed_for_strict": {"true"}})
	if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "updated") {
		t.Fatalf("update: %d %v %s", a.status, a.header, a.body)
	}
	if got := jsonField(t, adminGet(t, o, "transformations/t_thumb").raw, "definition"); got != "c_fill,w_50,h_40" {
		t.Fatalf("definition after the update: %q", got)
	}
	if got := jsonField(t, adminGet(t, o, "transformations/t_thumb").raw, "allowed_for_strict"); got != "true" {
		t.Fatalf("allowed_for_strict after the update: %q", got)
	}
	if n := len(o.Events.all()) - before; n != 0 {
		t.Fatalf("the unsafe update emitted %d events", n)
	}
	page = c.do(http.MethodGet, "/console/transformation?name=t_thumb", nil)
	if n := strings.Count(page.body, `name="derived_id"`); n != 1 {
		t.Fatalf("derived images after the unsafe update: %d", n)
	}

	// Deleting what the update left in place purges it.
	a = c.do(http.MethodPost, "/console/transformation/derived/delete", url.Values{"csrf": {page.csrf(t)}, "name": {"t_thumb"},
		"derived_id": {between(page.body, `name="derived_id" value="`, `"`)}})
	if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "1+derived+image") {
		t.Fatalf("delete derived: %d %v %s", a.status, a.header, a.body)
	}
	invalidated := false
	for _, e := range o.Events.all()[before:] {
		invalidated = invalidated || e.Invalidate && e.Asset.PublicID == "pic"
	}
	if !invalidated {
		t.Fatalf("deleting the derived image purged nothing: %+v", o.Events.all()[before:])
	}
	if page = c.do(http.MethodGet, "/console/transformation?name=t_thumb", nil); strings.Contains(page.body, `name="derived_id"`) {
		t.Fatalf("the derived image is still listed: %s", page.body)
	}

	a = c.do(http.MethodPost, "/console/transformation/delete", url.Values{"csrf": {page.csrf(t)}, "name": {"t_thumb"}})
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/console/purges?") {
		t.Fatalf("delete: %d %v %s", a.status, a.header, a.body)
	}
	if st := adminGet(t, o, "transformations/t_thumb").status; st != http.StatusNotFound {
		t.Fatalf("t_thumb after its deletion: %d", st)
	}
}
