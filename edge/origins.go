package edge

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/metrics"
	"github.com/valyala/fasthttp"
)

// budget is which of an origin's connection budgets a request uses. A storm
// of new transformations fills the work budget only: requests for stored
// files (originals) keep their own connections and never queue behind it.
type budget uint8

const (
	// budgetStored is for URLs that ask for a stored file as it is: no
	// transformation, not fetch. The origin answers them from disk.
	budgetStored budget = iota
	// budgetWork is for URLs that may make the origin work: a
	// transformation (new, or already derived: the edge cannot tell), or
	// a remote fetch.
	budgetWork
	budgets
)

// budgetOf is the connection budget a delivery URL's origin requests use.
func budgetOf(u *delivery.URL) budget {
	if u.Transformation == "" && u.Type != delivery.Fetch {
		return budgetStored
	}
	return budgetWork
}

// origin is one origin server with keep-alive pools, one buffered and one
// streamed per budget, its health (health.go) and its counters.
type origin struct {
	addr   string
	seed   uint64                        // its hash, for rendezvous (rendezvous.go)
	client [budgets]*fasthttp.HostClient // buffered responses up to MaxObjectSize
	stream [budgets]*fasthttp.HostClient // streamed responses (too large to cache)
	probe  *fasthttp.HostClient          // the prober's: one connection, kept apart

	fails    atomic.Int32 // failures in a row
	out      atomic.Bool  // taken out
	outAt    atomic.Int64 // unix nanoseconds of its last failure while out
	outUntil atomic.Int64 // with probing off: unix nanoseconds until it is tried again

	sent, failures, takeouts, probes atomic.Int64 // for /metrics
}

// origins spreads fills over the origins by rendezvous hashing of the
// request path (rendezvous.go), skips the ones taken out (health.go), and
// resends a request that got no answer to the next origin once.
type origins struct {
	list    []*origin
	timeout time.Duration
	h       health
	retries atomic.Int64 // requests resent to another origin
}

func newOrigins(cfg *Config, log *slog.Logger) (*origins, error) {
	og := &origins{timeout: cfg.OriginTimeout, h: health{
		failAfter: int32(cfg.OriginFailAfter), probeEvery: cfg.OriginProbeInterval,
		probeWait: min(cfg.OriginProbeInterval, cfg.OriginConnectTimeout), downFor: cfg.OriginDownFor, log: log,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}}
	for i, raw := range cfg.Origins {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("edge: origins[%d]: bad URL %q", i, raw)
		}
		addr := originAddr(u)
		dial := func(a string) (net.Conn, error) { return fasthttp.DialTimeout(a, cfg.OriginConnectTimeout) }
		mk := func(conns int, stream bool) *fasthttp.HostClient {
			c := &fasthttp.HostClient{
				Addr:                          addr,
				Name:                          "mediacdn-edge",
				MaxConns:                      conns,
				MaxConnWaitTimeout:            cfg.OriginConnWait,
				MaxIdleConnDuration:           90 * time.Second,
				ReadTimeout:                   cfg.OriginTimeout,
				WriteTimeout:                  cfg.OriginConnectTimeout + 5*time.Second,
				MaxResponseBodySize:           int(cfg.MaxObjectSize),
				StreamResponseBody:            stream,
				Dial:                          dial,
				RetryIfErr:                    reconnectOnce,
				DisableHeaderNamesNormalizing: false,
				DisablePathNormalizing:        true,
			}
			if stream {
				c.MaxResponseBodySize = 0
			}
			return c
		}
		o := &origin{addr: addr, seed: fnv64([]byte(addr))}
		for b, conns := range [budgets]int{budgetStored: cfg.OriginMaxConns, budgetWork: cfg.OriginTransformConns} {
			o.client[b], o.stream[b] = mk(conns, false), mk(conns, true)
		}
		o.probe = mk(1, false)
		o.probe.RetryIfErr = nil
		o.probe.MaxIdemponentCallAttempts = 1
		og.list = append(og.list, o)
	}
	return og, nil
}

// reconnectOnce is fasthttp's resend of a request on the same origin: once,
// and only when the connection closed before any byte of the answer (a
// kept-alive connection the origin had closed while idle). Anything else
// is the origin's failure, for do to count and send to the next origin.
func reconnectOnce(_ *fasthttp.Request, attempts int, err error) (resetTimeout, retry bool) {
	return false, attempts < 2 && (errors.Is(err, io.EOF) || errors.Is(err, fasthttp.ErrConnectionClosed))
}

// originAddr is the host:port of an origin's URL.
func originAddr(u *url.URL) string {
	if u.Port() == "" {
		return u.Host + ":80"
	}
	return u.Host
}

var (
	// errAllOriginsDown is returned when no origin answered.
	errAllOriginsDown = errors.New("edge: no origin answered")
	// errBusy is returned when every origin's connections of the
	// request's budget stayed busy for origin_conn_wait: the edge sheds
	// the request (503), nothing failed.
	errBusy = errors.New("edge: every origin connection of the budget is busy")
)

// do sends req to the origin its path ranks first among those in (all of
// them when every one is out); a budget whose connections are all busy
// passes it to the next, and a request that got no answer is resent once,
// to the next (every delivery request is a GET, idempotent).
//
// Only a failure to get an answer counts against an origin (health.go): an
// HTTP answer, a 503 shedding load included, shows it is up; a budget that
// stays busy is the edge's own limit; and a timeout counts only for a
// stored file, since a transformation may be slow on its own. A timeout is
// not resent: another origin would take as long, and a transformation
// would be made twice.
func (og *origins) do(req *fasthttp.Request, resp *fasthttp.Response, b budget, stream bool) error {
	var ranked, healthy [rankStack]int
	order := og.rank(ranked[:0], req.RequestURI())
	now := time.Now().UnixNano()
	in := healthy[:0]
	for _, i := range order {
		if !og.out(og.list[i], now) {
			in = append(in, i)
		}
	}
	if len(in) == 0 {
		in = order // every one is out: try them anyway
	}
	var lastErr error = errAllOriginsDown
	busy := false
	sent := 0
	for _, i := range in {
		o := og.list[i]
		c := o.client[b]
		if stream {
			c = o.stream[b]
		}
		req.SetHost(o.addr)
		err := c.DoTimeout(req, resp, og.timeout)
		if errors.Is(err, fasthttp.ErrNoFreeConns) {
			busy = true
			continue // not sent
		}
		o.sent.Add(1)
		if sent++; sent == 2 {
			og.retries.Add(1)
		}
		switch {
		case err == nil, errors.Is(err, fasthttp.ErrBodyTooLarge):
			og.answered(o, now)
			return err
		case errors.Is(err, fasthttp.ErrTimeout):
			if b == budgetStored {
				og.failed(o, err)
			}
			return err
		}
		og.failed(o, err)
		lastErr = err
		if sent == 2 {
			break
		}
	}
	if busy {
		return errBusy // an origin is up, only its connections were busy
	}
	return lastErr
}

// write renders the per-origin series and the retries in the Prometheus
// text format, each origin labelled by its host:port.
func (og *origins) write(w io.Writer) {
	series := func(v func(o *origin) int64) []metrics.Labeled {
		l := make([]metrics.Labeled, len(og.list))
		for i, o := range og.list {
			l[i] = metrics.Labeled{Label: o.addr, Value: v(o)}
		}
		return l
	}
	now := time.Now().UnixNano()
	metrics.Gauges(w, "mediacdn_edge_origin_up", "1 while the origin is in, 0 while it is out (origin_fail_after failures in a row, until its /healthz answers 200).",
		"origin", series(func(o *origin) int64 {
			if og.out(o, now) {
				return 0
			}
			return 1
		})...)
	metrics.Counters(w, "mediacdn_edge_origin_sent_total", "Requests sent to the origin: fills, revalidations, streamed responses, resent ones included.",
		"origin", series(func(o *origin) int64 { return o.sent.Load() })...)
	metrics.Counters(w, "mediacdn_edge_origin_failures_total", "Requests to the origin that got no answer (refused, reset, connect timeout, timeout on a stored file).",
		"origin", series(func(o *origin) int64 { return o.failures.Load() })...)
	metrics.Counters(w, "mediacdn_edge_origin_takeouts_total", "Times the origin was taken out.",
		"origin", series(func(o *origin) int64 { return o.takeouts.Load() })...)
	metrics.Counters(w, "mediacdn_edge_origin_probes_total", "GET /healthz sent to the origin while it was out.",
		"origin", series(func(o *origin) int64 { return o.probes.Load() })...)
	metrics.Counter(w, "mediacdn_edge_origin_retries_total", "Requests that got no answer from one origin, resent once to the next.", og.retries.Load())
}
