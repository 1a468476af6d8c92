package edge

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
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
// streamed per budget.
type origin struct {
	addr   string
	client [budgets]*fasthttp.HostClient // buffered responses up to MaxObjectSize
	stream [budgets]*fasthttp.HostClient // streamed responses (too large to cache)
	// downUntil is unix nanoseconds until which the origin is skipped.
	downUntil atomic.Int64
}

// origins tries origins in order, skipping ones that failed recently
// (passive health); when all are down it tries them anyway.
type origins struct {
	list    []*origin
	timeout time.Duration
	downFor time.Duration
}

func newOrigins(cfg *Config) (*origins, error) {
	og := &origins{timeout: cfg.OriginTimeout, downFor: cfg.OriginDownFor}
	for i, raw := range cfg.Origins {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("edge: origins[%d]: bad URL %q", i, raw)
		}
		addr := u.Host
		if u.Port() == "" {
			addr += ":80"
		}
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
				DisableHeaderNamesNormalizing: false,
				DisablePathNormalizing:        true,
			}
			if stream {
				c.MaxResponseBodySize = 0
			}
			return c
		}
		o := &origin{addr: addr}
		for b, conns := range [budgets]int{budgetStored: cfg.OriginMaxConns, budgetWork: cfg.OriginTransformConns} {
			o.client[b], o.stream[b] = mk(conns, false), mk(conns, true)
		}
		og.list = append(og.list, o)
	}
	return og, nil
}

var (
	// errAllOriginsDown is returned when no origin answered.
	errAllOriginsDown = errors.New("edge: no origin answered")
	// errBusy is returned when every origin's connections of the
	// request's budget stayed busy for origin_conn_wait: the edge sheds
	// the request (503), nothing failed.
	errBusy = errors.New("edge: every origin connection of the budget is busy")
)

// do sends req to the first healthy origin, failing over on connection
// errors and on a budget whose connections are all busy.
//
// Only a failure to get an answer marks an origin down: any HTTP answer,
// a 503 shedding load included, shows it is up; a budget that stays busy
// is the edge's own limit; and a timeout marks it down only for a stored
// file, since a transformation may be slow on its own. A timeout fails at
// once: another origin would take as long.
func (og *origins) do(req *fasthttp.Request, resp *fasthttp.Response, b budget, stream bool) error {
	now := time.Now().UnixNano()
	var lastErr error = errAllOriginsDown
	busy := false
	for pass := 0; pass < 2; pass++ {
		for _, o := range og.list {
			if pass == 0 && o.downUntil.Load() > now {
				continue
			}
			if pass == 1 && o.downUntil.Load() <= now {
				continue // already tried in the first pass
			}
			c := o.client[b]
			if stream {
				c = o.stream[b]
			}
			req.SetHost(o.addr)
			err := c.DoTimeout(req, resp, og.timeout)
			switch {
			case err == nil:
				o.downUntil.Store(0)
				return nil
			case errors.Is(err, fasthttp.ErrBodyTooLarge):
				return err
			case errors.Is(err, fasthttp.ErrNoFreeConns):
				busy = true
				continue
			case errors.Is(err, fasthttp.ErrTimeout):
				if b == budgetStored {
					o.markDown(og.downFor)
				}
				return err
			}
			lastErr = err
			o.markDown(og.downFor)
		}
	}
	if busy {
		return errBusy // an origin is up, only its connections were busy
	}
	return lastErr
}

// markDown skips the origin for d.
func (o *origin) markDown(d time.Duration) { o.downUntil.Store(time.Now().Add(d).UnixNano()) }

// healthy counts origins not marked down.
func (og *origins) healthy() int {
	now := time.Now().UnixNano()
	n := 0
	for _, o := range og.list {
		if o.downUntil.Load() <= now {
			n++
		}
	}
	return n
}
