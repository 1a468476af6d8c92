package edge

import (
	"errors"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/valyala/fasthttp"
)

// Shedding, not failing: an origin that answers 503 is up and shedding
// load, and a budget whose connections are all busy is the edge's own
// limit. Both reach the client as 503 with Retry-After (or a stale copy);
// 502 is kept for origins that could not be reached at all.

var (
	hRetryAfter = []byte("Retry-After")
	// vRetryAfter is what the edge asks clients to wait when it sheds a
	// request itself, or when an origin's 503 names no wait.
	vRetryAfter = []byte("1")
)

// originFailed answers a request whose fill got no usable answer (and no
// stale copy stands in): 503 when the request's connection budget stayed
// busy on every origin, 504 past origin_timeout, else 502.
func (s *Server) originFailed(ctx *fasthttp.RequestCtx, err error) {
	switch {
	case errors.Is(err, errBusy):
		ctx.Response.Header.SetCanonical(hRetryAfter, vRetryAfter)
		s.fail(ctx, fasthttp.StatusServiceUnavailable, "Origin busy")
	case errors.Is(err, fasthttp.ErrTimeout):
		s.fail(ctx, fasthttp.StatusGatewayTimeout, "Origin timeout")
	default:
		s.fail(ctx, fasthttp.StatusBadGateway, "Origin unavailable")
	}
}

// countOrigin counts one origin request's outcome, once per request sent
// (however many clients wait on its fill): a 503 is the origin shedding
// load, not an error; a request that found no free connection was not
// sent.
func (s *Server) countOrigin(err error, resp *fasthttp.Response) {
	switch {
	case errors.Is(err, errBusy):
		s.m.originBusy.Add(1)
		return
	case err == nil && resp.StatusCode() == fasthttp.StatusServiceUnavailable:
		s.m.originShed.Add(1)
	case err == nil && resp.StatusCode() >= 500,
		err != nil && !errors.Is(err, fasthttp.ErrBodyTooLarge):
		s.m.originErrors.Add(1)
	}
	s.m.originReqs.Add(1)
}

// retryAfterOf is the Retry-After an answer with this status carries to
// clients: the origin's, on a 503 or 429; on a 503 without one, the
// edge's own, so that every 503 says when to come back.
func retryAfterOf(status int, h *fasthttp.ResponseHeader) []byte {
	if status != fasthttp.StatusServiceUnavailable && status != fasthttp.StatusTooManyRequests {
		return nil
	}
	if v := h.PeekBytes(hRetryAfter); len(v) > 0 {
		return []byte(delivery.Echo(b2s(v), 0)) // a copy, safe to send
	}
	if status == fasthttp.StatusServiceUnavailable {
		return vRetryAfter
	}
	return nil
}
