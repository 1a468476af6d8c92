package app

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// devStack is a running `mediacdn dev`.
type devStack struct {
	edge, api, nats string
	// edgeMetrics and apiMetrics are the metrics listeners.
	edgeMetrics, apiMetrics string
	stdout, stderr          *syncBuffer
	done                    chan error
}

// startDev runs the dev command on free ports with an empty data
// directory; it stops when the test ends.
func startDev(t *testing.T) *devStack {
	t.Helper()
	return startDevWith(t)
}

// startDevWith is startDev with more flags (such as -config).
func startDevWith(t *testing.T, flags ...string) *devStack {
	t.Helper()
	d := &devStack{edge: freeAddr(t), api: freeAddr(t), nats: freeAddr(t), edgeMetrics: freeAddr(t), apiMetrics: freeAddr(t),
		stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	args := []string{"-edge-listen", d.edge, "-api-listen", d.api, "-nats-listen", d.nats,
		"-edge-metrics-listen", d.edgeMetrics, "-api-metrics-listen", d.apiMetrics, "-data", t.TempDir()}
	args = append(args, flags...)
	go func() {
		d.done <- Dev(ctx, args, &IO{Stdout: d.stdout, Stderr: d.stderr, DevConfig: devYAML(t)})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-d.done; err != nil {
			t.Errorf("dev: %v", err)
		}
	})
	return d
}

// waitBanner waits for dev's banner on stdout, failing the test if dev
// ends first.
func (d *devStack) waitBanner(t *testing.T, each func()) {
	t.Helper()
	testkit.Eventually(t, testkit.Timeout, "the banner", func() bool {
		select {
		case err := <-d.done:
			d.done <- err // for the cleanup, which waits for it
			t.Fatalf("dev ended: %v\n%s", err, d.stderr.String())
		default:
		}
		if strings.Contains(d.stdout.String(), "CLOUDINARY_URL") {
			return true
		}
		if each != nil {
			each()
		}
		return false
	})
}

// A fresh `mediacdn dev` (empty data directory) never reports the purge
// stream missing: no /readyz answer from start to banner, and no log line
// up to the banner, says "not found" (the origin created the stream before
// the edge subscribed). Its banner comes only once the edge is ready:
// /readyz answers 200 right after it. How long start-up takes is
// BenchmarkDevReady's to report.
func TestDevOnEmptyDirectoryHasStreamAndIsReadyAtBanner(t *testing.T) {
	d := startDev(t)
	// Every /readyz answer from start to banner.
	var answers []string
	d.waitBanner(t, func() {
		// Not testkit.Get: until the edge listens, the request fails.
		if resp, err := http.Get("http://" + d.edge + "/readyz"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			answers = append(answers, strconv.Itoa(resp.StatusCode)+" "+string(b))
		}
	})
	if a := testkit.Get(t, "http://"+d.edge+"/readyz"); a.Status != http.StatusOK {
		t.Fatalf("readyz right after the banner: %v", a)
	}
	for _, a := range append(answers, d.stderr.String()) {
		if strings.Contains(a, "not found") {
			t.Errorf("the edge found no purge stream: %s", a)
		}
	}
}

// Right after the banner of a fresh `mediacdn dev`, version busting holds:
// an unversioned URL cached before an overwrite without invalidate keeps
// its bytes (the edge is caught up with the purge stream, so it serves
// from cache rather than revalidating), and the new version's URL serves
// the new bytes.
func TestDevVersionBustingRightAfterBanner(t *testing.T) {
	d := startDev(t)
	d.waitBanner(t, nil)
	api := "http://" + d.api
	first := devUpload(t, api, "busting", "rocket.jpg")
	unversioned := "http://" + d.edge + "/demo/image/upload/busting.jpg"
	testkit.Get(t, unversioned)
	cached := testkit.Get(t, unversioned)
	if cached.Status != 200 || cached.Header.Get("Cache-Status") != "mediacdn; hit" {
		t.Fatalf("unversioned URL not cached: %+v", cached)
	}
	second := devUpload(t, api, "busting", "chelsea.png")
	if second.Version == first.Version {
		t.Fatalf("the overwrite kept version %d", first.Version)
	}
	if g := testkit.Get(t, unversioned); string(g.Body) != string(cached.Body) || g.Header.Get("Cache-Status") != "mediacdn; hit" {
		t.Errorf("an overwrite without invalidate showed through the cached unversioned URL: %+v", g)
	}
	versioned := "http://" + d.edge + "/demo/image/upload/v" + strconv.FormatInt(second.Version, 10) + "/busting.jpg"
	if g := testkit.Get(t, versioned); g.Status != 200 || string(g.Body) == string(cached.Body) {
		t.Errorf("the new version's URL: %+v", g)
	}
}

// The banner says how long start-up took and names every part's URL, the
// dev cloud's credentials, one request to try and the CLOUDINARY_URL for
// the SDKs.
func TestDevBanner(t *testing.T) {
	d := startDev(t)
	d.waitBanner(t, nil)
	banner := d.stdout.String()
	if !regexp.MustCompile(`mediacdn dev is ready \(in [0-9.]+[mµn]?s\)`).MatchString(banner) {
		t.Errorf("banner without its start-up time:\n%s", banner)
	}
	for _, want := range []string{
		"edge (delivery)       http://" + d.edge + "\n",
		"API (Upload, Admin)   http://" + d.api + "/v1_1/demo/\n",
		"NATS (purges)         nats://" + d.nats + "\n",
		"metrics               http://" + d.edgeMetrics + "/metrics (edge)   http://" + d.apiMetrics + "/metrics (origin)\n",
		"api_key demo_key   api_secret demo_secret",
		"curl -u demo_key:demo_secret -F file=@testdata/corpus/rocket.jpg -F public_id=rocket http://" + d.api + "/v1_1/demo/image/upload\n",
		"export CLOUDINARY_URL='cloudinary://demo_key:demo_secret@demo?upload_prefix=http://" + d.api + "&secure=false&cname=" + d.edge + "'\n",
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	if strings.Count(banner, "CLOUDINARY_URL") != 1 {
		t.Errorf("banner printed more than once:\n%s", banner)
	}
	// The example it shows: that upload, then that URL.
	up := devUpload(t, "http://"+d.api, "rocket", "rocket.jpg")
	if g := testkit.Get(t, "http://"+d.edge+"/demo/image/upload/c_fill,h_200,w_300/rocket.jpg"); g.Status != 200 || up.PublicID != "rocket" {
		t.Errorf("the banner's example: %+v %+v", up, g)
	}
	if strings.Contains(d.stderr.String(), "msg=\"memory limit\"") {
		t.Errorf("the bare memory limit line is back:\n%s", d.stderr.String())
	}
}

// devUpload uploads a corpus file to the dev cloud with HTTP Basic auth.
func devUpload(t *testing.T, api, publicID, file string) apiResult {
	t.Helper()
	return callAPI(t, api, "upload", map[string]string{"public_id": publicID}, file)
}

// devYAML is the built-in dev configuration the binary embeds.
func devYAML(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../configs/dev.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
