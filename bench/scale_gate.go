package bench

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// gate is an HTTP proxy in front of one origin, the address edges reach
// that origin at, so that the bench sees what they send it. It counts
// the requests in flight; once the origin is killed (die) it stands in
// for the dead process: it drops every connection, and a request that
// comes later gets its connection closed without an answer (what an edge
// sees of a reset connection), noting when it came and whether it was a
// health probe. An upstream that fails mid-request likewise closes the
// edge's connection instead of answering 502: to an edge, an answer is a
// sign of life.
type gate struct {
	srv      *http.Server
	ln       net.Listener
	inFlight atomic.Int64
	dead     atomic.Bool

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	after []gateHit // requests after die
}

// gateHit is a request that came after the origin died.
type gateHit struct {
	At    time.Time
	Probe bool // GET /healthz
}

// startGate listens on a loopback port and forwards to upstream.
func startGate(upstream string) (*gate, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &gate{ln: ln, conns: map[net.Conn]struct{}{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}
	rp.ErrorHandler = func(http.ResponseWriter, *http.Request, error) { panic(http.ErrAbortHandler) }
	rp.ErrorLog = log.New(io.Discard, "", 0)
	g.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if g.dead.Load() {
				g.mu.Lock()
				g.after = append(g.after, gateHit{At: time.Now(), Probe: r.URL.Path == "/healthz"})
				g.mu.Unlock()
				panic(http.ErrAbortHandler)
			}
			g.inFlight.Add(1)
			defer g.inFlight.Add(-1)
			rp.ServeHTTP(w, r)
		}),
		ConnState: func(c net.Conn, s http.ConnState) {
			g.mu.Lock()
			defer g.mu.Unlock()
			switch s {
			case http.StateNew:
				g.conns[c] = struct{}{}
			case http.StateClosed, http.StateHijacked:
				delete(g.conns, c)
			}
		}}
	go g.srv.Serve(ln)
	return g, nil
}

// url is the gate's base URL.
func (g *gate) url() string { return "http://" + g.ln.Addr().String() }

// die marks the origin dead and returns how many requests were in flight
// to it; closeConns then drops the connections, once it is killed.
func (g *gate) die() int64 {
	g.dead.Store(true)
	return g.inFlight.Load()
}

// closeConns closes every connection edges hold to the gate, as a killed
// process's sockets are.
func (g *gate) closeConns() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for c := range g.conns {
		c.Close()
	}
}

// hits are the requests that came after die.
func (g *gate) hits() []gateHit {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]gateHit(nil), g.after...)
}

func (g *gate) close() { g.srv.Close() }
