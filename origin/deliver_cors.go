package origin

import (
	"net/http"

	"github.com/mediacdn/mediacdn/delivery"
)

// deliveryOptions answers OPTIONS on a delivery path as the edges do
// (delivery/cors.go), without parsing it: 204 with Allow, and for a CORS
// preflight (Origin and Access-Control-Request-Method) the methods and
// headers a browser may send and how long it may keep the answer.
func deliveryOptions(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Allow", delivery.AllowedMethods)
	h.Set("Access-Control-Allow-Origin", "*")
	if r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		h.Set("Access-Control-Allow-Methods", delivery.AllowedMethods)
		if allow := delivery.AllowHeaders(r.Header.Get("Access-Control-Request-Headers")); allow != "" {
			h.Set("Access-Control-Allow-Headers", allow)
		}
		h.Set("Access-Control-Max-Age", delivery.PreflightMaxAge)
		h.Set("Vary", "Access-Control-Request-Headers")
	}
	w.WriteHeader(http.StatusNoContent)
}
