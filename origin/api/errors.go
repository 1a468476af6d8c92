package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/mediacdn/mediacdn/delivery"
)

// The API's failures are *delivery.Error (the one public error type:
// status, public message in Cloudinary's wording, optional Retry-After,
// hidden cause), answered as {"error":{"message":"..."}}. Internal causes
// go to the log, never to the client.

// BadRequest is a 400 with a message in Cloudinary's wording.
func BadRequest(format string, args ...any) *delivery.Error {
	return delivery.Errorf(http.StatusBadRequest, format, args...)
}

// NotFound is Cloudinary's 404 for a missing asset.
func NotFound(publicID string) *delivery.Error {
	return delivery.Errorf(http.StatusNotFound, "Resource not found - %s", publicID)
}

// Clip makes request text safe to quote in an error message, and short
// (delivery.Echo).
func Clip(s string) string { return delivery.Echo(s, delivery.EchoLimit) }

// ErrorMessage is an error's {"message":"..."}: in ErrorBody, and in the
// notifications that tell of a failure.
type ErrorMessage struct {
	Message string `json:"message"`
}

// ErrorBody is the answer to a failure: {"error":{"message":"..."}}.
type ErrorBody struct {
	Error ErrorMessage `json:"error"`
}

// WriteError answers with the error JSON and logs internal causes. The
// message goes out through delivery.Echo: a piece of the request quoted
// without Clip is escaped too, and the whole is bounded.
func WriteError(w http.ResponseWriter, log *slog.Logger, r *http.Request, err error) {
	ae := delivery.AsError(err)
	if ae.Status >= 500 {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", ae.Status, "err", err)
	} else {
		log.Debug("request refused", "method", r.Method, "path", r.URL.Path, "status", ae.Status, "msg", ae.Message)
	}
	if ae.RetryAfter > 0 {
		w.Header().Set("Retry-After", delivery.RetryAfterHeader(ae.RetryAfter))
	}
	var body ErrorBody
	body.Error.Message = delivery.Echo(ae.Message, delivery.MessageLimit)
	WriteJSON(w, ae.Status, body)
}

// WriteJSON answers status with v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
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
