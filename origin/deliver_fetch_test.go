package origin_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"

	"github.com/mediacdn/mediacdn/delivery"
)

// remoteSite serves the photos a fetch URL points at, counting requests
// per path; body can be swapped to change what a path answers.
type remoteSite struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	hits  map[string]int
}

func startRemote(t *testing.T, files map[string][]byte) *remoteSite {
	t.Helper()
	rs := &remoteSite{files: files, hits: map[string]int{}}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.mu.Lock()
		rs.hits[r.URL.Path]++
		b, ok := rs.files[r.URL.Path]
		if q := rs.files[r.URL.Path+"?"+r.URL.RawQuery]; q != nil {
			b, ok = q, true
		}
		rs.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(rs.Close)
	return rs
}

func (rs *remoteSite) count(path string) int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.hits[path]
}

// assetVersion is the X-Asset-Version of a delivery answer.
func assetVersion(t *testing.T, a testkit.Answer) int64 {
	t.Helper()
	v, err := strconv.ParseInt(a.Header.Get("X-Asset-Version"), 10, 64)
	if err != nil {
		t.Fatalf("X-Asset-Version %q", a.Header.Get("X-Asset-Version"))
	}
	return v
}

// etag is a delivery answer's ETag without quotes.
func etag(a testkit.Answer) string { return strings.Trim(a.Header.Get("ETag"), `"`) }

func (rs *remoteSite) set(path string, b []byte) {
	rs.mu.Lock()
	rs.files[path] = b
	rs.mu.Unlock()
}

// startFetchOrigin is an origin whose demo cloud may fetch from domains,
// allowed to reach loopback (where the remote site runs), on clock now.
func startFetchOrigin(t *testing.T, now func() time.Time, domains ...string) *testOrigin {
	t.Helper()
	return startOriginWith(t, func(c *origin.Config) { c.Fetch.AllowNetworks = []string{"127.0.0.0/8"} }, now,
		config.Cloud{APIKey: apiKey, APISecret: apiSecret, FetchDomains: domains})
}

// A fetch URL serves the remote image, original or transformed; the remote
// is asked once however many requests and transformations follow, and the
// copy is an asset of type fetch in the Admin API.
func TestFetchDelivery(t *testing.T) {
	lady := testkit.Read(t, "LadyBird.jpg")
	rocket := testkit.Read(t, "rocket.jpg")
	rs := startRemote(t, map[string][]byte{"/pics/lady.jpg": lady, "/notes.txt": []byte("just text"),
		"/a b.jpg?v=2": rocket})
	o := startFetchOrigin(t, nil, "127.0.0.1")
	remote := rs.URL + "/pics/lady.jpg"

	orig := testkit.Get(t, o.URL+"/demo/image/fetch/"+remote)
	if orig.Status != 200 || md5.Sum(orig.Body) != md5.Sum(lady) || orig.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("original: %d %s, %d bytes", orig.Status, orig.Header.Get("Content-Type"), len(orig.Body))
	}
	var wg sync.WaitGroup
	var bad atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := testkit.Get(t, o.URL+"/demo/image/fetch/c_fill,h_100,w_150/"+remote)
			if info := probe(t, f.Body); f.Status != 200 || info.Width != 150 || info.Height != 100 {
				bad.Add(1)
			}
		}()
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d transformed fetches failed", bad.Load())
	}
	webp := testkit.Get(t, o.URL+"/demo/image/fetch/f_webp,w_200/"+remote)
	if webp.Status != 200 || webp.Header.Get("Content-Type") != "image/webp" || probe(t, webp.Body).Width != 200 {
		t.Fatalf("f_webp: %d %s", webp.Status, webp.Header.Get("Content-Type"))
	}
	if n := rs.count("/pics/lady.jpg"); n != 1 {
		t.Fatalf("the remote was asked %d times, want 1", n)
	}
	list := adminGet(t, o, "resources/image/fetch")
	res, _ := list.body["resources"].([]any)
	if list.status != 200 || len(res) != 1 || res[0].(map[string]any)["public_id"] != remote ||
		res[0].(map[string]any)["type"] != "fetch" || res[0].(map[string]any)["width"] != 2560.0 {
		t.Fatalf("Admin API listing of fetched images: %s", list.raw)
	}

	if d := adminGet(t, o, "resources/image/fetch/"+remote); d.status != 200 || d.body["public_id"] != remote || d.body["bytes"] != float64(len(lady)) {
		t.Fatalf("Admin API details of a fetched image: %s", d.raw)
	}

	// The Node SDK escapes the remote URL's space and query into the path.
	if f := testkit.Get(t, o.URL+"/demo/image/fetch/w_40/"+rs.URL+"/a%20b.jpg%3Fv%3D2?_a=BAMAROfk0"); f.Status != 200 || probe(t, f.Body).Width != 40 {
		t.Fatalf("escaped remote URL: %d %q", f.Status, f.Header.Get("X-Cld-Error"))
	}

	// Failures answer with the reason and store nothing.
	for _, c := range []struct {
		path   string
		status int
		msg    string
	}{
		{"/demo/image/fetch/" + rs.URL + "/missing.jpg", 404, "404 Not Found"},
		{"/demo/image/fetch/w_10/" + rs.URL + "/notes.txt", 400, "Invalid image file"},
		{"/demo/image/fetch/ftp://127.0.0.1/a.jpg", 400, "Invalid fetch URL"},
		{"/demo/image/fetch/https://example.com/a.jpg", 403, "Fetch from example.com is not allowed for cloud demo"},
		{"/demo/raw/fetch/" + remote, 400, "Unsupported delivery type - fetch"},
	} {
		f := testkit.Get(t, o.URL+c.path)
		if f.Status != c.status || !strings.Contains(f.Header.Get("X-Cld-Error"), c.msg) {
			t.Errorf("%s: %d %q, want %d %q", c.path, f.Status, f.Header.Get("X-Cld-Error"), c.status, c.msg)
		}
	}
	if list := adminGet(t, o, "resources/image/fetch"); len(list.body["resources"].([]any)) != 2 {
		t.Fatalf("a failed fetch stored something: %s", list.raw)
	}

	// The Admin API deletes fetched copies by prefix.
	del := adminDo(t, o, http.MethodDelete, "resources/image/fetch?prefix="+rs.URL+"/", "", "")
	if del.status != 200 || len(del.body["deleted"].(map[string]any)) != 2 {
		t.Fatalf("deleting fetched images: %s", del.raw)
	}
	if list := adminGet(t, o, "resources/image/fetch"); len(list.body["resources"].([]any)) != 0 {
		t.Fatalf("fetched images left after the delete: %s", list.raw)
	}

	// A missing remote image falls back to d_ like a missing upload.
	uploadAs(t, o, "rocket.jpg", "fallback")
	f := testkit.Get(t, o.URL+"/demo/image/fetch/d_fallback,w_50/"+rs.URL+"/missing.jpg")
	if f.Status != 200 || probe(t, f.Body).Width != 50 {
		t.Fatalf("default image for a missing remote: %d %q", f.Status, f.Header.Get("X-Cld-Error"))
	}
}

// Without fetch_domains a cloud refuses fetch URLs; with "*" it still may
// not reach internal addresses unless origin.fetch allows them.
func TestFetchRefusals(t *testing.T) {
	rs := startRemote(t, map[string][]byte{"/a.jpg": testkit.Read(t, "rocket.jpg")})
	off := startOrigin(t, nil)
	if f := testkit.Get(t, off.URL+"/demo/image/fetch/"+rs.URL+"/a.jpg"); f.Status != 403 ||
		!strings.Contains(f.Header.Get("X-Cld-Error"), "not allowed") {
		t.Fatalf("fetch without fetch_domains: %d %q", f.Status, f.Header.Get("X-Cld-Error"))
	}
	open := startOriginWith(t, nil, nil, config.Cloud{APIKey: apiKey, APISecret: apiSecret, FetchDomains: []string{"*"}})
	if f := testkit.Get(t, open.URL+"/demo/image/fetch/"+rs.URL+"/a.jpg"); f.Status != 403 ||
		!strings.Contains(f.Header.Get("X-Cld-Error"), "address not allowed") {
		t.Fatalf("fetch of a loopback address: %d %q", f.Status, f.Header.Get("X-Cld-Error"))
	}
	if rs.count("/a.jpg") != 0 {
		t.Fatal("a refused fetch reached the remote")
	}
}

// A fetched copy is served for seven days; then it is still served at
// once while one background request asks the remote again: unchanged
// bytes keep the version, changed bytes make a new one (with a purge), and
// a failed refresh keeps the copy and is retried an hour later.
func TestFetchRefresh(t *testing.T) {
	rocket, aqua := testkit.Read(t, "rocket.jpg"), testkit.Read(t, "Aqua.jpg")
	rs := startRemote(t, map[string][]byte{"/p.jpg": rocket})
	var mu sync.Mutex
	clock := time.Unix(1_800_000_000, 0)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	o := startFetchOrigin(t, now, "127.0.0.1")
	url := o.URL + "/demo/image/fetch/" + rs.URL + "/p.jpg"
	key := meta.Key{Cloud: cloudName, ResourceType: delivery.Image, Type: delivery.Fetch, PublicID: rs.URL + "/p.jpg"}
	stored := func() *meta.Asset {
		a, err := o.Store.Meta.Asset(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	first := testkit.Get(t, url)
	version := first.Header.Get("X-Asset-Version")
	advance(6 * 24 * time.Hour)
	if f := testkit.Get(t, url); !bytes.Equal(f.Body, rocket) {
		t.Fatal("copy changed within seven days")
	}
	o.Server.WaitRecorded()
	if rs.count("/p.jpg") != 1 {
		t.Fatalf("asked the remote again within seven days (%d)", rs.count("/p.jpg"))
	}

	advance(2 * 24 * time.Hour) // unchanged remote
	checked := stored().UpdatedAt
	if f := testkit.Get(t, url); f.Header.Get("X-Asset-Version") != version {
		t.Fatal("a stale copy was not served at once")
	}
	testkit.Eventually(t, testkit.Timeout, "the unchanged refresh", func() bool { return stored().UpdatedAt.After(checked) })
	// The refresh has recorded its check; wait until it has ended too, so
	// that the next stale read starts a refresh of its own rather than
	// finding this one still running.
	o.Server.WaitRecorded()
	if rs.count("/p.jpg") != 2 || stored().Version != assetVersion(t, first) {
		t.Fatalf("unchanged remote: %d requests, version %d (was %s)", rs.count("/p.jpg"), stored().Version, version)
	}

	rs.set("/p.jpg", aqua) // changed remote
	advance(8 * 24 * time.Hour)
	testkit.Get(t, url)
	testkit.Eventually(t, testkit.Timeout, "the changed refresh", func() bool { return stored().ETag != etag(first) })
	if f := testkit.Get(t, url); !bytes.Equal(f.Body, aqua) || f.Header.Get("X-Asset-Version") == version {
		t.Fatalf("changed remote: version %s, %d bytes", f.Header.Get("X-Asset-Version"), len(f.Body))
	}
	// The purge is published once the new copy is recorded, so it can
	// trail the row the wait above saw.
	testkit.Eventually(t, testkit.Timeout, "the purge of the replaced copy (a changed remote image was replaced without a purge)", func() bool {
		for _, e := range o.Events.all() {
			if e.Kind == origin.EventOverwritten && e.Invalidate && e.Asset.Type == delivery.Fetch {
				return true
			}
		}
		return false
	})
	// Let that refresh end too (its purge can be published before it has
	// let go of the URL), so that the next stale read starts its own.
	o.Server.WaitRecorded()

	// The remote fails: the copy stays, and the next try is an hour later.
	rs.mu.Lock()
	delete(rs.files, "/p.jpg")
	rs.mu.Unlock()
	advance(8 * 24 * time.Hour)
	asked := rs.count("/p.jpg")
	if f := testkit.Get(t, url); f.Status != 200 || !bytes.Equal(f.Body, aqua) {
		t.Fatalf("stored copy not served while the remote fails: %d", f.Status)
	}
	testkit.Eventually(t, testkit.Timeout, "the failed refresh", func() bool { return rs.count("/p.jpg") == asked+1 })
	o.Server.WaitRecorded()
	testkit.Get(t, url)
	o.Server.WaitRecorded()
	if rs.count("/p.jpg") != asked+1 {
		t.Fatal("a failed refresh was retried at once")
	}
	advance(fetchRetryForTest)
	testkit.Get(t, url)
	testkit.Eventually(t, testkit.Timeout, "the retry an hour later", func() bool { return rs.count("/p.jpg") == asked+2 })
	o.Server.WaitRecorded()
}

// fetchRetryForTest is origin's fetchRetry (an hour) and a minute.
const fetchRetryForTest = time.Hour + time.Minute

// A redirect may only lead to an allowed host.
func TestFetchRedirectToOtherHost(t *testing.T) {
	target := startRemote(t, map[string][]byte{"/secret.jpg": testkit.Read(t, "rocket.jpg")})
	hop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/secret.jpg", http.StatusFound) // to 127.0.0.1
	}))
	t.Cleanup(hop.Close)
	o := startOriginWith(t, func(c *origin.Config) { c.Fetch.AllowNetworks = []string{"127.0.0.0/8", "::1/128"} }, nil,
		config.Cloud{APIKey: apiKey, APISecret: apiSecret, FetchDomains: []string{"localhost"}})
	hopURL := strings.Replace(hop.URL, "127.0.0.1", "localhost", 1)
	f := testkit.Get(t, o.URL+"/demo/image/fetch/"+hopURL+"/go.jpg")
	if f.Status != 403 || !strings.Contains(f.Header.Get("X-Cld-Error"), "redirect to a host not allowed") {
		t.Fatalf("redirect to a host outside fetch_domains: %d %q", f.Status, f.Header.Get("X-Cld-Error"))
	}
	if target.count("/secret.jpg") != 0 {
		t.Fatal("the redirect reached the other host")
	}
}

// With fetch_signed_only, only signed fetch URLs (as the SDKs sign them)
// download anything.
func TestFetchSignedOnly(t *testing.T) {
	rs := startRemote(t, map[string][]byte{"/s.jpg": testkit.Read(t, "rocket.jpg")})
	o := startOriginWith(t, func(c *origin.Config) { c.Fetch.AllowNetworks = []string{"127.0.0.0/8"} }, nil,
		config.Cloud{APIKey: apiKey, APISecret: apiSecret, FetchDomains: []string{"127.0.0.1"}, FetchSignedOnly: true})
	remote := rs.URL + "/s.jpg"
	if f := testkit.Get(t, o.URL+"/demo/image/fetch/w_60/"+remote); f.Status != 401 ||
		!strings.Contains(f.Header.Get("X-Cld-Error"), "Missing URL signature") {
		t.Fatalf("unsigned fetch URL: %d %q", f.Status, f.Header.Get("X-Cld-Error"))
	}
	if f := testkit.Get(t, o.URL+"/demo/image/fetch/s--AAAAAAAA--/w_60/"+remote); f.Status != 401 {
		t.Fatalf("badly signed fetch URL: %d %q", f.Status, f.Header.Get("X-Cld-Error"))
	}
	if rs.count("/s.jpg") != 0 {
		t.Fatal("an unsigned fetch URL reached the remote")
	}
	img, err := o.Cld.Image(remote)
	if err != nil {
		t.Fatal(err)
	}
	img.DeliveryType = api.DeliveryType("fetch")
	img.Transformation = "w_60"
	img.Config.URL.SignURL = true
	signed, err := img.String()
	if err != nil {
		t.Fatal(err)
	}
	path := signed[strings.Index(signed, "/demo/image/fetch/"):]
	if f := testkit.Get(t, o.URL+path); f.Status != 200 || probe(t, f.Body).Width != 60 {
		t.Fatalf("SDK-signed fetch URL %s: %d %q", path, f.Status, f.Header.Get("X-Cld-Error"))
	}
}

// Downloads of fetch URLs in progress are bounded (fetch.max_in_flight):
// past the bound a URL without a stored copy answers 503 with
// Retry-After, without asking its remote; once the download ends, it is
// fetched as usual.
func TestFetchDownloadsBounded(t *testing.T) {
	rocket := testkit.Read(t, "rocket.jpg")
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	var mu sync.Mutex
	hits := map[string]int{}
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		if r.URL.Path == "/slow.jpg" {
			started <- struct{}{}
			<-release
		}
		w.Write(rocket)
	}))
	t.Cleanup(remote.Close)
	t.Cleanup(func() { close(release) })
	o := startOriginWith(t, func(c *origin.Config) {
		c.Fetch.AllowNetworks = []string{"127.0.0.0/8"}
		c.Fetch.MaxInFlight = 1
	}, nil, config.Cloud{APIKey: apiKey, APISecret: apiSecret, FetchDomains: []string{"127.0.0.1"}})
	base := o.URL + "/demo/image/fetch/" + remote.URL
	slow := make(chan testkit.Answer, 1)
	go func() { slow <- testkit.Get(t, base+"/slow.jpg") }()
	<-started
	busy := testkit.Get(t, base+"/other.jpg")
	if busy.Status != http.StatusServiceUnavailable || busy.Header.Get("Retry-After") != "1" {
		t.Fatalf("second download while one is in progress: %d %v", busy.Status, busy.Header)
	}
	mu.Lock()
	asked := hits["/other.jpg"]
	mu.Unlock()
	if asked != 0 {
		t.Fatalf("the refused fetch asked its remote %d times", asked)
	}
	release <- struct{}{}
	if r := <-slow; r.Status != 200 || !bytes.Equal(r.Body, rocket) {
		t.Fatalf("the slow download: %d", r.Status)
	}
	if r := testkit.Get(t, base+"/other.jpg"); r.Status != 200 || !bytes.Equal(r.Body, rocket) {
		t.Fatalf("after the first download ended: %d", r.Status)
	}
}
