package purge

import (
	"net/url"
	"os"
	"time"

	"github.com/mediacdn/mediacdn/config"
)

// Config is the NATS side of purging, shared by origins (publishers) and
// edges (subscribers): the nats: section of the YAML file.
type Config struct {
	// URLs are the NATS servers to connect to (nats://host:port). Empty
	// means the embedded server's own URL when Embedded.Enabled is set.
	URLs []string `yaml:"urls"`
	// Embedded runs a NATS server with JetStream inside this process (the
	// single-machine default of mediacdn dev).
	Embedded Embedded `yaml:"embedded"`
	// Credentials is a NATS .creds file (JWT + NKey). Default none.
	Credentials string `yaml:"credentials"`
	// User and Password authenticate with user/password. Default none.
	// Environment: MEDIACDN_NATS_USER, MEDIACDN_NATS_PASSWORD.
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	// Token authenticates with a token. Default none.
	// Environment: MEDIACDN_NATS_TOKEN.
	Token string `yaml:"token"`
	// TLS configures a TLS connection. Default off.
	TLS TLS `yaml:"tls"`
	// ReconnectWait is the first pause between reconnection attempts (after
	// every server of URLs, and those the cluster announced, was tried); a
	// client reconnects forever, doubling the pause up to ReconnectMaxWait,
	// with jitter. Zero means 250ms.
	ReconnectWait time.Duration `yaml:"reconnect_wait"`
	// ReconnectMaxWait bounds the pause between reconnection attempts and
	// between retries of a purge whose storing was not acknowledged. Zero
	// means 2s; at least ReconnectWait.
	ReconnectMaxWait time.Duration `yaml:"reconnect_max_wait"`
	// PublishTimeout bounds how long an origin keeps retrying to store a
	// purge (a lost acknowledgement, a stream leader being elected, a
	// reconnection) before the API call that made it fails. A retry carries
	// the same message id, so the stream stores the purge once. Zero means
	// 15s.
	PublishTimeout time.Duration `yaml:"publish_timeout"`

	// Stream is the JetStream stream that holds purge rules.
	Stream Stream `yaml:"stream"`

	// CaughtUpBound is how long an edge may go without confirming that it
	// has applied every stored rule before it reports "not caught up" and
	// stops trusting unversioned entries. Zero means 2s.
	CaughtUpBound time.Duration `yaml:"caught_up_bound"`
	// HeartbeatInterval is how often an edge reports its applied sequence
	// (it also reports at once after applying rules). Zero means 1s.
	HeartbeatInterval time.Duration `yaml:"heartbeat_interval"`
	// LiveWindow is how long the origin counts an edge as live after its
	// last heartbeat; it must exceed HeartbeatInterval. Zero means 5s.
	LiveWindow time.Duration `yaml:"live_window"`
}

// Stream configures the purge stream. Origins create or update it; an edge
// creates it with these settings only when it does not exist yet.
type Stream struct {
	// Name is the JetStream stream name. Empty means MEDIACDN_PURGE.
	Name string `yaml:"name"`
	// SubjectPrefix starts every subject: rules go to
	// <prefix>.purge.<cloud>, heartbeats to <prefix>.edges.heartbeat.
	// Empty means "mediacdn".
	SubjectPrefix string `yaml:"subject_prefix"`
	// Replicas is the stream's replication factor in a NATS cluster, 1 to
	// 5. Zero means 1.
	Replicas int `yaml:"replicas"`
	// MaxAge is how long the stream keeps a rule. It should be at least the
	// edges' longest cache TTL (CheckRetention): an edge that comes back
	// after its next rule has aged out flushes its clouds. Zero means 744h
	// (31 days).
	MaxAge time.Duration `yaml:"max_age"`
	// MaxMsgs caps the rules the stream keeps (oldest dropped first, with
	// the same effect as MaxAge). Zero means no cap.
	MaxMsgs int64 `yaml:"max_msgs"`
}

// Embedded configures the in-process NATS server.
type Embedded struct {
	// Enabled starts the server. Default false (mediacdn dev turns it on).
	Enabled bool `yaml:"enabled"`
	// Listen is the client address, host:port. Default 127.0.0.1:4222; port
	// 0 picks a free port.
	Listen string `yaml:"listen"`
	// StoreDir holds JetStream's files. Empty means <data dir>/nats.
	StoreDir string `yaml:"store_dir"`
	// ReadyTimeout bounds how long start-up waits for the server to accept
	// connections. Zero means 10s.
	ReadyTimeout time.Duration `yaml:"ready_timeout"`
	// ServerName names the server to its cluster; required, and unique in
	// the cluster, when Cluster.Name is set. Empty means
	// "mediacdn-embedded" (a lone server).
	ServerName string `yaml:"server_name"`
	// Cluster makes the server one of a NATS cluster of JetStream servers
	// (three of them keep purges flowing when one dies, with
	// stream.replicas 3). Default: a lone server.
	Cluster EmbeddedCluster `yaml:"cluster"`
}

// EmbeddedCluster joins the embedded server to other NATS servers with
// JetStream (embedded in other mediacdn processes, or ordinary
// nats-server processes with the same cluster name).
type EmbeddedCluster struct {
	// Name is the cluster's name, the same on every server of it. Empty
	// means no cluster: the other fields are ignored.
	Name string `yaml:"name"`
	// Listen is the address other servers connect to (host:port); it must
	// be reachable from them. Default 127.0.0.1:6222; port 0 picks a free
	// port.
	Listen string `yaml:"listen"`
	// Routes are the cluster addresses of the servers of the cluster,
	// nats-route://host:port, this one's included or not. JetStream counts
	// them to know the cluster's size, so list every server. Required
	// with Name.
	Routes []string `yaml:"routes"`
}

// Clustered reports whether the embedded server joins a cluster.
func (e *Embedded) Clustered() bool { return e.Cluster.Name != "" }

// TLS is a client TLS setting: a CA to trust and an optional client
// certificate.
type TLS struct {
	// CA is a PEM file of the CAs to trust. Empty means the system pool.
	CA string `yaml:"ca"`
	// Cert and Key are the client certificate and key, PEM. Default none.
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// Defaults of the settings above.
const (
	// DefaultListen is the embedded server's default client address.
	DefaultListen           = "127.0.0.1:4222"
	DefaultStreamName       = "MEDIACDN_PURGE"
	DefaultSubjectPrefix    = "mediacdn"
	DefaultMaxAge           = 31 * 24 * time.Hour
	DefaultReconnectWait    = 250 * time.Millisecond
	DefaultReconnectMaxWait = 2 * time.Second
	DefaultPublishTimeout   = 15 * time.Second
	// DefaultClusterListen is the embedded server's default cluster
	// address.
	DefaultClusterListen = "127.0.0.1:6222"
	// DefaultServerName names a lone embedded server.
	DefaultServerName        = "mediacdn-embedded"
	DefaultCaughtUpBound     = 2 * time.Second
	DefaultHeartbeatInterval = time.Second
	DefaultLiveWindow        = 5 * time.Second
)

// ApplyDefaults fills unset fields.
func (c *Config) ApplyDefaults() {
	if c.Embedded.Listen == "" {
		c.Embedded.Listen = DefaultListen
	}
	if c.Embedded.ReadyTimeout == 0 {
		c.Embedded.ReadyTimeout = 10 * time.Second
	}
	if c.Embedded.Clustered() && c.Embedded.Cluster.Listen == "" {
		c.Embedded.Cluster.Listen = DefaultClusterListen
	}
	c.Stream.applyDefaults()
	setDuration(&c.ReconnectWait, DefaultReconnectWait)
	setDuration(&c.ReconnectMaxWait, max(DefaultReconnectMaxWait, c.ReconnectWait))
	setDuration(&c.PublishTimeout, DefaultPublishTimeout)
	setDuration(&c.CaughtUpBound, DefaultCaughtUpBound)
	setDuration(&c.HeartbeatInterval, DefaultHeartbeatInterval)
	setDuration(&c.LiveWindow, DefaultLiveWindow)
}

func (s *Stream) applyDefaults() {
	if s.Name == "" {
		s.Name = DefaultStreamName
	}
	if s.SubjectPrefix == "" {
		s.SubjectPrefix = DefaultSubjectPrefix
	}
	if s.Replicas == 0 {
		s.Replicas = 1
	}
	setDuration(&s.MaxAge, DefaultMaxAge)
}

func setDuration(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

// ApplyEnv overrides secrets from MEDIACDN_NATS_USER, _PASSWORD and _TOKEN.
func (c *Config) ApplyEnv() {
	for env, dst := range map[string]*string{
		"NATS_USER": &c.User, "NATS_PASSWORD": &c.Password, "NATS_TOKEN": &c.Token,
	} {
		if v, ok := os.LookupEnv(config.EnvPrefix + env); ok {
			*dst = v
		}
	}
}

// Validate checks the settings; the error names the field.
func (c *Config) Validate() error {
	if len(c.URLs) == 0 && !c.Embedded.Enabled {
		return config.Errorf("urls", "required unless embedded.enabled is true")
	}
	if c.Token != "" && (c.User != "" || c.Credentials != "") {
		return config.Errorf("token", "use one of token, user/password and credentials")
	}
	if (c.TLS.Cert == "") != (c.TLS.Key == "") {
		return config.Errorf("tls", "cert and key go together")
	}
	if c.Embedded.Enabled {
		if err := c.Embedded.validate(); err != nil {
			return config.Prefix("embedded", err)
		}
	}
	if err := c.Stream.validate(); err != nil {
		return config.Prefix("stream", err)
	}
	return c.validateTimes()
}

func (c *Config) validateTimes() error {
	for _, d := range []struct {
		field string
		v     time.Duration
	}{
		{"reconnect_wait", c.ReconnectWait}, {"reconnect_max_wait", c.ReconnectMaxWait},
		{"publish_timeout", c.PublishTimeout}, {"caught_up_bound", c.CaughtUpBound},
		{"heartbeat_interval", c.HeartbeatInterval}, {"live_window", c.LiveWindow},
	} {
		if d.v < 0 {
			return config.Errorf(d.field, "must not be negative, got %v", d.v)
		}
	}
	if c.ReconnectMaxWait > 0 && c.ReconnectMaxWait < c.ReconnectWait {
		return config.Errorf("reconnect_max_wait", "must be at least reconnect_wait (%v), got %v", c.ReconnectWait, c.ReconnectMaxWait)
	}
	hb, live := c.HeartbeatInterval, c.LiveWindow
	setDuration(&hb, DefaultHeartbeatInterval)
	setDuration(&live, DefaultLiveWindow)
	if live <= hb {
		return config.Errorf("live_window", "must exceed heartbeat_interval (%v), got %v", hb, live)
	}
	return nil
}

func (e *Embedded) validate() error {
	if err := config.CheckHostPort(e.Listen); err != nil {
		return config.Errorf("listen", "%v", err)
	}
	if e.ServerName != "" && !validToken(e.ServerName, true) {
		return config.Errorf("server_name", "dot-separated letters, digits, '_' and '-', got %q", e.ServerName)
	}
	if !e.Clustered() {
		return nil
	}
	if e.ServerName == "" || e.ServerName == DefaultServerName {
		return config.Errorf("server_name", "required in a cluster, and unique in it (e.g. the machine's name)")
	}
	return config.Prefix("cluster", e.Cluster.validate(e.ServerName))
}

func (c *EmbeddedCluster) validate(serverName string) error {
	if !validToken(c.Name, false) {
		return config.Errorf("name", "letters, digits, '_' and '-' only, got %q", c.Name)
	}
	if c.Name == serverName {
		return config.Errorf("name", "%q is also the server's name: name the cluster, and each server, apart", c.Name)
	}
	if c.Listen != "" {
		if err := config.CheckHostPort(c.Listen); err != nil {
			return config.Errorf("listen", "%v", err)
		}
	}
	if len(c.Routes) == 0 {
		return config.Errorf("routes", "required in a cluster: the nats-route://host:port of every server")
	}
	seen := map[string]bool{}
	for _, r := range c.Routes {
		u, err := url.Parse(r)
		if err != nil || u.Scheme != "nats-route" || u.Hostname() == "" || u.Port() == "" || (u.Path != "" && u.Path != "/") {
			return config.Errorf("routes", "%q is not nats-route://host:port", r)
		}
		if err := config.CheckHostPort(u.Host); err != nil || u.Port() == "0" {
			return config.Errorf("routes", "%q has no valid port", r)
		}
		if seen[u.Host] {
			return config.Errorf("routes", "%s is listed twice", u.Host)
		}
		seen[u.Host] = true
	}
	return nil
}

func (s *Stream) validate() error {
	switch {
	case s.Name != "" && !validToken(s.Name, false):
		return config.Errorf("name", "letters, digits, '_' and '-' only, got %q", s.Name)
	case s.SubjectPrefix != "" && !validToken(s.SubjectPrefix, true):
		return config.Errorf("subject_prefix", "dot-separated letters, digits, '_' and '-', got %q", s.SubjectPrefix)
	case s.Replicas < 0 || s.Replicas > 5:
		return config.Errorf("replicas", "must be 1 to 5, got %d", s.Replicas)
	case s.MaxAge < 0:
		return config.Errorf("max_age", "must not be negative, got %v", s.MaxAge)
	case s.MaxAge > 0 && s.MaxAge < time.Minute:
		return config.Errorf("max_age", "at least 1m (and at least the longest cache TTL), got %v", s.MaxAge)
	case s.MaxMsgs < 0:
		return config.Errorf("max_msgs", "must not be negative, got %d", s.MaxMsgs)
	}
	return nil
}

// CheckRetention checks that the stream keeps rules at least as long as
// an edge keeps a cached response (longestTTL), so that an edge coming back
// from an outage replays what it missed instead of flushing its clouds.
func (c *Config) CheckRetention(longestTTL time.Duration) error {
	age := c.Stream.MaxAge
	if age == 0 {
		age = DefaultMaxAge
	}
	if age < longestTTL {
		return config.Errorf("stream.max_age", "%v is shorter than the longest cache TTL %v", age, longestTTL)
	}
	return nil
}

// validToken reports whether s is a NATS name: letters, digits, '_' and
// '-', and with dots when dotted (never empty tokens).
func validToken(s string, dotted bool) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	prev := byte('.')
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
		if c == '.' && dotted && prev != '.' {
			ok = true
		}
		if !ok {
			return false
		}
		prev = c
	}
	return prev != '.'
}
