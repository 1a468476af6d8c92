package edge

import (
	"net/netip"

	"github.com/valyala/fasthttp"
)

// The client of a request (docs/access-control.md, "ip"): the peer
// address of the connection, unless the peer is one of the trusted
// proxies (Config.TrustedProxies); then the address they report in
// Config.ClientIPHeader, walked by delivery.ClientIP. Without trusted
// proxies no header is looked at.

// clientIP is the request's client address. It allocates nothing.
func (s *Server) clientIP(ctx *fasthttp.RequestCtx) netip.Addr {
	peer, _ := netip.AddrFromSlice(ctx.RemoteIP())
	peer = peer.Unmap()
	if !s.proxies.Trusted(peer) { // nil trusts none
		return peer
	}
	if ctx.Request.Header.ContentLength() == -1 { // chunked
		// A chunked body may end with trailers, which PeekAll returns
		// after the head's lines (and a Trailer header moves the head's
		// lines among them): a client's trailer would be read as the last
		// line, the proxy's. fasthttp refuses X-Forwarded-For and
		// X-Real-IP trailers, not Forwarded or CF-Connecting-IP. A GET
		// with a chunked body is no proxy's: the proxy is the client.
		return peer
	}
	w := s.proxies.Start(peer)
	lines := ctx.Request.Header.PeekAll(s.proxies.Header())
	for i := len(lines) - 1; i >= 0; i-- {
		w.Line(b2s(lines[i]))
	}
	return w.Client()
}
