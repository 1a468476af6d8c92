package app

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// adminResult is a bulk deletion or transformation answer.
type adminResult struct {
	Deleted      map[string]string `json:"deleted"`
	Partial      bool              `json:"partial"`
	NextCursor   string            `json:"next_cursor"`
	Message      string            `json:"message"`
	Invalidation *struct {
		ID           string `json:"id"`
		Sequence     uint64 `json:"sequence"`
		Status       string `json:"status"`
		EdgesApplied int    `json:"edges_applied"`
	} `json:"invalidation"`
	Error *struct{ Message string } `json:"error"`
}

// admin sends an Admin API call with an urlencoded body, as the Node SDK
// does (even on DELETE).
func admin(t testing.TB, c *Cluster, method, path, body string) adminResult {
	t.Helper()
	req, _ := http.NewRequest(method, c.OriginURL+"/v1_1/demo/"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("demo_key", "demo_secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r adminResult
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.Error != nil || resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d %v %+v", method, path, resp.StatusCode, err, r.Error)
	}
	return r
}

// Admin API deletions with invalidate reach every edge through the purge
// rules: keep_original purges derived URLs only, transformations only
// those, a prefix delete every URL of the assets, deleting a named
// transformation its t_ URLs. /usage reports what the edges served.
func TestAdminDeletesPurgeEdges(t *testing.T) {
	clouds := config.Clouds{"demo": {APIKey: "demo_key", APISecret: "demo_secret",
		NamedTransformations: map[string]string{"thumb": "c_fill,h_30,w_30"}}}
	c := startCaughtUp(t, ClusterOptions{Edges: 2, Clouds: clouds})
	for _, id := range []string{"del/a", "del/b", "keep/c"} {
		call(t, c, "upload", map[string]string{"public_id": id}, "rocket.jpg")
	}
	paths := map[string]string{
		"a":         "/demo/image/upload/v1/del/a.jpg",
		"a w_40":    "/demo/image/upload/w_40/v1/del/a.jpg",
		"b w_40":    "/demo/image/upload/c_scale,w_40/v1/del/b.jpg",
		"c":         "/demo/image/upload/v1/keep/c.jpg",
		"c w_40":    "/demo/image/upload/w_40/v1/keep/c.jpg",
		"c w_50":    "/demo/image/upload/w_50,c_scale/v1/keep/c.jpg",
		"c t_thumb": "/demo/image/upload/t_thumb/v1/keep/c.jpg",
	}
	served := 0
	warm := func() {
		for _, e := range c.EdgeURLs {
			for _, p := range paths {
				testkit.Get(t, e+p)
				served++
				if g := testkit.Get(t, e+p); g.Status == 200 && g.Header.Get("Cache-Status") != "mediacdn; hit" {
					t.Fatalf("%s not cached: %+v", p, g)
				}
				served++
			}
		}
	}
	// hit reports, for each name, whether every edge still serves it from
	// its cache.
	hit := func(names ...string) map[string]bool {
		out := map[string]bool{}
		for _, n := range names {
			out[n] = true
			for _, e := range c.EdgeURLs {
				g := testkit.Get(t, e+paths[n])
				served++
				out[n] = out[n] && g.Header.Get("Cache-Status") == "mediacdn; hit" && g.Status == 200
			}
		}
		return out
	}
	want := func(step string, got map[string]bool, cached ...string) {
		t.Helper()
		keep := map[string]bool{}
		for _, n := range cached {
			keep[n] = true
		}
		for n, h := range got {
			if h != keep[n] {
				t.Errorf("%s: %s cached=%v, want %v", step, n, h, keep[n])
			}
		}
	}
	names := []string{"a", "a w_40", "b w_40", "c", "c w_40", "c w_50", "c t_thumb"}

	warm()
	r := admin(t, c, "DELETE", "resources/image/upload", "prefix=del/&keep_original=true&invalidate=true&wait=5000")
	if r.Invalidation == nil || r.Invalidation.Status != "applied" || r.Invalidation.EdgesApplied != 2 || len(r.Deleted) != 2 {
		t.Fatalf("keep_original by prefix: %+v", r)
	}
	want("keep_original", hit(names...), "a", "c", "c w_40", "c w_50", "c t_thumb")

	warm()
	r = admin(t, c, "DELETE", "resources/image/upload",
		"public_ids%5B%5D=keep/c&transformations=c_scale,w_50&invalidate=true&wait=5000")
	if r.Deleted["keep/c"] != "deleted" || r.Invalidation == nil || r.Invalidation.Status != "applied" {
		t.Fatalf("by transformation: %+v", r)
	}
	want("transformations", hit(names...), "a", "a w_40", "b w_40", "c", "c w_40", "c t_thumb")

	warm()
	r = admin(t, c, "DELETE", "transformations", "transformation=t_thumb&wait=5000")
	if r.Message != "deleted" || r.Invalidation == nil || r.Invalidation.Status != "applied" {
		t.Fatalf("delete named: %+v", r)
	}
	want("named transformation", hit(names...), "a", "a w_40", "b w_40", "c", "c w_40", "c w_50")

	warm()
	r = admin(t, c, "DELETE", "resources/image/upload", "prefix=del/&invalidate=true&wait=5000")
	if r.Invalidation == nil || r.Invalidation.Status != "applied" {
		t.Fatalf("delete by prefix: %+v", r)
	}
	for _, e := range c.EdgeURLs {
		for _, n := range []string{"a", "a w_40", "b w_40"} {
			if g := testkit.Get(t, e+paths[n]); g.Status != 404 {
				t.Errorf("%s on %s after delete: %+v", n, e, g)
			}
		}
	}

	// The edges' heartbeats carry what they served; /usage sums it.
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("demo_key:demo_secret"))
	testkit.CheckFor(t, testkit.Timeout, func() error {
		var u struct {
			Requests  int64 `json:"requests"`
			Bandwidth struct {
				Usage int64 `json:"usage"`
			} `json:"bandwidth"`
		}
		a := testkit.Get(t, c.OriginURL+"/v1_1/demo/usage", "Authorization", auth)
		if err := json.Unmarshal(a.Body, &u); err != nil {
			return fmt.Errorf("usage: %v: %v", err, a)
		}
		if u.Requests < int64(served) || u.Bandwidth.Usage <= int64(served)*100 {
			return fmt.Errorf("usage counts %d requests and %d bytes; want at least %d requests and more than %d bytes",
				u.Requests, u.Bandwidth.Usage, served, served*100)
		}
		return nil
	})
}

// rawUpload uploads a small raw file.
func rawUpload(client *http.Client, origin, id string) error {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("public_id", id)
	fw, _ := w.CreateFormFile("file", "f.txt")
	fmt.Fprintf(fw, "file %s", id)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, origin+"/v1_1/demo/raw/upload", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.SetBasicAuth("demo_key", "demo_secret")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("upload %s: %d", id, resp.StatusCode)
	}
	return nil
}

// BenchmarkAdminDeleteByPrefix10k deletes 10,000 assets by prefix with
// invalidate through the Admin API of an origin with two edges and real
// NATS, repeating with next_cursor (1,000 per call), and reports the total
// time of the calls and the time until every edge has applied the purges.
//
//	go test ./app -run '^$' -bench AdminDeleteByPrefix10k -benchtime 1x
func BenchmarkAdminDeleteByPrefix10k(b *testing.B) {
	const n = 10_000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := startBenchCluster(b)
		seedRaw(b, c, n)
		// Cached copies on the edges, so the purges have work to do.
		for _, e := range c.EdgeURLs {
			for j := 0; j < 200; j++ {
				if st := testkit.Get(b, fmt.Sprintf("%s/demo/raw/upload/bench/%05d", e, j*50)).Status; st != 200 {
					b.Fatalf("warming: %d", st)
				}
			}
		}
		b.StartTimer()
		start := time.Now()
		cursor, calls, deleted := "", 0, 0
		var lastSeq uint64
		for {
			body := "prefix=bench/&invalidate=true"
			if cursor != "" {
				body += "&next_cursor=" + cursor
			}
			r := admin(b, c, "DELETE", "resources/raw/upload", body)
			calls++
			deleted += len(r.Deleted)
			if r.Invalidation != nil {
				lastSeq = r.Invalidation.Sequence
			}
			if !r.Partial {
				break
			}
			cursor = r.NextCursor
		}
		total := time.Since(start)
		testkit.Eventually(b, time.Minute, "the edges to apply the purges", func() bool { return edgesApplied(c, lastSeq) })
		applied := time.Since(start)
		b.StopTimer()
		if deleted != n || calls != n/1000 {
			b.Fatalf("%d deleted in %d calls", deleted, calls)
		}
		for _, e := range c.EdgeURLs {
			if st := testkit.Get(b, e+"/demo/raw/upload/bench/00050").Status; st != 404 {
				b.Fatalf("purged asset still served: %d", st)
			}
		}
		b.ReportMetric(float64(total.Microseconds())/1000, "delete-ms")
		b.ReportMetric(float64(applied.Microseconds())/1000, "all-edges-applied-ms")
	}
}

func edgesApplied(c *Cluster, seq uint64) bool {
	for i := range c.EdgeURLs {
		if c.EdgeState(i).Applied < seq {
			return false
		}
	}
	return true
}

// startBenchCluster starts NATS, an origin and two edges for a benchmark.
func startBenchCluster(b *testing.B) *Cluster {
	b.Helper()
	return startCaughtUp(b, ClusterOptions{Edges: 2, Clouds: config.Clouds{"demo": {APIKey: "demo_key", APISecret: "demo_secret",
		Admin: config.AdminAPI{RateLimit: 1 << 20}}}})
}

// seedRaw uploads n small raw files bench/00000... through the Upload API,
// four at a time.
func seedRaw(b *testing.B, c *Cluster, n int) {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	ids := make(chan int)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ids {
				if err := rawUpload(client, c.OriginURL, fmt.Sprintf("bench/%05d", i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case err := <-errs:
			b.Fatal(err)
		case ids <- i:
		}
	}
	close(ids)
	wg.Wait()
}
