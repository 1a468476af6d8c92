package imaging

import (
	"log/slog"
	"sync"

	"github.com/h2non/bimg"
)

// Processor does image work within its Config's bounds. Create one per
// process with New; it is safe for concurrent use.
type Processor struct {
	cfg Config
	log *slog.Logger
}

// vipsSetup configures libvips once per process: no operation cache (every
// origin request works on different bytes, and the cache only costs memory).
var vipsSetup sync.Once

// New validates cfg (after defaults) and prepares libvips.
func New(cfg Config, log *slog.Logger) (*Processor, error) {
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	vipsSetup.Do(func() {
		bimg.VipsCacheSetMax(0)
		bimg.VipsCacheSetMaxMem(0)
	})
	return &Processor{cfg: cfg, log: log}, nil
}

// Config returns the processor's settings, defaults applied.
func (p *Processor) Config() Config { return p.cfg }
