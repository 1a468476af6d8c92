package delivery

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Error is the one public failure of the whole service: an HTTP status, a
// public message worded as Cloudinary words it, an optional Retry-After,
// and a hidden cause for the logs (Unwrap) that never reaches a client.
// The edge, the origin's delivery and imaging answer it in X-Cld-Error;
// the origin's Upload and Admin APIs as {"error":{"message":"..."}}. A
// message that quotes request text quotes it through Echo.
type Error struct {
	Status     int
	Message    string
	RetryAfter time.Duration // 0: no Retry-After
	cause      error
}

func (e *Error) Error() string { return e.Message }

// Unwrap gives the internal cause, for logs only.
func (e *Error) Unwrap() error { return e.cause }

// Errorf makes an Error with this status and a formatted message.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// Because sets e's hidden cause and returns e.
func (e *Error) Because(cause error) *Error {
	e.cause = cause
	return e
}

// Internal hides an unexpected failure behind a generic message.
func Internal(cause error) *Error {
	return &Error{Status: http.StatusInternalServerError, Message: "Internal error", cause: cause}
}

// AsError gives err as an *Error: itself (or the first in its chain), or
// Internal(err) for any other error.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// RetryAfterHeader is the Retry-After value of a wait: whole seconds,
// rounded up and at least 1, so a client never comes back early. This is
// the one rounding rule of every Retry-After the service sends.
func RetryAfterHeader(d time.Duration) string {
	s := (d + time.Second - 1) / time.Second
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(int64(s), 10)
}

func badRequest(format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, format, args...)
}

// invalidParam is Cloudinary's wording for a bad transformation value:
// "Invalid width in transformation: abc".
func invalidParam(name, value string) *Error {
	return badRequest("Invalid %s in transformation: %s", name, Echo(value, EchoLimit))
}

func invalidComponent(token string) *Error {
	return badRequest("Invalid transformation component - %s", Echo(token, EchoLimit))
}
