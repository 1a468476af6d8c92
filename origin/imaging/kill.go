//go:build cgo

package imaging

import (
	"context"
	"time"
)

// killInterval is how often the images of a pipeline whose context ended
// are killed again until it returns: libvips clears an image's kill flag
// when it sees it (vips_image_iskilled), and the pipeline may look at that
// image again, or at one it has not looked at yet, later.
const killInterval = 5 * time.Millisecond

// watch stops a's evaluation once ctx ends, whatever ended it: the
// deadline, the caller gone or Close (see Processor.run). libvips checks
// an image's kill flag each time a region of it is computed, in every
// operation of the pipeline, so evaluation stops at the next region asked
// of any stage: a stage's own region in progress runs to its end, but no
// further one starts. The direct JPEG decoder looks at its header image's
// flag every few rows (jpeg.c). The returned func stops watching; call it
// before a is released.
func watch(ctx context.Context, a *arena) (stop func()) {
	if ctx.Err() != nil {
		a.kill() // before the pipeline computes anything
	}
	done := make(chan struct{})
	unregister := context.AfterFunc(ctx, func() {
		t := time.NewTicker(killInterval)
		defer t.Stop()
		for {
			a.kill()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() {
		unregister()
		close(done)
	}
}
