//go:build cgo

package imaging

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
)

// Processor does image work within its Config's bounds. Create one per
// process with New; it is safe for concurrent use. Its pool of slots starts
// with the first Transform or Text (Probe needs none); Close stops it.
type Processor struct {
	cfg   Config
	log   *slog.Logger
	avif  bool   // the AVIF encoder works here
	more  savers // the HEIC and JPEG XL encoders that work here
	faces bool   // the face cascade loaded (faces.go)

	directJPEG atomic.Int64 // JPEGs decoded by jpeg.c rather than libvips' loader

	layers       *layerCache  // prepared image layers (layercache.go); nil when disabled
	layerDecodes atomic.Int64 // image layers decoded
	layerHits    atomic.Int64 // image layers taken from the cache

	start sync.Once
	pool  atomic.Pointer[pool] // set once, by workers()
	stop  sync.Once            // Close
	quit  chan struct{}
	done  sync.WaitGroup
	// life ends at Close, with errClosing: it ends the contexts of the
	// work in flight, which kills their evaluation (kill.go).
	life    context.Context
	closing context.CancelCauseFunc
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
	p.life, p.closing = context.WithCancelCause(context.Background())
	p.layers = newLayerCache(int64(cfg.LayerCache))
	p.avif = vipsAVIF
	p.faces = initFaces(cfg.FaceCascade, log)
	if !p.avif {
		log.Warn("imaging: AVIF encoder unavailable; f_avif answers 400 and f_auto falls back to WebP")
	}
	p.more = vipsSavers
	if !p.more.heic || !p.more.jxl {
		log.Warn("imaging: HEIC or JPEG XL encoder unavailable; f_heic or f_jxl answers 400",
			"heic", p.more.heic, "jxl", p.more.jxl)
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

// Close stops the pool: running transforms are killed and answer 503,
// queued ones answer 503, and Close returns once every one has left its
// slot. Later calls answer 503 too. Close is idempotent and safe to call
// from several goroutines: each call returns once the pool has stopped.
func (p *Processor) Close() {
	p.stop.Do(func() {
		p.start.Do(func() {}) // a pool started after Close would never stop
		close(p.quit)
		p.closing(errClosing)
		if pool := p.pool.Load(); pool != nil {
			pool.close()
		}
		p.done.Wait()
	})
}

// run queues work with the processor's deadline: cfg.Timeout from now, or
// ctx's own if earlier. The context work gets also ends when ctx is
// canceled and when the processor closes; its end stops libvips (kill.go).
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
	ctx, end := context.WithCancelCause(ctx)
	defer end(nil)
	defer context.AfterFunc(p.life, func() { end(errClosing) })()
	return pool.do(ctx, work, cleanup)
}
