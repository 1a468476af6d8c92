package delivery

import (
	"fmt"
	"net/http"
)

// Error is a malformed delivery URL. Status is the HTTP status to answer
// with (400, or 414 for an over-long URL); Message is public, worded as
// Cloudinary words it, and safe to send in X-Cld-Error.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// invalidParam is Cloudinary's wording for a bad transformation value:
// "Invalid width in transformation: abc".
func invalidParam(name, value string) *Error {
	return badRequest("Invalid %s in transformation: %s", name, Echo(value, EchoLimit))
}

func invalidComponent(token string) *Error {
	return badRequest("Invalid transformation component - %s", Echo(token, EchoLimit))
}
