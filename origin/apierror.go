package origin

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/imaging"
)

// APIError is an API failure: an HTTP status and a public message in
// Cloudinary's wording, answered as {"error":{"message":"..."}}. Internal
// causes go to the log, never to the client.
type APIError struct {
	Status     int
	Message    string
	RetryAfter time.Duration
	cause      error
}

func (e *APIError) Error() string { return e.Message }

// Unwrap gives the internal cause.
func (e *APIError) Unwrap() error { return e.cause }

func apiErr(status int, format string, args ...any) *APIError {
	return &APIError{Status: status, Message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *APIError {
	return apiErr(http.StatusBadRequest, format, args...)
}

func notFound(publicID string) *APIError {
	return apiErr(http.StatusNotFound, "Resource not found - %s", publicID)
}

// clip makes request text safe to quote in an error message, and short
// (delivery.Echo).
func clip(s string) string { return delivery.Echo(s, delivery.EchoLimit) }

// internal hides an unexpected failure behind a generic message.
func internal(cause error) *APIError {
	return &APIError{Status: http.StatusInternalServerError, Message: "Internal error", cause: cause}
}

// asAPIError maps any error to an APIError.
func asAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	var ie *imaging.Error
	if errors.As(err, &ie) {
		return &APIError{Status: ie.Status, Message: ie.Message, RetryAfter: ie.RetryAfter, cause: err}
	}
	var de *deliveryError // a transformation the API expands as delivery does (named.go)
	if errors.As(err, &de) {
		return &APIError{Status: de.status, Message: de.msg, RetryAfter: de.retry, cause: err}
	}
	return internal(err)
}

type errorBody struct {
	Error struct {
		Message string `json:"message"`
	} `json:"error"`
}

// writeError answers with the error JSON and logs internal causes. The
// message goes out through delivery.Echo: a piece of the request quoted
// without clip is escaped too, and the whole is bounded.
func writeError(w http.ResponseWriter, log *slog.Logger, r *http.Request, err error) {
	ae := asAPIError(err)
	if ae.Status >= 500 {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", ae.Status, "err", err)
	} else {
		log.Debug("request refused", "method", r.Method, "path", r.URL.Path, "status", ae.Status, "msg", ae.Message)
	}
	if ae.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(ae.RetryAfter.Round(time.Second)/time.Second)))
	}
	var body errorBody
	body.Error.Message = delivery.Echo(ae.Message, delivery.MessageLimit)
	writeJSON(w, ae.Status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"message":"Internal error"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
