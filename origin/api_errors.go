package origin

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

func badRequest(format string, args ...any) *delivery.Error {
	return delivery.Errorf(http.StatusBadRequest, format, args...)
}

func notFound(publicID string) *delivery.Error {
	return delivery.Errorf(http.StatusNotFound, "Resource not found - %s", publicID)
}

// clip makes request text safe to quote in an error message, and short
// (delivery.Echo).
func clip(s string) string { return delivery.Echo(s, delivery.EchoLimit) }

// internal hides an unexpected failure behind a generic message.
func internal(cause error) *delivery.Error { return delivery.Internal(cause) }

type errorBody struct {
	Error struct {
		Message string `json:"message"`
	} `json:"error"`
}

// writeError answers with the error JSON and logs internal causes. The
// message goes out through delivery.Echo: a piece of the request quoted
// without clip is escaped too, and the whole is bounded.
func writeError(w http.ResponseWriter, log *slog.Logger, r *http.Request, err error) {
	ae := delivery.AsError(err)
	if ae.Status >= 500 {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", ae.Status, "err", err)
	} else {
		log.Debug("request refused", "method", r.Method, "path", r.URL.Path, "status", ae.Status, "msg", ae.Message)
	}
	if ae.RetryAfter > 0 {
		w.Header().Set("Retry-After", delivery.RetryAfterHeader(ae.RetryAfter))
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
