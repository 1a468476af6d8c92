package imaging

import "github.com/h2non/bimg"

// Stats is a snapshot for metrics (Prometheus gauges).
type Stats struct {
	Workers       int // transforms that can run at once
	Busy          int // transforms running
	Queued        int // transforms waiting for a worker
	QueueCapacity int // past it, Transform answers 503
	// libvips' tracked memory (pixel buffers; not malloc'd decoder state).
	VipsMemory          int64
	VipsMemoryHighwater int64
	VipsAllocations     int64
}

// Stats reports the pool's load and libvips' memory.
func (p *Processor) Stats() Stats {
	m := bimg.VipsMemory()
	s := Stats{Workers: p.cfg.Workers, QueueCapacity: p.cfg.Queue,
		VipsMemory: m.Memory, VipsMemoryHighwater: m.MemoryHighwater, VipsAllocations: m.Allocations}
	if pool := p.startedPool(); pool != nil {
		s.Busy = int(pool.busy.Load())
		s.Queued = pool.queued()
	}
	return s
}
