package origin_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// rawAnswer is an SDK result's raw answer.
func rawAnswer(res any) map[string]any {
	if p, ok := res.(*map[string]any); ok && p != nil {
		return *p
	}
	return nil
}

// async=true: the answer is pending, with the public ID and a batch ID;
// the upload completes in the background, notifies notification_url with
// the upload's fields, and the Admin API then shows the asset. The file
// kept meanwhile is removed. Without public_id, the ID answered is the
// asset's.
func TestAsyncUpload(t *testing.T) {
	o := startOrigin(t, jobsConfig)
	rcv, hook := hookReceiver(t, o)
	ctx := context.Background()
	up, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "bg",
		Async: api.Bool(true), NotificationURL: hook, Tags: api.CldAPIArray{"a"}})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	ans := rawAnswer(up.Response)
	if batch, _ := ans["batch_id"].(string); ans["status"] != "pending" || ans["public_id"] != "bg" || len(batch) != 64 || len(ans) != 3 {
		t.Errorf("async answer %v", ans)
	}
	h := rcv.waitHooks(1)[0].body
	for k, want := range map[string]any{"notification_type": "upload", "public_id": "bg", "width": float64(640),
		"format": "jpg", "resource_type": "image", "type": "upload"} {
		if h[k] != want {
			t.Errorf("upload notification %s = %v, want %v", k, h[k], want)
		}
	}
	if fmt.Sprint(h["tags"]) != "[a]" {
		t.Errorf("upload notification tags %v", h["tags"])
	}
	d, err := o.Cld.Admin.Asset(ctx, admin.AssetParams{AssetType: api.Image, DeliveryType: api.Upload, PublicID: "bg"})
	if err != nil || d.AssetID != h["asset_id"] || float64(d.Bytes) != h["bytes"] || float64(d.Version) != h["version"] {
		t.Errorf("details %+v %v", d, err)
	}
	jobs, err := o.Store.Meta.ListJobs(ctx, cloudName, 10)
	if err != nil || len(jobs) != 1 || jobs[0].State != meta.JobDone || jobs[0].Attempts != 1 {
		t.Errorf("jobs %+v %v", jobs, err)
	}
	testkit.Eventually(t, testkit.Timeout, "the kept file removed", func() bool { return countBlobs(t, o) == 1 })
	testkit.Eventually(t, testkit.Timeout, "the job counted", func() bool {
		return strings.Contains(string(testkit.Get(t, o.MetricsURL+"/metrics").Body), "mediacdn_origin_jobs_done_total 1\n")
	})

	named, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "chelsea.png"), uploader.UploadParams{Folder: "later",
		Async: api.Bool(true)})
	if msg := sdkFailure(err, named); msg != "" {
		t.Fatal(msg)
	}
	id, _ := rawAnswer(named.Response)["public_id"].(string)
	if !strings.HasPrefix(id, "later/") {
		t.Fatalf("async answer %v", named.Response)
	}
	testkit.CheckFor(t, testkit.Timeout, func() error {
		a, err := o.Store.Meta.Asset(ctx, meta.Key{Cloud: cloudName, ResourceType: delivery.Image, Type: delivery.Upload, PublicID: id})
		if err != nil {
			return err
		}
		if a.Format != "png" || a.AssetFolder != "later" {
			return fmt.Errorf("asset %+v", a)
		}
		return nil
	})
	waitDelivered(t, o.Store.Meta, 1)
	if n := len(rcv.hooks()); n != 1 {
		t.Errorf("%d notifications, want 1", n)
	}
}

// An async upload of a corrupt file answers pending, then notifies the
// error a synchronous upload answers, stores nothing, is not tried again,
// and its kept file is removed.
func TestAsyncUploadFails(t *testing.T) {
	o := startOrigin(t, jobsConfig)
	rcv, hook := hookReceiver(t, o)
	jpg := testkit.Read(t, "rocket.jpg")
	corrupt := "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(jpg[:len(jpg)/3])
	form := func(async string) *strings.Reader {
		return strings.NewReader(url.Values{"file": {corrupt}, "public_id": {"broken"}, "async": {async},
			"notification_url": {hook}}.Encode())
	}
	status, body := post(t, o.URL+"/v1_1/demo/image/upload", "application/x-www-form-urlencoded", form("false"), true)
	if status != 400 {
		t.Fatalf("synchronous upload of a corrupt file: %d %s", status, body)
	}
	want := errorMessage(t, body)
	status, body = post(t, o.URL+"/v1_1/demo/image/upload", "application/x-www-form-urlencoded", form("true"), true)
	var ans map[string]any
	if err := json.Unmarshal([]byte(body), &ans); status != 200 || err != nil || ans["status"] != "pending" || ans["public_id"] != "broken" {
		t.Fatalf("async upload of a corrupt file: %d %s", status, body)
	}
	h := rcv.waitHooks(1)[0].body
	e, _ := h["error"].(map[string]any)
	if h["notification_type"] != "upload" || h["status"] != "failed" || h["public_id"] != "broken" ||
		h["batch_id"] != ans["batch_id"] || e == nil || e["message"] != want {
		t.Errorf("failure notification %v, want the message %q", h, want)
	}
	if _, err := o.Store.Meta.Asset(context.Background(), meta.Key{Cloud: cloudName, ResourceType: delivery.Image,
		Type: delivery.Upload, PublicID: "broken"}); err == nil {
		t.Error("the failed upload was stored")
	}
	jobs, err := o.Store.Meta.ListJobs(context.Background(), cloudName, 10)
	if err != nil || len(jobs) != 1 || jobs[0].State != meta.JobFailed || jobs[0].Attempts != 1 || jobs[0].LastError != want {
		t.Errorf("jobs %+v %v", jobs, err)
	}
	testkit.Eventually(t, testkit.Timeout, "the kept file removed", func() bool { return countBlobs(t, o) == 0 })

	// A delete token could not be answered: refused.
	status, body = post(t, o.URL+"/v1_1/demo/image/upload", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"file": {corrupt}, "async": {"true"}, "return_delete_token": {"true"}}.Encode()), true)
	if status != 400 || errorMessage(t, body) != "Parameter return_delete_token is not supported by this server with async" {
		t.Errorf("async with return_delete_token: %d %s", status, body)
	}
}

// An async upload queued when its origin stops is stored once the origin
// runs again on the same data, and notified once.
func TestAsyncUploadSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	first := startOrigin(t, func(cfg *origin.Config) {
		jobsConfig(cfg)
		cfg.DataDir = dir
		cfg.Jobs.Disabled = true // the job waits
	})
	rcv, hook := hookReceiver(t, first)
	up, err := first.Cld.Upload.Upload(context.Background(), testkit.Path(t, "rocket.jpg"), uploader.UploadParams{
		PublicID: "waiting", Async: api.Bool(true), NotificationURL: hook})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	if n := countBlobs(t, first); n != 1 {
		t.Fatalf("%d blobs while the upload waits, want its kept file", n)
	}
	first.Server.Close()
	if err := first.Store.Close(); err != nil {
		t.Fatal(err)
	}

	second := startOrigin(t, func(cfg *origin.Config) {
		jobsConfig(cfg)
		cfg.DataDir = dir
	})
	h := rcv.waitHooks(1)[0].body
	if h["notification_type"] != "upload" || h["public_id"] != "waiting" || h["width"] != float64(640) {
		t.Errorf("notification after the restart %v", h)
	}
	waitDelivered(t, second.Store.Meta, 1)
	testkit.Eventually(t, testkit.Timeout, "the kept file removed", func() bool { return countBlobs(t, second) == 1 })
	if n := len(rcv.hooks()); n != 1 {
		t.Errorf("%d notifications, want 1", n)
	}
}

// An async upload stores the structured metadata it was sent, checked
// when the call is answered (a bad value refuses it at once) and again
// when the job stores it.
func TestAsyncUploadMetadata(t *testing.T) {
	o := startOrigin(t, jobsConfig)
	setDemoFields(t, o)
	ctx := context.Background()
	bad, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "md_bad",
		Async: api.Bool(true), Metadata: api.Metadata{"nope": "x"}})
	if err != nil || bad.Error.Message != "Metadata field nope does not exist" {
		t.Fatalf("async upload with a bad value: %+v %v", bad.Error, err)
	}
	up, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "md",
		Async: api.Bool(true), Metadata: api.Metadata{"alt": "A cat", "mood": "calm"}})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	want := api.Metadata{"alt": "A cat", "mood": "calm", "colors": []any{"red"}}
	testkit.CheckFor(t, testkit.Timeout, func() error {
		d, err := o.Cld.Admin.Asset(ctx, admin.AssetParams{PublicID: "md"})
		if err != nil || d.Error.Message != "" {
			return fmt.Errorf("details: %+v %v", d.Error, err)
		}
		if fmt.Sprint(d.Metadata) != fmt.Sprint(want) {
			return fmt.Errorf("metadata %v, want %v", d.Metadata, want)
		}
		return nil
	})
}
