package origin

import (
	"time"

	"github.com/mediacdn/mediacdn/config"
)

// Jobs configures background jobs (eager_async's eager images): each is
// written to the metadata store with the call that asks for it, and done
// by the job worker of one origin (docs/webhooks.md, "Eager
// notifications"). Its transforms go through the transform pool as
// delivery's do, under the pool's limits.
type Jobs struct {
	// Disabled makes this origin do no jobs: origins sharing its metadata
	// store do them (the jobs of a lone origin wait until it runs without
	// it). Default false.
	Disabled bool `yaml:"disabled"`
	// Concurrency is how many jobs one origin does at once. Default 2.
	Concurrency int `yaml:"concurrency"`
	// Timeout bounds one attempt of a job; a job that takes longer fails
	// the attempt. Default 5m.
	Timeout time.Duration `yaml:"timeout"`
	// MaxAttempts bounds the attempts of a job: after the last one fails,
	// the job is failed for good and its notification says so. Default 3.
	MaxAttempts int `yaml:"max_attempts"`
	// RetryAfter is the wait before a failed attempt is tried again.
	// Default 10s.
	RetryAfter time.Duration `yaml:"retry_after"`
	// MaxQueuedPerCloud bounds the jobs of one cloud waiting to be done:
	// past it a call that would add one answers 420. Default 1000.
	MaxQueuedPerCloud int `yaml:"max_queued_per_cloud"`
	// PollInterval is how often an origin looks for jobs due (it also
	// looks at once after a call it served adds one). Default 1s.
	PollInterval time.Duration `yaml:"poll_interval"`
	// KeepFor is how long done and failed jobs stay in the store, to be
	// looked up. Default 168h (7 days).
	KeepFor time.Duration `yaml:"keep_for"`
}

// ApplyDefaults fills unset fields.
func (j *Jobs) ApplyDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&j.Timeout, 5*time.Minute)
	def(&j.RetryAfter, 10*time.Second)
	def(&j.PollInterval, time.Second)
	def(&j.KeepFor, 7*24*time.Hour)
	if j.Concurrency == 0 {
		j.Concurrency = 2
	}
	if j.MaxAttempts == 0 {
		j.MaxAttempts = 3
	}
	if j.MaxQueuedPerCloud == 0 {
		j.MaxQueuedPerCloud = 1000
	}
}

// Validate checks the settings; the error names the field.
func (j *Jobs) Validate() error {
	for name, d := range map[string]time.Duration{"timeout": j.Timeout, "retry_after": j.RetryAfter,
		"poll_interval": j.PollInterval, "keep_for": j.KeepFor} {
		if d <= 0 {
			return config.Errorf(name, "must be positive")
		}
	}
	switch {
	case j.Concurrency < 1:
		return config.Errorf("concurrency", "must be at least 1")
	case j.MaxAttempts < 1:
		return config.Errorf("max_attempts", "must be at least 1")
	case j.MaxQueuedPerCloud < 1:
		return config.Errorf("max_queued_per_cloud", "must be at least 1")
	}
	return nil
}
