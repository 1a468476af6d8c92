//go:build cgo

package imaging

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// hostileChain is issue 15's blur chain after an upscale to 40 megapixels:
// a cost budget would refuse it (the tests here turn the budget off), and
// libvips left alone works on it for well over a minute.
var hostileChain = "w_8000/" + strings.TrimSuffix(strings.Repeat("e_blur:1998/", 10), "/")

// stopBound is how long after its context ends a transform may still hold
// its slot. Measured, it is tens of milliseconds (one tile of the stage in
// progress, see kill.go); the bound is generous for a shared 2-core machine
// under the race detector. Before the kill reached every stage, the slot
// stayed busy for minutes.
const stopBound = 5 * time.Second

// startHostile runs hostileChain on p with ctx in the background; the
// returned channel gives its error and the time it returned.
func startHostile(t *testing.T, ctx context.Context, p *Processor) <-chan stopped {
	t.Helper()
	src := testkit.Read(t, "Aqua.jpg")
	tr := mustParse(t, hostileChain)
	done := make(chan stopped, 1)
	go func() {
		_, err := p.Transform(ctx, src, Request{Transformation: tr, Format: delivery.JPG})
		done <- stopped{err, time.Now()}
	}()
	return done
}

type stopped struct {
	err error
	at  time.Time
}

// checkFreed checks that the slot is free again and the processor works.
func checkFreed(t *testing.T, p *Processor) {
	t.Helper()
	testkit.Eventually(t, testkit.Timeout, "the slot freed", func() bool { return p.Stats().Busy == 0 })
	if res := do(t, p, testkit.Read(t, "rocket.jpg"), "w_100", delivery.JPG); res.Width != 100 {
		t.Errorf("next transform: %dx%d", res.Width, res.Height)
	}
}

// Past the deadline, libvips' evaluation stops: 504, the slot is free
// within stopBound of the deadline, and the next transform works.
func TestDeadlineStopsLibvips(t *testing.T) {
	const timeout = 300 * time.Millisecond
	p := newProcessor(t, Config{Workers: 1, Timeout: timeout, MaxCost: -1})
	start := time.Now()
	r := <-startHostile(t, context.Background(), p)
	wantError(t, r.err, 504, "Image transformation timed out")
	late := r.at.Sub(start.Add(timeout))
	t.Logf("slot freed %v after the deadline", late.Round(time.Millisecond))
	if late > stopBound {
		t.Errorf("slot freed %v after the deadline, bound %v", late, stopBound)
	}
	checkFreed(t, p)
}

// A caller that goes away stops libvips too: 503, the slot free at once.
func TestCancelStopsLibvips(t *testing.T) {
	p := newProcessor(t, Config{Workers: 1, Timeout: time.Hour, MaxCost: -1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := startHostile(t, ctx, p)
	testkit.Eventually(t, testkit.Timeout, "the hostile transform running", func() bool { return p.Stats().Busy == 1 })
	canceled := time.Now()
	cancel()
	r := <-done
	wantError(t, r.err, 503, "Image transformation canceled")
	if late := r.at.Sub(canceled); late > stopBound {
		t.Errorf("slot freed %v after the cancel, bound %v", late, stopBound)
	}
	checkFreed(t, p)
}

// Close kills the transforms in flight (503), then returns.
func TestCloseStopsLibvips(t *testing.T) {
	p := newProcessor(t, Config{Workers: 2, Timeout: time.Hour, MaxCost: -1})
	a, b := startHostile(t, context.Background(), p), startHostile(t, context.Background(), p)
	testkit.Eventually(t, testkit.Timeout, "both hostile transforms running", func() bool { return p.Stats().Busy == 2 })
	start := time.Now()
	p.Close()
	if took := time.Since(start); took > stopBound {
		t.Errorf("Close took %v, bound %v", took, stopBound)
	}
	for _, done := range []<-chan stopped{a, b} {
		wantError(t, (<-done).err, 503, "Image processing is shutting down")
	}
	if s := p.Stats(); s.Busy != 0 {
		t.Errorf("busy after Close: %+v", s)
	}
}
