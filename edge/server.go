package edge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/purge"
	"github.com/valyala/fasthttp"
	"golang.org/x/sync/singleflight"
)

// Purges is the edge's view of applied invalidations (*purge.Index).
type Purges interface {
	// Seq is the last applied purge sequence.
	Seq() uint64
	// Covered reports whether a rule applied after since covers t.
	Covered(t *purge.Target, since uint64) bool
}

// Sync says whether the edge has confirmed it applied every purge
// (*purge.Subscriber).
type Sync interface {
	CaughtUp() bool
	State() purge.State
}

// Deps are what an edge is built from besides its Config.
type Deps struct {
	Log *slog.Logger
	// Purges is required: the index every lookup checks.
	Purges Purges
	// Sync is nil when no subscriber feeds Purges (then the edge counts as
	// caught up).
	Sync Sync
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server is an edge node.
type Server struct {
	cfg     Config
	log     *slog.Logger
	purges  Purges
	sync    Sync
	now     func() time.Time
	cache   *cache
	origins *origins
	clouds  map[string]bool
	hosts   delivery.HostMap   // private-CDN hosts → clouds
	tokens  tokenKeys          // auth_token_key by cloud (token.go)
	proxies *delivery.ClientIP // trusted proxies, nil for none (clientip.go)
	fills   singleflight.Group // one origin fill per cache key
	refresh singleflight.Group // one background revalidation per key
	m       counters
	keys    sync.Pool // *keyBuf
	hv      headerValues
	srv     *fasthttp.Server
	watch   *connWatch // client timeouts (conntimeouts.go)
	ln      net.Listener
	// msrv and mln serve /metrics on MetricsListen (metricsserver.go);
	// nil without one.
	msrv *fasthttp.Server
	mln  net.Listener
}

// New validates cfg (after defaults) and builds an edge.
func New(cfg Config, d Deps) (*Server, error) {
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Log == nil || d.Purges == nil {
		return nil, errors.New("edge: Log and Purges are required")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	c, err := newCache(int64(cfg.CacheSize))
	if err != nil {
		return nil, fmt.Errorf("edge: cache: %w", err)
	}
	hosts, err := delivery.NewHostMap(cfg.Hosts)
	if err != nil {
		c.close()
		return nil, fmt.Errorf("edge: hosts: %w", err)
	}
	tokens, err := newTokenKeys(cfg.AuthTokenKeys)
	if err != nil {
		c.close()
		return nil, err
	}
	proxies, err := delivery.NewClientIP(cfg.TrustedProxies, cfg.ClientIPHeader) // validated
	if err != nil {
		c.close()
		return nil, err
	}
	og, err := newOrigins(&cfg, d.Log)
	if err != nil {
		c.close()
		return nil, err
	}
	s := &Server{cfg: cfg, log: d.Log, purges: d.Purges, sync: d.Sync, now: d.Now, cache: c, origins: og,
		clouds: map[string]bool{}, hosts: hosts, tokens: tokens, proxies: proxies}
	s.m.fill = newFillHistogram()
	s.keys.New = func() any { return &keyBuf{b: make([]byte, 0, 512)} }
	s.initHeaders()
	for _, name := range cfg.Clouds {
		s.clouds[name] = true
	}
	// Client timeouts are the watchdog's (conntimeouts.go), not fasthttp's
	// socket deadlines.
	s.watch = newConnWatch(cfg.ReadTimeout, cfg.IdleTimeout, cfg.WriteTimeout)
	s.srv = &fasthttp.Server{
		Handler:                       s.watch.handler(s.handle),
		ConnState:                     s.watch.connState,
		Name:                          "mediacdn",
		ReadBufferSize:                headBufferSize(&cfg), // strict.go
		ErrorHandler:                  s.parseError,
		MaxRequestBodySize:            4 << 10,
		Concurrency:                   cfg.MaxConns,
		LazyRequestTime:               true, // the clock is read only if a handler asks
		DisableHeaderNamesNormalizing: false,
		NoDefaultContentType:          true,
		CloseOnShutdown:               true,
		Logger:                        fasthttpLogger{d.Log},
	}
	return s, nil
}

// Listen binds the configured addresses: delivery, and metrics when
// MetricsListen is set.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("edge: listen %s: %w", s.cfg.Listen, err)
	}
	if err := s.listenMetrics(); err != nil {
		ln.Close()
		return err
	}
	s.ln = ln
	s.watch.start()
	return nil
}

// Addr is the bound delivery address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve serves on the bound listeners until Shutdown; it returns the
// delivery server's error (or the metrics server's, if that fails first).
func (s *Server) Serve() error {
	if s.msrv == nil {
		return s.srv.Serve(s.ln)
	}
	failed := make(chan error, 1)
	go func() {
		if err := s.msrv.Serve(s.mln); err != nil {
			failed <- fmt.Errorf("metrics: %w", err)
		}
	}()
	served := make(chan error, 1)
	go func() { served <- s.srv.Serve(s.ln) }()
	select {
	case err := <-served:
		return err
	case err := <-failed:
		return err
	}
}

// Shutdown stops accepting, waits for requests in flight (up to ctx), stops
// probing origins, and releases the cache.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.ShutdownWithContext(ctx)
	if s.msrv != nil {
		if merr := s.msrv.ShutdownWithContext(ctx); err == nil {
			err = merr
		}
	}
	s.watch.close()
	s.origins.close()
	s.cache.close()
	return err
}

// Flush drops every cached entry.
func (s *Server) Flush() { s.cache.clear() }

// caughtUp reports whether unversioned entries may be served without
// asking the origin.
func (s *Server) caughtUp() bool { return s.sync == nil || s.sync.CaughtUp() }

// servable is how the cached entry e may be served at now, by this edge's
// purges, caught-up state and stale windows (entry.servable).
func (s *Server) servable(e *entry, now int64) uses {
	if e.bounded {
		return e.servable(now, s.purges, s.sync, 0, 0)
	}
	return e.servable(now, s.purges, s.sync, s.cfg.StaleWhileRevalidate, s.cfg.StaleIfError)
}

// sampled reports whether this request goes to the access log.
func (s *Server) sampled() bool {
	return s.cfg.AccessLogSample > 0 && rand.Float64() < s.cfg.AccessLogSample
}

// fasthttpLogger routes fasthttp's own messages to slog.
type fasthttpLogger struct{ log *slog.Logger }

func (l fasthttpLogger) Printf(format string, args ...any) {
	l.log.Warn("fasthttp: " + fmt.Sprintf(format, args...))
}
