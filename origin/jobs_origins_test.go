package origin_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testservers"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/imaging"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// startSharedOrigin starts an origin (jobsConfig) on the PostgreSQL
// database metadataURL and the blob folder blobs, which other origins
// share, with a data directory of its own.
func startSharedOrigin(t *testing.T, metadataURL, blobs string) *testOrigin {
	t.Helper()
	cfg := origin.Config{DataDir: t.TempDir(), MetadataURL: metadataURL, BlobsURL: config.BlobsURL("file://" + blobs),
		DeliveryURL: "http://cdn.test", SecureDeliveryURL: "https://cdn.test"}
	jobsConfig(&cfg)
	cfg.ApplyDefaults()
	store, err := origin.OpenStorageConfig(context.Background(), cfg)
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
	srv, err := origin.New(cfg, config.Clouds{cloudName: {APIKey: apiKey, APISecret: apiSecret}},
		origin.Deps{Meta: store.Meta, Blobs: store.Blobs, Images: images, Events: events, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	cld, err := cloudinary.NewFromURL("cloudinary://" + apiKey + ":" + apiSecret + "@" + cloudName +
		"?upload_prefix=" + hs.URL + "&secure=false&analytics=false")
	if err != nil {
		t.Fatal(err)
	}
	return &testOrigin{URL: hs.URL, Dir: cfg.DataDir, Server: srv, Store: store, Events: events, Cld: cld}
}

// Two origins on one PostgreSQL database: the eager_async jobs queued
// through either are each done once, by one of them, and notified once.
func TestJobsTwoOriginsOnPostgres(t *testing.T) {
	pg, err := testservers.NewPostgresServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Stop)
	db := pg.Database(t)
	blobs := t.TempDir()
	origins := []*testOrigin{startSharedOrigin(t, db.URL, blobs), startSharedOrigin(t, db.URL, blobs)}
	rcv, hook := hookReceiver(t, origins[0])
	const n = 8
	for i := range n {
		uploadEagerAsync(t, origins[i%2], fmt.Sprint("shared", i), "c_fill,w_40,h_30", hook)
	}
	hooks := rcv.waitHooks(n)
	seen := map[any]int{}
	for _, h := range hooks {
		seen[h.body["public_id"]]++
	}
	for i := range n {
		if c := seen[fmt.Sprint("shared", i)]; c != 1 {
			t.Errorf("shared%d notified %d times", i, c)
		}
	}
	waitDelivered(t, origins[0].Store.Meta, n)
	jobs, err := origins[1].Store.Meta.ListJobs(context.Background(), cloudName, 2*n)
	if err != nil || len(jobs) != n {
		t.Fatalf("%d jobs (%v)", len(jobs), err)
	}
	for _, j := range jobs {
		if j.State != meta.JobDone || j.Attempts != 1 {
			t.Errorf("job %d: %s after %d attempts (%s)", j.ID, j.State, j.Attempts, j.LastError)
		}
	}
	if got := origins[0].Server.Transforms() + origins[1].Server.Transforms(); got != n {
		t.Errorf("%d transforms for %d jobs", got, n)
	}
	if len(rcv.hooks()) != n {
		t.Errorf("%d notifications, want %d", len(rcv.hooks()), n)
	}
}
