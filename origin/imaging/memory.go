//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import "time"

// releaseLoop hands memory libvips has freed back to the operating system
// every interval (glibc keeps freed memory in its arenas; imgproxy does the
// same with malloc_trim). mc_configure has already capped glibc at two arenas
// unless MALLOC_ARENA_MAX is set; running under jemalloc (LD_PRELOAD)
// makes malloc_trim a no-op, which is fine.
func (p *Processor) releaseLoop(interval time.Duration) {
	defer p.done.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-p.quit:
			return
		case <-t.C:
			C.mc_malloc_trim()
		}
	}
}
