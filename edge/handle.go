package edge

import (
	"bytes"
	"errors"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/valyala/fasthttp"
)

// handle routes every request the edge admits (strict.go): the
// operations endpoints, then delivery.
func (s *Server) handle(ctx *fasthttp.RequestCtx) {
	if !s.admit(ctx) {
		return
	}
	// The raw request path, not ctx.Path(): that would parse and normalise
	// the URI on every request.
	path := ctx.Request.Header.RequestURI()
	if i := bytes.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	switch {
	case bytes.Equal(path, pathHealth):
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString("ok\n")
		return
	case bytes.Equal(path, pathReady):
		s.ready(ctx)
		return
	case bytes.Equal(path, pathMetrics):
		// Served on MetricsListen only (metricsserver.go).
		s.m.requests.Add(1)
		s.fail(ctx, fasthttp.StatusNotFound, "Not found")
		return
	}
	var start time.Time
	logged := s.cfg.AccessLogSample > 0 && s.sampled()
	if logged {
		start = time.Now()
	}
	switch {
	case ctx.IsGet() || ctx.IsHead():
		s.deliver(ctx)
	case ctx.IsOptions():
		s.options(ctx)
	default:
		s.m.requests.Add(1)
		ctx.Response.Header.SetCanonical(hAllow, vAllowedMethods)
		s.fail(ctx, fasthttp.StatusMethodNotAllowed, "Method not allowed")
	}
	if logged {
		s.accessLog(ctx, time.Since(start))
	}
}

// accessLog writes one sampled request to the log.
func (s *Server) accessLog(ctx *fasthttp.RequestCtx, took time.Duration) {
	s.log.Info("access",
		"method", string(ctx.Method()),
		"uri", string(ctx.Request.Header.RequestURI()),
		"host", string(ctx.Host()),
		"status", ctx.Response.StatusCode(),
		"bytes", len(ctx.Response.Body()),
		"cache", string(ctx.Response.Header.Peek("Cache-Status")),
		"remote", s.clientIP(ctx).String(),
		"duration", took)
}

var (
	pathHealth  = []byte("/healthz")
	pathReady   = []byte("/readyz")
	pathMetrics = []byte("/metrics")
)

// parse parses the request URI, in host form when the Host is a cloud's
// private-CDN name. The URL's strings point into the request's buffers.
func (s *Server) parse(ctx *fasthttp.RequestCtx) (delivery.URL, error) {
	return s.parseURI(b2s(ctx.Host()), b2s(ctx.Request.Header.RequestURI()))
}

func (s *Server) parseURI(host, uri string) (delivery.URL, error) {
	p := delivery.Parser{MaxLength: s.cfg.MaxURLLength}
	if cloud, ok := s.hosts.Cloud(host); ok {
		return p.ParseHost(cloud, uri)
	}
	return p.Parse(uri)
}

// deliver serves a delivery URL: from the cache when it holds a fresh,
// unpurged entry, else through one fill per key.
func (s *Server) deliver(ctx *fasthttp.RequestCtx) {
	s.m.requests.Add(1)
	now := s.now().UnixNano()
	if e := s.fastHit(ctx, now); e != nil {
		s.m.hits.Add(1)
		s.serve(ctx, e, now, statusHit)
		return
	}
	u, err := s.parse(ctx)
	if err != nil {
		var de *delivery.Error
		if errors.As(err, &de) {
			s.fail(ctx, de.Status, de.Message)
			return
		}
		s.fail(ctx, fasthttp.StatusBadRequest, "Invalid URL")
		return
	}
	if len(s.clouds) > 0 && !s.clouds[u.Cloud] {
		s.fail(ctx, fasthttp.StatusNotFound, "Unknown cloud_name "+u.Cloud)
		return
	}
	v := requestVariant(&ctx.Request.Header, u.Depends())
	kb := s.keys.Get().(*keyBuf)
	defer s.keys.Put(kb)
	kb.b = u.AppendCacheKey(kb.b[:0], v)
	key := kb.b

	e, ok := s.cache.get(key)
	var use uses
	if ok {
		use = s.servable(e, now)
	}
	if use&usePurged != 0 {
		s.cache.del(key)
		s.m.purged.Add(1)
		e, ok = nil, false
	}
	if ok && e.kind == kindPass {
		// Known too large: straight to the origin, or a 304 from what the
		// entry knows while it may be served as a hit.
		if use&useHit == 0 {
			e = nil
		}
		s.passThrough(ctx, &u, key, v, e)
		return
	}
	switch {
	case use&useHit != 0:
		s.m.hits.Add(1)
		s.serve(ctx, e, now, statusHit)
		return
	case use&useRevalidating != 0:
		s.m.stale.Add(1)
		s.revalidateInBackground(ctx, key, v, e)
		s.serve(ctx, e, now, statusStale)
		return
	}
	s.miss(ctx, &u, key, v, e)
}

// fastHit looks the request up by its raw path, without parsing it
// (delivery.AppendRequestKey): only URLs that parsed before have entries,
// so an entry under the path's key that may be served as a hit
// (entry.servable) is served as is. A varying URL's plain key holds a
// marker naming the headers its variant is made of. Anything else
// (including any error) goes the full way. The URI is within
// max_url_length: admit refused longer ones.
func (s *Server) fastHit(ctx *fasthttp.RequestCtx, now int64) *entry {
	uri := ctx.Request.Header.RequestURI()
	kb := s.keys.Get().(*keyBuf)
	defer s.keys.Put(kb)
	cloud, _ := s.hosts.Cloud(b2s(ctx.Host()))
	key := delivery.AppendRequestKey(kb.b[:0], cloud, b2s(uri))
	e, ok := s.cache.get(key)
	if ok && e.kind == kindMarker {
		key = delivery.AppendVariantKey(key, requestVariant(&ctx.Request.Header, e.depends))
		e, ok = s.cache.get(key)
	}
	kb.b = key
	if !ok || e.kind != kindContent || s.servable(e, now)&useHit == 0 {
		return nil
	}
	return e
}

// requestVariant is the variant a request asks for of a URL whose bytes
// depend on d (Accept for f_auto and q_auto, the DPR hint for dpr_auto, the
// width hints for w_auto); the zero Variant for a URL that varies on
// nothing. Only the headers the URL depends on are read; raw headers never
// reach a key: the variant holds the negotiated token, the rounded DPR and
// the rounded width.
func requestVariant(h *fasthttp.RequestHeader, d delivery.Depends) delivery.Variant {
	var hints delivery.Hints
	if d.Negotiated {
		hints.Accept = b2s(h.PeekBytes(hAccept))
	}
	if d.AutoDPR || d.AutoWidth.Has() {
		hints.SecCHDPR, hints.DPR = b2s(h.PeekBytes(hSecCHDPR)), b2s(h.PeekBytes(hDPR))
	}
	if d.AutoWidth.Has() {
		hints.SecCHWidth, hints.Width = b2s(h.PeekBytes(hSecCHWidth)), b2s(h.PeekBytes(hWidth))
		hints.SecCHViewportWidth = b2s(h.PeekBytes(hSecCHViewportWidth))
		hints.ViewportWidth = b2s(h.PeekBytes(hViewportWidth))
	}
	return delivery.NegotiateVariant(d, hints)
}
