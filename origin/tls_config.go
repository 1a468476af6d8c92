package origin

import (
	"crypto/tls"
	"strings"

	"github.com/mediacdn/mediacdn/config"
)

// TLS serves the origin's API over HTTPS, on a listener of its own beside
// Listen: the same Upload API, Admin API and console, for clients that
// reach the origin directly (the official SDKs' upload_prefix). Listen
// stays plain HTTP for the edges' fills (edge.origins are http:// URLs),
// on an address only they reach.
type TLS struct {
	// Listen is the HTTPS listener's address, host:port. Empty (the
	// default) serves no HTTPS; set, CertFile and KeyFile are required.
	Listen string `yaml:"listen"`
	// CertFile is the PEM certificate chain the listener presents (the
	// server's certificate first, then its intermediates).
	CertFile string `yaml:"cert_file"`
	// KeyFile is the PEM private key of the certificate.
	KeyFile string `yaml:"key_file"`
}

// Enabled says whether HTTPS is served.
func (t TLS) Enabled() bool { return t.Listen != "" }

// ServerConfig loads the certificate and key: Go's crypto/tls with its
// defaults (TLS 1.2 and 1.3, its cipher suites), HTTP/2 and HTTP/1.1.
func (t TLS) ServerConfig() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return nil, config.Errorf("tls.cert_file", "cannot load the certificate %s with the key %s: %v", t.CertFile, t.KeyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// validate checks the fields and that the certificate and key load; listen
// and metricsListen are the origin's other addresses.
func (t TLS) validate(listen, metricsListen string) error {
	if !t.Enabled() {
		if t.CertFile != "" || t.KeyFile != "" {
			return config.Errorf("tls.listen", "required with tls.cert_file and tls.key_file: the HTTPS listener's address")
		}
		return nil
	}
	if err := config.CheckHostPort(t.Listen); err != nil {
		return config.Errorf("tls.listen", "%v", err)
	}
	if (t.Listen == listen || t.Listen == metricsListen) && !strings.HasSuffix(t.Listen, ":0") {
		return config.Errorf("tls.listen", "must differ from listen and metrics_listen (%s)", t.Listen)
	}
	if t.CertFile == "" {
		return config.Errorf("tls.cert_file", "required with tls.listen: a PEM certificate file")
	}
	if t.KeyFile == "" {
		return config.Errorf("tls.key_file", "required with tls.listen: a PEM private key file")
	}
	_, err := t.ServerConfig()
	return err
}
