package app

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/purge"
)

// originFile is a configuration for an origin alone on loopback, with the
// demo cloud, publishing to the NATS server at natsURL.
func originFile(t *testing.T, natsURL string) *File {
	t.Helper()
	f := &File{Clouds: config.Clouds{"demo": {APIKey: "demo_key", APISecret: "demo_secret"}}}
	f.NATS.URLs = []string{natsURL}
	f.Origin.Listen, f.Origin.DataDir = "127.0.0.1:0", filepath.Join(t.TempDir(), "origin")
	fastPurgeTimers(f)
	f.finish()
	if err := f.Validate(RoleOrigin); err != nil {
		t.Fatal(err)
	}
	return f
}

// startOriginService starts an origin service for f; it closes when the
// test ends.
func startOriginService(t *testing.T, f *File, log *slog.Logger) string {
	t.Helper()
	o, err := newOrigin(f, log, make(chan error, 4), func() purge.Config { return f.NATS })
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close(context.Background()) })
	return "http://" + o.(interface{ Addr() string }).Addr()
}

// startNATS runs an embedded NATS server with JetStream on listen; it
// stops when the test ends.
func startNATS(t *testing.T, listen string) *natsService {
	t.Helper()
	cfg := purge.Config{Embedded: purge.Embedded{Enabled: true, Listen: listen}}
	cfg.ApplyDefaults()
	ns := &natsService{cfg: cfg.Embedded, dataDir: t.TempDir(), log: slog.New(slog.DiscardHandler)}
	if err := ns.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close(context.Background()) })
	return ns
}

// The origin creates the purge stream as it starts, before it answers
// anything and before any purge, and only then: its first purges publish
// to that stream without creating or updating it again.
func TestOriginCreatesPurgeStreamOnceAtStart(t *testing.T) {
	ns := startNATS(t, "127.0.0.1:0")
	f := originFile(t, ns.URL())
	// Every request to create or update the stream, as the server sees it.
	nc, err := nats.Connect(ns.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	creates, err := nc.SubscribeSync("$JS.API.STREAM.CREATE." + f.NATS.StreamName())
	if err != nil {
		t.Fatal(err)
	}
	updates, err := nc.SubscribeSync("$JS.API.STREAM.UPDATE." + f.NATS.StreamName())
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	count := func() (int, int) {
		t.Helper()
		// The server routes a request to these subscriptions before it
		// answers it, and a flush's answer comes after them.
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
		c, _, _ := creates.Pending()
		u, _, _ := updates.Pending()
		return c, u
	}

	api := startOriginService(t, f, slog.New(slog.DiscardHandler))
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Stream(t.Context(), f.NATS.StreamName()); err != nil {
		t.Fatalf("the purge stream after the origin started: %v", err)
	}
	if c, u := count(); c != 1 || u != 1 {
		t.Fatalf("at start: %d create and %d update requests, want 1 and 1 (one CreateOrUpdateStream on an empty server)", c, u)
	}
	// An upload publishes a "created" rule; an invalidation, an asset rule.
	devUpload(t, api, "pic", "rocket.jpg")
	if _, err := adminPurge(t, api, url.Values{"public_id": {"pic"}}); err != nil {
		t.Fatal(err)
	}
	if c, u := count(); c != 1 || u != 1 {
		t.Errorf("after two purges: %d create and %d update requests in all, want the 1 and 1 of the start", c, u)
	}
}

// An origin whose NATS cannot be reached yet starts anyway, saying so;
// once NATS is up, the first purge creates the stream and is stored.
func TestOriginStartsBeforeNATS(t *testing.T) {
	addr := freeAddr(t)
	f := originFile(t, "nats://"+addr)
	logs := &syncBuffer{}
	api := startOriginService(t, f, slog.New(slog.NewTextHandler(logs, nil)))
	if !strings.Contains(logs.String(), "NATS not reachable yet: the purge stream will be created by the first purge or edge") {
		t.Errorf("the origin did not say why the stream is not there yet:\n%s", logs)
	}
	ns := startNATS(t, addr)
	testkit.CheckFor(t, testkit.Timeout, func() error {
		_, err := adminPurge(t, api, url.Values{"all": {"true"}})
		return err
	})
	nc, err := nats.Connect(ns.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(t.Context(), f.NATS.StreamName())
	if err != nil {
		t.Fatalf("the purge stream after the first purge: %v", err)
	}
	if s.CachedInfo().State.Msgs == 0 {
		t.Errorf("the first purge was not stored: %+v", s.CachedInfo().State)
	}
}

// adminPurge posts an invalidation to the origin's API for the demo cloud,
// without waiting for edges, and returns the answer's body.
func adminPurge(t *testing.T, api string, form url.Values) (string, error) {
	t.Helper()
	form.Set("wait", "0")
	var out syncBuffer
	err := sendPurge(t.Context(), http.MethodPost, api+"/v1_1/demo/invalidations", form, "demo_key", "demo_secret", 0, &IO{Stdout: &out})
	return out.String(), err
}
