package origin_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2"
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/imaging"
)

const (
	cloudName = "demo"
	apiKey    = "demo_key"
	apiSecret = "demo_secret"
)

// testOrigin is a real origin on a loopback port, and its metrics
// listener on another.
type testOrigin struct {
	URL        string
	MetricsURL string
	Dir        string // data directory
	Server     *origin.Server
	Store      *origin.Storage
	Events     *recordedEvents
	Cld        *cloudinary.Cloudinary
}

// startOrigin starts an origin with storage in a temporary directory.
func startOrigin(t testing.TB, mutate func(*origin.Config)) *testOrigin {
	t.Helper()
	return startOriginClock(t, mutate, nil)
}

// startOriginClock is startOrigin with a clock.
func startOriginClock(t testing.TB, mutate func(*origin.Config), now func() time.Time) *testOrigin {
	t.Helper()
	return startOriginWith(t, mutate, now, config.Cloud{APIKey: apiKey, APISecret: apiSecret})
}

// startOriginWith is startOrigin with a clock and the demo cloud's settings.
func startOriginWith(t testing.TB, mutate func(*origin.Config), now func() time.Time, cl config.Cloud) *testOrigin {
	t.Helper()
	return startOriginPurger(t, mutate, now, cl, nil)
}

// startOriginPurger is startOriginWith with a purger: the events the
// origin emits are recorded, then passed on to it.
func startOriginPurger(t testing.TB, mutate func(*origin.Config), now func() time.Time, cl config.Cloud,
	purger *origin.Purger) *testOrigin {
	t.Helper()
	dir := t.TempDir()
	cfg := origin.Config{DataDir: dir, DeliveryURL: "http://cdn.test", SecureDeliveryURL: "https://cdn.test"}
	if mutate != nil {
		mutate(&cfg)
	}
	cfg.ApplyDefaults()
	store, err := origin.OpenStorageConfig(context.Background(), cfg) // cfg.MetadataURL: PostgreSQL when set
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	log := slog.New(slog.DiscardHandler)
	images, err := imaging.New(cfg.Imaging, log)
	if err != nil {
		t.Fatal(err)
	}
	events := &recordedEvents{}
	if purger != nil {
		events.next = purger
	}
	clouds := config.Clouds{cloudName: cl}
	srv, err := origin.New(cfg, clouds, origin.Deps{Meta: store.Meta, Blobs: store.Blobs, Images: images,
		Events: events, Purger: purger, Log: log, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() }) // runs before the store closes
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	ms := httptest.NewServer(srv.MetricsHandler())
	t.Cleanup(ms.Close)
	cld, err := cloudinary.NewFromURL("cloudinary://" + apiKey + ":" + apiSecret + "@" + cloudName +
		"?upload_prefix=" + hs.URL + "&secure=false&analytics=false")
	if err != nil {
		t.Fatal(err)
	}
	return &testOrigin{URL: hs.URL, MetricsURL: ms.URL, Dir: dir, Server: srv, Store: store, Events: events, Cld: cld}
}

// recordedEvents keeps every event the origin emits, and how many each
// Emit carried, and passes them on to next (when set).
type recordedEvents struct {
	next    origin.Events
	mu      sync.Mutex
	events  []origin.Event
	batches []int
}

func (r *recordedEvents) Emit(ctx context.Context, events ...origin.Event) (origin.Invalidation, error) {
	r.mu.Lock()
	r.events = append(r.events, events...)
	r.batches = append(r.batches, len(events))
	r.mu.Unlock()
	if r.next == nil {
		return origin.Invalidation{}, nil
	}
	return r.next.Emit(ctx, events...)
}

// lastBatch is how many events the last Emit carried.
func (r *recordedEvents) lastBatch() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.batches) == 0 {
		return 0
	}
	return r.batches[len(r.batches)-1]
}

func (r *recordedEvents) all() []origin.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]origin.Event(nil), r.events...)
}

// sdkFailure says why a call through an official SDK failed: the client's
// error, no result at all, or the error the server answered; "" when it
// succeeded. Tests check it before they read anything of the result.
func sdkFailure(err error, res any) string {
	if err != nil {
		return err.Error()
	}
	v := reflect.ValueOf(res)
	if !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil()) {
		return "no result"
	}
	if msg := reflect.Indirect(v).FieldByName("Error").FieldByName("Message"); msg.IsValid() && msg.String() != "" {
		return "server answered: " + msg.String()
	}
	return ""
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// countFiles counts committed blobs and staging files under the data dir.
func countBlobs(t testing.TB, o *testOrigin) int {
	t.Helper()
	n := 0
	if err := o.Store.Blobs.Walk(func(string) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// post sends a raw request, with extra headers (name, value pairs), and
// returns status and body.
func post(t testing.TB, url, contentType string, body io.Reader, basicAuth bool, headers ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if basicAuth {
		req.SetBasicAuth(apiKey, apiSecret)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// serveChildOrigin is the body of a child process a parent test starts and
// kills: an origin with cfg (defaults applied) on the storage of
// cfg.DataDir, served on addr until the process is killed.
func serveChildOrigin(t *testing.T, cfg origin.Config, addr string) {
	cfg.ApplyDefaults()
	store, err := origin.OpenStorageConfig(context.Background(), cfg) // SQLite unless mutate set MetadataURL
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	images, _ := imaging.New(cfg.Imaging, log)
	srv, err := origin.New(cfg, config.Clouds{cloudName: {APIKey: apiKey, APISecret: apiSecret}},
		origin.Deps{Meta: store.Meta, Blobs: store.Blobs, Images: images, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	http.Serve(ln, srv)
}
