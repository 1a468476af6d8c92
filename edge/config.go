package edge

import (
	"github.com/mediacdn/mediacdn/config"
)

// Config is the edge's section of the YAML file.
type Config struct {
	// Listen is the delivery address, host:port. Default 127.0.0.1:8080.
	Listen string `yaml:"listen"`
	// Origins are the origin servers' base URLs, tried in order.
	// Default [http://127.0.0.1:8081].
	Origins []string `yaml:"origins"`
	// CacheSize is the memory budget for cached objects (bodies and
	// headers). Default 512MiB.
	CacheSize config.Size `yaml:"cache_size"`
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
}

// Validate checks the settings; the error names the field.
func (c *Config) Validate() error {
	if err := config.CheckHostPort(c.Listen); err != nil {
		return config.Errorf("listen", "%v", err)
	}
	if len(c.Origins) == 0 {
		return config.Errorf("origins", "at least one origin is required")
	}
	for i, o := range c.Origins {
		if err := config.CheckURL(o, "http"); err != nil {
			return config.Errorf("origins", "origin %d: %v", i, err)
		}
	}
	if c.CacheSize < config.MiB {
		return config.Errorf("cache_size", "at least 1MiB, got %v", c.CacheSize)
	}
	return nil
}
