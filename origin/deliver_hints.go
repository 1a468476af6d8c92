package origin

import (
	"net/http"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
)

// requestHints are the headers a request's variant is negotiated from
// (f_auto, q_auto, dpr_auto, w_auto), for a request that names no variant.
func requestHints(h http.Header) delivery.Hints {
	return delivery.Hints{
		Accept:             h.Get(delivery.HeaderAccept),
		SecCHDPR:           h.Get(delivery.HeaderSecCHDPR),
		DPR:                h.Get(delivery.HeaderDPR),
		SecCHWidth:         h.Get(delivery.HeaderSecCHWidth),
		Width:              h.Get(delivery.HeaderWidth),
		SecCHViewportWidth: h.Get(delivery.HeaderSecCHViewportWidth),
		ViewportWidth:      h.Get(delivery.HeaderViewportWidth),
	}
}

// acceptClientHints asks browsers for the client hints dpr_auto and w_auto
// read (Accept-CH) on the delivery answers of a cloud that enables them
// (client_hints); edges pass the header on with what they cache.
func acceptClientHints(h http.Header, cl config.Cloud) {
	if cl.ClientHints {
		h.Set(delivery.HeaderAcceptCH, delivery.AcceptCH)
	}
}
