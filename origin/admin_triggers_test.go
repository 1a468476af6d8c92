package origin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/internal/testservers"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// onEachEngine runs test on an origin with its metadata in SQLite, then
// on one with it in PostgreSQL (a server of the test's own).
func onEachEngine(t *testing.T, mutate func(*origin.Config), test func(t *testing.T, o *testOrigin)) {
	t.Run("sqlite", func(t *testing.T) { test(t, startOrigin(t, mutate)) })
	t.Run("postgres", func(t *testing.T) {
		pg, err := testservers.NewPostgresServer()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pg.Stop)
		db := pg.Database(t)
		test(t, startOrigin(t, func(cfg *origin.Config) {
			if mutate != nil {
				mutate(cfg)
			}
			cfg.MetadataURL = db.URL
		}))
	})
}

// Triggers with the Go SDK: created, listed (all, and by event type),
// updated and deleted; a duplicate uri and event type, an unknown ID, an
// invalid or unsupported event type and a bad uri answer the right
// status and message.
func TestTriggersCRUD(t *testing.T) {
	onEachEngine(t, nil, func(t *testing.T, o *testOrigin) {
		ctx := context.Background()
		adm := &o.Cld.Admin
		up, err := adm.CreateTrigger(ctx, admin.CreateTriggerParams{URI: "https://hooks.example/up", EventType: "upload"})
		if msg := sdkFailure(err, up); msg != "" || len(up.ID) != 32 || up.URI != "https://hooks.example/up" ||
			up.EventType != "upload" || up.URIType != "webhook" || !strings.HasSuffix(up.CreatedAt, "Z") {
			t.Fatalf("create: %+v %s", up, msg)
		}
		del, err := adm.CreateTrigger(ctx, admin.CreateTriggerParams{URI: "https://hooks.example/del", EventType: "delete"})
		if msg := sdkFailure(err, del); msg != "" {
			t.Fatalf("create: %s", msg)
		}
		dup, err := adm.CreateTrigger(ctx, admin.CreateTriggerParams{URI: "https://hooks.example/up", EventType: "upload"})
		if err != nil || dup.Error.Message != "Trigger for uri https://hooks.example/up and event_type upload already exists" {
			t.Errorf("duplicate: %+v %v", dup, err)
		}
		list, err := adm.ListTriggers(ctx, admin.ListTriggersParams{})
		if msg := sdkFailure(err, list); msg != "" || len(list.Triggers) != 2 || list.Triggers[0].ID != up.ID ||
			list.Triggers[1].ID != del.ID || list.Triggers[1].EventType != "delete" {
			t.Fatalf("list: %+v %s", list, msg)
		}
		if a := adminGet(t, o, "triggers?event_type=delete"); a.status != 200 || len(a.body["triggers"].([]any)) != 1 ||
			a.body["triggers"].([]any)[0].(map[string]any)["id"] != del.ID {
			t.Errorf("list by event type: %s", a.raw)
		}
		ch, err := adm.UpdateTrigger(ctx, admin.UpdateTriggerParams{TriggerID: up.ID, URI: "https://hooks.example/up2",
			AuthScheme: "default"})
		if msg := sdkFailure(err, ch); msg != "" || ch.URI != "https://hooks.example/up2" || ch.EventType != "upload" || ch.ID != up.ID {
			t.Fatalf("update: %+v %s", ch, msg)
		}
		ch, err = adm.UpdateTrigger(ctx, admin.UpdateTriggerParams{TriggerID: up.ID, URI: "https://hooks.example/del",
			EventType: "delete"})
		if err != nil || ch.Error.Message != "Trigger for uri https://hooks.example/del and event_type delete already exists" {
			t.Errorf("update to a duplicate: %+v %v", ch, err)
		}
		for _, c := range []struct {
			method, path, body string
			status             int
			message            string
		}{
			{"POST", "triggers", "uri=https://h.example/&event_type=uploaded", 400, "Invalid event_type - uploaded"},
			{"POST", "triggers", "uri=https://h.example/&event_type=moderation", 400, "Event type moderation is not supported by this server"},
			{"POST", "triggers", "uri=ftp://h.example/&event_type=upload", 400, "Invalid uri - ftp://h.example/"},
			{"POST", "triggers", "event_type=upload", 400, "Missing required parameter - uri"},
			{"POST", "triggers", "uri=https://h.example/", 400, "Missing required parameter - event_type"},
			{"POST", "triggers", "uri=https://h.example/&event_type=upload&filter=x", 400, "Parameter filter is not supported by this server"},
			{"POST", "triggers", "uri=https://h.example/&event_type=upload&auth_scheme=eddsa_v2", 400,
				"Parameter auth_scheme=eddsa_v2 is not supported by this server (only default)"},
			{"PUT", "triggers/nope", "uri=https://h.example/", 404, "Trigger nope not found"},
			{"DELETE", "triggers/nope", "", 404, "Trigger nope not found"},
			{"GET", "triggers?event_type=nope", "", 400, "Invalid event_type - nope"},
		} {
			a := adminDo(t, o, c.method, c.path, "application/x-www-form-urlencoded", c.body)
			if a.status != c.status || a.errorMessage() != c.message {
				t.Errorf("%s %s %s: %d %s, want %d %q", c.method, c.path, c.body, a.status, a.raw, c.status, c.message)
			}
		}
		if d, err := adm.DeleteTrigger(ctx, admin.DeleteTriggerParams{TriggerID: up.ID}); sdkFailure(err, d) != "" || d.Message != "ok" {
			t.Fatalf("delete: %+v %v", d, err)
		}
		if d, err := adm.DeleteTrigger(ctx, admin.DeleteTriggerParams{TriggerID: up.ID}); err != nil || d.Error.Message != "Trigger "+up.ID+" not found" {
			t.Errorf("second delete: %+v %v", d, err)
		}
		if list, _ := adm.ListTriggers(ctx, admin.ListTriggersParams{}); len(list.Triggers) != 1 || list.Triggers[0].ID != del.ID {
			t.Errorf("list after delete: %+v", list)
		}
	})
}

// A cloud has at most 100 triggers.
func TestTriggersBounded(t *testing.T) {
	o := startOrigin(t, nil)
	for i := range 100 {
		a := adminDo(t, o, "POST", "triggers", "application/x-www-form-urlencoded", fmt.Sprintf("uri=https://h.example/%d&event_type=upload", i))
		if a.status != 200 {
			t.Fatalf("trigger %d: %s", i, a.raw)
		}
	}
	a := adminDo(t, o, "POST", "triggers", "application/x-www-form-urlencoded", "uri=https://h.example/x&event_type=upload")
	if a.status != 400 || a.errorMessage() != "Too many triggers - at most 100 per cloud" {
		t.Errorf("101st: %d %s", a.status, a.raw)
	}
}

// hookServer is a receiver on loopback (httptest) for one test.
func hookServer(t *testing.T, o *testOrigin, fail int) (*receiver, string) {
	rcv := &receiver{t: t, alg: "sha1", sdk: &o.Cld.Upload, fail: fail}
	hs := httptest.NewServer(rcv)
	t.Cleanup(hs.Close)
	return rcv, hs.URL
}

// createTrigger creates a trigger with the Go SDK.
func createTrigger(t *testing.T, o *testOrigin, uri, eventType string) {
	t.Helper()
	r, err := o.Cld.Admin.CreateTrigger(context.Background(), admin.CreateTriggerParams{URI: uri, EventType: eventType})
	if msg := sdkFailure(err, r); msg != "" {
		t.Fatalf("trigger %s %s: %s", eventType, uri, msg)
	}
}

// A trigger on upload and one on delete each receive exactly one signed
// webhook of their event (checked with the Go SDK's
// VerifyNotificationSignature); a call whose notification_url is a
// trigger's URI sends it once; triggers of other event types get nothing.
func TestTriggersNotify(t *testing.T) {
	onEachEngine(t, webhookConfig, func(t *testing.T, o *testOrigin) {
		ups, upURL := hookServer(t, o, 0)
		dels, delURL := hookServer(t, o, 0)
		others, otherURL := hookServer(t, o, 0)
		createTrigger(t, o, upURL+"/up", "upload")
		createTrigger(t, o, delURL+"/del", "delete")
		createTrigger(t, o, otherURL+"/tags", "resource_tags_changed")
		createTrigger(t, o, otherURL+"/rename", "rename")

		up, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, "rocket.jpg"), uploader.UploadParams{
			PublicID: "triggered", NotificationURL: upURL + "/up"})
		if msg := sdkFailure(err, up); msg != "" {
			t.Fatal(msg)
		}
		signedPost(t, o, "/image/destroy", url.Values{"public_id": {"triggered"}})
		waitDelivered(t, o.Store.Meta, 2)
		if got := ups.hooks(); len(got) != 1 || got[0].body["notification_type"] != "upload" ||
			got[0].body["public_id"] != "triggered" || got[0].body["asset_id"] != up.AssetID {
			t.Errorf("upload trigger got %v", got)
		}
		got := dels.hooks()
		if len(got) != 1 || got[0].body["notification_type"] != "delete" {
			t.Fatalf("delete trigger got %v", got)
		}
		if res, _ := got[0].body["resources"].([]any); len(res) != 1 || res[0].(map[string]any)["public_id"] != "triggered" {
			t.Errorf("delete trigger's resources %v", got[0].body["resources"])
		}
		if n := len(others.hooks()); n != 0 {
			t.Errorf("triggers of other event types got %d webhooks", n)
		}
	})
}

// eager_async's eager notification goes to the cloud's eager and all
// triggers too (a trigger's URI that is also the call's
// eager_notification_url getting it once); upload triggers get the
// upload's only.
func TestTriggersOfEager(t *testing.T) {
	o := startOrigin(t, jobsConfig)
	eagers, eagerURL := hookServer(t, o, 0)
	alls, allURL := hookServer(t, o, 0)
	ups, upURL := hookServer(t, o, 0)
	createTrigger(t, o, eagerURL+"/eager", "eager")
	createTrigger(t, o, allURL+"/all", "all")
	createTrigger(t, o, upURL+"/up", "upload")
	up := uploadEagerAsync(t, o, "eagerly", "w_40", eagerURL+"/eager")
	waitDelivered(t, o.Store.Meta, 4) // all: upload and eager; eager: eager; upload: upload
	got := eagers.hooks()
	if len(got) != 1 || got[0].body["notification_type"] != "eager" || got[0].body["asset_id"] != up.AssetID {
		t.Fatalf("eager trigger got %v", got)
	}
	if made, _ := got[0].body["eager"].([]any); len(made) != 1 {
		t.Errorf("eager trigger's images %v", got[0].body["eager"])
	}
	types := map[string]int{}
	for _, h := range alls.hooks() {
		types[fmt.Sprint(h.body["notification_type"])]++
	}
	if types["upload"] != 1 || types["eager"] != 1 || len(types) != 2 {
		t.Errorf("all trigger got %v", types)
	}
	if got := ups.hooks(); len(got) != 1 || got[0].body["notification_type"] != "upload" {
		t.Errorf("upload trigger got %v", got)
	}
}

// Tags and context calls and the Admin API's updates and bulk deletes notify their
// notification_url and the cloud's triggers, shaped as Cloudinary's:
// resource_tags_changed with what each asset's tags gained and lost,
// resource_context_changed with the keys added, updated and removed under
// the public ID, delete with every asset deleted; a change that changes
// nothing notifies nothing.
func TestWebhooksOfTagsContextAndAdminDeletes(t *testing.T) {
	o := startOrigin(t, webhookConfig)
	rcv, hookURL := hookServer(t, o, 0)
	all, allURL := hookServer(t, o, 0)
	createTrigger(t, o, allURL+"/all", "all")
	for _, id := range []string{"t1", "t2", "t3"} {
		uploadAs(t, o, "rocket.jpg", id)
	}

	signedPost(t, o, "/image/tags", url.Values{"command": {"add"}, "tag": {"red,blue"}, "public_ids": {"t1,t2"},
		"notification_url": {hookURL + "/tags"}})
	var tagged []string // the two are sent at once: in any order
	for i, h := range rcv.waitHooks(2) {
		res, _ := h.body["resources"].([]any)
		if h.body["notification_type"] != "resource_tags_changed" || h.body["source"] != "api" || len(res) != 1 {
			t.Fatalf("tags webhook %d: %s", i, h.raw)
		}
		r := res[0].(map[string]any)
		tagged = append(tagged, fmt.Sprint(r["public_id"]))
		if fmt.Sprint(r["added"]) != "[red blue]" || r["removed"] != nil ||
			r["resource_type"] != "image" || r["type"] != "upload" || r["asset_id"] == "" {
			t.Errorf("tags webhook %d resource %v", i, r)
		}
	}
	if slices.Sort(tagged); fmt.Sprint(tagged) != "[t1 t2]" {
		t.Errorf("tags webhooks of %v", tagged)
	}
	signedPost(t, o, "/image/tags", url.Values{"command": {"replace"}, "tag": {"blue,green"}, "public_ids": {"t1"},
		"notification_url": {hookURL + "/tags"}})
	h := rcv.waitHooks(3)[2]
	if r := h.body["resources"].([]any)[0].(map[string]any); fmt.Sprint(r["added"]) != "[green]" || fmt.Sprint(r["removed"]) != "[red]" {
		t.Errorf("replace webhook: %s", h.raw)
	}
	// Adding a tag t1 has notifies nothing.
	signedPost(t, o, "/image/tags", url.Values{"command": {"add"}, "tag": {"blue"}, "public_ids": {"t1"},
		"notification_url": {hookURL + "/tags"}})

	signedPost(t, o, "/image/context", url.Values{"command": {"add"}, "context": {"alt=a cat|caption=hi"},
		"public_ids": {"t3"}, "notification_url": {hookURL + "/context"}})
	h = rcv.waitHooks(4)[3]
	r, _ := h.body["resources"].(map[string]any)["t3"].(map[string]any)
	if h.body["notification_type"] != "resource_context_changed" || r == nil ||
		fmt.Sprint(r["added"]) != "[map[name:alt value:a cat] map[name:caption value:hi]]" {
		t.Fatalf("context webhook: %s", h.raw)
	}
	signedPost(t, o, "/image/context", url.Values{"command": {"add"}, "context": {"alt=a dog"},
		"public_ids": {"t3"}, "notification_url": {hookURL + "/context"}})
	h = rcv.waitHooks(5)[4]
	if r := h.body["resources"].(map[string]any)["t3"].(map[string]any); fmt.Sprint(r["updated"]) != "[map[name:alt value:a dog]]" ||
		r["added"] != nil || r["removed"] != nil {
		t.Errorf("context update webhook: %s", h.raw)
	}
	signedPost(t, o, "/image/context", url.Values{"command": {"remove_all"}, "public_ids": {"t3"},
		"notification_url": {hookURL + "/context"}})
	h = rcv.waitHooks(6)[5]
	if r := h.body["resources"].(map[string]any)["t3"].(map[string]any); fmt.Sprint(r["removed"]) != "[map[name:alt value:a dog] map[name:caption value:hi]]" {
		t.Errorf("context remove webhook: %s", h.raw)
	}

	// An Admin API update that changes tags and context sends one of each.
	a := adminDo(t, o, http.MethodPost, "resources/image/upload/t3", "application/x-www-form-urlencoded",
		url.Values{"tags": {"solo"}, "context": {"k=v"}, "display_name": {"Three"}, "notification_url": {hookURL + "/update"}}.Encode())
	if a.status != 200 {
		t.Fatalf("admin update: %s", a.raw)
	}
	byType := map[string]hook{}
	for _, h := range rcv.waitHooks(8)[6:] {
		byType[h.body["notification_type"].(string)] = h
	}
	if r := byType["resource_tags_changed"].body["resources"].([]any)[0].(map[string]any); fmt.Sprint(r["added"]) != "[solo]" ||
		r["public_id"] != "t3" {
		t.Errorf("update's tags webhook: %s", byType["resource_tags_changed"].raw)
	}
	if r := byType["resource_context_changed"].body["resources"].(map[string]any)["t3"].(map[string]any); fmt.Sprint(r["added"]) != "[map[name:k value:v]]" {
		t.Errorf("update's context webhook: %s", byType["resource_context_changed"].raw)
	}
	if byType["resource_tags_changed"].body["request_id"] != byType["resource_context_changed"].body["request_id"] {
		t.Errorf("one update, two request IDs")
	}
	// The answer names the notifications it wrote: two kinds, each to
	// notification_url and to the all trigger.
	ids := strings.Split(a.header.Get("X-Notification-Ids"), ",")
	var urls []string
	for _, id := range ids {
		n := adminGet(t, o, "notifications/"+id)
		if n.status != 200 {
			t.Fatalf("notification %s: %s", id, n.raw)
		}
		urls = append(urls, fmt.Sprint(n.body["notification_type"], " ", n.body["url"]))
	}
	want := []string{"resource_context_changed " + allURL + "/all", "resource_context_changed " + hookURL + "/update",
		"resource_tags_changed " + allURL + "/all", "resource_tags_changed " + hookURL + "/update"}
	slices.Sort(urls)
	if slices.Sort(want); !slices.Equal(urls, want) {
		t.Errorf("X-Notification-Ids %v are %v, want %s", ids, urls, want)
	}

	a = adminDo(t, o, http.MethodDelete, "resources/image/upload?public_ids[]=t1&public_ids[]=t2&public_ids[]=nope&notification_url="+
		url.QueryEscape(hookURL+"/delete"), "", "")
	if a.status != 200 {
		t.Fatalf("admin delete: %s", a.raw)
	}
	h = rcv.waitHooks(9)[8]
	res, _ := h.body["resources"].([]any)
	var gone []string
	for _, x := range res {
		gone = append(gone, x.(map[string]any)["public_id"].(string))
	}
	if h.body["notification_type"] != "delete" || fmt.Sprint(gone) != "[t1 t2]" {
		t.Errorf("admin delete webhook: %s", h.raw)
	}
	if got := strings.Split(a.header.Get("X-Notification-Ids"), ","); len(got) != 2 {
		t.Errorf("admin delete's X-Notification-Ids %v", got)
	}
	a = adminDo(t, o, http.MethodDelete, "resources/image/upload?public_ids[]=t1&notification_url="+
		url.QueryEscape(hookURL+"/delete"), "", "")
	if a.status != 200 || a.header.Get("X-Notification-Ids") != "" {
		t.Fatalf("admin delete of nothing: %s %v", a.raw, a.header)
	}
	// The "all" trigger got each notification too: 3 uploads and the 9 above.
	waitDelivered(t, o.Store.Meta, 21)
	if n := len(rcv.hooks()); n != 9 {
		t.Errorf("%d webhooks to notification_url, want 9", n)
	}
	var types []string
	for _, h := range all.hooks() {
		types = append(types, h.body["notification_type"].(string))
	}
	slices.Sort(types)
	if want := "[delete resource_context_changed resource_context_changed resource_context_changed resource_context_changed " +
		"resource_tags_changed resource_tags_changed resource_tags_changed resource_tags_changed upload upload upload]"; fmt.Sprint(types) != want {
		t.Errorf("the all trigger got %v, want %s", types, want)
	}
}

// The notifications listing (a mediacdn extension): newest first, by
// state, in pages; a delivered notification and one whose receiver
// answers 500 until it is given up, with its attempts and last error.
func TestNotificationsListing(t *testing.T) {
	o := startOrigin(t, func(cfg *origin.Config) {
		webhookConfig(cfg)
		cfg.Webhooks.RetryFor = time.Second
	})
	_, okURL := hookServer(t, o, 0)
	bad, badURL := hookServer(t, o, 1_000_000)
	uploadHooked(t, o, "fine", okURL)
	uploadHooked(t, o, "broken", badURL)
	testkit.CheckFor(t, testkit.Timeout, func() error { // polled in the store: the Admin API's rate limit counts calls
		list, err := o.Store.Meta.NotificationsPage(context.Background(), cloudName, meta.NotificationFailed, 0, 10)
		if err != nil || len(list) != 1 {
			return fmt.Errorf("%d failed notifications (%v)", len(list), err)
		}
		return nil
	})
	a := adminGet(t, o, "notifications")
	list, _ := a.body["notifications"].([]any)
	if a.status != 200 || len(list) != 2 {
		t.Fatalf("listing: %s", a.raw)
	}
	failed, delivered := list[0].(map[string]any), list[1].(map[string]any)
	bad.mu.Lock()
	hits := bad.hits
	bad.mu.Unlock()
	if failed["url"] != badURL || failed["state"] != "failed" || failed["notification_type"] != "upload" ||
		failed["last_error"] != "500 Internal Server Error" || failed["failed_at"] == nil ||
		failed["attempts"].(float64) < 1 || int(failed["attempts"].(float64)) != hits {
		t.Errorf("failed notification %v (the receiver got %d requests)", failed, hits)
	}
	if delivered["url"] != okURL || delivered["state"] != "delivered" || delivered["attempts"] != float64(1) ||
		delivered["delivered_at"] == nil || delivered["last_error"] != nil || delivered["next_attempt_at"] != nil {
		t.Errorf("delivered notification %v", delivered)
	}
	if a := adminGet(t, o, "notifications?state=delivered"); len(a.body["notifications"].([]any)) != 1 {
		t.Errorf("delivered only: %s", a.raw)
	}
	page := adminGet(t, o, "notifications?max_results=1")
	cursor, _ := page.body["next_cursor"].(string)
	if len(page.body["notifications"].([]any)) != 1 || cursor == "" {
		t.Fatalf("first page: %s", page.raw)
	}
	page = adminGet(t, o, "notifications?max_results=1&next_cursor="+url.QueryEscape(cursor))
	if l := page.body["notifications"].([]any); len(l) != 1 || l[0].(map[string]any)["id"] != delivered["id"] || page.body["next_cursor"] != nil {
		t.Errorf("second page: %s", page.raw)
	}
	one := adminGet(t, o, "notifications/"+delivered["id"].(string))
	if one.status != 200 || one.body["id"] != delivered["id"] || one.body["state"] != "delivered" {
		t.Errorf("one: %s", one.raw)
	}
	for path, want := range map[string]string{"notifications/999999": "Notification 999999 not found",
		"notifications/x": "Notification x not found"} {
		if a := adminGet(t, o, path); a.status != 404 || a.errorMessage() != want {
			t.Errorf("%s: %d %s", path, a.status, a.raw)
		}
	}
	if a := adminGet(t, o, "notifications?state=lost"); a.status != 400 ||
		a.errorMessage() != "Invalid state - lost (must be pending, delivered or failed)" {
		t.Errorf("bad state: %d %s", a.status, a.raw)
	}
	req, _ := http.NewRequest(http.MethodGet, o.URL+"/v1_1/demo/notifications", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("without credentials: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if list, _ := o.Store.Meta.NotificationsPage(context.Background(), cloudName, "", 0, 10); len(list) != 2 ||
		list[0].State != meta.NotificationFailed {
		t.Errorf("store: %+v", list)
	}
}
