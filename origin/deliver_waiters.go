package origin

import (
	"context"
	"strconv"
	"sync"
)

// waiters counts the requests waiting for each derived image being made,
// so that a transform outlives any one client that leaves (the others
// still want it) but not all of them: when the last one leaves, the
// flight's context is canceled, which stops libvips where it is (package
// imaging kills the evaluation when a transform's context ends). The zero
// value is ready to use.
//
// A flight canceled that way may still be finishing when a new request for
// the same image comes: that request starts a flight of its own, under a
// key with a new generation, rather than joining one that is ending.
type waiters struct {
	mu    sync.Mutex
	m     map[string]*waited
	count uint64 // generations handed out
}

// waited is one flight and the requests waiting for it.
type waited struct {
	key    string // the singleflight key: the flight's, and its generation
	ctx    context.Context
	cancel context.CancelFunc
	n      int
}

// join registers a request (ctx) waiting for flight. It returns the key to
// run the flight under and the flight's context, which keeps ctx's values
// but ends only when every request that joined has left. leave must be
// called once, when the request stops waiting.
func (w *waiters) join(ctx context.Context, flight string) (key string, fctx context.Context, leave func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f, ok := w.m[flight]
	if !ok {
		if w.m == nil {
			w.m = make(map[string]*waited)
		}
		w.count++
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &waited{key: flight + "\x00" + strconv.FormatUint(w.count, 10), ctx: fctx, cancel: cancel}
		w.m[flight] = f
	}
	f.n++
	var once sync.Once
	return f.key, f.ctx, func() { once.Do(func() { w.leave(flight, f) }) }
}

// leave ends f's context when its last request leaves.
func (w *waiters) leave(flight string, f *waited) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if f.n--; f.n > 0 {
		return
	}
	f.cancel()
	if w.m[flight] == f {
		delete(w.m, flight)
	}
}
