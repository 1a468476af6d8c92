//go:build cgo

package imaging

import "github.com/h2non/bimg"

// Stats reports the pool's load and libvips' memory.
func (p *Processor) Stats() Stats {
	m := bimg.VipsMemory()
	s := Stats{Workers: p.cfg.Workers, QueueCapacity: p.cfg.Queue,
		VipsMemory: m.Memory, VipsMemoryHighwater: m.MemoryHighwater, VipsAllocations: m.Allocations,
		DirectJPEGDecodes: p.directJPEG.Load(),
		LayerDecodes:      p.layerDecodes.Load(), LayerCacheHits: p.layerHits.Load()}
	s.LayerCacheBytes, s.LayerCacheEntries = p.layers.usage()
	if pool := p.startedPool(); pool != nil {
		s.Busy = int(pool.busy.Load())
		s.Queued = pool.queued()
	}
	return s
}
