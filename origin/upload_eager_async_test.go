package origin_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// jobsConfig is webhookConfig with jobs polled and retried fast.
func jobsConfig(cfg *origin.Config) {
	webhookConfig(cfg)
	cfg.Jobs.PollInterval = 20 * time.Millisecond
	cfg.Jobs.RetryAfter = 10 * time.Millisecond
}

// hookReceiver starts a receiver on loopback.
func hookReceiver(t *testing.T, o *testOrigin) (*receiver, string) {
	rcv := &receiver{t: t, alg: "sha1", sdk: &o.Cld.Upload}
	hs := httptest.NewServer(rcv)
	t.Cleanup(hs.Close)
	return rcv, hs.URL
}

// uploadEagerAsync uploads rocket.jpg as id with eager_async.
func uploadEagerAsync(t *testing.T, o *testOrigin, id, eager, notify string) *uploader.UploadResult {
	t.Helper()
	up, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, "rocket.jpg"), uploader.UploadParams{
		PublicID: id, Eager: eager, EagerAsync: api.Bool(true), EagerNotificationURL: notify})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	return up
}

// rawEager is the eager list of an SDK result's raw answer.
func rawEager(t *testing.T, res any) []map[string]any {
	t.Helper()
	var m map[string]any
	if p, ok := res.(*map[string]any); ok && p != nil {
		m = *p
	}
	list, _ := m["eager"].([]any)
	var out []map[string]any
	for _, e := range list {
		em, _ := e.(map[string]any)
		out = append(out, em)
	}
	return out
}

// eager_async: the answer lists each eager transformation as processing,
// with its batch ID and URLs; the eager notification, signed, tells of
// each image made; the derived URLs then deliver without a transform.
// explicit with eager_async notifies notification_url when it has no
// eager_notification_url.
func TestEagerAsync(t *testing.T) {
	o := startOrigin(t, jobsConfig)
	rcv, hook := hookReceiver(t, o)
	up := uploadEagerAsync(t, o, "later", "c_fill,w_100,h_80|w_50/png", hook+"/eager")
	eager := rawEager(t, up.Response)
	if len(eager) != 2 {
		t.Fatalf("eager answer %v", up.Response)
	}
	batch, _ := eager[0]["batch_id"].(string)
	wantURLs := []string{
		fmt.Sprintf("/demo/image/upload/c_fill,w_100,h_80/v%d/later.jpg", up.Version),
		fmt.Sprintf("/demo/image/upload/w_50/v%d/later.png", up.Version),
	}
	for i, e := range eager {
		if e["status"] != "processing" || e["batch_id"] != batch || len(batch) < 32 ||
			e["url"] != "http://cdn.test"+wantURLs[i] || e["secure_url"] != "https://cdn.test"+wantURLs[i] {
			t.Errorf("eager answer %d: %v", i, e)
		}
		if _, ok := e["width"]; ok {
			t.Errorf("eager answer %d has a width before it is made: %v", i, e)
		}
	}
	if eager[0]["transformation"] != "c_fill,w_100,h_80" || eager[1]["transformation"] != "w_50" {
		t.Errorf("transformations %v, %v", eager[0]["transformation"], eager[1]["transformation"])
	}

	h := rcv.waitHooks(1)[0].body
	for k, want := range map[string]any{"notification_type": "eager", "batch_id": batch, "public_id": "later",
		"asset_id": up.AssetID, "version": float64(up.Version), "resource_type": "image", "type": "upload",
		"signature_key": apiKey} {
		if h[k] != want {
			t.Errorf("eager notification %s = %v, want %v", k, h[k], want)
		}
	}
	made, _ := h["eager"].([]any)
	if len(made) != 2 {
		t.Fatalf("eager notification %v", h)
	}
	first, _ := made[0].(map[string]any)
	second, _ := made[1].(map[string]any)
	if first["width"] != float64(100) || first["height"] != float64(80) || first["url"] != "http://cdn.test"+wantURLs[0] ||
		first["secure_url"] != "https://cdn.test"+wantURLs[0] || first["bytes"] == float64(0) || first["transformation"] != "c_fill,w_100,h_80" {
		t.Errorf("first eager image %v", first)
	}
	if second["width"] != float64(50) || second["format"] != "png" {
		t.Errorf("second eager image %v", second)
	}
	// Made once each; delivered now without another transform.
	if n := o.Server.Transforms(); n != 2 {
		t.Errorf("%d transforms for 2 eager images", n)
	}
	for _, path := range wantURLs {
		r := testkit.Get(t, o.URL+path)
		if r.Status != http.StatusOK || len(r.Body) == 0 {
			t.Errorf("%s: %d", path, r.Status)
		}
	}
	if n := o.Server.Transforms(); n != 2 {
		t.Errorf("%d transforms after delivering the eager images, want still 2", n)
	}
	res, err := o.Cld.Admin.Asset(context.Background(), admin.AssetParams{AssetType: api.Image, DeliveryType: api.Upload, PublicID: "later"})
	if err != nil || len(res.Derived) != 2 {
		t.Errorf("details: %d derived (%v)", len(res.Derived), err)
	}

	exp, err := o.Cld.Upload.Explicit(context.Background(), uploader.ExplicitParams{PublicID: "later", Type: "upload",
		Eager: "e_grayscale", EagerAsync: api.Bool(true), NotificationURL: hook + "/explicit"})
	if msg := sdkFailure(err, exp); msg != "" {
		t.Fatal(msg)
	}
	if e := rawEager(t, exp.Response); len(e) != 1 || e[0]["status"] != "processing" {
		t.Errorf("explicit's eager answer %v", exp.Response)
	}
	hooks := rcv.waitHooks(3) // explicit's upload notification, and its eager one
	types := map[string]int{}
	for _, h := range hooks[1:] {
		types[fmt.Sprint(h.body["notification_type"])]++
		if h.body["notification_type"] == "eager" {
			if made, _ := h.body["eager"].([]any); len(made) != 1 {
				t.Errorf("explicit's eager notification %v", h.body)
			}
		}
	}
	if types["eager"] != 1 || types["upload"] != 1 {
		t.Errorf("notifications after explicit: %v", types)
	}
	waitDelivered(t, o.Store.Meta, 3)
	if n := len(rcv.hooks()); n != 3 {
		t.Errorf("%d notifications, want 3", n)
	}
}

// A job queued when its origin stops is done once the origin runs again on
// the same data, and notified once.
func TestEagerAsyncSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	first := startOrigin(t, func(cfg *origin.Config) {
		jobsConfig(cfg)
		cfg.DataDir = dir
		cfg.Jobs.Disabled = true // the job waits
	})
	rcv, hook := hookReceiver(t, first)
	up := uploadEagerAsync(t, first, "queued", "c_fill,w_60,h_40", hook)
	jobs, err := first.Store.Meta.ListJobs(context.Background(), cloudName, 10)
	if err != nil || len(jobs) != 1 || jobs[0].State != meta.JobPending || first.Server.Transforms() != 0 {
		t.Fatalf("jobs before the restart %+v %v (%d transforms)", jobs, err, first.Server.Transforms())
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
	if h["notification_type"] != "eager" || h["public_id"] != "queued" || h["version"] != float64(up.Version) {
		t.Errorf("notification after the restart %v", h)
	}
	waitDelivered(t, second.Store.Meta, 1)
	jobs, err = second.Store.Meta.ListJobs(context.Background(), cloudName, 10)
	if err != nil || len(jobs) != 1 || jobs[0].State != meta.JobDone || jobs[0].Attempts != 1 {
		t.Errorf("jobs after the restart %+v %v", jobs, err)
	}
	if n := len(rcv.hooks()); n != 1 || second.Server.Transforms() != 1 {
		t.Errorf("%d notifications (want 1), %d transforms (want 1)", n, second.Server.Transforms())
	}
}

// Past jobs.max_queued_per_cloud, a call that would queue a job (an
// eager_async, an async upload) answers 420 with Retry-After and stores
// nothing.
func TestEagerAsyncQueueBound(t *testing.T) {
	o := startOrigin(t, func(cfg *origin.Config) {
		jobsConfig(cfg)
		cfg.Jobs.Disabled = true
		cfg.Jobs.MaxQueuedPerCloud = 1
	})
	uploadEagerAsync(t, o, "one", "w_10", "")
	status, body := post(t, o.URL+"/v1_1/demo/image/upload", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"file": {"data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(testkit.Read(t, "rocket.jpg"))}, "public_id": {"two"}, "eager": {"w_10"},
			"eager_async": {"true"}}.Encode()), true)
	if status != 420 || errorMessage(t, body) != "Rate Limit Exceeded" {
		t.Errorf("a second queued job: %d %s", status, body)
	}
	if _, err := o.Store.Meta.Asset(context.Background(), meta.Key{Cloud: cloudName, ResourceType: delivery.Image,
		Type: delivery.Upload, PublicID: "two"}); err == nil {
		t.Error("the refused upload was stored")
	}
	status, body = post(t, o.URL+"/v1_1/demo/image/upload", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"file": {"data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(testkit.Read(t, "rocket.jpg"))},
			"public_id": {"four"}, "async": {"true"}}.Encode()), true)
	if status != 420 || errorMessage(t, body) != "Rate Limit Exceeded" {
		t.Errorf("an async upload past the bound: %d %s", status, body)
	}
	if n := countBlobs(t, o); n != 1 {
		t.Errorf("%d blobs after the refused calls, want the first upload's only", n)
	}
	// Without eager_async the upload needs no job.
	uploadAs(t, o, "rocket.jpg", "three", "eager", "w_10")
}

// A job whose images cannot be made is tried jobs.max_attempts times, then
// notifies its error.
func TestEagerAsyncFails(t *testing.T) {
	o := startOrigin(t, func(cfg *origin.Config) {
		jobsConfig(cfg)
		cfg.Jobs.MaxAttempts = 2
	})
	rcv, hook := hookReceiver(t, o)
	uploadEagerAsync(t, o, "broken", "l_missing_layer", hook)
	h := rcv.waitHooks(1)[0].body
	e, _ := h["error"].(map[string]any)
	if h["notification_type"] != "eager" || e == nil || e["message"] == "" || fmt.Sprint(h["eager"]) != "[]" {
		t.Errorf("failure notification %v", h)
	}
	jobs, err := o.Store.Meta.ListJobs(context.Background(), cloudName, 10)
	if err != nil || len(jobs) != 1 || jobs[0].State != meta.JobFailed || jobs[0].Attempts != 2 || jobs[0].LastError != e["message"] {
		t.Errorf("jobs %+v %v", jobs, err)
	}
	testkit.CheckFor(t, testkit.Timeout, func() error { // counted once recorded
		m := testkit.Get(t, o.MetricsURL+"/metrics")
		for _, want := range []string{"mediacdn_origin_jobs_done_total 0\n", "mediacdn_origin_jobs_retried_total 1\n",
			"mediacdn_origin_jobs_failed_total 1\n"} {
			if !strings.Contains(string(m.Body), want) {
				return fmt.Errorf("metrics without %q", want)
			}
		}
		return nil
	})
}

// An unsigned upload through a preset whose settings hold eager_async and
// eager_notification_url makes its eager images in the background and
// notifies.
func TestEagerAsyncFromPreset(t *testing.T) {
	o := startOrigin(t, jobsConfig)
	rcv, hook := hookReceiver(t, o)
	ctx := context.Background()
	created, err := o.Cld.Admin.CreateUploadPreset(ctx, admin.CreateUploadPresetParams{Name: "later", Unsigned: api.Bool(true),
		UploadParams: uploader.UploadParams{Eager: "c_fill,w_30,h_20", EagerAsync: api.Bool(true), EagerNotificationURL: hook}})
	if msg := sdkFailure(err, created); msg != "" {
		t.Fatal(msg)
	}
	up, err := o.Cld.Upload.UnsignedUpload(ctx, testkit.Path(t, "rocket.jpg"), "later", uploader.UploadParams{})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	if e := rawEager(t, up.Response); len(e) != 1 || e[0]["status"] != "processing" {
		t.Fatalf("eager answer %v", up.Response)
	}
	h := rcv.waitHooks(1)[0].body
	if made, _ := h["eager"].([]any); h["notification_type"] != "eager" || h["public_id"] != up.PublicID || len(made) != 1 {
		t.Errorf("eager notification %v", h)
	}
}
