package bench

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// countingProxy forwards HTTP requests to an upstream and counts them by
// request URI: put between an edge and its origin, it shows how many
// origin requests each URL caused, without trusting the edge's own
// counters.
type countingProxy struct {
	srv *http.Server
	ln  net.Listener

	mu     sync.Mutex // guards counts
	counts map[string]int
}

// startCountingProxy listens on a loopback port and forwards to upstream
// (http://host:port).
func startCountingProxy(upstream string) (*countingProxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}
	p := &countingProxy{ln: ln, counts: map[string]int{}}
	p.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.counts[r.URL.RequestURI()]++
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	})}
	go p.srv.Serve(ln)
	return p, nil
}

// url is the proxy's base URL.
func (p *countingProxy) url() string { return "http://" + p.ln.Addr().String() }

// count is how many requests for uri went through.
func (p *countingProxy) count(uri string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[uri]
}

func (p *countingProxy) close() { p.srv.Close() }
