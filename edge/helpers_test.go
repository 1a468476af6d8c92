package edge

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/purge"
	"github.com/valyala/fasthttp"
)

// fakeClock is a clock tests move by hand (no sleeping).
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testOrigin is a real HTTP server standing in for an origin: it counts
// requests per path and answers with its handler.
type testOrigin struct {
	*httptest.Server
	count atomic.Int64
	paths sync.Map // path -> *atomic.Int64
}

func startTestOrigin(t testing.TB, h http.HandlerFunc) *testOrigin {
	t.Helper()
	o := &testOrigin{}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.count.Add(1)
		c, _ := o.paths.LoadOrStore(r.URL.Path, &atomic.Int64{})
		c.(*atomic.Int64).Add(1)
		h(w, r)
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *testOrigin) hits(path string) int64 {
	c, ok := o.paths.Load(path)
	if !ok {
		return 0
	}
	return c.(*atomic.Int64).Load()
}

// imageOrigin answers every path with a small JPEG-typed body naming the
// path and the variant asked for (and any Accept header the origin saw:
// an edge sends none), versioned cache headers, an ETag and
// X-Asset-Version; an authenticated URL's answer is for token holders
// only (HeaderAccess).
func imageOrigin(w http.ResponseWriter, r *http.Request) {
	body := "image:" + r.URL.Path + ":" + r.Header.Get(delivery.HeaderVariant)
	if a := r.Header.Get("Accept"); a != "" {
		body += " accept=" + a
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("ETag", `"etag-`+itoa(len(body))+`"`)
	w.Header().Set("Last-Modified", "Tue, 24 Nov 2026 10:00:00 GMT")
	w.Header().Set("X-Asset-Version", "1712345678")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	if strings.Contains(r.URL.Path, "/authenticated/") {
		w.Header().Set(delivery.HeaderAccess, "token")
	}
	if strings.Contains(r.URL.Path, "missing") {
		w.Header().Set("X-Cld-Error", "Resource not found - missing")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "Resource not found - missing\n")
		return
	}
	if r.Header.Get("If-None-Match") == w.Header().Get("ETag") {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	io.WriteString(w, body)
}

func itoa(n int) string { return string(strconv.AppendInt(nil, int64(n), 10)) }

type testEdge struct {
	*Server
	URL   string
	Index *purge.Index
	Clock *fakeClock
}

// serve runs ctx through what fasthttp calls for a request on a kept-alive
// connection: the ConnState hook (the request's first byte), the served
// handler (timeouts watchdog around handle) and the hook again (idle). The
// first call registers ctx's connection as a new one.
func (e *testEdge) serve(ctx *fasthttp.RequestCtx) {
	if _, ok := e.watch.conns.Load(ctx.Conn()); !ok {
		e.watch.connState(ctx.Conn(), fasthttp.StateNew)
	}
	e.watch.connState(ctx.Conn(), fasthttp.StateActive)
	e.srv.Handler(ctx)
	e.watch.connState(ctx.Conn(), fasthttp.StateIdle)
}

// startEdge runs an edge on a loopback port in front of the origins.
func startEdge(t testing.TB, mutate func(*Config), origins ...string) *testEdge {
	t.Helper()
	cfg := Config{Listen: "127.0.0.1:0", Origins: origins, CacheSize: 64 << 20, Clouds: []string{"demo"}}
	if mutate != nil {
		mutate(&cfg)
	}
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	ix := purge.NewIndex(purge.IndexConfig{Now: clock.now})
	s, err := New(cfg, Deps{Log: slog.New(slog.DiscardHandler), Purges: ix, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	go s.Serve()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return &testEdge{Server: s, URL: "http://" + s.Addr(), Index: ix, Clock: clock}
}

// hitCtx prepares a request context for path, as fasthttp would hand it
// to the handler: parsed from the bytes a client would send (so that the
// raw header block is there too), with Host cdn.example unless headers
// (name, value pairs) name one.
func hitCtx(path string, headers ...string) *fasthttp.RequestCtx {
	wire := "GET " + path + " HTTP/1.1\r\n"
	host := "cdn.example"
	for i := 0; i+1 < len(headers); i += 2 {
		if strings.EqualFold(headers[i], "Host") {
			host = headers[i+1]
			continue
		}
		wire += headers[i] + ": " + headers[i+1] + "\r\n"
	}
	wire = strings.Replace(wire, "\r\n", "\r\nHost: "+host+"\r\n", 1) + "\r\n"
	var req fasthttp.Request
	if err := req.Read(bufio.NewReader(strings.NewReader(wire))); err != nil {
		panic("hitCtx: " + err.Error())
	}
	ctx := &fasthttp.RequestCtx{}
	ctx.Init(&req, nil, nil)
	return ctx
}
