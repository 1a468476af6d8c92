package origin_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// mapFolder creates an upload mapping with the Go SDK.
func mapFolder(t *testing.T, o *testOrigin, folder, template string) {
	t.Helper()
	r, err := o.Cld.Admin.CreateUploadMapping(context.Background(), admin.CreateUploadMappingParams{Folder: folder, Template: template})
	if msg := sdkFailure(err, r); msg != "" {
		t.Fatalf("map %s: %s", folder, msg)
	}
}

// A delivery URL in a mapped folder whose asset is missing fetches it from
// the template once, however many ask at the same time, stores it as an
// upload asset the Admin API lists, and serves it, transformed when asked;
// later requests serve the stored asset without asking the remote.
func TestAutoUploadDelivery(t *testing.T) {
	lady, rocket := testkit.Read(t, "LadyBird.jpg"), testkit.Read(t, "rocket.jpg")
	rs := startRemote(t, map[string][]byte{"/pics/lady.jpg": lady, "/pics/sub/a b.jpg": rocket})
	// No fetch_domains: the template's host is the mapping's own.
	o := startFetchOrigin(t, nil)
	mapFolder(t, o, "wiki", rs.URL+"/pics/")

	if a := testkit.Get(t, o.URL+"/demo/image/upload/other/lady.jpg"); a.Status != 404 {
		t.Fatalf("outside the mapped folder: %s", a)
	}
	var wg sync.WaitGroup
	var bad atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := testkit.Get(t, o.URL+"/demo/image/upload/c_fill,h_100,w_150/wiki/lady.jpg")
			if info := probe(t, f.Body); f.Status != 200 || info.Width != 150 || info.Height != 100 {
				bad.Add(1)
			}
		}()
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d of 8 first requests failed", bad.Load())
	}
	if n := rs.count("/pics/lady.jpg"); n != 1 {
		t.Fatalf("the remote was asked %d times, want once", n)
	}
	orig := testkit.Get(t, o.URL+"/demo/image/upload/wiki/lady.jpg")
	if orig.Status != 200 || !bytes.Equal(orig.Body, lady) || orig.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("original: %s", orig)
	}
	if n := rs.count("/pics/lady.jpg"); n != 1 {
		t.Fatalf("the stored asset was fetched again: %d requests", n)
	}
	ctx := context.Background()
	got, err := o.Cld.Admin.Asset(ctx, admin.AssetParams{PublicID: "wiki/lady"})
	if msg := sdkFailure(err, got); msg != "" || got.Type != "upload" || got.Format != "jpg" || got.Width != 2560 ||
		got.Bytes != len(lady) {
		t.Fatalf("the asset in the Admin API: %s %+v", msg, got)
	}
	list, err := o.Cld.Admin.Assets(ctx, admin.AssetsParams{DeliveryType: "upload", Prefix: "wiki/"})
	if msg := sdkFailure(err, list); msg != "" || len(list.Assets) != 1 || list.Assets[0].PublicID != "wiki/lady" {
		t.Fatalf("listed: %s %+v", msg, list)
	}
	// The rest of the public ID is escaped segment by segment.
	if a := testkit.Get(t, o.URL+"/demo/image/upload/wiki/sub/a%20b.jpg"); a.Status != 200 || !bytes.Equal(a.Body, rocket) {
		t.Fatalf("an escaped public ID: %s", a)
	}
	if n := rs.count("/pics/sub/a b.jpg"); n != 1 {
		t.Fatalf("remote asked %d times for the escaped path", n)
	}
	// A deleted mapping fetches nothing more; what it stored stays.
	if r, err := o.Cld.Admin.DeleteUploadMapping(ctx, admin.DeleteUploadMappingParams{Folder: "wiki"}); sdkFailure(err, r) != "" {
		t.Fatal(sdkFailure(err, r))
	}
	rs.set("/pics/new.jpg", rocket)
	if a := testkit.Get(t, o.URL+"/demo/image/upload/wiki/new.jpg"); a.Status != 404 || rs.count("/pics/new.jpg") != 0 {
		t.Fatalf("after the mapping's delete: %s, %d requests", a, rs.count("/pics/new.jpg"))
	}
	if a := testkit.Get(t, o.URL+"/demo/image/upload/wiki/lady.jpg"); a.Status != 200 {
		t.Fatalf("stored asset after the mapping's delete: %s", a)
	}
}

// A template that fails answers as a fetch URL would, naming the
// auto-upload: 404 when the remote has no such file (d_ then serves the
// default image), 502 when it cannot be reached, 403 when the address is
// outside allow_networks; nothing is stored.
func TestAutoUploadFailures(t *testing.T) {
	rs := startRemote(t, map[string][]byte{"/notes.jpg": []byte("just text")})
	o := startFetchOrigin(t, nil)
	mapFolder(t, o, "wiki", rs.URL+"/")
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // its port now refuses connections
	mapFolder(t, o, "down", closed.URL+"/")

	a := testkit.Get(t, o.URL+"/demo/image/upload/wiki/nope.jpg")
	if msg := a.Header.Get("X-Cld-Error"); a.Status != 404 || !strings.HasPrefix(msg, "Auto-upload of wiki/nope failed - ") ||
		!strings.Contains(msg, rs.URL+"/nope.jpg") {
		t.Fatalf("missing remote file: %s", a)
	}
	if a := testkit.Get(t, o.URL+"/demo/image/upload/down/x.jpg"); a.Status != 502 ||
		!strings.HasPrefix(a.Header.Get("X-Cld-Error"), "Auto-upload of down/x failed - ") {
		t.Fatalf("unreachable remote: %s", a)
	}
	if a := testkit.Get(t, o.URL+"/demo/image/upload/wiki/notes.jpg"); a.Status != 400 ||
		!strings.HasPrefix(a.Header.Get("X-Cld-Error"), "Auto-upload of wiki/notes failed - Invalid image file") {
		t.Fatalf("not an image: %s", a)
	}
	if _, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "fallback"}); err != nil {
		t.Fatal(err)
	}
	if a := testkit.Get(t, o.URL+"/demo/image/upload/d_fallback.jpg/wiki/nope.jpg"); a.Status != 200 || a.Header.Get("X-Default-Image") == "" {
		t.Fatalf("d_ with a missing remote file: %s", a)
	}
	list, err := o.Cld.Admin.Assets(context.Background(), admin.AssetsParams{DeliveryType: "upload"})
	if msg := sdkFailure(err, list); msg != "" || len(list.Assets) != 1 {
		t.Fatalf("stored after failures: %s %+v", msg, list)
	}
	// allow_networks guards the template's address as it guards fetch.
	guarded := startOrigin(t, nil)
	mapFolder(t, guarded, "wiki", rs.URL+"/")
	if a := testkit.Get(t, guarded.URL+"/demo/image/upload/wiki/guarded.jpg"); a.Status != 403 {
		t.Fatalf("a loopback template without allow_networks: %s", a)
	}
	if n := rs.count("/guarded.jpg"); n != 0 {
		t.Fatalf("the guarded origin asked the remote %d times", n)
	}
}

// Two origins on one store fetch a mapped asset once: while the first
// downloads it (holding the asset's lease), the second waits for it
// without asking the remote, then serves what the first stored.
func TestAutoUploadAcrossOrigins(t *testing.T) {
	rocket := testkit.Read(t, "rocket.jpg")
	var hits atomic.Int32
	release := make(chan struct{})
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		<-release
		w.Write(rocket)
	}))
	t.Cleanup(remote.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	a := startFetchOrigin(t, nil)
	_, bURL := sameStores(t, a, nil, config.Cloud{APIKey: apiKey, APISecret: apiSecret})
	mapFolder(t, a, "m", remote.URL+"/")
	path := "/demo/image/upload/m/rocket.jpg"

	first := make(chan testkit.Answer, 1)
	go func() { first <- testkit.Get(t, a.URL+path) }()
	testkit.Eventually(t, 10*time.Second, "the first origin's download", func() bool { return hits.Load() == 1 })
	// The second origin waits for the first's download (the client gives
	// up first); asking the remote itself, it would answer at once.
	client := &http.Client{Timeout: time.Second}
	if resp, err := client.Get(bURL + path); err == nil {
		resp.Body.Close()
		t.Fatalf("the second origin answered %d while the first downloaded", resp.StatusCode)
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("second origin: %v", err)
	}
	close(release)
	if f := <-first; f.Status != 200 || !bytes.Equal(f.Body, rocket) {
		t.Fatalf("first origin: %s", f)
	}
	if f := testkit.Get(t, bURL+path); f.Status != 200 || !bytes.Equal(f.Body, rocket) {
		t.Fatalf("second origin: %s", f)
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("the remote was asked %d times, want once", n)
	}
}
