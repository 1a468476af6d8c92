package edge

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// origin is one origin server with keep-alive pools.
type origin struct {
	addr   string
	client *fasthttp.HostClient // buffered responses up to MaxObjectSize
	stream *fasthttp.HostClient // streamed responses (too large to cache)
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
		mk := func(stream bool) *fasthttp.HostClient {
			return &fasthttp.HostClient{
				Addr:                          addr,
				Name:                          "mediacdn-edge",
				MaxConns:                      cfg.OriginMaxConns,
				MaxIdleConnDuration:           90 * time.Second,
				ReadTimeout:                   cfg.OriginTimeout,
				WriteTimeout:                  cfg.OriginConnectTimeout + 5*time.Second,
				MaxResponseBodySize:           int(cfg.MaxObjectSize),
				StreamResponseBody:            stream,
				Dial:                          dial,
				DisableHeaderNamesNormalizing: false,
				DisablePathNormalizing:        true,
			}
		}
		o := &origin{addr: addr, client: mk(false), stream: mk(true)}
		o.stream.MaxResponseBodySize = 0
		og.list = append(og.list, o)
	}
	return og, nil
}

// errAllOriginsDown is returned when no origin answered.
var errAllOriginsDown = errors.New("edge: no origin answered")

// do sends req to the first healthy origin, failing over on connection
// errors. A timeout fails at once: another origin would take as long.
func (og *origins) do(req *fasthttp.Request, resp *fasthttp.Response, stream bool) error {
	now := time.Now().UnixNano()
	var lastErr error = errAllOriginsDown
	for pass := 0; pass < 2; pass++ {
		for _, o := range og.list {
			if pass == 0 && o.downUntil.Load() > now {
				continue
			}
			if pass == 1 && o.downUntil.Load() <= now {
				continue // already tried in the first pass
			}
			c := o.client
			if stream {
				c = o.stream
			}
			req.SetHost(o.addr)
			err := c.DoTimeout(req, resp, og.timeout)
			if err == nil {
				o.downUntil.Store(0)
				return nil
			}
			lastErr = err
			if errors.Is(err, fasthttp.ErrBodyTooLarge) {
				return err
			}
			o.downUntil.Store(time.Now().Add(og.downFor).UnixNano())
			if errors.Is(err, fasthttp.ErrTimeout) {
				return err
			}
		}
	}
	return lastErr
}

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
