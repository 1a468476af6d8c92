package origin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"

	"github.com/mediacdn/mediacdn/delivery"
)

// uploadForm uploads a corpus file through the Upload API (multipart, HTTP
// Basic) with extra fields and returns the decoded answer.
func uploadForm(t *testing.T, o *testOrigin, action, file string, fields ...[2]string) (int, map[string]any) {
	t.Helper()
	var data []byte
	name := ""
	if file != "" {
		data, name = testkit.Read(t, file), file
	}
	ct, body := form(t, fields, name, data)
	status, raw := post(t, o.URL+"/v1_1/demo/image/"+action, ct, body, true)
	var out map[string]any
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("%s: %d not JSON: %s", action, status, raw)
	}
	return status, out
}

// sdkSigned is the path of a delivery URL the Go SDK signs (sign_url).
func sdkSigned(t *testing.T, o *testOrigin, publicID, transformation string) string {
	t.Helper()
	img, err := o.Cld.Image(publicID)
	if err != nil {
		t.Fatal(err)
	}
	img.Transformation = transformation
	img.Config.URL.SignURL = true
	s, err := img.String()
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(u.Path, "/s--") {
		t.Fatalf("the SDK did not sign %s", s)
	}
	return u.Path
}

// lastEvent is the last event the origin emitted for a public ID.
func lastEvent(t *testing.T, o *testOrigin, publicID string) origin.Event {
	t.Helper()
	all := o.Events.all()
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Asset.PublicID == publicID {
			return all[i]
		}
	}
	t.Fatalf("no event for %s", publicID)
	return origin.Event{}
}

// An asset whose access mode is authenticated is delivered, original and
// derived, only through signed URLs (as the SDKs sign them), while its URLs
// keep the upload type; every answer shows the mode; access_mode is set on
// upload, explicit and the Admin API's update, an overwrite keeps it, and
// each switch to authenticated is an event that restricts the asset.
func TestAccessModeAuthenticated(t *testing.T) {
	o := startOrigin(t, nil)
	status, up := uploadForm(t, o, "upload", "rocket.jpg", [2]string{"public_id", "locked"},
		[2]string{"access_mode", "authenticated"})
	if status != 200 || up["access_mode"] != "authenticated" || up["type"] != "upload" ||
		!strings.Contains(up["url"].(string), "/image/upload/s--") {
		t.Fatalf("upload: %d %v", status, up)
	}
	version := strconv.FormatInt(int64(up["version"].(float64)), 10)
	const refused = "Missing URL signature - assets whose access mode is authenticated need a signed URL"
	urlPath := func(u string) string { p, _ := url.Parse(u); return p.Path }
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/demo/image/upload/locked.jpg", 401},
		{"/demo/image/upload/v" + version + "/locked.jpg", 401},
		{"/demo/image/upload/w_50/locked.jpg", 401},
		{"/demo/image/upload/s--AAAAAAAA--/locked.jpg", 401},
		{urlPath(up["url"].(string)), 200},
		{sdkSigned(t, o, "locked", ""), 200},
		{sdkSigned(t, o, "locked", "w_50"), 200},
	} {
		r := testkit.Get(t, o.URL+c.path)
		if r.Status != c.status || c.status == 401 && !strings.HasPrefix(r.Header.Get("X-Cld-Error"), "Invalid URL signature") &&
			r.Header.Get("X-Cld-Error") != refused {
			t.Errorf("%s: %d %q, want %d", c.path, r.Status, r.Header.Get("X-Cld-Error"), c.status)
		}
	}
	if d := adminGet(t, o, "resources/image/upload/locked"); d.body["access_mode"] != "authenticated" {
		t.Errorf("details: %s", d.raw)
	}
	if l := adminGet(t, o, "resources/image/upload"); !strings.Contains(l.raw, `"access_mode":"authenticated"`) {
		t.Errorf("listing: %s", l.raw)
	}
	// Setting it again restricts again: a call retried after its purge
	// failed to publish still purges.
	if again := adminDo(t, o, http.MethodPost, "resources/image/upload/locked", "application/x-www-form-urlencoded",
		"access_mode=authenticated"); again.status != 200 || !lastEvent(t, o, "locked").Restricted {
		t.Errorf("authenticated again: %d %s", again.status, again.raw)
	}

	// A public asset next to it; then the Admin API's update switches it.
	uploadAs(t, o, "rocket.jpg", "open")
	if r := testkit.Get(t, o.URL+"/demo/image/upload/open.jpg"); r.Status != 200 {
		t.Fatalf("public asset: %d", r.Status)
	}
	upd := adminDo(t, o, http.MethodPost, "resources/image/upload/open", "application/x-www-form-urlencoded",
		"access_mode=authenticated")
	if upd.status != 200 || upd.body["access_mode"] != "authenticated" || !lastEvent(t, o, "open").Restricted {
		t.Fatalf("update to authenticated: %d %s %+v", upd.status, upd.raw, lastEvent(t, o, "open"))
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/w_40/open.jpg"); r.Status != 401 {
		t.Fatalf("after update: %d", r.Status)
	}
	upd = adminDo(t, o, http.MethodPost, "resources/image/upload/open", "application/json", `{"access_mode":"public"}`)
	if upd.status != 200 || upd.body["access_mode"] != "public" || !lastEvent(t, o, "open").Restricted {
		t.Fatalf("update to public: %d %s", upd.status, upd.raw)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/w_40/open.jpg"); r.Status != 200 {
		t.Fatalf("public again: %d", r.Status)
	}
	if bad := adminDo(t, o, http.MethodPost, "resources/image/upload/open", "application/json", `{"access_mode":"private"}`); bad.status != 400 ||
		bad.errorMessage() != "Invalid access_mode - private (must be public or authenticated)" {
		t.Fatalf("bad mode on update: %d %s", bad.status, bad.raw)
	}

	// Explicit sets it too.
	status, ex := uploadForm(t, o, "explicit", "", [2]string{"public_id", "open"}, [2]string{"type", "upload"},
		[2]string{"access_mode", "authenticated"})
	if status != 200 || ex["access_mode"] != "authenticated" || !lastEvent(t, o, "open").Restricted {
		t.Fatalf("explicit: %d %v", status, ex)
	}
	// An overwrite without access_mode keeps it; with one, sets it.
	status, over := uploadForm(t, o, "upload", "chelsea.png", [2]string{"public_id", "open"})
	if status != 200 || over["access_mode"] != "authenticated" || lastEvent(t, o, "open").Restricted {
		t.Fatalf("overwrite keeping the mode: %d %v", status, over)
	}
	status, over = uploadForm(t, o, "upload", "chelsea.png", [2]string{"public_id", "open"}, [2]string{"access_mode", "public"})
	if status != 200 || over["access_mode"] != "public" {
		t.Fatalf("overwrite to public: %d %v", status, over)
	}
	status, over = uploadForm(t, o, "upload", "rocket.jpg", [2]string{"public_id", "open"}, [2]string{"access_mode", "authenticated"})
	if ev := lastEvent(t, o, "open"); status != 200 || ev.Kind != origin.EventOverwritten || !ev.Restricted {
		t.Fatalf("overwrite to authenticated: %d %v %+v", status, over, ev)
	}

	blobs := countBlobs(t, o)
	status, bad := uploadForm(t, o, "upload", "rocket.jpg", [2]string{"public_id", "bad"}, [2]string{"access_mode", "secret"})
	if status != 400 || bad["error"].(map[string]any)["message"] != "Invalid access_mode - secret (must be public or authenticated)" {
		t.Fatalf("bad mode on upload: %d %v", status, bad)
	}
	if _, err := o.Store.Meta.Asset(context.Background(), meta.Key{Cloud: cloudName, ResourceType: delivery.Image, Type: delivery.Upload,
		PublicID: "bad"}); err == nil || countBlobs(t, o) != blobs {
		t.Fatal("a refused upload stored something")
	}
}

// update_access_mode by public IDs (one not found), by prefix (in pages of
// 100 with next_cursor) and by tag; its limits and errors.
func TestUpdateAccessMode(t *testing.T) {
	o := startOrigin(t, nil)
	seedAssets(t, o, "p/", 150, func(i int, a *meta.Asset) {
		if i%2 == 0 {
			a.Tags = []string{"even"}
		}
	})
	seedAssets(t, o, "q/", 1, nil)
	mode := func(id string) string {
		a, err := o.Store.Meta.Asset(context.Background(), meta.Key{Cloud: cloudName, ResourceType: delivery.Raw, Type: delivery.Upload, PublicID: id})
		if err != nil {
			t.Fatal(err)
		}
		return a.AccessMode
	}
	call := func(body string) adminAnswer {
		return adminDo(t, o, http.MethodPost, "resources/raw/upload/update_access_mode", "application/x-www-form-urlencoded", body)
	}

	a := call("access_mode=authenticated&public_ids[]=p/00001&public_ids[]=nope")
	if a.status != 200 || a.raw != `{"updated":[{"public_id":"p/00001","access_mode":"authenticated"}],"failed":[{"public_id":"nope","error":"not_found"}]}` {
		t.Fatalf("by ids: %d %s", a.status, a.raw)
	}
	if mode("p/00001") != "authenticated" || mode("p/00002") != "public" {
		t.Fatal("by ids: wrong assets changed")
	}

	seen := map[string]bool{}
	cur := ""
	for calls := 1; ; calls++ {
		body := "access_mode=authenticated&prefix=p/"
		if cur != "" {
			body += "&next_cursor=" + url.QueryEscape(cur)
		}
		a = call(body)
		list, _ := a.body["updated"].([]any)
		if a.status != 200 || len(list) == 0 {
			t.Fatalf("by prefix, call %d: %d %s", calls, a.status, a.raw)
		}
		for _, u := range list {
			seen[u.(map[string]any)["public_id"].(string)] = true
		}
		next, _ := a.body["next_cursor"].(string)
		if next == "" {
			if calls != 2 || len(list) != 50 {
				t.Fatalf("by prefix: %d calls, last had %d", calls, len(list))
			}
			break
		}
		if len(list) != 100 {
			t.Fatalf("by prefix: a page of %d", len(list))
		}
		cur = next
	}
	if len(seen) != 150 || mode("p/00149") != "authenticated" || mode("q/00000") != "public" {
		t.Fatalf("by prefix: %d seen, q/ %s", len(seen), mode("q/00000"))
	}

	a = call("access_mode=public&tag=even")
	if list, _ := a.body["updated"].([]any); a.status != 200 || len(list) != 75 || a.body["next_cursor"] != nil {
		t.Fatalf("by tag: %d %s", a.status, a.raw)
	}
	if mode("p/00002") != "public" || mode("p/00001") != "authenticated" {
		t.Fatal("by tag: wrong assets changed")
	}

	many := "access_mode=public"
	for i := 0; i < 101; i++ {
		many += "&public_ids[]=x" + strconv.Itoa(i)
	}
	for body, msg := range map[string]string{
		"public_ids=p/00001":                         "Missing required parameter - access_mode",
		"access_mode=open&public_ids=p/00001":        "Invalid access_mode - open (must be public or authenticated)",
		"access_mode=public":                         "Missing required parameter - public_ids, prefix or tag",
		"access_mode=public&prefix=p/&tag=even":      "Give only one of public_ids, prefix and tag",
		many:                                         "Too many public_ids - at most 100 per call",
		"access_mode=public&prefix=p/&next_cursor=x": "Invalid next_cursor",
	} {
		if a := call(body); a.status != 400 || !strings.HasPrefix(a.errorMessage(), msg) {
			t.Errorf("%.60s: %d %s, want %q", body, a.status, a.raw, msg)
		}
	}
	if mode("p/00001") != "authenticated" {
		t.Fatal("a refused call changed an asset")
	}
}

// The derived resources a transformation lists carry the URLs their asset's
// details (and its upload's eager entries) give: signed for an asset whose
// access mode is authenticated, so that they are served (200), not refused
// (401).
func TestTransformationListsSignedURLsOfAuthenticatedAssets(t *testing.T) {
	o := startOrigin(t, nil)
	status, up := uploadForm(t, o, "upload", "rocket.jpg", [2]string{"public_id", "locked"},
		[2]string{"access_mode", "authenticated"}, [2]string{"eager", "w_50"})
	if status != 200 {
		t.Fatalf("upload: %d %v", status, up)
	}
	uploadAs(t, o, "chelsea.png", "open")
	if r := testkit.Get(t, o.URL+"/demo/image/upload/w_50/open.png"); r.Status != 200 {
		t.Fatalf("open derived: %d", r.Status)
	}
	d := adminGet(t, o, "resources/image/upload/locked")
	derived, _ := d.body["derived"].([]any)
	if d.status != 200 || len(derived) != 1 {
		t.Fatalf("details: %d %s", d.status, d.raw)
	}
	want := derived[0].(map[string]any)
	if eager, _ := up["eager"].([]any); len(eager) != 1 || eager[0].(map[string]any)["url"] != want["url"] {
		t.Errorf("upload's eager entry: %v, details say %v", up["eager"], want)
	}
	for _, path := range []string{"transformations?transformation=w_50", "transformations/w_50"} {
		a := adminGet(t, o, path)
		list, _ := a.body["derived"].([]any)
		if a.status != 200 || len(list) != 2 {
			t.Fatalf("%s: %d %s", path, a.status, a.raw)
		}
		for _, e := range list {
			e := e.(map[string]any)
			u, _ := url.Parse(e["url"].(string))
			signed := strings.Contains(u.Path, "/s--")
			switch e["public_id"] {
			case "locked":
				if !signed || e["url"] != want["url"] || e["secure_url"] != want["secure_url"] {
					t.Errorf("%s: locked: %v, details say %v", path, e, want)
				}
			case "open":
				if signed {
					t.Errorf("%s: open is signed: %v", path, e)
				}
			}
			if r := testkit.Get(t, o.URL+u.Path); r.Status != 200 {
				t.Errorf("%s: %s answers %d %s", path, u.Path, r.Status, r.Header.Get("X-Cld-Error"))
			}
		}
	}
}

// update_access_mode emits the events of a call in one Emit (one
// invalidation for the call): setting authenticated restricts every asset
// selected, also one that already was (a retried call still purges), the
// way update and explicit restrict theirs; setting public restricts the
// assets it changes (edges may hold their URLs for token holders only),
// and an asset whose mode does not change is no event.
func TestUpdateAccessModeRestrictsInOneEmit(t *testing.T) {
	o := startOrigin(t, nil)
	seedAssets(t, o, "r/", 3, func(i int, a *meta.Asset) {
		if i == 0 {
			a.AccessMode = meta.AccessAuthenticated
		}
	})
	seedAssets(t, o, "s/", 1, nil)
	call := func(body string) []origin.Event {
		t.Helper()
		before := len(o.Events.all())
		a := adminDo(t, o, http.MethodPost, "resources/raw/upload/update_access_mode", "application/x-www-form-urlencoded", body)
		if a.status != 200 {
			t.Fatalf("%s: %d %s", body, a.status, a.raw)
		}
		evs := o.Events.all()[before:]
		if n := o.Events.lastBatch(); n != len(evs) {
			t.Fatalf("%s: %d events in %d Emits", body, len(evs), len(o.Events.batches))
		}
		return evs
	}
	describe := func(evs []origin.Event) string {
		var out []string
		for _, e := range evs {
			out = append(out, e.Asset.PublicID+" "+string(e.Kind)+" restricted="+strconv.FormatBool(e.Restricted))
		}
		return strings.Join(out, "; ")
	}
	for _, c := range []struct{ body, want string }{
		{"access_mode=authenticated&prefix=r/", "r/00000 metadata_changed restricted=true; " +
			"r/00001 metadata_changed restricted=true; r/00002 metadata_changed restricted=true"},
		{"access_mode=public&public_ids[]=r/00001&public_ids[]=r/00002", "r/00001 metadata_changed restricted=true; " +
			"r/00002 metadata_changed restricted=true"},
		{"access_mode=public&prefix=r/", "r/00000 metadata_changed restricted=true"},
		{"access_mode=public&prefix=r/", ""},
	} {
		if got := describe(call(c.body)); got != c.want {
			t.Errorf("%s: events %q, want %q", c.body, got, c.want)
		}
	}
}

// A deleted asset comes back from its backup with the access mode it had
// when it was deleted, whichever version is restored (by public ID or asset
// ID): an authenticated one authenticated, its unsigned URLs refused and
// its url signed; a public one public. While the asset exists, a restore
// keeps its current mode, as an overwrite does.
func TestRestoreKeepsAccessMode(t *testing.T) {
	o := startOriginClouds(t, t.TempDir(), config.Cloud{APIKey: apiKey, APISecret: apiSecret, Backup: true})
	status, up := uploadForm(t, o, "upload", "rocket.jpg", [2]string{"public_id", "locked"},
		[2]string{"access_mode", "authenticated"})
	if status != 200 {
		t.Fatalf("upload: %d %v", status, up)
	}
	assetID := up["asset_id"].(string)
	uploadAs(t, o, "chelsea.png", "open")
	restore := func(body string) map[string]any {
		t.Helper()
		a := adminDo(t, o, http.MethodPost, "resources/image/upload/restore", "application/x-www-form-urlencoded", body)
		if a.status != 200 {
			t.Fatalf("restore %s: %d %s", body, a.status, a.raw)
		}
		return a.body
	}
	del := func(id string) {
		t.Helper()
		if a := adminDo(t, o, http.MethodDelete, "resources/image/upload?public_ids[]="+id, "", ""); a.status != 200 {
			t.Fatalf("delete %s: %d %s", id, a.status, a.raw)
		}
	}
	check := func(when, id, ext, mode string) {
		t.Helper()
		if d := adminGet(t, o, "resources/image/upload/"+id); d.body["access_mode"] != mode {
			t.Errorf("%s: %s is %v, want %s", when, id, d.body["access_mode"], mode)
		}
		want := 200
		if mode == meta.AccessAuthenticated {
			want = 401
		}
		if r := testkit.Get(t, o.URL+"/demo/image/upload/"+id+"."+ext); r.Status != want {
			t.Errorf("%s: unsigned %s: %d, want %d", when, id, r.Status, want)
		}
	}

	del("locked")
	got := restore("public_ids[]=locked")["locked"].(map[string]any)
	u, _ := url.Parse(got["url"].(string))
	if got["access_mode"] != "authenticated" || !strings.Contains(u.Path, "/s--") {
		t.Fatalf("restored: %v", got)
	}
	if r := testkit.Get(t, o.URL+u.Path); r.Status != 200 {
		t.Fatalf("restored, signed: %d", r.Status)
	}
	check("restored by public ID", "locked", "jpg", "authenticated")

	del("locked")
	a := adminDo(t, o, http.MethodPost, "resources/restore", "application/x-www-form-urlencoded", "asset_ids[]="+assetID)
	if a.status != 200 || a.body[assetID].(map[string]any)["access_mode"] != "authenticated" {
		t.Fatalf("restore by asset ID: %d %s", a.status, a.raw)
	}
	check("restored by asset ID", "locked", "jpg", "authenticated")

	del("open")
	if got := restore("public_ids[]=open")["open"].(map[string]any); got["access_mode"] != "public" {
		t.Fatalf("public restored: %v", got)
	}
	check("public restored", "open", "png", "public")

	// An existing asset keeps its mode whatever the backup's.
	if a := adminDo(t, o, http.MethodPost, "resources/image/upload/open", "application/x-www-form-urlencoded",
		"access_mode=authenticated"); a.status != 200 {
		t.Fatalf("update: %d %s", a.status, a.raw)
	}
	backups, err := o.Store.Meta.Backups(context.Background(), meta.Key{Cloud: cloudName, ResourceType: delivery.Image,
		Type: delivery.Upload, PublicID: "open"})
	if err != nil || len(backups) != 1 || backups[0].AccessMode != meta.AccessPublic {
		t.Fatalf("backups of open: %+v %v", backups, err)
	}
	public := backups[0].VersionID
	if got := restore("public_ids[]=open&versions[]=" + public)["open"].(map[string]any); got["access_mode"] != "authenticated" {
		t.Fatalf("restored over an authenticated asset: %v", got)
	}
	check("restored over an authenticated asset", "open", "png", "authenticated")
	// Deleted when authenticated: an older version restored comes back
	// authenticated too.
	del("open")
	if got := restore("public_ids[]=open&versions[]=" + public)["open"].(map[string]any); got["access_mode"] != "authenticated" {
		t.Fatalf("older version restored: %v", got)
	}
	check("older version restored", "open", "png", "authenticated")
}
