package origin_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/imaging"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// sameStores starts a second origin Server on the stores of o (another
// data directory, the same metadata and blob stores), as another origin
// on shared stores; it returns its URL.
func sameStores(t *testing.T, o *testOrigin, now func() time.Time, cl config.Cloud) (*origin.Server, string) {
	t.Helper()
	cfg := origin.Config{DataDir: t.TempDir(), DeliveryURL: "http://cdn.test", SecureDeliveryURL: "https://cdn.test"}
	cfg.Fetch.AllowNetworks = []string{"127.0.0.0/8"}
	cfg.ApplyDefaults()
	log := slog.New(slog.DiscardHandler)
	images, err := imaging.New(cfg.Imaging, log)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := origin.New(cfg, config.Clouds{cloudName: cl}, origin.Deps{Meta: o.Store.Meta, Blobs: o.Store.Blobs,
		Images: images, Log: log, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, hs.URL
}

// Two origins on one store never refresh the same fetched copy at once:
// while one holds the refresh's lease (its download hangs, as it would on
// an origin that died), the other serves the stale copy without asking
// the remote; once the lease expires, the other refreshes it.
func TestFetchRefreshLeaseAcrossOrigins(t *testing.T) {
	rocket, aqua := testkit.Read(t, "rocket.jpg"), testkit.Read(t, "Aqua.jpg")
	var mu sync.Mutex
	hits := 0
	hung := make(chan struct{})
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		n := hits
		mu.Unlock()
		switch n {
		case 1: // the first download
			w.Write(rocket)
		case 2: // the first origin's refresh hangs
			<-hung
			w.Write(rocket)
		default:
			w.Write(aqua)
		}
	}))
	t.Cleanup(remote.Close)
	count := func() int { mu.Lock(); defer mu.Unlock(); return hits }

	var cmu sync.Mutex
	clock := time.Unix(1_800_000_000, 0)
	now := func() time.Time { cmu.Lock(); defer cmu.Unlock(); return clock }
	cl := config.Cloud{APIKey: apiKey, APISecret: apiSecret, FetchDomains: []string{"127.0.0.1"}}
	a := startFetchOrigin(t, now, "127.0.0.1")
	a.Server.ShortenFetchRefreshLease(2 * time.Second)
	b, bURL := sameStores(t, a, now, cl)
	t.Cleanup(func() { close(hung) }) // before the origins close: the hung refresh ends
	path := "/demo/image/fetch/" + remote.URL + "/p.jpg"
	key := meta.Key{Cloud: cloudName, ResourceType: delivery.Image, Type: delivery.Fetch, PublicID: remote.URL + "/p.jpg"}

	if f := testkit.Get(t, a.URL+path); f.Status != 200 || !bytes.Equal(f.Body, rocket) {
		t.Fatalf("first fetch: %d", f.Status)
	}
	cmu.Lock()
	clock = clock.Add(8 * 24 * time.Hour)
	cmu.Unlock()
	testkit.Get(t, a.URL+path) // stale: the first origin starts a refresh, which hangs
	testkit.Eventually(t, 10*time.Second, "the first origin's refresh", func() bool { return count() == 2 })

	if f := testkit.Get(t, bURL+path); f.Status != 200 || !bytes.Equal(f.Body, rocket) {
		t.Fatalf("the stale copy on the second origin: %d", f.Status)
	}
	b.WaitRecorded()
	if n := count(); n != 2 {
		t.Fatalf("the second origin asked the remote while the first refreshed: %d requests", n)
	}
	// The first origin never finishes; its lease expires and the second
	// takes the refresh over.
	testkit.Eventually(t, 30*time.Second, "the second origin's refresh", func() bool {
		testkit.Get(t, bURL+path)
		b.WaitRecorded()
		return count() >= 3
	})
	st, err := a.Store.Meta.Asset(context.Background(), key)
	if err != nil || st.ETag != md5hex(aqua) {
		t.Fatalf("after the second origin's refresh: %+v %v", st, err)
	}
}
