package testkit

import (
	"errors"
	"testing"
	"time"
)

// Timeout is how long a test waits for a condition unless it has a reason
// to wait longer: long enough for a loaded machine under the race
// detector, never a measure of speed (no test asserts timing).
const Timeout = 15 * time.Second

// tick is how often a condition is checked again.
const tick = 2 * time.Millisecond

// CheckFor calls check at once and then every tick until it returns nil;
// if it still fails after timeout, the test fails with check's last error.
// Nothing sleeps for an outcome: the loop only waits for the next check.
func CheckFor(tb testing.TB, timeout time.Duration, check func() error) {
	tb.Helper()
	t := time.NewTicker(tick)
	defer t.Stop()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		err := check()
		if err == nil {
			return
		}
		select {
		case <-deadline.C:
			tb.Fatalf("after %v: %v", timeout, err)
		case <-t.C:
		}
	}
}

// Eventually is CheckFor for a condition without an error of its own:
// the test fails saying what it waited for.
func Eventually(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	CheckFor(tb, timeout, func() error {
		if cond() {
			return nil
		}
		return errors.New("still waiting for " + what)
	})
}
