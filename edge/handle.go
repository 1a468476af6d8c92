package edge

import (
	"bytes"
	"errors"
	"strconv"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/valyala/fasthttp"
)

// handle routes every request: the operations endpoints, then delivery.
func (s *Server) handle(ctx *fasthttp.RequestCtx) {
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
		s.writeMetrics(ctx)
		return
	}
	var start time.Time
	logged := s.cfg.AccessLogSample > 0 && s.sampled()
	if logged {
		start = time.Now()
	}
	if !ctx.IsGet() && !ctx.IsHead() {
		ctx.Response.Header.Set("Allow", "GET, HEAD")
		s.fail(ctx, fasthttp.StatusMethodNotAllowed, "Method not allowed")
	} else {
		s.deliver(ctx)
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
	if s.hostForm {
		if cloud, ok := s.hosts[host]; ok {
			return p.ParseHost(cloud, uri)
		}
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
	if u.Negotiated() || u.AutoDPR() {
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
	if s.hostForm {
		if cloud, ok := s.hosts[b2s(ctx.Host())]; ok {
			key = append(append(key, '/'), cloud...)
		}
	}
	key = append(key, uri...)
	e, ok := s.cache.get(key)
	if ok && e.marker {
		key = append(key, '#')
		key = append(key, variantToken(delivery.Negotiate(b2s(ctx.Request.Header.PeekBytes(hAccept))))...)
		if e.autoDPR {
			key = append(key, ";dpr="...)
			key = strconv.AppendFloat(key, dprHint(ctx), 'f', -1, 64)
		}
		e, ok = s.cache.get(key)
	}
	kb.b = key
	if !ok || e.marker || e.purged(s.purges) || !e.fresh(now) || !(e.versioned || s.caughtUp()) {
		return nil
	}
	return e
}

// variant is the negotiated token an f_auto/q_auto/dpr_auto URL is cached
// under: avif, webp or "" from Accept, plus the DPR client hint for dpr_auto.
// The raw Accept header never reaches the key.
func (s *Server) variant(ctx *fasthttp.RequestCtx, u *delivery.URL) string {
	v := variantToken(delivery.Negotiate(b2s(ctx.Request.Header.Peek("Accept"))))
	if u.AutoDPR() {
		v += ";dpr=" + strconv.FormatFloat(dprHint(ctx), 'f', -1, 64)
	}
	return v
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

// dprHint reads Sec-CH-DPR or DPR, rounded to a tenth and bounded to 1-4.
func dprHint(ctx *fasthttp.RequestCtx) float64 {
	for _, h := range []string{"Sec-CH-DPR", "DPR"} {
		if v, err := strconv.ParseFloat(string(bytes.TrimSpace(ctx.Request.Header.Peek(h))), 64); err == nil && v > 0 {
			return float64(int(min(max(v, 1), 4)*10+0.5)) / 10
		}
	}
	return 1
}
