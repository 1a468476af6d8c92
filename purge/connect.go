package purge

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// Connect connects to NATS as cfg says: cfg.URLs (or, when they are empty
// and the embedded server is enabled, nats://<embedded.listen>; set URLs to
// the embedded server's ClientURL when it listens on port 0), with the
// credentials file, user/password or token, and TLS of cfg. Every URL is
// given to the client, which also learns the other servers of a cluster
// from the one it reaches, and moves to another server when one dies. The
// connection reconnects forever: it tries every known server, then waits
// (backoff: cfg.ReconnectWait doubling up to cfg.ReconnectMaxWait, with
// jitter) before trying them all again. What is published meanwhile is
// buffered (reconnectBufSize) and sent on reconnection. name identifies
// the client to the server (e.g. "mediacdn-edge-<id>").
func Connect(cfg Config, name string) (*nats.Conn, error) {
	cfg.ApplyDefaults()
	url, err := cfg.serverURL()
	if err != nil {
		return nil, err
	}
	log := slog.Default().With("component", "nats", "client", name)
	opts := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		// An edge starts (and serves, revalidating) while NATS is down.
		nats.RetryOnFailedConnect(true),
		nats.CustomReconnectDelay(func(attempts int) time.Duration {
			return backoff(cfg.ReconnectWait, cfg.ReconnectMaxWait, attempts)
		}),
		nats.ReconnectBufSize(reconnectBufSize),
		nats.PingInterval(5 * time.Second),
		nats.MaxPingsOutstanding(2),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("NATS disconnected", "err", err)
			}
		}),
		nats.ErrorHandler(func(nc *nats.Conn, _ *nats.Subscription, err error) {
			// A connection that breaks reports its failed writes before
			// its disconnection (DisconnectErrHandler).
			var netErr *net.OpError
			if errors.As(err, &netErr) || !nc.IsConnected() {
				log.Debug("NATS connection error", "err", err)
			} else {
				log.Warn("NATS error", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("NATS reconnected", "url", nc.ConnectedUrlRedacted())
		}),
	}
	opts = append(opts, cfg.authOptions()...)
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("nats: connect to %s: %w", redact(url), err)
	}
	return nc, nil
}

// reconnectBufSize bounds what a client buffers while it reconnects
// (heartbeats, and purges that are then retried); past it a publish fails
// at once, and Publisher.Publish retries it.
const reconnectBufSize = 8 << 20

// backoff is the pause before attempt (1, 2, …): first doubling from
// first up to limit, then drawn uniformly from its upper half (jitter, so
// that many clients do not retry in step).
func backoff(first, limit time.Duration, attempt int) time.Duration {
	d := first
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// serverURL is the comma-separated server list Connect dials.
func (c *Config) serverURL() (string, error) {
	if len(c.URLs) > 0 {
		return strings.Join(c.URLs, ","), nil
	}
	if !c.Embedded.Enabled {
		return "", errors.New("nats: no urls and no embedded server")
	}
	_, port, err := net.SplitHostPort(c.Embedded.Listen)
	if err != nil || port == "0" {
		return "", errors.New("nats: embedded server on a random port: set urls to its ClientURL")
	}
	return "nats://" + c.Embedded.Listen, nil
}

// authOptions are the credential and TLS options of c.
func (c *Config) authOptions() []nats.Option {
	var opts []nats.Option
	switch {
	case c.Credentials != "":
		opts = append(opts, nats.UserCredentials(c.Credentials))
	case c.Token != "":
		opts = append(opts, nats.Token(c.Token))
	}
	if c.User != "" {
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	}
	if c.TLS.CA != "" {
		opts = append(opts, nats.RootCAs(c.TLS.CA))
	}
	if c.TLS.Cert != "" {
		opts = append(opts, nats.ClientCert(c.TLS.Cert, c.TLS.Key))
	}
	return opts
}

// redact hides passwords and tokens in server URLs.
func redact(urls string) string {
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		if at := strings.LastIndexByte(p, '@'); at >= 0 {
			if s := strings.Index(p, "://"); s >= 0 && s < at {
				parts[i] = p[:s+3] + "redacted" + p[at:]
			}
		}
	}
	return strings.Join(parts, ",")
}
