package origin

import "sync"

// recordings tracks derived images being recorded in the background, so
// that a caller can wait for the ones already started (not for ones that
// start while it waits, which under load would never end).
//
// mu guards running and next; cond is signalled when one finishes.
type recordings struct {
	mu      sync.Mutex
	cond    *sync.Cond
	running map[uint64]struct{}
	next    uint64
}

func newRecordings() *recordings {
	r := &recordings{running: map[uint64]struct{}{}}
	r.cond = sync.NewCond(&r.mu)
	return r
}

// start registers a recording and returns its ticket.
func (r *recordings) start() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.next
	r.next++
	r.running[id] = struct{}{}
	return id
}

// done ends a recording.
func (r *recordings) done(id uint64) {
	r.mu.Lock()
	delete(r.running, id)
	r.mu.Unlock()
	r.cond.Broadcast()
}

// wait returns once every recording started before the call has ended.
func (r *recordings) wait() {
	r.mu.Lock()
	defer r.mu.Unlock()
	limit := r.next
	for r.anyBefore(limit) {
		r.cond.Wait()
	}
}

// anyBefore reports a running recording with a ticket below limit; mu held.
func (r *recordings) anyBefore(limit uint64) bool {
	for id := range r.running {
		if id < limit {
			return true
		}
	}
	return false
}

// inFlight is how many recordings are running.
func (r *recordings) inFlight() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.running)
}
