package edge

import (
	"io"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/valyala/fasthttp"
)

// passThrough streams a response too large to cache (max_object_size) from
// an origin to this client, with the headers a cached answer would have
// (commonHeaders) and a Cache-Status that says why it was not stored.
//
// pe is the key's pass entry while it may be served as a hit, or nil: a
// conditional request that matches it is answered 304 at once, as a hit
// would be. Otherwise the request's Range and conditional headers go to the
// origin, which answers them itself. A 200 whose body is too large leaves (or renews) a pass
// entry under key, so that the next request skips the buffered attempt; one
// whose body fits again drops it, so that the next request caches it.
func (s *Server) passThrough(ctx *fasthttp.RequestCtx, u *delivery.URL, key []byte, v delivery.Variant, pe *entry) {
	h := &ctx.Response.Header
	h.DisableNormalizing() // every name set below is canonical already
	if pe != nil && !s.granted(ctx, pe, s.now().UnixNano()) {
		return
	}
	if pe != nil && pe.status == fasthttp.StatusOK && s.notModified(ctx, pe) {
		s.commonHeaders(h, pe, s.now().UnixNano(), statusPassHit)
		s.answerNotModified(ctx)
		return
	}
	s.m.passThrough.Add(1)
	seq := s.purges.Seq()
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	s.originRequest(req, u, v)
	passRequestHeaders(&req.Header, &ctx.Request.Header)
	err := s.origins.do(req, resp, budgetOf(u), true)
	s.countOrigin(err, resp)
	if err != nil {
		fasthttp.ReleaseResponse(resp)
		s.originFailed(ctx, err)
		return
	}
	now := s.now().UnixNano()
	status := resp.StatusCode()
	e := s.newEntry(u, append([]byte(nil), key...), resp, now, seq)
	e.kind = kindPass
	if status == fasthttp.StatusPartialContent || status == fasthttp.StatusNotModified {
		// A part of the object, or its confirmation: headers as for the
		// whole object.
		e.status = fasthttp.StatusOK
		e.expires = now + int64(s.ttl(e, &resp.Header))
	}
	n := resp.Header.ContentLength()
	if status == fasthttp.StatusOK {
		if n < 0 || int64(n) > int64(s.cfg.MaxObjectSize) {
			e.cost = e.computeCost()
			s.store(e)
		} else {
			s.cache.del(e.key)
		}
	}
	if !s.granted(ctx, e, now) {
		resp.CloseBodyStream()
		fasthttp.ReleaseResponse(resp)
		return
	}
	s.commonHeaders(h, e, now, statusPass)
	if status == fasthttp.StatusNotModified {
		resp.CloseBodyStream()
		fasthttp.ReleaseResponse(resp)
		s.answerNotModified(ctx)
		return
	}
	ctx.Response.SetStatusCode(status)
	entityHeaders(h, e)
	passResponseHeaders(h, &resp.Header)
	switch {
	case status >= 500:
		s.m.serverErrors.Add(1)
	case status >= 400:
		s.m.clientErrors.Add(1)
	}
	if n > 0 {
		s.m.bytes.Add(int64(n))
	}
	ctx.SetBodyStream(&releasingReader{r: resp.BodyStream(), resp: resp}, n)
}

// passRequestHeaders copies the client's headers that go to the origin
// with a streamed request: the origin answers ranges and conditions itself.
func passRequestHeaders(dst, src *fasthttp.RequestHeader) {
	for _, name := range [...][]byte{hRange, hIfRange, hIfNoneMatch, hIfModSince} {
		if v := src.PeekBytes(name); len(v) > 0 {
			dst.SetCanonical(name, v)
		}
	}
}

// passResponseHeaders copies the origin's headers that come back with a
// streamed response as they are.
func passResponseHeaders(dst, src *fasthttp.ResponseHeader) {
	for _, name := range [...][]byte{hAcceptRanges, hContentRange} {
		if v := src.PeekBytes(name); len(v) > 0 {
			dst.SetCanonical(name, v)
		}
	}
}

// releasingReader returns the origin response to its pool once the body
// has been copied to the client.
type releasingReader struct {
	r    io.Reader
	resp *fasthttp.Response
}

func (rr *releasingReader) Read(p []byte) (int, error) { return rr.r.Read(p) }

func (rr *releasingReader) Close() error {
	if rr.resp != nil {
		rr.resp.CloseBodyStream()
		fasthttp.ReleaseResponse(rr.resp)
		rr.resp = nil
	}
	return nil
}
