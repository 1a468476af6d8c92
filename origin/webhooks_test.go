package origin_test

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// hook is a webhook received by a receiver.
type hook struct {
	body map[string]any
	raw  string
}

// receiver is a webhook receiver on loopback that checks each webhook's
// signature as docs/webhooks.md tells receivers to and as the Go SDK's
// VerifyNotificationSignature does (sdk, when set), and answers 500 to the
// first fail requests.
type receiver struct {
	t    *testing.T
	alg  string // sha1 or sha256
	sdk  *uploader.API
	mu   sync.Mutex
	fail int
	hits int // requests, failed ones included
	got  []hook
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	ts, sig := req.Header.Get("X-Cld-Timestamp"), req.Header.Get("X-Cld-Signature")
	data := string(body) + ts + apiSecret
	want := fmt.Sprintf("%x", sha1.Sum([]byte(data)))
	if r.alg == "sha256" {
		want = fmt.Sprintf("%x", sha256.Sum256([]byte(data)))
	}
	if req.Method != http.MethodPost || sig != want || req.Header.Get("Content-Type") != "application/json" {
		r.t.Errorf("webhook %s with signature %q (want %q), content type %q", req.Method, sig, want, req.Header.Get("Content-Type"))
	}
	if n, err := strconv.ParseInt(ts, 10, 64); r.sdk != nil && (err != nil || !r.sdk.VerifyNotificationSignature(string(body), n, sig, 0)) {
		r.t.Errorf("the Go SDK refuses the webhook's signature %q at %q", sig, ts)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hits++
	if r.fail > 0 {
		r.fail--
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
		return
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		r.t.Errorf("webhook body %q: %v", body, err)
	}
	r.got = append(r.got, hook{body: m, raw: string(body)})
}

// hooks returns the webhooks received (2xx answered).
func (r *receiver) hooks() []hook {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hook(nil), r.got...)
}

// waitHooks waits until n webhooks were received, and returns them.
func (r *receiver) waitHooks(n int) []hook {
	r.t.Helper()
	testkit.Eventually(r.t, testkit.Timeout, fmt.Sprintf("%d webhooks received", n), func() bool { return len(r.hooks()) >= n })
	return r.hooks()
}

// webhookConfig lets the origin reach loopback receivers, and retry fast.
func webhookConfig(cfg *origin.Config) {
	cfg.Fetch.AllowNetworks = []string{"127.0.0.0/8"}
	cfg.Webhooks.MinBackoff = 10 * time.Millisecond
	cfg.Webhooks.MaxBackoff = 40 * time.Millisecond
	cfg.Webhooks.PollInterval = 20 * time.Millisecond
}

// waitDelivered waits until every notification of the demo cloud is
// delivered, and returns them (newest first).
func waitDelivered(t *testing.T, s meta.Store, n int) []meta.Notification {
	t.Helper()
	var list []meta.Notification
	testkit.CheckFor(t, testkit.Timeout, func() error {
		var err error
		if list, err = s.NotificationsPage(context.Background(), cloudName, "", 0, 100); err != nil {
			return err
		}
		if len(list) != n {
			return fmt.Errorf("%d notifications, want %d", len(list), n)
		}
		for _, x := range list {
			if x.State != meta.NotificationDelivered {
				return fmt.Errorf("notification %d is %s after %d attempts (%s)", x.ID, x.State, x.Attempts, x.LastError)
			}
		}
		return nil
	})
	return list
}

// signedPost posts form fields to an Upload API path with basic auth.
func signedPost(t *testing.T, o *testOrigin, path string, fields url.Values) string {
	t.Helper()
	status, body := post(t, o.URL+"/v1_1/demo"+path, "application/x-www-form-urlencoded", strings.NewReader(fields.Encode()), true)
	if status != 200 {
		t.Fatalf("%s: %d %s", path, status, body)
	}
	return body
}

// notification_url on upload, explicit, rename and destroy: each sends one
// webhook shaped as Cloudinary's, signed with the API secret.
func TestWebhooksOfEachCall(t *testing.T) {
	o := startOrigin(t, webhookConfig)
	rcv := &receiver{t: t, alg: "sha1", sdk: &o.Cld.Upload}
	hs := httptest.NewServer(rcv)
	t.Cleanup(hs.Close)
	ctx := context.Background()

	up, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "hooked",
		Tags: api.CldAPIArray{"a"}, NotificationURL: hs.URL + "/upload"})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	h := rcv.waitHooks(1)[0].body
	for k, want := range map[string]any{"notification_type": "upload", "public_id": "hooked", "asset_id": up.AssetID,
		"version": float64(up.Version), "version_id": up.VersionID, "resource_type": "image", "type": "upload",
		"format": "jpg", "etag": up.Etag, "secure_url": up.SecureURL, "signature_key": apiKey, "bytes": float64(up.Bytes)} {
		if h[k] != want {
			t.Errorf("upload webhook %s = %v, want %v", k, h[k], want)
		}
	}
	if id, _ := h["request_id"].(string); len(id) != 32 {
		t.Errorf("request_id %v", h["request_id"])
	}
	if ts, _ := h["timestamp"].(string); !strings.HasSuffix(ts, "Z") {
		t.Errorf("timestamp %v", h["timestamp"])
	}

	exp, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "hooked", Type: "upload",
		Tags: api.CldAPIArray{"b"}, NotificationURL: hs.URL + "/explicit"})
	if msg := sdkFailure(err, exp); msg != "" {
		t.Fatal(msg)
	}
	h = rcv.waitHooks(2)[1].body
	if h["notification_type"] != "upload" || fmt.Sprint(h["tags"]) != "[b]" || h["public_id"] != "hooked" {
		t.Errorf("explicit webhook %v", h)
	}

	signedPost(t, o, "/image/rename", url.Values{"from_public_id": {"hooked"}, "to_public_id": {"moved"},
		"notification_url": {hs.URL + "/rename"}})
	h = rcv.waitHooks(3)[2].body
	for k, want := range map[string]any{"notification_type": "rename", "from_public_id": "hooked", "to_public_id": "moved",
		"asset_id": up.AssetID, "resource_type": "image", "type": "upload"} {
		if h[k] != want {
			t.Errorf("rename webhook %s = %v, want %v", k, h[k], want)
		}
	}

	signedPost(t, o, "/image/destroy", url.Values{"public_id": {"moved"}, "notification_url": {hs.URL + "/destroy"}})
	h = rcv.waitHooks(4)[3].body
	res, _ := h["resources"].([]any)
	if h["notification_type"] != "delete" || len(res) != 1 {
		t.Fatalf("delete webhook %v", h)
	}
	if r, _ := res[0].(map[string]any); r["public_id"] != "moved" || r["asset_id"] != up.AssetID || r["version"] != float64(up.Version) {
		t.Errorf("deleted resource %v", r)
	}
	// Each once: all four delivered at the first attempt.
	for _, n := range waitDelivered(t, o.Store.Meta, 4) {
		if n.Attempts != 1 {
			t.Errorf("notification %d: %d attempts", n.ID, n.Attempts)
		}
	}
	if got := len(rcv.hooks()); got != 4 {
		t.Errorf("%d webhooks received, want 4", got)
	}
	// A destroy that deletes nothing, and a call without notification_url,
	// notify nothing.
	signedPost(t, o, "/image/destroy", url.Values{"public_id": {"moved"}, "notification_url": {hs.URL + "/destroy"}})
	uploadAs(t, o, "rocket.jpg", "quiet")
	if list, _ := o.Store.Meta.NotificationsPage(ctx, cloudName, "", 0, 100); len(list) != 4 {
		t.Errorf("%d notifications after calls that notify nothing", len(list))
	}
	// A notification_url that is no http(s) URL is refused, and nothing
	// is stored.
	status, body := post(t, o.URL+"/v1_1/demo/image/upload", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"file": {"data:image/png;base64,iVBORw0KGgo="}, "public_id": {"bad"},
			"notification_url": {"ftp://example.com/x"}}.Encode()), true)
	if status != 400 || errorMessage(t, body) != "Invalid notification_url - ftp://example.com/x" {
		t.Errorf("bad notification_url: %d %s", status, body)
	}
	if _, err := o.Store.Meta.Asset(ctx, meta.Key{Cloud: cloudName, ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "bad"}); err == nil {
		t.Error("the refused upload was stored")
	}
}

// A call signed with SHA-256 gets a webhook signed with SHA-256.
func TestWebhookSignedWithSHA256(t *testing.T) {
	o := startOrigin(t, webhookConfig)
	o.Cld.Upload.Config.Cloud.SignatureAlgorithm = "sha256"
	rcv := &receiver{t: t, alg: "sha256", sdk: &o.Cld.Upload}
	hs := httptest.NewServer(rcv)
	t.Cleanup(hs.Close)
	up, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, "rocket.jpg"), uploader.UploadParams{
		PublicID: "sha", NotificationURL: hs.URL})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	if h := rcv.waitHooks(1)[0].body; h["public_id"] != "sha" {
		t.Errorf("webhook %v", h)
	}
}

// A receiver that fails twice gets the webhook a third time, and not again.
func TestWebhookRetried(t *testing.T) {
	o := startOrigin(t, webhookConfig)
	rcv := &receiver{t: t, alg: "sha1", fail: 2}
	hs := httptest.NewServer(rcv)
	t.Cleanup(hs.Close)
	uploadHooked(t, o, "retried", hs.URL)
	list := waitDelivered(t, o.Store.Meta, 1)
	if list[0].Attempts != 3 {
		t.Errorf("%d attempts, want 3", list[0].Attempts)
	}
	rcv.mu.Lock()
	hits := rcv.hits
	rcv.mu.Unlock()
	if hits != 3 || len(rcv.hooks()) != 1 {
		t.Errorf("%d requests, %d received, want 3 and 1", hits, len(rcv.hooks()))
	}
	testkit.CheckFor(t, testkit.Timeout, func() error { // counted once recorded
		m := testkit.Get(t, o.MetricsURL+"/metrics")
		for _, want := range []string{"mediacdn_origin_webhooks_sent_total 1\n", "mediacdn_origin_webhooks_retried_total 2\n",
			"mediacdn_origin_webhooks_pending 0\n"} {
			if !strings.Contains(string(m.Body), want) {
				return fmt.Errorf("metrics without %q", want)
			}
		}
		return nil
	})
}

// Webhooks to internal addresses are refused unless fetch.allow_networks
// names them: the attempt fails and is retried, nothing is received.
func TestWebhookSSRFGuard(t *testing.T) {
	o := startOrigin(t, func(cfg *origin.Config) {
		webhookConfig(cfg)
		cfg.Fetch.AllowNetworks = nil
	})
	rcv := &receiver{t: t, alg: "sha1"}
	hs := httptest.NewServer(rcv)
	t.Cleanup(hs.Close)
	uploadHooked(t, o, "guarded", hs.URL)
	testkit.CheckFor(t, testkit.Timeout, func() error {
		list, err := o.Store.Meta.NotificationsPage(context.Background(), cloudName, "", 0, 10)
		if err != nil || len(list) != 1 || list[0].Attempts < 2 || list[0].LastError != "remote: address not allowed" {
			return fmt.Errorf("outbox %+v %v", list, err)
		}
		return nil
	})
	if rcv.hits != 0 {
		t.Errorf("an internal receiver got %d requests", rcv.hits)
	}
}

// uploadHooked uploads with notification_url to.
func uploadHooked(t *testing.T, o *testOrigin, id, to string) *uploader.UploadResult {
	t.Helper()
	up, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, "rocket.jpg"), uploader.UploadParams{
		PublicID: id, NotificationURL: to})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	return up
}

// A webhook survives a restart: the receiver down, the upload's webhook
// fails; the origin stops, the receiver comes up, the origin starts again
// on the same data directory and delivers it, once.
func TestWebhookSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	onDir := func(cfg *origin.Config) {
		webhookConfig(cfg)
		cfg.DataDir = dir
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // the receiver is down

	first := startOrigin(t, onDir)
	up := uploadHooked(t, first, "restarted", "http://"+addr+"/hook")
	testkit.CheckFor(t, testkit.Timeout, func() error {
		list, err := first.Store.Meta.NotificationsPage(context.Background(), cloudName, "", 0, 10)
		if err != nil || len(list) != 1 || list[0].Attempts < 1 || list[0].State != meta.NotificationPending {
			return fmt.Errorf("outbox %+v %v", list, err)
		}
		return nil
	})
	first.Server.Close()
	if err := first.Store.Close(); err != nil {
		t.Fatal(err)
	}

	rcv := &receiver{t: t, alg: "sha1"}
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the receiver's port was taken meanwhile: %v", err)
	}
	hs := httptest.NewUnstartedServer(rcv)
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)

	second := startOrigin(t, onDir)
	h := rcv.waitHooks(1)[0].body
	if h["public_id"] != "restarted" || h["version"] != float64(up.Version) {
		t.Errorf("webhook after the restart %v", h)
	}
	waitDelivered(t, second.Store.Meta, 1)
	if n := len(rcv.hooks()); n != 1 {
		t.Errorf("%d webhooks received, want 1", n)
	}
}

// The bounds: a cloud with webhooks.max_pending_per_cloud webhooks waiting
// gets no more, and a body over webhooks.max_body_size is not queued; the
// calls succeed all the same, and the metrics count the webhooks dropped.
func TestWebhookBounds(t *testing.T) {
	o := startOrigin(t, func(cfg *origin.Config) {
		webhookConfig(cfg)
		cfg.Fetch.AllowNetworks = nil // the receiver is refused: the first webhook stays pending
		cfg.Webhooks.MaxPendingPerCloud = 1
		cfg.Webhooks.MaxBodySize = 1024
	})
	hs := httptest.NewServer(&receiver{t: t, alg: "sha1"})
	t.Cleanup(hs.Close)
	uploadHooked(t, o, "first", hs.URL)
	uploadHooked(t, o, "second", hs.URL)
	big, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, "rocket.jpg"), uploader.UploadParams{
		PublicID: "big", NotificationURL: hs.URL, Context: api.CldAPIMap{"alt": strings.Repeat("x", 900)}})
	if msg := sdkFailure(err, big); msg != "" {
		t.Fatal(msg)
	}
	list, err := o.Store.Meta.NotificationsPage(context.Background(), cloudName, "", 0, 10)
	if err != nil || len(list) != 1 || !strings.Contains(string(list[0].Body), `"public_id":"first"`) {
		t.Fatalf("outbox %+v %v", list, err)
	}
	m := testkit.Get(t, o.MetricsURL+"/metrics")
	for _, want := range []string{"mediacdn_origin_webhooks_dropped_total 2\n", "mediacdn_origin_webhooks_pending 1\n"} {
		if !strings.Contains(string(m.Body), want) {
			t.Errorf("metrics without %q", want)
		}
	}
}
