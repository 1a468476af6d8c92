package purge

import (
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
	// ReconnectWait is the pause between reconnection attempts; a client
	// reconnects forever. Zero means 250ms.
	ReconnectWait time.Duration `yaml:"reconnect_wait"`

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
}

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
	DefaultListen            = "127.0.0.1:4222"
	DefaultStreamName        = "MEDIACDN_PURGE"
	DefaultSubjectPrefix     = "mediacdn"
	DefaultMaxAge            = 31 * 24 * time.Hour
	DefaultReconnectWait     = 250 * time.Millisecond
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
	c.Stream.applyDefaults()
	setDuration(&c.ReconnectWait, DefaultReconnectWait)
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
		if err := config.CheckHostPort(c.Embedded.Listen); err != nil {
			return config.Errorf("embedded.listen", "%v", err)
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
		{"reconnect_wait", c.ReconnectWait}, {"caught_up_bound", c.CaughtUpBound},
		{"heartbeat_interval", c.HeartbeatInterval}, {"live_window", c.LiveWindow},
	} {
		if d.v < 0 {
			return config.Errorf(d.field, "must not be negative, got %v", d.v)
		}
	}
	hb, live := c.HeartbeatInterval, c.LiveWindow
	setDuration(&hb, DefaultHeartbeatInterval)
	setDuration(&live, DefaultLiveWindow)
	if live <= hb {
		return config.Errorf("live_window", "must exceed heartbeat_interval (%v), got %v", hb, live)
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
