package edge

import (
	"bytes"
	"strconv"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/valyala/fasthttp"
)

// cacheStatus is how a response was produced, for Cache-Status (RFC 9211);
// the short names are for logs and tests.
type cacheStatus uint8

const (
	statusHit cacheStatus = iota
	statusStale
	statusMiss
	statusCollapsed
	statusRevalidated
	statusPass    // too large to cache (max_object_size): streamed
	statusPassHit // a 304 for a too-large object, from what the edge knows of it
)

var cacheStatusValues = [...][2]string{
	statusHit:         {"mediacdn; hit", "HIT"},
	statusStale:       {"mediacdn; hit; fwd=stale", "STALE"},
	statusMiss:        {"mediacdn; fwd=miss; stored", "MISS"},
	statusCollapsed:   {"mediacdn; fwd=miss; collapsed", "MISS"},
	statusRevalidated: {"mediacdn; fwd=stale; fwd-status=304", "REVALIDATED"},
	statusPass:        {"mediacdn; fwd=miss; detail=too-large", "PASS"},
	statusPassHit:     {"mediacdn; hit; detail=too-large", "PASSHIT"},
}

// headerValues are rendered once per server.
type headerValues struct {
	ccVersioned, ccUnversioned, ccNegative, ccNoStore []byte
}

func (s *Server) initHeaders() {
	cc := func(d time.Duration, immutable bool) []byte {
		v := "public, max-age=" + strconv.FormatInt(int64(d/time.Second), 10)
		if immutable {
			v += ", immutable"
		}
		return []byte(v)
	}
	s.hv = headerValues{
		ccVersioned:   cc(s.cfg.VersionedMaxAge, true),
		ccUnversioned: cc(s.cfg.UnversionedMaxAge, false),
		ccNegative:    cc(s.cfg.NegativeTTL, false),
		ccNoStore:     []byte("no-store"),
	}
}

// Header names, canonical; those of the edge–origin contract are
// delivery's.
var (
	hAge          = []byte("Age")
	hCacheControl = []byte("Cache-Control")
	hCacheStatus  = []byte("Cache-Status")
	hETag         = []byte("ETag")
	hLastModified = []byte("Last-Modified")
	hVary         = []byte("Vary")
	hAccept       = []byte(delivery.HeaderAccept)
	hACAO         = []byte("Access-Control-Allow-Origin")
	hACEH         = []byte("Access-Control-Expose-Headers")
	hTAO          = []byte("Timing-Allow-Origin")
	hNoSniff      = []byte("X-Content-Type-Options")
	hCldError     = []byte(delivery.HeaderError)
	hVersion      = []byte(delivery.HeaderVersion)
	hDisposition  = []byte("Content-Disposition")
	hCSP          = []byte("Content-Security-Policy")
	hAcceptRanges = []byte("Accept-Ranges")
	hContentRange = []byte("Content-Range")
	hServerTiming = []byte("Server-Timing")
	hAllow        = []byte("Allow")
	hSecCHDPR     = []byte(delivery.HeaderSecCHDPR)
	hDPR          = []byte(delivery.HeaderDPR)
	hSecCHWidth   = []byte(delivery.HeaderSecCHWidth)
	hWidth        = []byte(delivery.HeaderWidth)
	hAcceptCH     = []byte(delivery.HeaderAcceptCH)
	hVariant      = []byte(delivery.HeaderVariant)
	vStar         = []byte("*")
	vNoSniff      = []byte("nosniff")
	vBytes        = []byte("bytes")
	vCldError     = []byte(delivery.HeaderError)
	vTextPlain    = []byte("text/plain; charset=utf-8")
	hIfNoneMatch  = []byte("If-None-Match")
	hIfModSince   = []byte("If-Modified-Since")
	hRange        = []byte("Range")
	hIfRange      = []byte("If-Range")
	vRangePrefix  = []byte("bytes=")
	vWeakPrefix   = []byte("W/")
	hDefaultImage = []byte(delivery.HeaderDefaultImage)
)

// The viewport width hints w_auto reads (delivery.AutoWidth).
var (
	hSecCHViewportWidth = []byte(delivery.HeaderSecCHViewportWidth)
	hViewportWidth      = []byte(delivery.HeaderViewportWidth)
)

// serve writes a cached (or just filled) entry, answering conditional and
// range requests. It does not allocate for a hit.
func (s *Server) serve(ctx *fasthttp.RequestCtx, e *entry, now int64, st cacheStatus) {
	if !s.granted(ctx, e, now) {
		return
	}
	h := &ctx.Response.Header
	h.DisableNormalizing() // every name below is canonical already
	s.commonHeaders(h, e, now, st)
	if e.status == fasthttp.StatusOK && s.notModified(ctx, e) {
		s.answerNotModified(ctx)
		return
	}
	ctx.Response.SetStatusCode(e.status)
	entityHeaders(h, e)
	body := e.body
	if e.status == fasthttp.StatusOK {
		h.SetCanonical(hAcceptRanges, vBytes)
		var ok bool
		if body, ok = s.applyRange(ctx, e); !ok {
			return
		}
	}
	switch {
	case e.status >= 500:
		s.m.serverErrors.Add(1)
	case e.status >= 400:
		s.m.clientErrors.Add(1)
	}
	s.m.bytes.Add(int64(len(body)))
	ctx.Response.SetBodyRaw(body)
}

// answerNotModified turns the answer into a 304 (the headers are set).
func (s *Server) answerNotModified(ctx *fasthttp.RequestCtx) {
	s.m.notModified.Add(1)
	ctx.Response.SetStatusCode(fasthttp.StatusNotModified)
	ctx.Response.SkipBody = true
}

// entityHeaders describe the body of an answer built from an entry (not
// sent with 304s).
func entityHeaders(h *fasthttp.ResponseHeader, e *entry) {
	h.SetContentTypeBytes(e.contentType)
	if len(e.cldError) > 0 {
		h.SetCanonical(hCldError, e.cldError)
		h.SetCanonical(hACEH, vCldError)
	}
	if len(e.disposition) > 0 {
		h.SetCanonical(hDisposition, e.disposition)
	}
	if len(e.csp) > 0 {
		h.SetCanonical(hCSP, e.csp)
	}
	if len(e.retryAfter) > 0 {
		h.SetCanonical(hRetryAfter, e.retryAfter)
	}
}

// commonHeaders are sent with every answer built from an entry, 304s too.
func (s *Server) commonHeaders(h *fasthttp.ResponseHeader, e *entry, now int64, st cacheStatus) {
	if len(e.etag) > 0 {
		h.SetCanonical(hETag, e.etag)
	}
	if len(e.lastModified) > 0 {
		h.SetCanonical(hLastModified, e.lastModified)
	}
	switch {
	case e.negative:
		h.SetCanonical(hCacheControl, s.hv.ccNegative)
	case e.status != fasthttp.StatusOK:
		h.SetCanonical(hCacheControl, s.hv.ccNoStore)
	case e.bounded:
		h.SetCanonical(hCacheControl, e.cacheControl)
	case e.versioned:
		h.SetCanonical(hCacheControl, s.hv.ccVersioned)
	default:
		h.SetCanonical(hCacheControl, s.hv.ccUnversioned)
	}
	if e.access != nil && e.status == fasthttp.StatusOK {
		// Only this client may keep it: shared caches must not.
		h.SetCanonical(hCacheControl, vCCPrivate)
	}
	if e.vary != "" {
		h.SetCanonical(hVary, s2b(e.vary))
	}
	if len(e.version) > 0 {
		h.SetCanonical(hVersion, e.version)
	}
	if len(e.acceptCH) > 0 {
		h.SetCanonical(hAcceptCH, e.acceptCH)
	}
	var age [20]byte
	h.SetCanonical(hAge, strconv.AppendInt(age[:0], e.ageSeconds(now), 10))
	h.SetCanonical(hCacheStatus, s2b(cacheStatusValues[st][0]))
	h.SetCanonical(hACAO, vStar)
	h.SetCanonical(hTAO, vStar)
	h.SetCanonical(hNoSniff, vNoSniff)
}

// notModified evaluates If-None-Match, or If-Modified-Since without it.
func (s *Server) notModified(ctx *fasthttp.RequestCtx, e *entry) bool {
	if inm := ctx.Request.Header.PeekBytes(hIfNoneMatch); len(inm) > 0 {
		return etagListMatches(inm, e.etag)
	}
	ims := ctx.Request.Header.PeekBytes(hIfModSince)
	if len(ims) == 0 || len(e.lastModified) == 0 {
		return false
	}
	since, err := fasthttp.ParseHTTPDate(ims)
	if err != nil {
		return false
	}
	lm, err := fasthttp.ParseHTTPDate(e.lastModified)
	return err == nil && !lm.After(since)
}

// etagListMatches compares an If-None-Match list with an ETag, weakly.
func etagListMatches(list, etag []byte) bool {
	if len(etag) == 0 {
		return false
	}
	etag = bytes.TrimPrefix(etag, vWeakPrefix)
	for len(list) > 0 {
		var item []byte
		if i := bytes.IndexByte(list, ','); i >= 0 {
			item, list = list[:i], list[i+1:]
		} else {
			item, list = list, nil
		}
		item = bytes.TrimSpace(item)
		if len(item) == 1 && item[0] == '*' {
			return true
		}
		if bytes.Equal(bytes.TrimPrefix(item, vWeakPrefix), etag) {
			return true
		}
	}
	return false
}

// applyRange answers a single "bytes=" range with 206 (or 416 when it
// cannot be satisfied); several ranges, a malformed header or an If-Range
// that does not match get the whole body. ok is false when the answer is
// complete (416).
func (s *Server) applyRange(ctx *fasthttp.RequestCtx, e *entry) (body []byte, ok bool) {
	rh := ctx.Request.Header.PeekBytes(hRange)
	if len(rh) == 0 || !bytes.HasPrefix(rh, vRangePrefix) {
		return e.body, true
	}
	if ir := ctx.Request.Header.PeekBytes(hIfRange); len(ir) > 0 && !bytes.Equal(ir, e.etag) {
		return e.body, true
	}
	spec := rh[len(vRangePrefix):]
	if bytes.IndexByte(spec, ',') >= 0 {
		return e.body, true
	}
	size := int64(len(e.body))
	start, end, valid := parseRange(spec, size)
	h := &ctx.Response.Header
	var buf [64]byte
	if !valid {
		return e.body, true
	}
	if start < 0 {
		b := append(buf[:0], "bytes */"...)
		h.SetCanonical(hContentRange, strconv.AppendInt(b, size, 10))
		ctx.Response.SetStatusCode(fasthttp.StatusRequestedRangeNotSatisfiable)
		ctx.Response.SetBodyRaw(nil)
		s.m.clientErrors.Add(1)
		return nil, false
	}
	b := append(buf[:0], "bytes "...)
	b = strconv.AppendInt(b, start, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, end, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, size, 10)
	h.SetCanonical(hContentRange, b)
	ctx.Response.SetStatusCode(fasthttp.StatusPartialContent)
	return e.body[start : end+1], true
}

// parseRange parses "a-b", "a-" or "-n" against size. valid is false for
// a malformed spec (ignored); start < 0 means unsatisfiable (416).
func parseRange(spec []byte, size int64) (start, end int64, valid bool) {
	i := bytes.IndexByte(spec, '-')
	if i < 0 {
		return 0, 0, false
	}
	a, b := bytes.TrimSpace(spec[:i]), bytes.TrimSpace(spec[i+1:])
	switch {
	case len(a) == 0 && len(b) == 0:
		return 0, 0, false
	case len(a) == 0: // suffix: the last n bytes
		n, ok := parseDigits(b)
		if !ok {
			return 0, 0, false
		}
		if n == 0 || size == 0 {
			return -1, 0, true
		}
		return max(size-n, 0), size - 1, true
	}
	s, ok := parseDigits(a)
	if !ok {
		return 0, 0, false
	}
	e := size - 1
	if len(b) > 0 {
		if e, ok = parseDigits(b); !ok || e < s {
			return 0, 0, false
		}
		e = min(e, size-1)
	}
	if s >= size {
		return -1, 0, true
	}
	return s, e, true
}

func parseDigits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// fail answers an error the edge decided itself (bad URL, unknown cloud,
// origin unreachable), with X-Cld-Error and the same text in the body,
// through delivery.Echo (the pieces of the URL in it are already).
func (s *Server) fail(ctx *fasthttp.RequestCtx, status int, msg string) {
	msg = delivery.Echo(msg, delivery.MessageLimit)
	h := &ctx.Response.Header
	ctx.Response.SetStatusCode(status)
	h.SetContentTypeBytes(vTextPlain)
	h.SetCanonical(hCldError, s2b(msg))
	h.SetCanonical(hACEH, vCldError)
	h.SetCanonical(hACAO, vStar)
	h.SetCanonical(hNoSniff, vNoSniff)
	if status >= 500 {
		h.SetCanonical(hCacheControl, s.hv.ccNoStore)
		s.m.serverErrors.Add(1)
	} else {
		h.SetCanonical(hCacheControl, s.hv.ccNegative)
		s.m.clientErrors.Add(1)
	}
	ctx.Response.SetBodyString(msg) // no msg+"\n": a token refusal of a cached entry allocates nothing
	ctx.Response.AppendBodyString("\n")
}
