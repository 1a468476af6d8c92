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
	w := s.proxies.Start(peer)
	lines := ctx.Request.Header.PeekAll(s.proxies.Header())
	for i := len(lines) - 1; i >= 0; i-- {
		w.Line(b2s(lines[i]))
	}
	return w.Client()
}
