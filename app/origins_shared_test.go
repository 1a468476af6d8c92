package app

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin/meta"
	"github.com/mediacdn/mediacdn/purge"
)

// Two origins on one PostgreSQL database and one S3 bucket, the API calls
// spread over both: what one writes the other reads and changes, chunks of
// one upload land on both, the Admin API's hourly limit is the cloud's
// over both, a derived image both make at once is stored once, a backup
// made on one is restored through the other, and a delete token sent to
// both deletes once.
func TestTwoOriginsOnSharedStores(t *testing.T) {
	stores := startSharedStores(t)
	ns := startNATS(t, "127.0.0.1:0")
	var origins [2]sharedOrigin
	for i := range origins {
		f := stores.originOn(t, ns.URL())
		f.Clouds["limited"] = config.Cloud{APIKey: "demo_key", APISecret: "demo_secret",
			Admin: config.AdminAPI{RateLimit: 5}}
		f.Origin.MetricsListen = "127.0.0.1:0"
		origins[i] = startSharedOrigin(t, f)
	}
	a, b := origins[0], origins[1]
	m, err := meta.Open(t.Context(), stores.metadataURL, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })

	t.Run("upload on one, change on the other", func(t *testing.T) {
		up := devUpload(t, a.api, "two/rocket", "rocket.jpg")
		d := adminGet(t, b.api, "demo", "resources/image/upload/two/rocket")
		if d.Status != 200 || !strings.Contains(string(d.Body), fmt.Sprintf(`"version":%d`, up.Version)) {
			t.Fatalf("details on the other origin: %v", d)
		}
		if l := adminGet(t, b.api, "demo", "resources/image/upload?prefix=two/"); !strings.Contains(string(l.Body), `"public_id":"two/rocket"`) {
			t.Fatalf("listing on the other origin: %v", l)
		}
		callAPI(t, b.api, "rename", map[string]string{"from_public_id": "two/rocket", "to_public_id": "two/renamed"}, "")
		callAPI(t, a.api, "tags", map[string]string{"command": "add", "tag": "shared", "public_ids": "two/renamed"}, "")
		if d := adminGet(t, b.api, "demo", "resources/image/upload/two/renamed"); d.Status != 200 || !strings.Contains(string(d.Body), `"tags":["shared"]`) {
			t.Fatalf("the renamed asset with its tag on the other origin: %v", d)
		}
		// Overwrites alternating origins: versions strictly increase.
		last := up.Version
		for i, o := range []sharedOrigin{b, a, b, a} {
			r := callAPI(t, o.api, "upload", map[string]string{"public_id": "two/renamed"}, []string{"chelsea.png", "rocket.jpg"}[i%2])
			if r.Version <= last {
				t.Fatalf("overwrite %d: version %d after %d", i, r.Version, last)
			}
			last = r.Version
		}
		if d := adminGet(t, a.api, "demo", "resources/image/upload/two/renamed"); !strings.Contains(string(d.Body), fmt.Sprintf(`"version":%d`, last)) {
			t.Fatalf("details after the overwrites: %v", d)
		}
	})

	t.Run("chunks on both origins", func(t *testing.T) {
		data := bmp(2000, 1800) // 10.8 MB: three chunks
		before := stores.blobKeys(t)
		n := len(data)
		ranges := [][2]int{{0, 5<<20 - 1}, {5 << 20, 10<<20 - 1}, {10 << 20, n - 1}}
		var last string
		for i, r := range ranges {
			total := "-1" // as the Node SDK sends them: the total on the last chunk only
			if i == len(ranges)-1 {
				total = strconv.Itoa(n)
			}
			status, body := postChunk(t, origins[i%2].api, "two-origins", "two/chunked", data[r[0]:r[1]+1],
				fmt.Sprintf("bytes %d-%d/%s", r[0], r[1], total))
			if status != 200 || (i < len(ranges)-1 && body != `{"done":false}`) {
				t.Fatalf("chunk %d on origin %d: %d %s", i, i%2, status, body)
			}
			last = body
		}
		sum := md5.Sum(data)
		if !strings.Contains(last, `"bytes":`+strconv.Itoa(n)+`,`) || !strings.Contains(last, `"etag":"`+hex.EncodeToString(sum[:])+`"`) {
			t.Fatalf("the last chunk's answer: %s", last)
		}
		var up apiResult
		json.Unmarshal([]byte(last), &up)
		g := testkit.Get(t, b.api+fmt.Sprintf("/demo/image/upload/v%d/two/chunked.bmp", up.Version))
		if g.Status != 200 || !bytes.Equal(g.Body, data) {
			t.Fatalf("the chunked upload delivered by the other origin: %v", g)
		}
		after := stores.blobKeys(t)
		asset, err := m.Asset(t.Context(), meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "two/chunked"})
		if err != nil {
			t.Fatal(err)
		}
		if added := without(after, before); len(added) != 1 || added[0] != asset.Blob {
			t.Fatalf("blobs added by the chunked upload: %v, want only the asset's %s", added, asset.Blob)
		}
	})

	t.Run("the Admin API's limit over both", func(t *testing.T) {
		for i, o := range []sharedOrigin{a, a, a, b, b} {
			if g := adminGet(t, o.api, "limited", "ping"); g.Status != 200 || g.Header.Get("X-FeatureRateLimit-Remaining") != strconv.Itoa(4-i) {
				t.Fatalf("call %d: %v", i+1, g)
			}
		}
		g := adminGet(t, b.api, "limited", "ping")
		if g.Status != 420 || g.Header.Get("X-FeatureRateLimit-Limit") != "5" || g.Header.Get("X-FeatureRateLimit-Remaining") != "0" ||
			g.Header.Get("X-FeatureRateLimit-Reset") == "" || g.Header.Get("Retry-After") == "" {
			t.Fatalf("the sixth call: %v", g)
		}
		if g := adminGet(t, a.api, "limited", "ping"); g.Status != 420 {
			t.Fatalf("a seventh call on the first origin: %v", g)
		}
	})

	t.Run("a derived image both make at once", func(t *testing.T) {
		devUpload(t, a.api, "two/garden", "Garden.jpg")
		key := meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "two/garden"}
		// Each try asks both origins for a new transformation at the same
		// moment, until both made it (each counted a transform).
		both, tries := false, 0
		for ; tries < 10 && !both; tries++ {
			try := tries
			path := fmt.Sprintf("/demo/image/upload/w_%d,e_sharpen:%d/two/garden.jpg", 1200+try, 100+try)
			ta, tb := a.transforms(t), b.transforms(t)
			var bodies [2]testkit.Answer
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, o := range origins {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					req, _ := http.NewRequest(http.MethodGet, o.api+path, nil)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					defer resp.Body.Close()
					var buf bytes.Buffer
					buf.ReadFrom(resp.Body)
					bodies[i] = testkit.Answer{Status: resp.StatusCode, Header: resp.Header, Body: buf.Bytes()}
				}()
			}
			close(start)
			wg.Wait()
			if bodies[0].Status != 200 || bodies[1].Status != 200 || !bytes.Equal(bodies[0].Body, bodies[1].Body) {
				t.Fatalf("%s on both origins: %v and %v", path, bodies[0], bodies[1])
			}
			both = a.transforms(t) > ta && b.transforms(t) > tb
		}
		if !both {
			t.Fatal("in 10 tries, the two origins never made the same derived image at once")
		}
		// The Admin API answers once derived images made are recorded.
		adminGet(t, a.api, "demo", "ping")
		adminGet(t, b.api, "demo", "ping")
		derived, err := m.ListDerived(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, d := range derived {
			if seen[d.Transformation] {
				t.Errorf("%s recorded twice", d.Transformation)
			}
			seen[d.Transformation] = true
		}
		if len(seen) != tries {
			t.Errorf("%d derived images recorded for %d transformations: %+v", len(seen), tries, derived)
		}
		// Every blob of the bucket is one a row refers to: the loser's
		// derived blob was deleted.
		refs := map[string]bool{}
		if err := m.BlobRefs(t.Context(), func(r meta.BlobRef) error { refs[r.Blob] = true; return nil }); err != nil {
			t.Fatal(err)
		}
		for _, k := range stores.blobKeys(t) {
			if !refs[k] {
				t.Errorf("blob %s is no row's", k)
			}
		}
	})

	t.Run("delete tokens and backups from either origin", func(t *testing.T) {
		// A backup written by one origin is restored through the other.
		callAPI(t, a.api, "upload", map[string]string{"public_id": "two/kept", "backup": "true"}, "rocket.jpg")
		callAPI(t, a.api, "upload", map[string]string{"public_id": "two/kept", "backup": "true"}, "chelsea.png")
		r := adminPost(t, b.api, "demo", "resources/image/upload/restore", url.Values{"public_ids[]": {"two/kept"}})
		var restored map[string]struct {
			Version int64  `json:"version"`
			Format  string `json:"format"`
			Error   string `json:"error"`
		}
		if err := json.Unmarshal(r.Body, &restored); r.Status != 200 || err != nil || restored["two/kept"].Format != "jpg" {
			t.Fatalf("restore on the other origin: %v", r)
		}
		g := testkit.Get(t, a.api+fmt.Sprintf("/demo/image/upload/v%d/two/kept.jpg", restored["two/kept"].Version))
		if g.Status != 200 || !bytes.Equal(g.Body, testkit.Read(t, "rocket.jpg")) {
			t.Fatalf("the restored version on the first origin: %v", g)
		}
		// A delete token sent to both origins at once deletes once: one
		// answer is ok, the other says the token is stale.
		for i := 0; i < 5; i++ {
			id := fmt.Sprint("two/token", i)
			token := callAPI(t, []sharedOrigin{a, b}[i%2].api, "upload",
				map[string]string{"public_id": id, "return_delete_token": "1"}, "rocket.jpg").DeleteToken
			if token == "" {
				t.Fatalf("upload of %s with return_delete_token: no delete_token", id)
			}
			var answers [2]testkit.Answer
			var wg sync.WaitGroup
			start := make(chan struct{})
			for j, o := range origins {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					answers[j] = postForm(t, o.api+"/v1_1/demo/delete_by_token", url.Values{"token": {token}})
				}()
			}
			close(start)
			wg.Wait()
			ok, stale := 0, 0
			for _, ans := range answers {
				switch {
				case ans.Status == 200 && string(ans.Body) == `{"result":"ok"}`:
					ok++
				case ans.Status == 401 && strings.Contains(string(ans.Body), "Stale or invalid delete token"):
					stale++
				}
			}
			if ok != 1 || stale != 1 {
				t.Fatalf("token of %s sent to both origins: %v and %v; want one ok, one stale", id, answers[0], answers[1])
			}
			if d := adminGet(t, b.api, "demo", "resources/image/upload/"+id); d.Status != 404 {
				t.Fatalf("%s after its delete token: %v", id, d)
			}
		}
	})
}

// adminPost posts a form to the Admin API of cloud with the demo key.
func adminPost(t *testing.T, api, cloud, path string, form url.Values) testkit.Answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, api+"/v1_1/"+cloud+"/"+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("demo_key", "demo_secret")
	return doRequest(t, req)
}

// postForm posts a form without credentials.
func postForm(t *testing.T, u string, form url.Values) testkit.Answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return doRequest(t, req)
}

// doRequest sends req and reads the whole answer (safe to call from any
// goroutine: it reports errors with t.Error).
func doRequest(t *testing.T, req *http.Request) testkit.Answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return testkit.Answer{}
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return testkit.Answer{Status: resp.StatusCode, Header: resp.Header, Body: bytes.TrimSpace(buf.Bytes())}
}

// sharedOrigin is a running origin: its API and metrics URLs.
type sharedOrigin struct{ api, metrics string }

// startSharedOrigin starts an origin service for f (with a metrics
// listener); it stops when the test ends.
func startSharedOrigin(t *testing.T, f *File) sharedOrigin {
	t.Helper()
	o, err := newOrigin(f, slog.New(slog.DiscardHandler), make(chan error, 4), func() purge.Config { return f.NATS })
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Start(t.Context()); err != nil {
		o.Close(context.Background())
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close(context.Background()) })
	addrs := o.(interface {
		Addr() string
		MetricsAddr() string
	})
	return sharedOrigin{api: "http://" + addrs.Addr(), metrics: "http://" + addrs.MetricsAddr()}
}

var transformsMetric = regexp.MustCompile(`(?m)^mediacdn_origin_transforms_total (\d+)$`)

// transforms is the origin's count of transforms started.
func (o sharedOrigin) transforms(t *testing.T) int {
	t.Helper()
	g := testkit.Get(t, o.metrics+"/metrics")
	match := transformsMetric.FindSubmatch(g.Body)
	if match == nil {
		t.Fatalf("no transforms count in the metrics: %v", g)
	}
	n, _ := strconv.Atoi(string(match[1]))
	return n
}

// adminGet calls the Admin API of cloud with the demo key.
func adminGet(t *testing.T, api, cloud, path string) testkit.Answer {
	t.Helper()
	return testkit.Get(t, api+"/v1_1/"+cloud+"/"+path, "Authorization",
		"Basic "+base64.StdEncoding.EncodeToString([]byte("demo_key:demo_secret")))
}

// postChunk posts one chunk of a chunked upload.
func postChunk(t *testing.T, api, uploadID, publicID string, chunk []byte, contentRange string) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("public_id", publicID)
	fw, _ := w.CreateFormFile("file", "big.bmp")
	fw.Write(chunk)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, api+"/v1_1/demo/image/upload", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("X-Unique-Upload-Id", uploadID)
	req.Header.Set("Content-Range", contentRange)
	req.SetBasicAuth("demo_key", "demo_secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	return resp.StatusCode, strings.TrimSpace(out.String())
}

// bmp is a 24-bit BMP of w×h pixels in a gradient.
func bmp(w, h int) []byte {
	row := (w*3 + 3) &^ 3
	size := 54 + row*h
	b := make([]byte, size)
	copy(b, "BM")
	binary.LittleEndian.PutUint32(b[2:], uint32(size))
	binary.LittleEndian.PutUint32(b[10:], 54)
	binary.LittleEndian.PutUint32(b[14:], 40)
	binary.LittleEndian.PutUint32(b[18:], uint32(w))
	binary.LittleEndian.PutUint32(b[22:], uint32(h))
	binary.LittleEndian.PutUint16(b[26:], 1)
	binary.LittleEndian.PutUint16(b[28:], 24)
	binary.LittleEndian.PutUint32(b[34:], uint32(row*h))
	for y := range h {
		for x := range w {
			p := 54 + y*row + x*3
			b[p], b[p+1], b[p+2] = byte(x), byte(y), byte(x+y)
		}
	}
	return b
}

// without is the keys of after not in before.
func without(after, before []string) []string {
	var out []string
	for _, k := range after {
		if !slices.Contains(before, k) {
			out = append(out, k)
		}
	}
	return out
}
