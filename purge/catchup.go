package purge

import (
	"sync"
	"sync/atomic"
	"time"
)

// catchup decides whether an edge is caught up: whether, within the bound,
// it confirmed having applied every rule the stream had stored. A check
// asks the stream for its last sequence L at time T; once the edge has
// applied L, it is caught up as of T (every rule stored before T is at or
// below L). CaughtUp holds while now - T <= bound.
type catchup struct {
	bound time.Duration
	epoch time.Time // monotonic origin of the nanosecond stamps

	// confirmed is T of the newest confirmation, in nanoseconds since
	// epoch; 0 means never.
	confirmed atomic.Int64

	mu sync.Mutex
	// pendingSeq/pendingAt, guarded by mu: the newest check not yet
	// confirmed (pendingAt 0: none).
	pendingSeq uint64
	pendingAt  int64
	// streamLast, guarded by mu: L of the newest check.
	streamLast uint64
	// lastErr, guarded by mu: why the newest check failed, "" when it
	// succeeded.
	lastErr string
	// progress, guarded by mu: when a rule was last applied.
	progress int64
}

func newCatchup(bound time.Duration) *catchup {
	return &catchup{bound: bound, epoch: time.Now()}
}

// now is the time since epoch, monotonic and never 0.
func (c *catchup) now() int64 { return int64(time.Since(c.epoch)) + 1 }

// observed records a check started at `at` that found the stream's last
// sequence last, with applied already applied.
func (c *catchup) observed(at int64, last, applied uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastErr = ""
	c.streamLast = max(c.streamLast, last)
	if applied >= last {
		c.confirm(at)
		if c.pendingSeq <= applied {
			c.pendingAt, c.pendingSeq = 0, 0
		}
		return
	}
	// Keep the oldest unconfirmed check's time: a later check must not
	// make a consumer that never delivers look fresh (stalled measures from
	// it), and confirming as of an older time is only more conservative.
	if c.pendingAt == 0 {
		c.pendingAt = at
	}
	c.pendingSeq = max(c.pendingSeq, last)
}

// failed records a failed check.
func (c *catchup) failed(err error) {
	c.mu.Lock()
	c.lastErr = err.Error()
	c.mu.Unlock()
}

// applied notes that every rule up to seq is applied.
func (c *catchup) applied(seq uint64) {
	c.mu.Lock()
	c.progress = c.now()
	if c.pendingAt != 0 && seq >= c.pendingSeq {
		c.confirm(c.pendingAt)
		c.pendingAt = 0
	}
	c.mu.Unlock()
}

// started notes that a consumer has just started: it has until the stall
// bound to deliver before it counts as stalled.
func (c *catchup) started() {
	c.mu.Lock()
	c.progress = c.now()
	c.mu.Unlock()
}

// reset forgets pending checks (the stream was replaced). c.mu must not be
// held.
func (c *catchup) reset() {
	c.mu.Lock()
	c.pendingAt, c.pendingSeq, c.streamLast = 0, 0, 0
	c.mu.Unlock()
}

// confirm records a confirmation as of at. c.mu must be held.
func (c *catchup) confirm(at int64) {
	if at > c.confirmed.Load() {
		c.confirmed.Store(at)
	}
}

// caughtUp reports whether the newest confirmation is within the bound.
func (c *catchup) caughtUp() bool {
	t := c.confirmed.Load()
	return t != 0 && time.Duration(c.now()-t) <= c.bound
}

// stalled reports whether a check has stayed unconfirmed for longer than d
// with no rule applied for d/2 (rules stored but not arriving).
func (c *catchup) stalled(d time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	return c.pendingAt != 0 && time.Duration(now-c.pendingAt) > d && time.Duration(now-c.progress) > d/2
}

// state fills the catch-up part of a State.
func (c *catchup) state(st *State) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st.StreamLast = c.streamLast
	st.CaughtUp = c.caughtUp()
	t := c.confirmed.Load()
	if t != 0 {
		st.Confirmed = c.epoch.Add(time.Duration(t - 1))
	}
	switch {
	case st.CaughtUp:
	case t == 0 && c.lastErr != "":
		st.Reason = "never confirmed caught up: " + c.lastErr
	case t == 0:
		st.Reason = "never confirmed caught up"
	case c.lastErr != "":
		st.Reason = "not confirmed for " + time.Since(st.Confirmed).Round(time.Millisecond).String() + ": " + c.lastErr
	default:
		st.Reason = "not confirmed for " + time.Since(st.Confirmed).Round(time.Millisecond).String() + ": rules pending"
	}
}
