package origin

import (
	"net"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/console"
	"github.com/mediacdn/mediacdn/origin/imaging"
)

// Config is the origin's section of the YAML file.
type Config struct {
	// Listen is the address of the Upload API, the Admin API (under
	// /v1_1/) and delivery for edges, host:port. Default 127.0.0.1:8081.
	Listen string `yaml:"listen"`
	// MetricsListen is the address of the metrics listener, host:port:
	// GET /metrics in the Prometheus text format, kept off the public API
	// port. Empty (the default) serves no metrics; the built-in dev
	// configuration sets 127.0.0.1:8091. A production origin names a
	// private address its scraper reaches.
	MetricsListen string `yaml:"metrics_listen"`
	// TLS serves the same API over HTTPS on an address of its own
	// (tls_config.go). Off by default.
	TLS TLS `yaml:"tls"`
	// DataDir holds blobs, the metadata database and, in dev, JetStream.
	// Default ./data. Every origin has one of its own (a second process
	// on it fails at once), also when its metadata and blobs are shared.
	DataDir string `yaml:"data_dir"`
	// MetadataURL is where the metadata is kept: empty (the default) is
	// the SQLite file <data_dir>/meta.db; sqlite:///path/meta.db a SQLite
	// file elsewhere (one origin's); postgres://user@host:5432/db?sslmode=…
	// a PostgreSQL database any number of origins share, its password
	// from MEDIACDN_ORIGIN_METADATA_PASSWORD, else the URL
	// (config.CheckMetadataURL).
	MetadataURL string `yaml:"metadata_url"`
	// BlobsURL is where originals and derived files are kept: empty (the
	// default) is the folder <data_dir>/blobs; file:///path a folder
	// elsewhere (one origin's); s3://bucket/prefix?endpoint=…&region=…&
	// path_style=… an S3 bucket any number of origins share
	// (config.BlobsURL).
	BlobsURL config.BlobsURL `yaml:"blobs_url"`
	// DeliveryURL is the base of the url field in API responses: where
	// browsers fetch assets (an edge), such as http://127.0.0.1:8080.
	// Default http://127.0.0.1:8080.
	DeliveryURL string `yaml:"delivery_url"`
	// SecureDeliveryURL is the base of secure_url. Empty means DeliveryURL.
	SecureDeliveryURL string `yaml:"secure_delivery_url"`
	// TrustedProxies are the load balancers and proxies in front of the
	// origin, as CIDRs (10.0.0.0/8, 2001:db8::/32) or addresses: a request
	// whose peer is one of them has the client address checked against a
	// token's ip= read from ClientIPHeader, as the edge does
	// (delivery.ClientIP). Empty (the default): the peer is the client.
	// Edges need not be listed: their fills carry a token of their own.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// ClientIPHeader is the header the trusted proxies set:
	// X-Forwarded-For (the default), Forwarded, X-Real-IP,
	// CF-Connecting-IP, True-Client-IP or Fastly-Client-IP.
	ClientIPHeader string `yaml:"client_ip_header"`
	// MaxUploadSize is the largest file one upload may carry. Default 100MiB.
	MaxUploadSize config.Size `yaml:"max_upload_size"`
	// Uploads bounds the Upload API requests served at once.
	Uploads Uploads `yaml:"uploads"`
	// Fetch configures uploads whose file is a remote http(s) URL.
	Fetch Fetch `yaml:"fetch"`
	// Archives bounds generate_archive (upload_archive.go).
	Archives Archives `yaml:"archives"`
	// Imaging bounds image processing.
	Imaging imaging.Config `yaml:"imaging"`
	// VersionedMaxAge is the browser and edge lifetime of URLs with a
	// version (served with immutable). Default 720h (30 days).
	VersionedMaxAge time.Duration `yaml:"versioned_max_age"`
	// UnversionedMaxAge is the lifetime of URLs without a version (no
	// immutable: an overwrite shows there once it expires or is purged).
	// Default 1h.
	UnversionedMaxAge time.Duration `yaml:"unversioned_max_age"`
	// ErrorMaxAge is how long 4xx answers of delivery URLs may be cached.
	// Default 60s.
	ErrorMaxAge time.Duration `yaml:"error_max_age"`
	// SearchTimeout bounds one search (the Search API, search URLs, the
	// folders' search, the console's library): past it the database stops
	// the query and the search answers 400 Search timed out. Default 10s.
	SearchTimeout time.Duration `yaml:"search_timeout"`
	// Webhooks configures the sending of notification_url webhooks
	// (webhooks_config.go).
	Webhooks Webhooks `yaml:"webhooks"`
	// Jobs configures background jobs: eager_async (jobs_config.go).
	Jobs Jobs `yaml:"jobs"`
	// Console configures the web console under /console/ (origin/console,
	// docs/console.md).
	Console console.Config `yaml:"console"`
}

// Uploads bounds the Upload API requests (upload, explicit, destroy, …)
// in progress, from the moment their credentials are checked until they
// are answered. Each holds at most 2 MiB of parameters and 128 KiB of
// buffers in memory while its body is read (its file goes to a temporary
// file, never to memory), so the body reading of all of them holds at most
// MaxInFlight × 2.125 MiB (docs/configuration.md). Past a bound a request
// answers 420 Rate Limit Exceeded with Retry-After: 1, before its body is
// read.
type Uploads struct {
	// MaxInFlight is how many are served at once over all clouds and
	// clients. Default 64.
	MaxInFlight int `yaml:"max_in_flight"`
	// PerCloud is how many one cloud may have in progress. Default 32.
	PerCloud int `yaml:"per_cloud"`
	// PerClient is how many one client address may have in progress.
	// Default 8; -1 means no per-client bound (behind a proxy, where
	// every client has the proxy's address).
	PerClient int `yaml:"per_client"`
	// IdleTimeout drops a request whose body sends nothing for this long
	// (408), freeing its slot: a stalled client cannot hold one. Default
	// 30s; negative means no bound.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// UnsignedPerCloud is how many unsigned uploads (upload_preset, no
	// credentials) one cloud accepts a minute, over every client; past it
	// they answer 420 with Retry-After. Default 600; -1 means no bound.
	UnsignedPerCloud int `yaml:"unsigned_per_cloud"`
	// UnsignedPerClient is how many unsigned uploads one client address
	// may make a minute, per cloud. Default 60; -1 means no bound (behind
	// a proxy, where every client has the proxy's address).
	UnsignedPerClient int `yaml:"unsigned_per_client"`
}

// Fetch configures remote fetches for uploads.
type Fetch struct {
	// Timeout bounds one fetch, redirects included. Default 30s.
	Timeout time.Duration `yaml:"timeout"`
	// MaxRedirects is how many redirects are followed. Default 5; -1 means none.
	MaxRedirects int `yaml:"max_redirects"`
	// AllowNetworks are CIDRs that may be fetched although they are
	// loopback, link-local, private or otherwise internal (refused by
	// default to stop server-side request forgery). Default none.
	AllowNetworks []string `yaml:"allow_networks"`
	// MaxInFlight bounds the downloads of fetch delivery URLs in progress
	// (first downloads and background refreshes of distinct remote URLs;
	// uploads from a URL count as uploads). Past it a fetch URL without a
	// stored copy answers 503 with Retry-After, and a refresh waits for a
	// later request. Each download goes to a temporary file, so this
	// bounds disk (MaxInFlight × max_upload_size), not memory. Default 16.
	MaxInFlight int `yaml:"max_in_flight"`
}

// Defaults for the origin.
const (
	DefaultListen      = "127.0.0.1:8081"
	DefaultDataDir     = "./data"
	DefaultDeliveryURL = "http://127.0.0.1:8080"
)

// ApplyDefaults fills unset fields.
func (c *Config) ApplyDefaults() {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	if c.DeliveryURL == "" {
		c.DeliveryURL = DefaultDeliveryURL
	}
	if c.SecureDeliveryURL == "" {
		c.SecureDeliveryURL = c.DeliveryURL
	}
	if c.MaxUploadSize == 0 {
		c.MaxUploadSize = 100 * config.MiB
	}
	if c.Uploads.MaxInFlight == 0 {
		c.Uploads.MaxInFlight = 64
	}
	if c.Uploads.PerCloud == 0 {
		c.Uploads.PerCloud = 32
	}
	if c.Uploads.PerClient == 0 {
		c.Uploads.PerClient = 8
	}
	if c.Uploads.UnsignedPerCloud == 0 {
		c.Uploads.UnsignedPerCloud = 600
	}
	if c.Uploads.UnsignedPerClient == 0 {
		c.Uploads.UnsignedPerClient = 60
	}
	if c.Uploads.IdleTimeout == 0 {
		c.Uploads.IdleTimeout = 30 * time.Second
	}
	if c.Fetch.Timeout == 0 {
		c.Fetch.Timeout = 30 * time.Second
	}
	if c.Fetch.MaxInFlight == 0 {
		c.Fetch.MaxInFlight = 16
	}
	if c.Fetch.MaxRedirects == 0 {
		c.Fetch.MaxRedirects = 5
	}
	c.Archives.applyDefaults()
	c.Imaging.ApplyDefaults()
	if c.VersionedMaxAge == 0 {
		c.VersionedMaxAge = 30 * 24 * time.Hour
	}
	if c.UnversionedMaxAge == 0 {
		c.UnversionedMaxAge = time.Hour
	}
	if c.ErrorMaxAge == 0 {
		c.ErrorMaxAge = time.Minute
	}
	if c.SearchTimeout == 0 {
		c.SearchTimeout = 10 * time.Second
	}
	c.Webhooks.ApplyDefaults()
	c.Jobs.ApplyDefaults()
	c.Console.ApplyDefaults()
}

// Validate checks the settings; the error names the field.
func (c *Config) Validate() error {
	if err := config.CheckHostPort(c.Listen); err != nil {
		return config.Errorf("listen", "%v", err)
	}
	if err := checkMetricsListen(c.MetricsListen, c.Listen); err != nil {
		return err
	}
	if err := c.TLS.validate(c.Listen, c.MetricsListen); err != nil {
		return err
	}
	if c.DataDir == "" {
		return config.Errorf("data_dir", "required")
	}
	if err := config.CheckMetadataURL(c.MetadataURL); err != nil {
		return config.Errorf("metadata_url", "%v", err)
	}
	if err := c.BlobsURL.Validate(); err != nil {
		return config.Errorf("blobs_url", "%v", err)
	}
	if err := config.CheckURL(c.DeliveryURL, "http", "https"); err != nil {
		return config.Errorf("delivery_url", "%v", err)
	}
	if err := config.CheckURL(c.SecureDeliveryURL, "http", "https"); err != nil {
		return config.Errorf("secure_delivery_url", "%v", err)
	}
	if _, err := delivery.NewClientIP(nil, c.ClientIPHeader); err != nil {
		return config.Errorf("client_ip_header", "%v", err)
	}
	if _, err := delivery.NewClientIP(c.TrustedProxies, c.ClientIPHeader); err != nil {
		return config.Errorf("trusted_proxies", "%v", err)
	}
	if c.MaxUploadSize < config.KiB {
		return config.Errorf("max_upload_size", "at least 1KiB, got %v", c.MaxUploadSize)
	}
	switch {
	case c.Uploads.MaxInFlight < 0:
		return config.Errorf("uploads.max_in_flight", "must not be negative")
	case c.Uploads.PerCloud < 0:
		return config.Errorf("uploads.per_cloud", "must not be negative")
	case c.Uploads.PerClient < -1:
		return config.Errorf("uploads.per_client", "must be -1 (no bound) or more")
	}
	for _, n := range c.Fetch.AllowNetworks {
		if _, _, err := net.ParseCIDR(n); err != nil {
			return config.Errorf("fetch.allow_networks", "%q is not a CIDR such as 10.0.0.0/8", n)
		}
	}
	if c.Fetch.Timeout < 0 {
		return config.Errorf("fetch.timeout", "must not be negative")
	}
	if c.Fetch.MaxInFlight < 0 {
		return config.Errorf("fetch.max_in_flight", "must not be negative")
	}
	if err := c.Archives.validate(); err != nil {
		return err
	}
	if err := c.Imaging.Validate(); err != nil {
		return config.Prefix("imaging", err)
	}
	if err := c.Console.Validate(); err != nil {
		return config.Prefix("console", err)
	}
	for name, d := range map[string]time.Duration{"versioned_max_age": c.VersionedMaxAge,
		"unversioned_max_age": c.UnversionedMaxAge, "error_max_age": c.ErrorMaxAge, "search_timeout": c.SearchTimeout} {
		if d < 0 {
			return config.Errorf(name, "must not be negative")
		}
	}
	if err := config.Prefix("webhooks", c.Webhooks.Validate()); err != nil {
		return err
	}
	return config.Prefix("jobs", c.Jobs.Validate())
}
