package delivery

import (
	"errors"
	"io/fs"
	"net/http"
	"testing"
	"time"
)

// One rounding rule for Retry-After: up, to whole seconds, at least 1.
func TestRetryAfterHeader(t *testing.T) {
	for _, c := range []struct {
		wait time.Duration
		want string
	}{
		{time.Nanosecond, "1"},
		{400 * time.Millisecond, "1"},
		{time.Second, "1"},
		{1400 * time.Millisecond, "2"},
		{1500 * time.Millisecond, "2"},
		{59*time.Second + time.Millisecond, "60"},
		{time.Minute, "60"},
	} {
		if got := RetryAfterHeader(c.wait); got != c.want {
			t.Errorf("RetryAfterHeader(%v) = %q, want %q", c.wait, got, c.want)
		}
	}
}

// The cause is hidden from the message and found by errors.Is; AsError
// keeps an Error and hides anything else behind "Internal error".
func TestErrorCause(t *testing.T) {
	e := Errorf(http.StatusBadRequest, "Invalid image file").Because(fs.ErrNotExist)
	if e.Error() != "Invalid image file" || !errors.Is(e, fs.ErrNotExist) {
		t.Fatalf("Error() %q, Is(ErrNotExist) %v", e.Error(), errors.Is(e, fs.ErrNotExist))
	}
	if got := AsError(wrapped{e}); got != e {
		t.Fatalf("AsError of a wrapped Error = %v, want the Error itself", got)
	}
	got := AsError(fs.ErrNotExist)
	if got.Status != http.StatusInternalServerError || got.Message != "Internal error" || !errors.Is(got, fs.ErrNotExist) {
		t.Fatalf("AsError of a plain error = %d %q (cause kept: %v)", got.Status, got.Message, errors.Is(got, fs.ErrNotExist))
	}
}

type wrapped struct{ err error }

func (w wrapped) Error() string { return "wrapped: " + w.err.Error() }
func (w wrapped) Unwrap() error { return w.err }
