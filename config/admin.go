package config

// DefaultAdminRateLimit is the Admin API calls a cloud may make per hour
// when its configuration does not say (Cloudinary's free plan).
const DefaultAdminRateLimit = 500

// DefaultPlan is the plan name the usage report gives by default.
const DefaultPlan = "Self-hosted"

// AdminAPI configures a cloud's Admin API: clouds.<name>.admin.
type AdminAPI struct {
	// RateLimit is how many Admin API calls the cloud may make per clock
	// hour (UTC); past it the API answers 420 until the next hour. Counted
	// per origin process. Zero means 500.
	RateLimit int `yaml:"rate_limit"`
	// Plan is the plan name the usage report shows. Empty means
	// "Self-hosted".
	Plan string `yaml:"plan"`
	// Limits are the usage report's limits. Zero means no limit (reported
	// as limit 0 and used_percent 0).
	Limits UsageLimits `yaml:"limits"`
}

// UsageLimits are the limits /usage reports against (informational: they
// are not enforced).
type UsageLimits struct {
	// Objects bounds assets plus derived resources (a count). Default none.
	Objects int64 `yaml:"objects"`
	// Storage bounds stored bytes: originals, derived resources and
	// backups. Default none.
	Storage Size `yaml:"storage"`
	// Bandwidth bounds the bytes edges serve. Default none.
	Bandwidth Size `yaml:"bandwidth"`
	// Transformations bounds the derived resources made. Default none.
	Transformations int64 `yaml:"transformations"`
}

// EffectiveRateLimit is RateLimit with the default applied.
func (a AdminAPI) EffectiveRateLimit() int {
	if a.RateLimit == 0 {
		return DefaultAdminRateLimit
	}
	return a.RateLimit
}

// EffectivePlan is Plan with the default applied.
func (a AdminAPI) EffectivePlan() string {
	if a.Plan == "" {
		return DefaultPlan
	}
	return a.Plan
}

// Validate checks the settings; the error names the field.
func (a AdminAPI) Validate() error {
	switch {
	case a.RateLimit < 0:
		return Errorf("rate_limit", "must not be negative (0 means %d per hour)", DefaultAdminRateLimit)
	case a.Limits.Objects < 0:
		return Errorf("limits.objects", "must not be negative (0 means no limit)")
	case a.Limits.Storage < 0:
		return Errorf("limits.storage", "must not be negative (0 means no limit)")
	case a.Limits.Bandwidth < 0:
		return Errorf("limits.bandwidth", "must not be negative (0 means no limit)")
	case a.Limits.Transformations < 0:
		return Errorf("limits.transformations", "must not be negative (0 means no limit)")
	}
	return nil
}
