package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

func TestIsHit(t *testing.T) {
	for v, want := range map[string]bool{
		"mediacdn; hit": true, "mediacdn; hit; fwd=stale": true, "mediacdn; fwd=miss; stored": false,
		"mediacdn; fwd=miss; collapsed": false, "": false, "hit": false, "mediacdn; hits": false,
	} {
		if isHit([]byte(v)) != want {
			t.Errorf("%q: %v", v, !want)
		}
	}
}

// A bounded run of the generator against a loopback server: it stops at
// the request bound, counts hits, bytes and errors.
func TestRunLoad(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if r.URL.Path == "/bad" {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		if r.URL.Path == "/a" {
			w.Header().Set("Cache-Status", "mediacdn; hit")
		}
		io.WriteString(w, "0123456789")
	}))
	defer srv.Close()
	m, _ := newZipfMix(3, 1.5, 1)
	spec := loadSpec{Label: "test", Base: srv.URL, Paths: []string{"/a", "/b", "/bad"}, Conns: 4,
		Duration: time.Minute, Requests: 300, Pick: zipfPicker(m, 1)}
	r, err := runLoad(context.Background(), spec, newProgress(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 300 || served.Load() != 300 || r.Latency.Count() != 300 {
		t.Fatalf("requests %d served %d latencies %d, want 300", r.Requests, served.Load(), r.Latency.Count())
	}
	if r.Hits == 0 || r.Errors == 0 || r.Hits+r.Errors > 300 || !strings.Contains(r.FirstErr, "404") {
		t.Errorf("hits %d errors %d first %q", r.Hits, r.Errors, r.FirstErr)
	}
	if r.Bytes < 10*(300-r.Errors) {
		t.Errorf("bytes %d", r.Bytes)
	}
	if _, err := runLoad(context.Background(), loadSpec{Base: srv.URL, Paths: []string{"/"}, Conns: 1, Duration: time.Second}, newProgress(io.Discard)); err == nil {
		t.Error("a run without a request bound was accepted")
	}
	spec.Base = "http://192.0.2.1:80"
	if _, err := runLoad(context.Background(), spec, newProgress(io.Discard)); err == nil {
		t.Error("a non-loopback target was accepted")
	}
}

func TestRunOps(t *testing.T) {
	var seen [50]atomic.Int32
	var done atomic.Int64
	st := runOps(context.Background(), 50, 3, time.Now().Add(time.Minute), &done, func(i int) error {
		seen[i].Add(1)
		if i == 7 {
			return io.ErrUnexpectedEOF
		}
		return nil
	})
	for i := range seen {
		if seen[i].Load() != 1 {
			t.Fatalf("op %d ran %d times", i, seen[i].Load())
		}
	}
	if st.Done != 50 || done.Load() != 50 || st.Errors != 1 || st.FirstErr != io.ErrUnexpectedEOF.Error() {
		t.Errorf("stats %+v", st)
	}
}

func TestCountingProxy(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Path) }))
	defer up.Close()
	p, err := startCountingProxy(up.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	for _, path := range []string{"/x", "/x", "/y?q=1"} {
		if a := testkit.Get(t, p.url()+path); a.Status != http.StatusOK || !strings.HasPrefix(path, string(a.Body)) {
			t.Errorf("%s answered %v", path, a)
		}
	}
	if p.count("/x") != 2 || p.count("/y?q=1") != 1 || p.count("/z") != 0 {
		t.Errorf("counts %v", p.counts)
	}
}

func TestParseMetrics(t *testing.T) {
	m := parseMetrics(strings.NewReader("# HELP a x\n# TYPE a counter\na 12\nb_bucket{le=\"1\"} 3\nc 1.5e+06\n"))
	if m["a"] != 12 || m["c"] != 1.5e6 || len(m) != 2 {
		t.Errorf("%v", m)
	}
}

func TestPaths(t *testing.T) {
	photos := []photo{{ID: "bench/a"}, {ID: "bench/b"}}
	if got := deliveryPath("demo", variant{"w_10", "jpg"}, 3, "bench/a"); got != "/demo/image/upload/w_10/v3/bench/a.jpg" {
		t.Error(got)
	}
	if got := deliveryPath("demo", variant{Ext: "jpg"}, 0, "x"); got != "/demo/image/upload/x.jpg" {
		t.Error(got)
	}
	for _, ps := range [][]string{mixPaths("demo", photos, 45), soakPaths("demo", photos, 45)} {
		seen := map[string]bool{}
		for _, p := range ps {
			if seen[p] {
				t.Fatalf("duplicate %s", p)
			}
			seen[p] = true
		}
		if len(ps) < 45 {
			t.Errorf("%d paths, want at least 45", len(ps))
		}
	}
	if n := len(soakPaths("demo", photos, 45)); n != 45 {
		t.Errorf("soak paths %d", n)
	}
}
