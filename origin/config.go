package origin

import (
	"github.com/mediacdn/mediacdn/config"
)

// Config is the origin's section of the YAML file.
type Config struct {
	// Listen is the address of the Upload API, the Admin API (under
	// /v1_1/) and delivery for edges, host:port. Default 127.0.0.1:8081.
	Listen string `yaml:"listen"`
	// DataDir holds blobs, the metadata database and, in dev, JetStream.
	// Default ./data.
	DataDir string `yaml:"data_dir"`
	// DeliveryURL is the base of the url field in API responses: where
	// browsers fetch assets (an edge), such as http://127.0.0.1:8080.
	// Default http://127.0.0.1:8080.
	DeliveryURL string `yaml:"delivery_url"`
	// SecureDeliveryURL is the base of secure_url. Empty means DeliveryURL.
	SecureDeliveryURL string `yaml:"secure_delivery_url"`
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
}

// Validate checks the settings; the error names the field.
func (c *Config) Validate() error {
	if err := config.CheckHostPort(c.Listen); err != nil {
		return config.Errorf("listen", "%v", err)
	}
	if c.DataDir == "" {
		return config.Errorf("data_dir", "required")
	}
	if err := config.CheckURL(c.DeliveryURL, "http", "https"); err != nil {
		return config.Errorf("delivery_url", "%v", err)
	}
	if err := config.CheckURL(c.SecureDeliveryURL, "http", "https"); err != nil {
		return config.Errorf("secure_delivery_url", "%v", err)
	}
	return nil
}
