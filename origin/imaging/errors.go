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
