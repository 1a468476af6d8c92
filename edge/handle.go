package edge

import (
	"bytes"
	"errors"
	"strconv"
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
		"remote", ctx.RemoteIP().String(),
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
	variant := ""
	if u.Varies() {
		variant = s.variant(ctx, &u)
	}
	kb := s.keys.Get().(*keyBuf)
	defer s.keys.Put(kb)
	kb.b = u.AppendCacheKey(kb.b[:0], variant)
	key := kb.b

	e, ok := s.cache.get(key)
	if ok && e.purged(s.purges) {
		s.cache.del(key)
		s.m.purged.Add(1)
		e, ok = nil, false
	}
	if ok && e.kind == kindPass {
		// Known too large: straight to the origin, or a 304 from what the
		// entry knows while it is fresh.
		if !e.fresh(now) || !(e.versioned || s.caughtUp()) {
			e = nil
		}
		s.passThrough(ctx, &u, key, variant, e)
		return
	}
	if ok {
		trusted := e.versioned || s.caughtUp()
		switch {
		case e.fresh(now) && trusted:
			s.m.hits.Add(1)
			s.serve(ctx, e, now, statusHit)
			return
		case trusted && now < e.expires+int64(s.cfg.StaleWhileRevalidate) && e.status == fasthttp.StatusOK:
			s.m.stale.Add(1)
			s.revalidateInBackground(ctx, key, e)
			s.serve(ctx, e, now, statusStale)
			return
		}
	}
	s.miss(ctx, &u, key, variant, e)
}

// fastHit looks the request up by its raw path, without parsing it: only
// URLs that parsed before have entries, so a fresh, trusted, unpurged entry
// under the path's key can be served as is. Anything else (including any
// error) goes the full way.
func (s *Server) fastHit(ctx *fasthttp.RequestCtx, now int64) *entry {
	uri := ctx.Request.Header.RequestURI()
	if len(uri) > s.cfg.MaxURLLength {
		return nil
	}
	if i := bytes.IndexAny(uri, "?#"); i >= 0 {
		uri = uri[:i]
	}
	kb := s.keys.Get().(*keyBuf)
	defer s.keys.Put(kb)
	key := kb.b[:0]
	// The key of a host-form URL has the host's cloud in front; one that
	// names the cloud itself is keyed as sent.
	if cloud, ok := s.hosts.Cloud(b2s(ctx.Host())); ok && !delivery.CloudPrefixed(cloud, b2s(uri)) {
		key = append(append(key, '/'), cloud...)
	}
	key = append(key, uri...)
	e, ok := s.cache.get(key)
	if ok && e.kind == kindMarker {
		key = appendVariant(append(key, '#'), ctx, e.varyAccept, e.varyDPR)
		e, ok = s.cache.get(key)
	}
	kb.b = key
	if !ok || e.kind != kindContent || e.purged(s.purges) || !e.fresh(now) || !(e.versioned || s.caughtUp()) {
		return nil
	}
	return e
}

// variant is the token a varying URL (f_auto, q_auto, dpr_auto) is cached
// under: avif, webp or std from Accept for f_auto and q_auto, then
// ";dpr=" and the DPR client hint for dpr_auto. Raw headers never reach
// the key.
func (s *Server) variant(ctx *fasthttp.RequestCtx, u *delivery.URL) string {
	return string(appendVariant(nil, ctx, u.Negotiated(), u.AutoDPR()))
}

// appendVariant appends the variant token of a URL whose bytes depend on
// Accept (accept) and on the DPR hint (dpr).
func appendVariant(dst []byte, ctx *fasthttp.RequestCtx, accept, dpr bool) []byte {
	if accept {
		dst = append(dst, variantToken(delivery.Negotiate(b2s(ctx.Request.Header.PeekBytes(hAccept))))...)
	}
	if dpr {
		dst = append(dst, ";dpr="...)
		h := &ctx.Request.Header
		dst = strconv.AppendFloat(dst, delivery.DPRHint(b2s(h.PeekBytes(hSecCHDPR)), b2s(h.PeekBytes(hDPR))), 'f', -1, 64)
	}
	return dst
}

// variantToken names a negotiated format in cache keys; "std" stands for
// neither AVIF nor WebP (the origin then picks JPEG or PNG), so that a
// negotiated URL always has a variant and its plain key is free for the
// marker.
func variantToken(f delivery.Format) string {
	switch f {
	case delivery.AVIF:
		return "avif"
	case delivery.WebP:
		return "webp"
	}
	return "std"
}
