package origin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// The official Node SDK's publish_by_ids, publish_by_prefix and
// publish_by_tag do what the SDK's own suite does (test/node/publish.js):
// authenticated and private assets become upload assets; an explicit type
// that is not the asset's publishes nothing; overwrite; refusals.
func TestNodeSDKPublish(t *testing.T) {
	o := startOrigin(t, nil)
	runNode(t, "publish.js", o.URL, testkit.Dir(t))
}

// publish calls publish_resources with a form body.
func publish(t *testing.T, o *testOrigin, rt, body string) adminAnswer {
	t.Helper()
	return adminDo(t, o, http.MethodPost, "resources/"+rt+"/publish_resources", "application/x-www-form-urlencoded", body)
}

// authenticatedURL is the path of the Go SDK's signed URL of an
// authenticated image.
func authenticatedURL(t *testing.T, o *testOrigin, publicID string) string {
	t.Helper()
	img, err := o.Cld.Image(publicID)
	if err != nil {
		t.Fatal(err)
	}
	img.DeliveryType = "authenticated"
	img.Config.URL.SignURL = true
	s, err := img.String()
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// An authenticated image, delivered through its signed URL only, is
// published on both metadata engines: then its upload URL serves it and
// its authenticated URL answers 404; the call emits a rename event from
// the old key (purging it with invalidate) and sends the rename
// notification of its trigger, with from_type and to_type.
func TestPublishDelivery(t *testing.T) {
	onEachEngine(t, webhookConfig, func(t *testing.T, o *testOrigin) {
		hooks, hookURL := hookServer(t, o, 0)
		createTrigger(t, o, hookURL+"/rename", "rename")
		status, up := uploadForm(t, o, "upload", "rocket.jpg", [2]string{"public_id", "paid/pic"},
			[2]string{"type", "authenticated"})
		if status != 200 || up["type"] != "authenticated" {
			t.Fatalf("upload: %d %v", status, up)
		}
		signed := authenticatedURL(t, o, "paid/pic")
		for path, want := range map[string]int{signed: 200, "/demo/image/upload/paid/pic.jpg": 404,
			"/demo/image/authenticated/paid/pic.jpg": 401} {
			if r := testkit.Get(t, o.URL+path); r.Status != want {
				t.Fatalf("before: %s: %d, want %d", path, r.Status, want)
			}
		}

		a := publish(t, o, "image", "public_ids[]=paid/pic&type=authenticated&invalidate=true")
		pub, _ := a.body["published"].([]any)
		if a.status != 200 || len(pub) != 1 || !strings.Contains(a.raw, `"failed":[]`) {
			t.Fatalf("publish: %d %s", a.status, a.raw)
		}
		got := pub[0].(map[string]any)
		if got["public_id"] != "paid/pic" || got["type"] != "upload" || got["asset_id"] != up["asset_id"] ||
			!strings.Contains(got["url"].(string), "/image/upload/v") {
			t.Fatalf("published: %v", got)
		}
		for path, want := range map[string]int{signed: 404, "/demo/image/upload/paid/pic.jpg": 200,
			"/demo/image/upload/w_40/paid/pic.jpg": 200} {
			if r := testkit.Get(t, o.URL+path); r.Status != want {
				t.Fatalf("after: %s: %d, want %d", path, r.Status, want)
			}
		}
		ev := lastEvent(t, o, "paid/pic")
		if ev.Kind != origin.EventRenamed || ev.Asset.Type != delivery.Authenticated || ev.To.Type != delivery.Upload ||
			!ev.Invalidate || ev.OldVersion != int64(up["version"].(float64)) {
			t.Fatalf("event: %+v", ev)
		}
		waitDelivered(t, o.Store.Meta, 1)
		h := hooks.hooks()
		if len(h) != 1 || h[0].body["notification_type"] != "rename" || h[0].body["from_type"] != "authenticated" ||
			h[0].body["to_type"] != "upload" || h[0].body["to_public_id"] != "paid/pic" {
			t.Fatalf("rename notification: %v", h)
		}
	})
}

// A prefix selecting more assets than a call publishes is done in pages of
// 100 with next_cursor, each one Emit; without type, authenticated and
// private assets are published, and upload assets are not selected; raw
// assets are published under resources/raw.
func TestPublishPages(t *testing.T) {
	o := startOrigin(t, nil)
	seedAssets(t, o, "p/", 150, func(i int, a *meta.Asset) {
		a.Type = delivery.Authenticated
		if i%3 == 0 {
			a.Type = delivery.Private
		}
	})
	seedAssets(t, o, "p/up", 1, nil)
	var published []string
	cursor := ""
	for calls := 0; ; calls++ {
		if calls == 3 {
			t.Fatal("more than two pages")
		}
		a := publish(t, o, "raw", "prefix=p/&next_cursor="+url.QueryEscape(cursor))
		if a.status != 200 {
			t.Fatalf("page %d: %d %s", calls, a.status, a.raw)
		}
		for _, r := range a.body["published"].([]any) {
			published = append(published, r.(map[string]any)["public_id"].(string))
		}
		if n := o.Events.lastBatch(); n != len(a.body["published"].([]any)) {
			t.Fatalf("page %d: %d events in the last Emit", calls, n)
		}
		cursor, _ = a.body["next_cursor"].(string)
		if calls == 0 && (len(published) != 100 || cursor == "") {
			t.Fatalf("first page: %d published, cursor %q", len(published), cursor)
		}
		if cursor == "" {
			break
		}
	}
	if len(published) != 150 || published[0] != "p/00000" || published[149] != "p/00149" {
		t.Fatalf("published %d: %v", len(published), published)
	}
	list := adminGet(t, o, "resources/raw/upload?max_results=500&prefix=p/")
	if n := len(ids(t, list)); n != 151 {
		t.Fatalf("%d upload assets after publishing", n)
	}
	for _, typ := range []string{"authenticated", "private"} {
		if l := adminGet(t, o, "resources/raw/"+typ); len(ids(t, l)) != 0 {
			t.Fatalf("%s left: %s", typ, l.raw)
		}
	}
}

// publish_resources refuses what it does not take with Cloudinary's
// messages, and publishes nothing then.
func TestPublishRefusals(t *testing.T) {
	o := startOrigin(t, nil)
	seedAssets(t, o, "r/", 1, func(_ int, a *meta.Asset) { a.Type = delivery.Authenticated })
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("public_ids[]=r/%d", i)
	}
	for body, want := range map[string]string{
		"":                              "Missing required parameter - public_ids, prefix or tag",
		"prefix=r/&tag=x":               "Give only one of public_ids, prefix and tag",
		"prefix=r/&type=upload":         "Invalid type - upload (must be authenticated or private)",
		"prefix=r/&type=fetch":          "Invalid type - fetch (must be authenticated or private)",
		"prefix=r/&overwrite=maybe":     "Invalid value maybe for parameter overwrite",
		strings.Join(many, "&"):         "Too many public_ids - at most 100 per call",
		"prefix=r/&next_cursor=garbage": "Invalid next_cursor - garbage",
	} {
		if a := publish(t, o, "raw", body); a.status != 400 || a.errorMessage() != want {
			t.Errorf("%.40q: %d %s, want %q", body, a.status, a.raw, want)
		}
	}
	if a := adminDo(t, o, http.MethodGet, "resources/raw/publish_resources", "", ""); a.status != 405 {
		t.Errorf("GET: %d %s", a.status, a.raw)
	}
	if _, err := o.Store.Meta.Asset(context.Background(), meta.Key{Cloud: cloudName, ResourceType: delivery.Raw,
		Type: delivery.Authenticated, PublicID: "r/00000"}); err != nil {
		t.Fatalf("a refused call published: %v", err)
	}
}
