package console

import (
	"time"

	"github.com/mediacdn/mediacdn/config"
)

// Config is the console's section of the origin's configuration
// (origin.console in the YAML file).
type Config struct {
	// Disabled turns the console off: /console/ then answers 404 like any
	// unknown path. Default false (the console is served under /console/
	// on the origin's API listener).
	Disabled bool `yaml:"disabled"`
	// SessionMaxAge is how long a sign-in lasts, from the sign-in (not
	// renewed by use). Default 12h.
	SessionMaxAge time.Duration `yaml:"session_max_age"`
	// MaxSessions bounds the sessions kept in memory; past it, the oldest
	// session is signed out. Default 1000.
	MaxSessions int `yaml:"max_sessions"`
	// SignInRateLimit is how many sign-in attempts one client address may
	// make for one cloud in a clock hour, counted by the origin's rate
	// limiter (the Admin API's, keyed apart). Default 20.
	SignInRateLimit int `yaml:"sign_in_rate_limit"`
	// SecureCookie marks the session cookie Secure even when the request
	// did not arrive over TLS: set it when a TLS proxy sits in front of
	// the origin. Requests over TLS always get a Secure cookie.
	SecureCookie bool `yaml:"secure_cookie"`
}

// ApplyDefaults fills unset fields with their defaults.
func (c *Config) ApplyDefaults() {
	if c.SessionMaxAge == 0 {
		c.SessionMaxAge = 12 * time.Hour
	}
	if c.MaxSessions == 0 {
		c.MaxSessions = 1000
	}
	if c.SignInRateLimit == 0 {
		c.SignInRateLimit = 20
	}
}

// Validate reports a field out of bounds.
func (c Config) Validate() error {
	switch {
	case c.SessionMaxAge < 0:
		return config.Errorf("session_max_age", "must not be negative")
	case c.MaxSessions < 0:
		return config.Errorf("max_sessions", "must not be negative")
	case c.SignInRateLimit < 0:
		return config.Errorf("sign_in_rate_limit", "must not be negative")
	}
	return nil
}
