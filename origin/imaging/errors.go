package imaging

import (
	"fmt"
	"net/http"
	"time"
)

// Error is a failure with an HTTP status and a public message in
// Cloudinary's wording; it never carries libvips' own text. RetryAfter is
// set on 503s.
type Error struct {
	Status     int
	Message    string
	RetryAfter time.Duration
	cause      error
}

func (e *Error) Error() string { return e.Message }

// Unwrap gives the internal cause, for logs only.
func (e *Error) Unwrap() error { return e.cause }

func invalidImage(cause error) *Error {
	return &Error{Status: http.StatusBadRequest, Message: "Invalid image file", cause: cause}
}

func tooLarge(w, h int, limit int64) *Error {
	return &Error{Status: http.StatusBadRequest,
		Message: fmt.Sprintf("Image is too large - %dx%d is more than the limit of %d pixels", w, h, limit)}
}

// unsupported answers a parameter Cloudinary knows and this origin does not
// implement; token is the parameter as written ("l_logo", "e_art:zorro").
func unsupported(token string) *Error {
	return &Error{Status: http.StatusBadRequest, Message: "Unsupported transformation parameter: " + token}
}

// invalidValue uses Cloudinary's wording for a value out of range.
func invalidValue(name, value string) *Error {
	return &Error{Status: http.StatusBadRequest,
		Message: "Invalid " + name + " in transformation: " + value}
}

// tooExpensive refuses a plan whose estimated work is over the budget.
func tooExpensive(est, limit time.Duration) *Error {
	return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(
		"Transformation too expensive - estimated work of %v is more than the limit of %v",
		est.Round(time.Millisecond), limit)}
}

func outputTooLarge(w, h int, perSide int, pixels int64) *Error {
	if w > perSide || h > perSide {
		return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(
			"Requested image size %dx%d exceeds the limit of %d pixels per side", w, h, perSide)}
	}
	return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(
		"Requested image size %dx%d exceeds the limit of %d pixels", w, h, pixels)}
}

func fileTooLarge(size int, limit int64) *Error {
	return &Error{Status: http.StatusBadRequest,
		Message: fmt.Sprintf("File size too large. Got %d. Maximum is %d.", size, limit)}
}

// retryAfter is what a 503 asks clients to wait.
const retryAfter = time.Second

func busy() *Error {
	return &Error{Status: http.StatusServiceUnavailable, RetryAfter: retryAfter,
		Message: "Too many image transformations in progress, try again later"}
}

func closed() *Error {
	return &Error{Status: http.StatusServiceUnavailable, RetryAfter: retryAfter,
		Message: "Image processing is shutting down"}
}

func timedOut(cause error) *Error {
	return &Error{Status: http.StatusGatewayTimeout, Message: "Image transformation timed out", cause: cause}
}

func canceled(cause error) *Error {
	return &Error{Status: http.StatusServiceUnavailable, RetryAfter: retryAfter,
		Message: "Image transformation canceled", cause: cause}
}

func internalError(cause error) *Error {
	return &Error{Status: http.StatusInternalServerError, Message: "Internal error", cause: cause}
}
