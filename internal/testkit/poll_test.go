package testkit

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// CheckFor returns as soon as check does, without failing.
func TestCheckForReturnsWhenCheckHolds(t *testing.T) {
	calls := 0
	fatal := run(func(tb testing.TB) {
		CheckFor(tb, Timeout, func() error {
			if calls++; calls < 3 {
				return fmt.Errorf("call %d", calls)
			}
			return nil
		})
	})
	if fatal != "" || calls != 3 {
		t.Fatalf("fatal %q after %d calls, want none after 3", fatal, calls)
	}
	calls = 0
	run(func(tb testing.TB) { CheckFor(tb, Timeout, func() error { calls++; return nil }) })
	if calls != 1 {
		t.Fatalf("a check that holds at once was called %d times", calls)
	}
}

// CheckFor fails with the last error check returned, and the timeout.
func TestCheckForFailsWithTheLastError(t *testing.T) {
	calls := 0
	fatal := run(func(tb testing.TB) {
		CheckFor(tb, 20*time.Millisecond, func() error {
			calls++
			return fmt.Errorf("call %d", calls)
		})
	})
	if want := fmt.Sprintf("after 20ms: call %d", calls); calls < 2 || fatal != want {
		t.Fatalf("fatal %q after %d calls, want %q", fatal, calls, want)
	}
}

// Eventually fails saying what it waited for, and returns once the
// condition holds.
func TestEventually(t *testing.T) {
	fatal := run(func(tb testing.TB) { Eventually(tb, 10*time.Millisecond, "the edge", func() bool { return false }) })
	if !strings.Contains(fatal, "waiting for the edge") {
		t.Fatalf("fatal %q does not name what was waited for", fatal)
	}
	calls := 0
	fatal = run(func(tb testing.TB) {
		Eventually(tb, Timeout, "a third call", func() bool { calls++; return calls == 3 })
	})
	if fatal != "" || calls != 3 {
		t.Fatalf("fatal %q after %d calls, want none after 3", fatal, calls)
	}
}
