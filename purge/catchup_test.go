package purge

import (
	"testing"
	"time"
)

// A consumer that never delivers looks stalled however often the stream
// is checked: later checks do not refresh the oldest unconfirmed one.
func TestCatchupStallsDespiteRepeatedChecks(t *testing.T) {
	c := newCatchup(time.Second)
	t0 := c.now()
	c.observed(t0, 2, 1)
	c.observed(t0+int64(900*time.Millisecond), 2, 1)
	c.observed(t0+int64(1900*time.Millisecond), 2, 1)
	if c.pendingAt != t0 {
		t.Fatalf("pendingAt moved to %d, want the first check %d", c.pendingAt, t0)
	}
	c.progress = t0 - int64(time.Hour)
	c.pendingAt -= int64(3 * time.Second) // as if the first check was 3s ago
	if !c.stalled(2 * time.Second) {
		t.Fatal("not stalled after repeated unconfirmed checks")
	}
	// Catching up (here by a flush) clears the pending check.
	c.observed(c.now(), 2, 2)
	if c.pendingAt != 0 || c.stalled(2*time.Second) || !c.caughtUp() {
		t.Fatalf("still pending after catching up: %+v", c.pendingAt)
	}
}
