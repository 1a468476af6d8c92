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

// DefaultListen is the embedded server's default client address.
const DefaultListen = "127.0.0.1:4222"

// ApplyDefaults fills unset fields.
func (c *Config) ApplyDefaults() {
	if c.Embedded.Listen == "" {
		c.Embedded.Listen = DefaultListen
	}
	if c.Embedded.ReadyTimeout == 0 {
		c.Embedded.ReadyTimeout = 10 * time.Second
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
	return nil
}
