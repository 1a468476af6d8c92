package edge

import (
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/valyala/fasthttp"
)

// options answers OPTIONS on a delivery path without parsing it or asking
// an origin, as a CDN does: 204 with Allow, and for a CORS preflight
// (Origin and Access-Control-Request-Method) what a browser needs to send
// the request (delivery/cors.go). GET and HEAD never come here.
func (s *Server) options(ctx *fasthttp.RequestCtx) {
	s.m.requests.Add(1)
	h := &ctx.Response.Header
	ctx.Response.SetStatusCode(fasthttp.StatusNoContent)
	h.SetCanonical(hAllow, vAllowedMethods)
	h.SetCanonical(hACAO, vStar)
	req := &ctx.Request.Header
	if len(req.PeekBytes(hOrigin)) == 0 || len(req.PeekBytes(hACRM)) == 0 {
		return
	}
	h.SetCanonical(hACAM, vAllowedMethods)
	if allow := delivery.AllowHeaders(b2s(req.PeekBytes(hACRH))); allow != "" {
		h.SetCanonical(hACAH, s2b(allow))
	}
	h.SetCanonical(hACMA, vPreflightMaxAge)
	h.SetCanonical(hVary, vPreflightVary)
}

var (
	hOrigin          = []byte("Origin")
	hACRM            = []byte("Access-Control-Request-Method")
	hACRH            = []byte("Access-Control-Request-Headers")
	hACAM            = []byte("Access-Control-Allow-Methods")
	hACAH            = []byte("Access-Control-Allow-Headers")
	hACMA            = []byte("Access-Control-Max-Age")
	vAllowedMethods  = []byte(delivery.AllowedMethods)
	vPreflightMaxAge = []byte(delivery.PreflightMaxAge)
	// vPreflightVary: the answer echoes the requested headers.
	vPreflightVary = []byte("Access-Control-Request-Headers")
)
