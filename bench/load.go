package bench

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// loadSpec is one closed-loop run of the built-in load generator: Conns
// keep-alive connections, each sending its next request when the last
// answer is read (as wrk does), until Duration has passed or Requests
// have been sent, whichever comes first.
type loadSpec struct {
	Label    string                      // for progress lines
	Base     string                      // http://host:port
	Paths    []string                    // request paths
	Pick     func(worker int) func() int // per-worker index source; -1 stops the worker. Nil: Paths[0].
	Conns    int                         // connections (and workers)
	Duration time.Duration               // time bound
	Requests int64                       // request bound
	Timeout  time.Duration               // per request; zero means 10s
}

// loadResult is what a run measured, client side.
type loadResult struct {
	Requests int64 // answered (any status)
	Errors   int64 // transport errors and timeouts
	Non2xx   int64 // answers other than 2xx and 304
	Hits     int64 // answers whose Cache-Status says hit
	Bytes    int64 // body bytes read
	Elapsed  time.Duration
	Latency  *Histogram
	FirstErr string // the first failure, for the report
}

// RPS is answered requests per second.
func (r *loadResult) RPS() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// HitRatio is the fraction of answers that were cache hits.
func (r *loadResult) HitRatio() float64 { return ratio(float64(r.Hits), float64(r.Requests)) }

// loadCounters are shared between workers and the progress line.
type loadCounters struct {
	sent, done, errs, hits, bytes atomic.Int64
	firstErr                      sync.Once
	errText                       atomic.Value
}

func (c *loadCounters) fail(msg string) {
	c.firstErr.Do(func() { c.errText.Store(msg) })
}

// runLoad runs spec, showing a live line on p.
func runLoad(ctx context.Context, spec loadSpec, p *progress) (*loadResult, error) {
	if spec.Conns < 1 || spec.Duration <= 0 || spec.Requests <= 0 || len(spec.Paths) == 0 {
		return nil, fmt.Errorf("bench: load %q needs connections, a duration, a request bound and paths", spec.Label)
	}
	if spec.Timeout == 0 {
		spec.Timeout = 10 * time.Second
	}
	hc, err := newHostClient(spec.Base, spec.Conns, spec.Timeout)
	if err != nil {
		return nil, err
	}
	defer hc.CloseIdleConnections()
	var c loadCounters
	start := time.Now()
	deadline := start.Add(spec.Duration)
	stop := p.watch(func() string { return loadStatus(spec, &c, start) })
	hists := make([]*Histogram, spec.Conns)
	var wg sync.WaitGroup
	for w := range spec.Conns {
		hists[w] = &Histogram{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			loadWorker(ctx, hc, spec, w, deadline, hists[w], &c)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	stop()
	r := &loadResult{Requests: c.done.Load(), Errors: c.errs.Load(), Hits: c.hits.Load(), Bytes: c.bytes.Load(),
		Elapsed: elapsed, Latency: &Histogram{}}
	for _, h := range hists {
		r.Latency.Merge(h)
	}
	if s, ok := c.errText.Load().(string); ok {
		r.FirstErr = s
	}
	return r, ctx.Err()
}

func loadStatus(spec loadSpec, c *loadCounters, start time.Time) string {
	el := time.Since(start)
	n := c.done.Load()
	frac := max(el.Seconds()/spec.Duration.Seconds(), float64(n)/float64(spec.Requests))
	return fmt.Sprintf("%-10s %s %5.1fs %9d req %8.0f req/s  hits %5.1f%%  errors %d",
		spec.Label, bar(frac), el.Seconds(), n, float64(n)/el.Seconds(),
		100*ratio(float64(c.hits.Load()), float64(n)), c.errs.Load())
}

// loadWorker is one connection's loop.
func loadWorker(ctx context.Context, hc *fasthttp.HostClient, spec loadSpec, w int, deadline time.Time, h *Histogram, c *loadCounters) {
	pick := func() int { return 0 }
	if spec.Pick != nil {
		pick = spec.Pick(w)
	}
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	host := strings.TrimPrefix(spec.Base, "http://")
	for ctx.Err() == nil && time.Now().Before(deadline) {
		if c.sent.Add(1) > spec.Requests {
			return
		}
		i := pick()
		if i < 0 {
			return
		}
		req.Reset()
		req.SetRequestURI(spec.Paths[i])
		req.SetHost(host)
		t0 := time.Now()
		err := hc.DoTimeout(req, resp, spec.Timeout)
		h.Record(time.Since(t0))
		c.done.Add(1)
		if err != nil {
			c.errs.Add(1)
			c.fail(err.Error())
			continue
		}
		c.bytes.Add(int64(len(resp.Body())))
		if st := resp.StatusCode(); (st < 200 || st > 299) && st != 304 {
			c.errs.Add(1)
			c.fail(fmt.Sprintf("%s answered %d", spec.Paths[i], st))
			continue
		}
		if isHit(resp.Header.Peek("Cache-Status")) {
			c.hits.Add(1)
		}
	}
}

// isHit reports whether an RFC 9211 Cache-Status value says the answer came
// from the cache (fresh, or stale while revalidating).
func isHit(v []byte) bool {
	i := bytes.IndexByte(v, ';')
	if i < 0 {
		return false
	}
	rest := bytes.TrimLeft(v[i+1:], " ")
	return bytes.Equal(rest, []byte("hit")) || bytes.HasPrefix(rest, []byte("hit;"))
}

// newHostClient is a keep-alive client for one loopback server.
func newHostClient(base string, conns int, timeout time.Duration) (*fasthttp.HostClient, error) {
	addr, ok := strings.CutPrefix(base, "http://")
	if !ok || addr == "" || strings.Contains(addr, "/") {
		return nil, fmt.Errorf("bench: %q is not an http://host:port base URL", base)
	}
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	return &fasthttp.HostClient{
		Addr:                addr,
		MaxConns:            conns,
		ReadTimeout:         timeout,
		WriteTimeout:        timeout,
		MaxIdleConnDuration: time.Minute,
		MaxResponseBodySize: 64 << 20,
		ReadBufferSize:      16 << 10,
		MaxConnWaitTimeout:  timeout,
	}, nil
}
