package edge

import (
	"net/url"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
)

// Config is the edge's section of the YAML file.
type Config struct {
	// Listen is the delivery address, host:port. Default 127.0.0.1:8080.
	Listen string `yaml:"listen"`
	// MetricsListen is the address of the metrics listener, host:port:
	// GET /metrics in the Prometheus text format, kept off the public
	// delivery port. Empty (the default) serves no metrics; the built-in
	// dev configuration sets 127.0.0.1:8090. A production edge names a
	// private address its scraper reaches.
	MetricsListen string `yaml:"metrics_listen"`
	// Origins are the origin servers' base URLs (http://host:port), each
	// listed once. A fill goes to the origin its URL path ranks first by
	// rendezvous hashing among those in (rendezvous.go): every edge sends a
	// URL to the same origin. An origin that fails OriginFailAfter requests
	// in a row is taken out until its /healthz answers 200 (health.go).
	// Default [http://127.0.0.1:8081].
	Origins []string `yaml:"origins"`
	// CacheSize is the memory budget for cached objects: bodies plus
	// headers and bookkeeping. Default 512MiB.
	CacheSize config.Size `yaml:"cache_size"`
	// MaxObjectSize is the largest response kept in the cache; larger
	// ones are streamed to the client and not cached, with the headers of
	// a cached answer; the edge keeps their headers only, to skip the
	// buffered attempt next time and answer matching conditional requests
	// with 304 (pass.go). Default 16MiB.
	MaxObjectSize config.Size `yaml:"max_object_size"`
	// VersionedMaxAge is the Cache-Control max-age sent with versioned
	// URLs (which also get immutable). Default 720h (30 days).
	VersionedMaxAge time.Duration `yaml:"versioned_max_age"`
	// UnversionedMaxAge is the Cache-Control max-age sent with URLs
	// without a version (never immutable). The edge itself keeps them for
	// the origin's max-age. Default 1h.
	UnversionedMaxAge time.Duration `yaml:"unversioned_max_age"`
	// NegativeTTL is how long 404 and 400 answers are cached (an upload
	// clears a cached 404 at once through its purge). Default 10s.
	NegativeTTL time.Duration `yaml:"negative_ttl"`
	// StaleWhileRevalidate is how long past expiry an entry is served while
	// one background request refreshes it. Default 60s; negative disables.
	StaleWhileRevalidate time.Duration `yaml:"stale_while_revalidate"`
	// StaleIfError is how long past expiry an entry is served when the
	// origins fail or time out. Default 24h; negative disables.
	StaleIfError time.Duration `yaml:"stale_if_error"`
	// OriginTimeout bounds one origin request, transform included.
	// Default 30s.
	OriginTimeout time.Duration `yaml:"origin_timeout"`
	// OriginConnectTimeout bounds connecting to an origin. Default 2s.
	OriginConnectTimeout time.Duration `yaml:"origin_connect_timeout"`
	// OriginFailAfter is how many requests in a row an origin fails (no
	// answer: refused, reset, a connect timeout, a timeout on a stored
	// file) before it is taken out. Default 2.
	OriginFailAfter int `yaml:"origin_fail_after"`
	// OriginProbeInterval is how often an origin that is out is asked for
	// its /healthz (with a timeout of the shorter of this and
	// OriginConnectTimeout); the first 200 puts it back. Default 1s;
	// negative turns probing off (then OriginDownFor applies).
	OriginProbeInterval time.Duration `yaml:"origin_probe_interval"`
	// OriginDownFor is, with probing off only, how long an origin taken
	// out is skipped before requests try it again. Default 5s.
	OriginDownFor time.Duration `yaml:"origin_down_for"`
	// OriginMaxConns bounds the connections per origin of requests for
	// stored files: URLs without a transformation (originals), fetch
	// excepted. Default 512.
	OriginMaxConns int `yaml:"origin_max_conns"`
	// OriginTransformConns bounds the connections per origin of requests
	// that may make the origin work: URLs with a transformation, and fetch
	// URLs. It is a budget of its own, so that a storm of new
	// transformations cannot take the connections originals need.
	// Default 64.
	OriginTransformConns int `yaml:"origin_transform_conns"`
	// OriginConnWait is how long a request waits for a free connection of
	// its budget; past it (on every origin) the edge answers 503 with
	// Retry-After: it sheds the request, as a busy origin would. The wait
	// counts in OriginTimeout and must be shorter. Default 1s, or half of
	// OriginTimeout when that is shorter.
	OriginConnWait time.Duration `yaml:"origin_conn_wait"`
	// ReadTimeout bounds reading a client's request head, from its first
	// byte (from accept on a new connection), however steadily it
	// trickles. Default 10s. The three client timeouts are enforced by a
	// watchdog within a tenth of the shortest (at most 250ms).
	ReadTimeout time.Duration `yaml:"read_timeout"`
	// WriteTimeout bounds writing a response, from the handler's answer to
	// the last byte. Default 60s.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// IdleTimeout closes keep-alive connections idle between requests.
	// Default 120s.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// MaxConns bounds concurrent client connections. Default 20000.
	MaxConns int `yaml:"max_conns"`
	// MaxHeaderBytes bounds a request's headers; more gets 431. Default
	// 8KiB. The request line has a bound of its own, MaxURLLength: the
	// head buffer of each client connection holds both (strict.go).
	MaxHeaderBytes config.Size `yaml:"max_header_bytes"`
	// MaxURLLength bounds the request URI, in bytes; longer gets 414.
	// Default and most 8192, the origin's own bound on delivery URLs
	// (delivery.DefaultMaxLength).
	MaxURLLength int `yaml:"max_url_length"`
	// TrustedProxies are the load balancers and proxies in front of the
	// edge, as CIDRs (10.0.0.0/8, 2001:db8::/32) or addresses: a request
	// whose peer is one of them has its client address read from
	// ClientIPHeader, for the ip= of auth tokens and the access log
	// (delivery.ClientIP: the right-most address that is not itself a
	// trusted proxy). Any other peer is the client, whatever its headers
	// say. Empty (the default) trusts no proxy: the peer is the client.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// ClientIPHeader is the header the trusted proxies set:
	// X-Forwarded-For (the default) or Forwarded, lists walked from the
	// right, or X-Real-IP, CF-Connecting-IP, True-Client-IP or
	// Fastly-Client-IP, which hold one address.
	ClientIPHeader string `yaml:"client_ip_header"`
	// AccessLogSample is the fraction of requests logged, 0 to 1.
	// Default 0 (off).
	AccessLogSample float64 `yaml:"access_log_sample"`
	// Procs is how many OS threads may run Go code at once (GOMAXPROCS) in
	// a `mediacdn edge` process (the edge, and an embedded NATS server if
	// it runs one); it wins over a GOMAXPROCS variable. Zero keeps Go's
	// default, one per CPU the process may use. Fewer than the cores can
	// serve more with less CPU: the hit path is so short that an edge with
	// spare Ps spends much of its time waking and parking idle ones. On a
	// 2-core machine shared with the load generator, 1 served 1.34× the
	// requests of 2 at 0.75× the CPU per request (docs/configuration.md).
	Procs int `yaml:"procs"`
	// MemoryLimit is the Go heap limit of an edge process (the runtime
	// collects harder as the heap nears it, so evicted entries do not
	// pile up). Zero means cache_size + 48MiB; negative means no limit.
	MemoryLimit config.Size `yaml:"memory_limit"`

	// Clouds are the cloud names served, and Hosts map private-CDN host
	// names to clouds, matched by name whatever the case and port, the
	// request's or the one written here (delivery.HostMap). The app fills
	// both from the file's clouds section.
	Clouds []string          `yaml:"-"`
	Hosts  map[string]string `yaml:"-"`
	// AuthTokenKeys are the clouds' auth_token_key (hex), by cloud: the
	// edge verifies __cld_token__ tokens itself with them (token.go). The
	// app fills it from the file's clouds section.
	AuthTokenKeys map[string]string `yaml:"-"`
}

// Defaults for the edge.
const (
	DefaultListen    = "127.0.0.1:8080"
	DefaultOrigin    = "http://127.0.0.1:8081"
	DefaultCacheSize = 512 * config.MiB
)

// ApplyDefaults fills unset fields.
func (c *Config) ApplyDefaults() {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if len(c.Origins) == 0 {
		c.Origins = []string{DefaultOrigin}
	}
	if c.CacheSize == 0 {
		c.CacheSize = DefaultCacheSize
	}
	setSize(&c.MaxObjectSize, 16*config.MiB)
	setDur(&c.VersionedMaxAge, 30*24*time.Hour)
	setDur(&c.UnversionedMaxAge, time.Hour)
	setDur(&c.NegativeTTL, 10*time.Second)
	setDur(&c.StaleWhileRevalidate, time.Minute)
	setDur(&c.StaleIfError, 24*time.Hour)
	setDur(&c.OriginTimeout, 30*time.Second)
	setDur(&c.OriginConnectTimeout, 2*time.Second)
	setDur(&c.OriginDownFor, 5*time.Second)
	setDur(&c.OriginProbeInterval, time.Second)
	if c.OriginFailAfter == 0 {
		c.OriginFailAfter = 2
	}
	setDur(&c.OriginConnWait, min(time.Second, c.OriginTimeout/2))
	setDur(&c.ReadTimeout, 10*time.Second)
	setDur(&c.WriteTimeout, time.Minute)
	setDur(&c.IdleTimeout, 2*time.Minute)
	setSize(&c.MaxHeaderBytes, 8*config.KiB)
	if c.OriginMaxConns == 0 {
		c.OriginMaxConns = 512
	}
	if c.OriginTransformConns == 0 {
		c.OriginTransformConns = 64
	}
	if c.MaxConns == 0 {
		c.MaxConns = 20000
	}
	if c.MaxURLLength == 0 {
		c.MaxURLLength = delivery.DefaultMaxLength
	}
	if c.MemoryLimit == 0 {
		c.MemoryLimit = c.CacheSize + 48*config.MiB
	}
	if c.ClientIPHeader == "" {
		c.ClientIPHeader = delivery.DefaultClientIPHeader
	}
}

func setDur(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

func setSize(s *config.Size, def config.Size) {
	if *s == 0 {
		*s = def
	}
}

// Validate checks the settings; the error names the field.
func (c *Config) Validate() error {
	if err := config.CheckHostPort(c.Listen); err != nil {
		return config.Errorf("listen", "%v", err)
	}
	if c.MetricsListen != "" {
		if err := config.CheckHostPort(c.MetricsListen); err != nil {
			return config.Errorf("metrics_listen", "%v", err)
		}
		if c.MetricsListen == c.Listen && !strings.HasSuffix(c.Listen, ":0") {
			return config.Errorf("metrics_listen", "must differ from listen (%s): metrics stay off the delivery port", c.Listen)
		}
	}
	if len(c.Origins) == 0 {
		return config.Errorf("origins", "at least one origin is required")
	}
	seen := map[string]int{}
	for i, o := range c.Origins {
		if err := config.CheckURL(o, "http"); err != nil {
			return config.Errorf("origins", "origin %d: %v", i, err)
		}
		u, _ := url.Parse(o)
		addr := originAddr(u)
		if j, ok := seen[addr]; ok {
			return config.Errorf("origins", "origin %d: %s is origin %d already", i, addr, j)
		}
		seen[addr] = i
	}
	switch {
	case c.CacheSize < config.MiB:
		return config.Errorf("cache_size", "at least 1MiB, got %v", c.CacheSize)
	case c.MaxObjectSize < config.KiB || c.MaxObjectSize > c.CacheSize:
		return config.Errorf("max_object_size", "between 1KiB and cache_size, got %v", c.MaxObjectSize)
	case c.AccessLogSample < 0 || c.AccessLogSample > 1:
		return config.Errorf("access_log_sample", "between 0 and 1, got %v", c.AccessLogSample)
	case c.MaxHeaderBytes < config.KiB:
		return config.Errorf("max_header_bytes", "at least 1KiB, got %v", c.MaxHeaderBytes)
	case c.MaxURLLength < 256 || c.MaxURLLength > delivery.DefaultMaxLength:
		return config.Errorf("max_url_length", "between 256 and %d (origins refuse longer delivery URLs), got %d",
			delivery.DefaultMaxLength, c.MaxURLLength)
	case c.OriginMaxConns < 1:
		return config.Errorf("origin_max_conns", "at least 1")
	case c.OriginTransformConns < 1:
		return config.Errorf("origin_transform_conns", "at least 1")
	case c.OriginFailAfter < 1:
		return config.Errorf("origin_fail_after", "at least 1")
	case c.OriginProbeInterval > 0 && c.OriginProbeInterval < 10*time.Millisecond:
		return config.Errorf("origin_probe_interval", "at least 10ms (negative turns probing off), got %v", c.OriginProbeInterval)
	case c.MaxConns < 1:
		return config.Errorf("max_conns", "at least 1")
	case c.Procs < 0:
		return config.Errorf("procs", "must not be negative")
	case c.OriginConnWait >= c.OriginTimeout && c.OriginTimeout > 0:
		return config.Errorf("origin_conn_wait", "below origin_timeout (%v), got %v", c.OriginTimeout, c.OriginConnWait)
	case c.MemoryLimit > 0 && c.MemoryLimit < c.CacheSize:
		return config.Errorf("memory_limit", "below cache_size (%v < %v)", c.MemoryLimit, c.CacheSize)
	}
	if _, err := delivery.NewClientIP(nil, c.ClientIPHeader); err != nil {
		return config.Errorf("client_ip_header", "%v", err)
	}
	if _, err := delivery.NewClientIP(c.TrustedProxies, c.ClientIPHeader); err != nil {
		return config.Errorf("trusted_proxies", "%v", err)
	}
	for name, d := range map[string]time.Duration{
		"versioned_max_age": c.VersionedMaxAge, "unversioned_max_age": c.UnversionedMaxAge,
		"negative_ttl": c.NegativeTTL, "origin_timeout": c.OriginTimeout,
		"origin_connect_timeout": c.OriginConnectTimeout, "origin_down_for": c.OriginDownFor,
		"origin_conn_wait": c.OriginConnWait,
		"read_timeout":     c.ReadTimeout, "write_timeout": c.WriteTimeout, "idle_timeout": c.IdleTimeout,
	} {
		if d < 0 {
			return config.Errorf(name, "must not be negative")
		}
	}
	return nil
}

// LongestTTL is the longest an entry can be kept and served: the longest
// lifetime plus stale-if-error. Purge rules must be kept at least as long.
func (c *Config) LongestTTL() time.Duration {
	return max(c.VersionedMaxAge, c.UnversionedMaxAge) + max(c.StaleIfError, 0)
}
