package origin

import (
	"time"

	"github.com/mediacdn/mediacdn/config"
)

// Webhooks configures the sending of webhooks (notification_url): each is
// written to the metadata store's outbox with the change it tells of, and
// sent by a background worker of one origin (docs/webhooks.md). The
// addresses it may reach are those of fetch: internal ones are refused
// unless fetch.allow_networks names them.
type Webhooks struct {
	// Timeout bounds one POST, the answer's headers included. Default 10s.
	Timeout time.Duration `yaml:"timeout"`
	// RetryFor is how long a webhook that fails (no answer, or an answer
	// other than 2xx) is tried again, from the change; after it the
	// webhook is marked failed. Default 24h.
	RetryFor time.Duration `yaml:"retry_for"`
	// MinBackoff is the wait after the first failure; it doubles after
	// each further failure, up to MaxBackoff. Defaults 10s and 1h.
	MinBackoff time.Duration `yaml:"min_backoff"`
	MaxBackoff time.Duration `yaml:"max_backoff"`
	// Concurrency is how many webhooks one origin sends at once.
	// Default 4.
	Concurrency int `yaml:"concurrency"`
	// MaxPendingPerCloud bounds the webhooks of one cloud waiting to be
	// sent: past it a change still succeeds but its webhook is dropped
	// (and counted, mediacdn_webhooks_dropped_total). Default 10000.
	MaxPendingPerCloud int `yaml:"max_pending_per_cloud"`
	// MaxBodySize bounds one webhook's JSON body; a larger one is
	// dropped (and counted). Default 256KiB.
	MaxBodySize config.Size `yaml:"max_body_size"`
	// PollInterval is how often an origin looks for webhooks due (it also
	// looks at once after a change it served). Default 1s.
	PollInterval time.Duration `yaml:"poll_interval"`
	// KeepFor is how long delivered and failed webhooks stay in the
	// outbox, to be looked up. Default 168h (7 days).
	KeepFor time.Duration `yaml:"keep_for"`
}

// ApplyDefaults fills unset fields.
func (w *Webhooks) ApplyDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&w.Timeout, 10*time.Second)
	def(&w.RetryFor, 24*time.Hour)
	def(&w.MinBackoff, 10*time.Second)
	def(&w.MaxBackoff, time.Hour)
	def(&w.PollInterval, time.Second)
	def(&w.KeepFor, 7*24*time.Hour)
	if w.Concurrency == 0 {
		w.Concurrency = 4
	}
	if w.MaxPendingPerCloud == 0 {
		w.MaxPendingPerCloud = 10000
	}
	if w.MaxBodySize == 0 {
		w.MaxBodySize = 256 * config.KiB
	}
}

// Validate checks the settings; the error names the field.
func (w *Webhooks) Validate() error {
	for name, d := range map[string]time.Duration{"timeout": w.Timeout, "retry_for": w.RetryFor,
		"min_backoff": w.MinBackoff, "max_backoff": w.MaxBackoff, "poll_interval": w.PollInterval, "keep_for": w.KeepFor} {
		if d <= 0 {
			return config.Errorf(name, "must be positive")
		}
	}
	switch {
	case w.MaxBackoff < w.MinBackoff:
		return config.Errorf("max_backoff", "must not be less than min_backoff")
	case w.Concurrency < 1:
		return config.Errorf("concurrency", "must be at least 1")
	case w.MaxPendingPerCloud < 1:
		return config.Errorf("max_pending_per_cloud", "must be at least 1")
	case w.MaxBodySize < config.KiB:
		return config.Errorf("max_body_size", "at least 1KiB, got %v", w.MaxBodySize)
	}
	return nil
}
