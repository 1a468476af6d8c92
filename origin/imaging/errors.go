package imaging

import (
	"fmt"
	"net/http"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
)

// Failures are *delivery.Error: an HTTP status and a public message in
// Cloudinary's wording, never libvips' own text (that is the hidden
// cause, for the logs); RetryAfter is set on the 503s of shedding.

func invalidImage(cause error) *delivery.Error {
	return delivery.Errorf(http.StatusBadRequest, "Invalid image file").Because(cause)
}

func tooLarge(w, h int, limit int64) *delivery.Error {
	return &delivery.Error{Status: http.StatusBadRequest,
		Message: fmt.Sprintf("Image is too large - %dx%d is more than the limit of %d pixels", w, h, limit)}
}

// unsupported answers a parameter Cloudinary knows and this origin does not
// implement; token is the parameter as written ("l_logo", "e_art:zorro").
func unsupported(token string) *delivery.Error {
	return &delivery.Error{Status: http.StatusBadRequest, Message: "Unsupported transformation parameter: " + token}
}

// invalidValue uses Cloudinary's wording for a value out of range.
func invalidValue(name, value string) *delivery.Error {
	return &delivery.Error{Status: http.StatusBadRequest,
		Message: "Invalid " + name + " in transformation: " + value}
}

// tooExpensive refuses a plan whose estimated work is over the budget.
func tooExpensive(est, limit time.Duration) *delivery.Error {
	return &delivery.Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(
		"Transformation too expensive - estimated work of %v is more than the limit of %v",
		est.Round(time.Millisecond), limit)}
}

func outputTooLarge(w, h int, perSide int, pixels int64) *delivery.Error {
	if w > perSide || h > perSide {
		return &delivery.Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(
			"Requested image size %dx%d exceeds the limit of %d pixels per side", w, h, perSide)}
	}
	return &delivery.Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(
		"Requested image size %dx%d exceeds the limit of %d pixels", w, h, pixels)}
}

func fileTooLarge(size int, limit int64) *delivery.Error {
	return &delivery.Error{Status: http.StatusBadRequest,
		Message: fmt.Sprintf("File size too large. Got %d. Maximum is %d.", size, limit)}
}

// retryAfter is what a 503 asks clients to wait.
const retryAfter = time.Second

func busy() *delivery.Error {
	return &delivery.Error{Status: http.StatusServiceUnavailable, RetryAfter: retryAfter,
		Message: "Too many image transformations in progress, try again later"}
}

func closed() *delivery.Error {
	return &delivery.Error{Status: http.StatusServiceUnavailable, RetryAfter: retryAfter,
		Message: "Image processing is shutting down"}
}

func timedOut(cause error) *delivery.Error {
	return delivery.Errorf(http.StatusGatewayTimeout, "Image transformation timed out").Because(cause)
}

func canceled(cause error) *delivery.Error {
	return (&delivery.Error{Status: http.StatusServiceUnavailable, RetryAfter: retryAfter,
		Message: "Image transformation canceled"}).Because(cause)
}

func internalError(cause error) *delivery.Error {
	return delivery.Internal(cause)
}
