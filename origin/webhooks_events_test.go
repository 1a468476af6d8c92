package origin_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// set_exclusive notifies resource_tags_changed for each asset whose tags
// it changed: the assets named that gain the tag, and the others that
// lose it; an asset named that had it already notifies nothing.
func TestWebhooksOfSetExclusive(t *testing.T) {
	o := startOrigin(t, webhookConfig)
	rcv, hookURL := hookServer(t, o, 0)
	for _, id := range []string{"x1", "x2", "x3"} {
		uploadAs(t, o, "rocket.jpg", id)
	}
	signedPost(t, o, "/image/tags", url.Values{"command": {"add"}, "tag": {"hero"}, "public_ids": {"x1,x2"}})
	signedPost(t, o, "/image/tags", url.Values{"command": {"set_exclusive"}, "tag": {"hero"}, "public_ids": {"x2,x3"},
		"notification_url": {hookURL + "/exclusive"}})
	waitDelivered(t, o.Store.Meta, 2)
	var got []string
	for _, h := range rcv.hooks() {
		res, _ := h.body["resources"].([]any)
		if h.body["notification_type"] != "resource_tags_changed" || h.body["source"] != "api" || len(res) != 1 {
			t.Fatalf("set_exclusive webhook %s", h.raw)
		}
		r := res[0].(map[string]any)
		if r["asset_id"] == "" || r["resource_type"] != "image" || r["type"] != "upload" {
			t.Errorf("set_exclusive webhook resource %v", r)
		}
		got = append(got, fmt.Sprintf("%v+%v-%v", r["public_id"], r["added"], r["removed"]))
	}
	if slices.Sort(got); fmt.Sprint(got) != "[x1+<nil>-[hero] x3+[hero]-<nil>]" {
		t.Errorf("set_exclusive webhooks %v", got)
	}
}

// delete_by_token (unsigned, with no notification_url of its own) sends
// the delete notification to the cloud's delete triggers, as destroy does.
func TestWebhooksOfDeleteByToken(t *testing.T) {
	o := startOrigin(t, webhookConfig)
	rcv, hookURL := hookServer(t, o, 0)
	createTrigger(t, o, hookURL+"/del", "delete")
	up, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, "rocket.jpg"), uploader.UploadParams{
		PublicID: "tokened", ReturnDeleteToken: api.Bool(true)})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	token, _ := (*up.Response.(*map[string]any))["delete_token"].(string) // the SDK's result has no field for it
	status, body := post(t, o.URL+"/v1_1/demo/delete_by_token", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"token": {token}}.Encode()), false)
	if status != 200 {
		t.Fatalf("delete_by_token: %d %s", status, body)
	}
	h := rcv.waitHooks(1)[0]
	res, _ := h.body["resources"].([]any)
	if h.body["notification_type"] != "delete" || len(res) != 1 {
		t.Fatalf("delete_by_token webhook %s", h.raw)
	}
	if r := res[0].(map[string]any); r["public_id"] != "tokened" || r["asset_id"] != up.AssetID || r["type"] != "upload" {
		t.Errorf("delete_by_token webhook resource %v", r)
	}
}

// multi, sprite, explode and generate_archive (mode=create) with the Go
// SDK notify their notification_url once their result is stored (explode:
// once its pages are made), the method's answer as the body under their
// own notification_type; the cloud's triggers of those types get them
// too.
func TestWebhooksOfMadeFiles(t *testing.T) {
	o := startOrigin(t, webhookConfig)
	ctx := context.Background()
	rcv, hookURL := hookServer(t, o, 0)
	trig, trigURL := hookServer(t, o, 0)
	createTrigger(t, o, trigURL+"/explode", "explode")
	uploadWithTag(t, o, "set", [2]string{"chelsea.png", "a"}, [2]string{"coffee.png", "b"})

	mu, err := o.Cld.Upload.Multi(ctx, uploader.MultiParams{Tag: "set", Transformation: "w_40", NotificationURL: hookURL + "/multi"})
	if msg := sdkFailure(err, mu); msg != "" {
		t.Fatal(msg)
	}
	sp, err := o.Cld.Upload.GenerateSprite(ctx, uploader.GenerateSpriteParams{Tag: "set", NotificationURL: hookURL + "/sprite"})
	if msg := sdkFailure(err, sp); msg != "" {
		t.Fatal(msg)
	}
	ex, err := o.Cld.Upload.Explode(ctx, uploader.ExplodeParams{PublicID: "set", Type: "multi", NotificationURL: hookURL + "/explode"})
	if msg := sdkFailure(err, ex); msg != "" {
		t.Fatal(msg)
	}
	zip, err := o.Cld.Upload.CreateZip(ctx, uploader.CreateArchiveParams{Tags: api.CldAPIArray{"set"},
		TargetPublicID: "set", NotificationURL: hookURL + "/zip"})
	if msg := sdkFailure(err, zip); msg != "" {
		t.Fatal(msg)
	}
	waitDelivered(t, o.Store.Meta, 5)
	got := map[string]map[string]any{}
	for _, h := range rcv.hooks() {
		got[fmt.Sprint(h.body["notification_type"])] = h.body
		if h.body["signature_key"] != apiKey || len(fmt.Sprint(h.body["request_id"])) != 32 || h.body["timestamp"] == nil {
			t.Errorf("webhook frame %s", h.raw)
		}
	}
	if m := got["multi"]; m == nil || m["public_id"] != "set" || m["url"] != mu.URL || m["asset_id"] != mu.AssetID ||
		m["version"] != float64(mu.Version) {
		t.Errorf("multi webhook %v (answer %+v)", m, mu)
	}
	if s := got["sprite"]; s == nil || s["public_id"] != "set" || s["css_url"] != sp.CSSURL || s["image_url"] != sp.ImageURL ||
		len(s["image_infos"].(map[string]any)) != 2 {
		t.Errorf("sprite webhook %v", s)
	}
	e := got["explode"]
	pages, _ := e["eager"].([]any)
	if e == nil || e["batch_id"] != ex.BatchID || e["public_id"] != "set" || e["type"] != "multi" || len(pages) != 2 {
		t.Fatalf("explode webhook %v (batch %s)", e, ex.BatchID)
	}
	if p := pages[1].(map[string]any); p["transformation"] != "pg_2" || p["width"] != float64(40) ||
		!strings.HasSuffix(fmt.Sprint(p["secure_url"]), "/demo/image/multi/pg_2/v"+fmt.Sprint(mu.Version)+"/set.png") {
		t.Errorf("explode webhook's second page %v", p)
	}
	if z := got["generate_archive"]; z == nil || z["public_id"] != "set.zip" || z["resource_type"] != "raw" ||
		z["file_count"] != float64(2) || z["secure_url"] != zip.SecureURL {
		t.Errorf("generate_archive webhook %v", z)
	}
	if th := trig.hooks(); len(th) != 1 || th[0].body["notification_type"] != "explode" {
		t.Errorf("explode trigger got %v", th)
	}
}

// multi and sprite with async answer at once (status processing, the tag,
// a batch ID); a job makes and stores the result, and notification_url
// gets the method's notification then; one that fails (a tag no image
// has) stores nothing and notifies its error, once, not tried again.
func TestMultiSpriteAsync(t *testing.T) {
	o := startOrigin(t, jobsConfig)
	ctx := context.Background()
	rcv, hookURL := hookServer(t, o, 0)
	uploadWithTag(t, o, "set", [2]string{"chelsea.png", "a"}, [2]string{"coffee.png", "b"})
	mu, err := o.Cld.Upload.Multi(ctx, uploader.MultiParams{Tag: "set", Async: api.Bool(true), NotificationURL: hookURL + "/multi"})
	if msg := sdkFailure(err, mu); msg != "" {
		t.Fatal(msg)
	}
	raw := *mu.Response.(*map[string]any)
	if raw["status"] != "processing" || raw["public_id"] != "set" || len(fmt.Sprint(raw["batch_id"])) != 64 || mu.URL != "" {
		t.Fatalf("async multi answered %v", raw)
	}
	sp, err := o.Cld.Upload.GenerateSprite(ctx, uploader.GenerateSpriteParams{Tag: "none", Async: api.Bool(true),
		NotificationURL: hookURL + "/sprite"})
	if msg := sdkFailure(err, sp); msg != "" {
		t.Fatal(msg)
	}
	waitDelivered(t, o.Store.Meta, 2)
	got := map[string]map[string]any{}
	for _, h := range rcv.hooks() {
		got[fmt.Sprint(h.body["notification_type"])] = h.body
	}
	if m := got["multi"]; m == nil || m["public_id"] != "set" || !strings.HasSuffix(fmt.Sprint(m["secure_url"]), "/set.gif") {
		t.Errorf("async multi's notification %v", m)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/multi/set.gif"); r.Status != 200 {
		t.Errorf("async multi's result: %d", r.Status)
	}
	s := got["sprite"]
	if e, _ := s["error"].(map[string]any); s == nil || s["status"] != "failed" || s["public_id"] != "none" ||
		e["message"] != "No images found with tag - none" {
		t.Errorf("failed async sprite's notification %v", s)
	}
	jobs, err := o.Store.Meta.ListJobs(ctx, cloudName, 10)
	if err != nil || len(jobs) != 2 || jobs[0].State != "failed" || jobs[0].Attempts != 1 || jobs[1].State != "done" {
		t.Errorf("jobs %+v %v", jobs, err)
	}
}
