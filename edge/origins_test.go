package edge

import (
	"fmt"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// namedOrigin answers every path with "<name>:<path>" (a 404 for paths
// with "missing", a 503 shedding load for paths with "shed"), so that a
// client sees which origin filled it.
func namedOrigin(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		switch {
		case r.URL.Path == "/healthz":
			io.WriteString(w, "ok\n")
		case strings.Contains(r.URL.Path, "missing"):
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, name+": Resource not found\n")
		case strings.Contains(r.URL.Path, "shed"):
			w.Header().Set("Retry-After", "3")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, name+": busy\n")
		default:
			w.Header().Set("Content-Type", "image/jpeg")
			io.WriteString(w, name+":"+r.URL.Path)
		}
	}
}

// killableOrigin is a real HTTP server on a loopback port that a test
// kills (its listener and every connection closed, requests in flight
// cut) and starts again on the same address.
type killableOrigin struct {
	t    testing.TB
	name string
	addr string
	mu   sync.Mutex
	srv  *http.Server
	reqs atomic.Int64 // requests received, /healthz excepted
}

func startKillableOrigin(t testing.TB, name string) *killableOrigin {
	t.Helper()
	o := &killableOrigin{t: t, name: name, addr: "127.0.0.1:0"}
	o.start()
	t.Cleanup(o.kill)
	return o
}

func (o *killableOrigin) URL() string { return "http://" + o.addr }

// start serves on o.addr (a new port the first time, the same one after).
func (o *killableOrigin) start() {
	o.t.Helper()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		o.t.Fatal(err)
	}
	o.addr = ln.Addr().String()
	h := namedOrigin(o.name)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			o.reqs.Add(1)
		}
		h(w, r)
	})}
	o.mu.Lock()
	o.srv = srv
	o.mu.Unlock()
	go srv.Serve(ln)
}

// kill closes the listener and every connection at once.
func (o *killableOrigin) kill() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.srv != nil {
		o.srv.Close()
		o.srv = nil
	}
}

// resettingOrigin accepts connections and closes them at once, before any
// answer; it counts them.
type resettingOrigin struct {
	ln    net.Listener
	conns atomic.Int64
}

func startResettingOrigin(t testing.TB) *resettingOrigin {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &resettingOrigin{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			o.conns.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return o
}

func (o *resettingOrigin) URL() string { return "http://" + o.ln.Addr().String() }

// ranking is the order of e's origins (their host:port) for the origin
// request path p.
func ranking(e *testEdge, p string) []string {
	var addrs []string
	for _, i := range e.origins.rank(nil, []byte(p)) {
		addrs = append(addrs, e.origins.list[i].addr)
	}
	return addrs
}

// pathRankedFirst is a delivery path starting with prefix whose ranking
// of e's origins starts with order (host:port each).
func pathRankedFirst(t testing.TB, e *testEdge, prefix string, order ...string) string {
	t.Helper()
	for i := 0; i < 10_000; i++ {
		p := fmt.Sprintf("/demo/image/upload/%s%d.jpg", prefix, i)
		r := ranking(e, p)
		ok := true
		for j, a := range order {
			ok = ok && r[j] == a
		}
		if ok {
			return p
		}
	}
	t.Fatalf("no path ranks %v first", order)
	return ""
}

func hostOf(url string) string { return strings.TrimPrefix(url, "http://") }

// isOut reports whether e has taken the origin at addr out.
func isOut(e *testEdge, addr string) bool {
	for _, o := range e.origins.list {
		if o.addr == addr {
			return e.origins.out(o, time.Now().UnixNano())
		}
	}
	panic("no origin " + addr)
}

// Keys spread over three origins, each gets a share; every edge sends a
// key to the same origin whatever the order its origins are listed in; and
// removing an origin moves only that origin's keys.
func TestFillsSpreadByRendezvous(t *testing.T) {
	names := []string{"a", "b", "c"}
	var urls []string
	by := map[string]string{} // host:port -> name
	for _, n := range names {
		o := startTestOrigin(t, namedOrigin(n))
		urls = append(urls, o.URL)
		by[hostOf(o.URL)] = n
	}
	e := startEdge(t, nil, urls...)
	reversed := startEdge(t, nil, urls[2], urls[1], urls[0])
	withoutC := startEdge(t, nil, urls[0], urls[1])

	const keys = 300
	share := map[string]int{}
	moved := 0
	for i := 0; i < keys; i++ {
		p := fmt.Sprintf("/demo/image/upload/w_%d/spread.jpg", i+1)
		r := testkit.Get(t, e.URL+p)
		name, _, _ := strings.Cut(string(r.Body), ":")
		if r.Status != 200 || string(r.Body) != name+":"+p {
			t.Fatalf("%s: %d %q", p, r.Status, string(r.Body))
		}
		share[name]++
		if r2 := testkit.Get(t, reversed.URL+p); string(r2.Body) != string(r.Body) {
			t.Fatalf("%s: filled by %q on one edge, %q on an edge listing the origins the other way round", p, string(r.Body), string(r2.Body))
		}
		r3 := testkit.Get(t, withoutC.URL+p)
		switch name3, _, _ := strings.Cut(string(r3.Body), ":"); {
		case name != "c" && name3 != name:
			t.Fatalf("%s: filled by %s, by %s once c is gone: a key of a remaining origin moved", p, name, name3)
		case name == "c":
			moved++
		}
	}
	for _, n := range names {
		// 100 each on average; 60 is more than five standard deviations below.
		if share[n] < 60 {
			t.Errorf("origin %s filled %d of %d keys: %v", n, share[n], keys, share)
		}
	}
	if moved != share["c"] {
		t.Errorf("%d keys moved when c went, c had %d", moved, share["c"])
	}
	t.Logf("shares of %d keys: %v", keys, share)
}

// An origin killed under a miss-heavy load is taken out: requests in flight
// to it may fail, later ones do not, its keys go to their next origin, and
// no more requests go to it; it comes back once its /healthz answers 200.
func TestOriginKilledUnderLoad(t *testing.T) {
	a := startKillableOrigin(t, "a")
	b := startKillableOrigin(t, "b")
	x := startKillableOrigin(t, "x")
	e := startEdge(t, func(c *Config) {
		c.OriginProbeInterval = 20 * time.Millisecond
		c.MetricsListen = "127.0.0.1:0"
	}, a.URL(), b.URL(), x.URL())
	var xo *origin
	for _, o := range e.origins.list {
		if o.addr == x.addr {
			xo = o
		}
	}

	const workers = 8
	var (
		done, failed atomic.Int64
		next         atomic.Int64
		stop         = make(chan struct{})
		wg           sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				p := fmt.Sprintf("/demo/image/upload/w_%d/load.jpg", next.Add(1)) // a miss each time
				a := testhttpGet(e.URL + p)
				if a.Status != 200 || !strings.HasSuffix(string(a.Body), ":"+p) {
					failed.Add(1)
				}
				done.Add(1)
			}
		}()
	}
	testkit.Eventually(t, testkit.Timeout, "100 fills before the kill", func() bool { return done.Load() >= 100 })
	if xo.sent.Load() == 0 {
		t.Fatal("origin x got no fills before the kill")
	}
	x.kill()
	killedAt := done.Load()
	testkit.Eventually(t, testkit.Timeout, "x taken out", func() bool { return isOut(e, x.addr) })
	sentAtTakeout := xo.sent.Load()
	testkit.Eventually(t, testkit.Timeout, "300 fills after the kill", func() bool { return done.Load() >= killedAt+300 })
	close(stop)
	wg.Wait()

	// At most the workers' requests were in flight at the kill; the ones
	// that follow are resent to the next origin, then skip x.
	if n := failed.Load(); n > workers {
		t.Errorf("%d requests failed, more than the %d in flight at the kill", n, workers)
	}
	if n := xo.failures.Load(); n > 2*workers {
		t.Errorf("%d requests to x failed after the kill: x was not taken out", n)
	}
	// Requests that chose x before its takeout may end after it.
	if n := xo.sent.Load() - sentAtTakeout; n > workers {
		t.Errorf("%d requests went to x once it was out", n)
	}
	p := pathRankedFirst(t, e, "xkey", x.addr)
	nextName := map[string]string{a.addr: "a", b.addr: "b"}[ranking(e, p)[1]]
	if r := testkit.Get(t, e.URL+p); r.Status != 200 || string(r.Body) != nextName+":"+p {
		t.Errorf("a key of x while it is out: %d %q, want it from %s", r.Status, string(r.Body), nextName)
	}
	m := testkit.Get(t, "http://"+e.MetricsAddr()+"/metrics")
	if !strings.Contains(string(m.Body), `mediacdn_edge_origin_up{origin="`+x.addr+`"} 0`) ||
		!strings.Contains(string(m.Body), `mediacdn_edge_origin_up{origin="`+a.addr+`"} 1`) {
		t.Errorf("metrics while x is out:\n%s", string(m.Body))
	}

	x.start() // the same address
	testkit.Eventually(t, testkit.Timeout, "x back in by its /healthz", func() bool { return !isOut(e, x.addr) })
	p = pathRankedFirst(t, e, "xback", x.addr)
	if r := testkit.Get(t, e.URL+p); r.Status != 200 || string(r.Body) != "x:"+p {
		t.Errorf("a key of x once it is back: %d %q", r.Status, string(r.Body))
	}
	m = testkit.Get(t, "http://"+e.MetricsAddr()+"/metrics")
	for _, want := range []string{
		`mediacdn_edge_origin_up{origin="` + x.addr + `"} 1`,
		`mediacdn_edge_origin_takeouts_total{origin="` + x.addr + `"} 1`,
		`mediacdn_edge_origin_takeouts_total{origin="` + a.addr + `"} 0`,
	} {
		if !strings.Contains(string(m.Body), want) {
			t.Errorf("metrics after x came back: no %s in\n%s", want, string(m.Body))
		}
	}
	if xo.probes.Load() == 0 || e.origins.retries.Load() == 0 {
		t.Errorf("probes %d, retries %d", xo.probes.Load(), e.origins.retries.Load())
	}
	t.Logf("%d fills, %d failed; x: %d sent, %d failures, %d probes; %d retries", done.Load(), failed.Load(),
		xo.sent.Load(), xo.failures.Load(), xo.probes.Load(), e.origins.retries.Load())
}

// testhttpGet is a GET that reports a transport error as status 0
// instead of failing the test (it runs in the load's goroutines).
func testhttpGet(url string) testkit.Answer {
	resp, err := http.Get(url)
	if err != nil {
		return testkit.Answer{}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return testkit.Answer{}
	}
	return testkit.Answer{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// A fill whose origin closes the connection before answering is resent
// once, to the key's next origin: the client gets that origin's answer. A
// second failure is not resent again.
func TestFillRetriedOnceOnReset(t *testing.T) {
	r1 := startResettingOrigin(t)
	r2 := startResettingOrigin(t)
	good := startTestOrigin(t, namedOrigin("good"))
	// Origins stay in: this is about one request's retry, not takeouts.
	e := startEdge(t, func(c *Config) { c.OriginFailAfter = 1000 }, r1.URL(), r2.URL(), good.URL)
	a1, a2, g := hostOf(r1.URL()), hostOf(r2.URL()), hostOf(good.URL)

	p := pathRankedFirst(t, e, "retry", a1, g)
	if r := testkit.Get(t, e.URL+p); r.Status != 200 || string(r.Body) != "good:"+p {
		t.Fatalf("a fill whose first origin reset: %d %q, want the next origin's answer", r.Status, string(r.Body))
	}
	if n := r1.conns.Load(); n < 1 || n > 2 { // fasthttp reconnects once on a closed connection
		t.Errorf("the resetting origin saw %d connections, want 1 or 2", n)
	}
	if n := e.origins.retries.Load(); n != 1 {
		t.Errorf("retries %d, want 1", n)
	}

	p = pathRankedFirst(t, e, "twice", a1, a2, g)
	before := good.count.Load()
	if r := testkit.Get(t, e.URL+p); r.Status != 502 || r.Header.Get("X-Cld-Error") != "Origin unavailable" {
		t.Errorf("a fill whose two first origins reset: %d %q, want 502", r.Status, string(r.Body))
	}
	if n := good.count.Load() - before; n != 0 {
		t.Errorf("the third origin got %d requests: a fill was resent twice", n)
	}
	if n := r2.conns.Load(); n < 1 {
		t.Errorf("the second origin got no request")
	}
	if n := e.origins.retries.Load(); n != 2 {
		t.Errorf("retries %d, want 2", n)
	}
}

// Answers are not failures: an origin answering 503 (shedding load) or 404
// stays in even at origin_fail_after 1, and its answer reaches the client
// unretried.
func TestOriginAnswersAreNotFailures(t *testing.T) {
	o := startTestOrigin(t, namedOrigin("o"))
	other := startTestOrigin(t, namedOrigin("other"))
	e := startEdge(t, func(c *Config) { c.OriginFailAfter = 1 }, o.URL, other.URL)
	addr := hostOf(o.URL)
	for _, c := range []struct {
		prefix string
		status int
	}{{"shed", 503}, {"missing", 404}} {
		for i := 0; i < 3; i++ {
			p := pathRankedFirst(t, e, fmt.Sprintf("%s-%d-", c.prefix, i), addr)
			if r := testkit.Get(t, e.URL+p); r.Status != c.status || !strings.HasPrefix(string(r.Body), "o: ") {
				t.Errorf("%s: %d %q, want %d from o", p, r.Status, string(r.Body), c.status)
			}
		}
	}
	if isOut(e, addr) {
		t.Error("an origin that answered 503 and 404 was taken out")
	}
	if n := other.count.Load(); n != 0 {
		t.Errorf("the other origin got %d requests: an answer was retried", n)
	}
	if n := e.origins.retries.Load(); n != 0 {
		t.Errorf("retries %d, want 0", n)
	}
}

// When every origin is out they are tried anyway: the first to answer
// serves the request and is back in.
func TestAllOriginsOutAreTriedAnyway(t *testing.T) {
	a := startKillableOrigin(t, "a")
	b := startKillableOrigin(t, "b")
	// Probes far apart: only requests can bring an origin back here.
	e := startEdge(t, func(c *Config) { c.OriginFailAfter = 1; c.OriginProbeInterval = time.Hour }, a.URL(), b.URL())
	a.kill()
	b.kill()
	for i := 0; e.origins.healthy() > 0; i++ {
		if i == 10 {
			t.Fatal("origins not out after 10 failed fills")
		}
		if r := testkit.Get(t, e.URL+fmt.Sprintf("/demo/image/upload/dead%d.jpg", i)); r.Status != 502 {
			t.Fatalf("with every origin dead: %d", r.Status)
		}
	}
	if r := testkit.Get(t, e.URL+"/readyz"); r.Status != 503 {
		t.Errorf("readyz with every origin out: %d", r.Status)
	}
	a.start()
	for _, first := range []string{b.addr, a.addr} { // a after b failed, every origin out; then a, in again
		p := pathRankedFirst(t, e, "anyway-"+first, first)
		if r := testkit.Get(t, e.URL+p); r.Status != 200 || string(r.Body) != "a:"+p {
			t.Errorf("every origin out, a running again, %s ranked first: %d %q", first, r.Status, string(r.Body))
		}
	}
	if isOut(e, a.addr) || !isOut(e, b.addr) {
		t.Errorf("a out %v (want false: it answered), b out %v (want true)", isOut(e, a.addr), isOut(e, b.addr))
	}
}

// With probing off, an origin taken out is skipped for origin_down_for,
// then requests try it again.
func TestProbingOffUsesDownFor(t *testing.T) {
	a := startKillableOrigin(t, "a")
	b := startKillableOrigin(t, "b")
	e := startEdge(t, func(c *Config) {
		c.OriginFailAfter = 1
		c.OriginProbeInterval = -1
		c.OriginDownFor = 50 * time.Millisecond
	}, a.URL(), b.URL())
	a.kill()
	p := pathRankedFirst(t, e, "downfor", a.addr)
	if r := testkit.Get(t, e.URL+p); r.Status != 200 || string(r.Body) != "b:"+p {
		t.Fatalf("a key of a, a dead: %d %q", r.Status, string(r.Body))
	}
	if !e.origins.list[0].out.Load() && !e.origins.list[1].out.Load() {
		t.Fatal("a not taken out")
	}
	a.start()
	testkit.Eventually(t, testkit.Timeout, "a tried again past origin_down_for", func() bool {
		p := pathRankedFirst(t, e, fmt.Sprintf("again%d-", time.Now().UnixNano()), a.addr)
		return string(testkit.Get(t, e.URL+p).Body) == "a:"+p
	})
	var ao *origin
	for _, o := range e.origins.list {
		if o.addr == a.addr {
			ao = o
		}
	}
	if ao.probes.Load() != 0 {
		t.Errorf("%d probes with probing off", ao.probes.Load())
	}
}

// origin_fail_after and origin_probe_interval are validated; a file
// without them (or with origin_down_for only) still loads.
func TestOriginHealthConfig(t *testing.T) {
	for _, c := range []struct {
		mutate func(*Config)
		field  string
	}{
		{func(c *Config) { c.OriginFailAfter = -1 }, "origin_fail_after"},
		{func(c *Config) { c.OriginProbeInterval = time.Millisecond }, "origin_probe_interval"},
		{func(c *Config) { c.Origins = []string{"http://o:8081", "http://o:8081/"} }, "origins"},
		{func(c *Config) { c.Origins = []string{"http://o", "http://o:80"} }, "origins"},
	} {
		cfg := Config{}
		c.mutate(&cfg)
		cfg.ApplyDefaults()
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%+v: %v, want an error naming %s", cfg.Origins, err, c.field)
		}
	}
	cfg := Config{OriginDownFor: 3 * time.Second, Origins: []string{"http://o1:8081", "http://o2:8081"}}
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.OriginFailAfter != 2 || cfg.OriginProbeInterval != time.Second || cfg.OriginDownFor != 3*time.Second {
		t.Errorf("defaults: fail after %d, probe every %v, down for %v", cfg.OriginFailAfter, cfg.OriginProbeInterval, cfg.OriginDownFor)
	}
}
