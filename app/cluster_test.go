package app

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// startCluster is app's tests' one way to run an installation: StartCluster
// (the starter mediacdn bench runs too) in a temporary directory, closed
// when the test ends.
func startCluster(t testing.TB, o ClusterOptions) *Cluster {
	t.Helper()
	o.Dir = t.TempDir()
	c, err := StartCluster(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// startCaughtUp starts a cluster with the short purge timers of
// fastPurgeTimers (before o.Configure) and waits until every edge has
// confirmed the purge stream (so that unversioned entries are hits).
func startCaughtUp(t testing.TB, o ClusterOptions) *Cluster {
	t.Helper()
	configure := o.Configure
	o.Configure = func(f *File) {
		fastPurgeTimers(f)
		if configure != nil {
			configure(f)
		}
	}
	c := startCluster(t, o)
	testkit.Eventually(t, testkit.Timeout, "every edge to catch up", func() bool { return allCaughtUp(c) })
	return c
}

// allCaughtUp reports whether every edge of c has confirmed the purge
// stream.
func allCaughtUp(c *Cluster) bool {
	for i := range c.EdgeURLs {
		if !c.EdgeState(i).CaughtUp {
			return false
		}
	}
	return true
}

// fastPurgeTimers shortens the catch-up bound and heartbeats for tests.
func fastPurgeTimers(f *File) {
	f.NATS.CaughtUpBound = 300 * time.Millisecond
	f.NATS.HeartbeatInterval = 50 * time.Millisecond
	f.NATS.LiveWindow = time.Second
	f.NATS.ReconnectWait = 50 * time.Millisecond
}

type apiResult struct {
	PublicID     string `json:"public_id"`
	Version      int64  `json:"version"`
	Result       string `json:"result"`
	Invalidation *struct {
		ID           string `json:"id"`
		Status       string `json:"status"`
		EdgesApplied int    `json:"edges_applied"`
		EdgesLive    int    `json:"edges_live"`
	} `json:"invalidation"`
	Error       *struct{ Message string } `json:"error"`
	DeleteToken string                    `json:"delete_token"`
}

// call posts a multipart Upload API request with HTTP Basic auth.
func call(t *testing.T, c *Cluster, action string, fields map[string]string, file string) apiResult {
	t.Helper()
	return callAPI(t, c.OriginURL, action, fields, file)
}

// callAPI posts a multipart Upload API request to the origin at api with
// HTTP Basic auth, and fails the test unless it succeeds.
func callAPI(t *testing.T, api, action string, fields map[string]string, file string) apiResult {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if file != "" {
		b := testkit.Read(t, file)
		fw, _ := w.CreateFormFile("file", file)
		fw.Write(b)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, api+"/v1_1/demo/image/"+action, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.SetBasicAuth("demo_key", "demo_secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r apiResult
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.Error != nil {
		t.Fatalf("%s: %d %v %+v", action, resp.StatusCode, err, r.Error)
	}
	return r
}

// Origin + three edges: an overwrite with invalidate reaches all three, a
// destroy makes them answer 404, a rename makes the old URL 404.
func TestPurgeReachesEveryEdge(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{Edges: 3})
	up := call(t, c, "upload", map[string]string{"public_id": "pic"}, "rocket.jpg")
	paths := []string{"/demo/image/upload/pic.jpg", "/demo/image/upload/c_fill,h_50,w_50/pic.jpg",
		"/demo/image/upload/v" + strconv.FormatInt(up.Version, 10) + "/pic.jpg", "/demo/images/v1/pic/seo-name.jpg"}
	old := map[string]string{}
	for _, e := range c.EdgeURLs {
		for _, p := range paths {
			testkit.Get(t, e+p)
			g := testkit.Get(t, e+p)
			if g.Status != 200 || g.Header.Get("Cache-Status") != "mediacdn; hit" {
				t.Fatalf("%s%s not cached: %+v", e, p, g)
			}
			old[p] = string(g.Body)
		}
	}
	over := call(t, c, "upload", map[string]string{"public_id": "pic", "invalidate": "true", "wait": "5000"}, "chelsea.png")
	if over.Invalidation == nil || over.Invalidation.Status != "applied" || over.Invalidation.EdgesApplied != 3 {
		t.Fatalf("overwrite invalidation: %+v", over.Invalidation)
	}
	for _, e := range c.EdgeURLs {
		for _, p := range paths {
			if g := testkit.Get(t, e+p); g.Status != 200 || string(g.Body) == old[p] {
				t.Errorf("%s%s still old after the purge was applied: %+v", e, p, g)
			}
		}
	}
	del := call(t, c, "destroy", map[string]string{"public_id": "pic", "invalidate": "true", "wait": "5000"}, "")
	if del.Result != "ok" || del.Invalidation == nil || del.Invalidation.Status != "applied" {
		t.Fatalf("destroy: %+v", del)
	}
	for _, e := range c.EdgeURLs {
		for _, p := range paths {
			if g := testkit.Get(t, e+p); g.Status != 404 {
				t.Errorf("%s%s after destroy: %+v", e, p, g)
			}
		}
	}
	call(t, c, "upload", map[string]string{"public_id": "a/b"}, "rocket.jpg")
	for _, e := range c.EdgeURLs {
		testkit.Get(t, e+"/demo/image/upload/v1/a/b.jpg")
		testkit.Get(t, e+"/demo/image/upload/v1/c/d.jpg") // a cached 404 for the new name
	}
	call(t, c, "rename", map[string]string{"from_public_id": "a/b", "to_public_id": "c/d", "invalidate": "true", "wait": "5000"}, "")
	for _, e := range c.EdgeURLs {
		if g := testkit.Get(t, e+"/demo/image/upload/v1/a/b.jpg"); g.Status != 404 {
			t.Errorf("old name after rename on %s: %+v", e, g)
		}
		if g := testkit.Get(t, e+"/demo/image/upload/v1/c/d.jpg"); g.Status != 200 {
			t.Errorf("new name after rename on %s: %+v (the created rule must clear the cached 404)", e, g)
		}
	}
}

// The legacy invalidation matrix, through real URLs, for both settings.
func TestLegacyMatrixEndToEnd(t *testing.T) {
	for _, versioned := range []bool{false, true} {
		t.Run("invalidate_versioned_urls="+strconv.FormatBool(versioned), func(t *testing.T) {
			clouds := config.Clouds{"demo": {APIKey: "demo_key", APISecret: "demo_secret",
				Invalidation: config.Legacy, InvalidateVersionedURLs: versioned}}
			c := startCaughtUp(t, ClusterOptions{Edges: 1, Clouds: clouds})
			edge := c.EdgeURLs[0]
			for _, id := range []string{"flat", "dir/nested"} {
				up := call(t, c, "upload", map[string]string{"public_id": id}, "rocket.jpg")
				latest := "v" + strconv.FormatInt(up.Version, 10)
				sig := delivery.Sign("", id+".jpg", "demo_secret", delivery.SHA1, false)
				urls := map[string]string{
					"none":          "/demo/image/upload/" + id + ".jpg",
					"v1":            "/demo/image/upload/v1/" + id + ".jpg",
					"latest":        "/demo/image/upload/" + latest + "/" + id + ".jpg",
					"other":         "/demo/image/upload/v12345/" + id + ".jpg",
					"derived none":  "/demo/image/upload/w_40/" + id + ".jpg",
					"derived v1":    "/demo/image/upload/w_40/v1/" + id + ".jpg",
					"signed v1":     "/demo/image/upload/" + sig + "/v1/" + id + ".jpg",
					"signed latest": "/demo/image/upload/" + sig + "/" + latest + "/" + id + ".jpg",
				}
				old := map[string]string{}
				for name, u := range urls {
					testkit.Get(t, edge+u)
					old[name] = string(testkit.Get(t, edge+u).Body)
				}
				call(t, c, "upload", map[string]string{"public_id": id, "invalidate": "true", "wait": "5000"}, "chelsea.png")
				slash := id == "dir/nested"
				for name, u := range urls {
					var want bool // purged?
					switch {
					case name == "signed v1" || name == "signed latest":
						want = false // legacy never invalidates signed URLs
					case versioned:
						want = name == "latest"
					case slash:
						want = name == "v1" || name == "derived v1"
					default:
						want = name == "none" || name == "derived none"
					}
					purged := string(testkit.Get(t, edge+u).Body) != old[name]
					if purged != want {
						t.Errorf("%s %s (%s): purged=%v, want %v", id, name, u, purged, want)
					}
				}
			}
		})
	}
}

// An edge cut off from NATS while purges are published catches up when it
// reconnects; meanwhile, past the bound, it revalidates unversioned entries.
func TestEdgeCatchesUpAfterPartition(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{Edges: 2, Partitionable: true})
	up := call(t, c, "upload", map[string]string{"public_id": "p"}, "rocket.jpg")
	versioned := "/demo/image/upload/v" + strconv.FormatInt(up.Version, 10) + "/p.jpg"
	unversioned := "/demo/image/upload/p.jpg"
	for _, e := range c.EdgeURLs {
		testkit.Get(t, e+versioned)
		testkit.Get(t, e+unversioned)
	}
	old := string(testkit.Get(t, c.EdgeURLs[0]+versioned).Body)
	c.Partition(0, true)
	testkit.Eventually(t, testkit.Timeout, "the cut edge to stop trusting itself", func() bool { return !c.EdgeState(0).CaughtUp })
	if r := testkit.Get(t, c.EdgeURLs[0]+"/readyz"); r.Status != 503 {
		t.Fatalf("readyz of a partitioned edge: %v", r)
	}
	call(t, c, "upload", map[string]string{"public_id": "p", "invalidate": "true", "wait": "2000"}, "chelsea.png")
	if g := testkit.Get(t, c.EdgeURLs[1]+versioned); string(g.Body) == old {
		t.Fatal("the connected edge serves the old bytes")
	}
	// Unversioned: revalidated with the origin, so already fresh.
	if g := testkit.Get(t, c.EdgeURLs[0]+unversioned); g.Header.Get("Cache-Status") == "mediacdn; hit" {
		t.Fatalf("a partitioned edge served an unversioned entry blindly: %+v", g)
	}
	c.Partition(0, false)
	testkit.Eventually(t, testkit.Timeout, "the edge to catch up and drop the purged entry", func() bool {
		return string(testkit.Get(t, c.EdgeURLs[0]+versioned).Body) != old
	})
	testkit.Eventually(t, testkit.Timeout, "caught up again", func() bool { return c.EdgeState(0).CaughtUp })
}

// With the stream truncated while an edge was away, it cannot replay what
// it missed: it flushes instead.
func TestEdgeFlushesWhenStreamLostRules(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{Edges: 1, Partitionable: true})
	up := call(t, c, "upload", map[string]string{"public_id": "q"}, "rocket.jpg")
	versioned := "/demo/image/upload/v" + strconv.FormatInt(up.Version, 10) + "/q.jpg"
	edge := c.EdgeURLs[0]
	testkit.Get(t, edge+versioned)
	old := string(testkit.Get(t, edge+versioned).Body)
	flushes := c.EdgeState(0).Flushes
	c.Partition(0, true)
	call(t, c, "upload", map[string]string{"public_id": "q", "invalidate": "true"}, "chelsea.png")
	if err := c.PurgeStream(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Partition(0, false)
	testkit.Eventually(t, testkit.Timeout, "the flush", func() bool { return c.EdgeState(0).Flushes > flushes })
	if g := testkit.Get(t, edge+versioned); string(g.Body) == old {
		t.Fatal("stale bytes after the edge flushed")
	}
}

// mediacdn purge, the operator command, by prefix, named transformation
// and whole cloud.
func TestPurgeCommand(t *testing.T) {
	clouds := config.Clouds{"demo": {APIKey: "demo_key", APISecret: "demo_secret",
		NamedTransformations: map[string]string{"thumb": "c_fill,h_30,w_30"}}}
	c := startCaughtUp(t, ClusterOptions{Edges: 2, Clouds: clouds})
	for _, id := range []string{"sun/a", "sun/b", "moon/c"} {
		call(t, c, "upload", map[string]string{"public_id": id}, "rocket.jpg")
	}
	paths := map[string]string{
		"sun/a": "/demo/image/upload/v1/sun/a.jpg", "sun/b": "/demo/image/upload/v1/sun/b.jpg",
		"moon/c": "/demo/image/upload/v1/moon/c.jpg", "thumb": "/demo/image/upload/t_thumb/v1/moon/c.jpg",
	}
	warm := func() {
		for _, e := range c.EdgeURLs {
			for _, p := range paths {
				testkit.Get(t, e+p)
				if g := testkit.Get(t, e+p); g.Header.Get("Cache-Status") != "mediacdn; hit" {
					t.Fatalf("%s not cached: %+v", p, g)
				}
			}
		}
	}
	purged := func(name string) bool {
		for _, e := range c.EdgeURLs {
			if testkit.Get(t, e+paths[name]).Header.Get("Cache-Status") == "mediacdn; hit" {
				return false
			}
		}
		return true
	}
	run := func(args ...string) string {
		var out, errOut bytes.Buffer
		io := &IO{Stdout: &out, Stderr: &errOut}
		base := []string{"-api", c.OriginURL, "-key", "demo_key", "-secret", "demo_secret", "-wait", "5s"}
		if err := Purge(context.Background(), append(base, args...), io); err != nil {
			t.Fatalf("purge %v: %v %s", args, err, errOut.String())
		}
		return out.String()
	}
	warm()
	if out := run("prefix", "sun/"); !bytes.Contains([]byte(out), []byte(`"status":"applied","edges_applied":2`)) {
		t.Fatalf("prefix purge answer: %s", out)
	}
	if !purged("sun/a") || !purged("sun/b") || purged("moon/c") {
		t.Fatal("prefix purge covered the wrong URLs")
	}
	warm()
	run("transformation", "thumb")
	if !purged("thumb") || purged("moon/c") {
		t.Fatal("named transformation purge covered the wrong URLs")
	}
	warm()
	run("cloud")
	for name := range paths {
		if !purged(name) {
			t.Fatalf("cloud flush left %s cached", name)
		}
	}
}
