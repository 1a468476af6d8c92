//go:build cgo

package imaging

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Processor does image work within its Config's bounds. Create one per
// process with New; it is safe for concurrent use. Its pool of slots starts
// with the first Transform or Text (Probe needs none); Close stops it.
type Processor struct {
	cfg  Config
	log  *slog.Logger
	avif bool // the AVIF encoder works here

	directJPEG atomic.Int64 // JPEGs decoded by jpeg.c rather than libvips' loader

	start sync.Once
	pool  atomic.Pointer[pool] // set once, by workers()
	quit  chan struct{}
	done  sync.WaitGroup
}

// New validates cfg (after defaults) and prepares libvips.
func New(cfg Config, log *slog.Logger) (*Processor, error) {
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := initVips(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Processor{cfg: cfg, log: log, quit: make(chan struct{})}
	p.avif = vipsAVIF
	if !p.avif {
		log.Warn("imaging: AVIF encoder unavailable; f_avif answers 400 and f_auto falls back to WebP")
	}
	return p, nil
}

// Config returns the processor's settings, defaults applied.
func (p *Processor) Config() Config { return p.cfg }

// workers starts the pool and the memory release loop once.
func (p *Processor) workers() *pool {
	p.start.Do(func() {
		p.pool.Store(newPool(p.cfg.Workers, p.cfg.Queue))
		if p.cfg.ReleaseInterval > 0 {
			p.done.Add(1)
			go p.releaseLoop(p.cfg.ReleaseInterval)
		}
	})
	return p.pool.Load()
}

// startedPool is the pool if it has started, else nil.
func (p *Processor) startedPool() *pool { return p.pool.Load() }

// Close stops the pool once its running transforms end; queued ones
// answer 503. Later calls answer 503 too. Close is idempotent.
func (p *Processor) Close() {
	p.start.Do(func() {}) // a pool started after Close would never stop
	select {
	case <-p.quit:
		return
	default:
		close(p.quit)
	}
	if pool := p.pool.Load(); pool != nil {
		pool.close()
	}
	p.done.Wait()
}

// run queues work with the processor's deadline: cfg.Timeout from now, or
// ctx's own if earlier.
func (p *Processor) run(ctx context.Context, work func(context.Context) (Result, error), cleanup func()) (Result, error) {
	pool := p.workers()
	if pool == nil {
		if cleanup != nil {
			cleanup()
		}
		return Result{}, closed()
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	return pool.do(ctx, work, cleanup)
}

// deadlineOf is ctx's deadline (always set by run).
func deadlineOf(ctx context.Context) time.Time {
	d, ok := ctx.Deadline()
	if !ok {
		return time.Now().Add(time.Hour)
	}
	return d
}
