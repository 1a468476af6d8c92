package edge

import (
	"bytes"
	"errors"
	"strconv"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/purge"
	"github.com/valyala/fasthttp"
)

// fillResult is what one fill hands every request waiting on it.
type fillResult struct {
	e     *entry        // the response (cached, or for these waiters only)
	pass  bool          // too large to cache: each waiter streams its own
	fill  time.Duration // origin time, for Server-Timing
	reval bool          // a stale entry was confirmed by a 304
}

// miss fills key from an origin, once however many requests wait, and
// serves the result. stale is an expired (or untrusted) entry for the key:
// it makes the origin request conditional and stands in on origin errors.
func (s *Server) miss(ctx *fasthttp.RequestCtx, u *delivery.URL, key []byte, v delivery.Variant, stale *entry) {
	k := string(key)
	res, err, shared := s.fills.Do(k, func() (any, error) {
		// Another fill for this key may have finished just before this one
		// started.
		if e, ok := s.cache.get(key); ok && e != stale && s.servable(e, s.now().UnixNano())&useHit != 0 {
			switch e.kind {
			case kindContent:
				return &fillResult{e: e}, nil
			case kindPass:
				return &fillResult{pass: true}, nil
			}
		}
		return s.fetch(u, []byte(k), v, stale)
	})
	now := s.now().UnixNano()
	if shared {
		s.m.coalesced.Add(1)
	}
	if err != nil {
		if stale != nil && s.servable(stale, now)&useOnError != 0 {
			s.m.stale.Add(1)
			s.serve(ctx, stale, now, statusStale)
			return
		}
		s.originFailed(ctx, err)
		return
	}
	r := res.(*fillResult)
	if r.pass {
		s.passThrough(ctx, u, key, v, nil)
		return
	}
	// A 5xx, a 503 shedding load included: a stale copy is the better
	// answer while stale-if-error allows it.
	if r.e.status >= 500 && stale != nil && s.servable(stale, now)&useOnError != 0 {
		s.m.stale.Add(1)
		s.serve(ctx, stale, now, statusStale)
		return
	}
	s.m.misses.Add(1)
	st := statusMiss
	switch {
	case r.reval:
		st = statusRevalidated
	case shared:
		st = statusCollapsed
	}
	var st1 [48]byte
	b := append(st1[:0], "fill;dur="...)
	b = strconv.AppendFloat(b, float64(r.fill.Microseconds())/1000, 'f', 1, 64)
	ctx.Response.Header.SetCanonical(hServerTiming, b)
	s.serve(ctx, r.e, now, st)
}

// originRequest prepares the request an origin sees: the path in path form
// (no query but the edge's own token, token.go) and, for a varying URL,
// the variant the key holds, named in delivery.HeaderVariant (the origin
// makes that one). The client's own Accept, client hints and token stay at
// the edge.
func (s *Server) originRequest(req *fasthttp.Request, u *delivery.URL, v delivery.Variant) {
	req.Header.SetMethod(fasthttp.MethodGet)
	req.URI().DisablePathNormalizing = true
	var uri []byte
	if u.HostForm {
		uri = append(append(append(uri, '/'), u.Cloud...), u.Path...)
	} else {
		uri = append(uri, u.Path...)
	}
	req.SetRequestURIBytes(s.appendFillToken(uri, u.Cloud, uri))
	if u.Varies() {
		var buf [32]byte
		req.Header.SetCanonical(hVariant, v.Append(buf[:0]))
	}
}

// fetch asks the origins and turns the answer into an entry, cached when
// cacheable. The purge sequence is read before the request leaves, so a
// purge that lands while the fill is in flight covers its result.
func (s *Server) fetch(u *delivery.URL, key []byte, v delivery.Variant, stale *entry) (*fillResult, error) {
	seq := s.purges.Seq()
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	s.originRequest(req, u, v)
	if stale != nil && len(stale.etag) > 0 {
		req.Header.SetBytesV("If-None-Match", stale.etag)
		s.m.revalidations.Add(1)
	}
	start := time.Now()
	err := s.origins.do(req, resp, budgetOf(u), false)
	took := time.Since(start)
	s.countOrigin(err, resp)
	if !errors.Is(err, errBusy) {
		s.m.fill.Observe(took)
	}
	if errors.Is(err, fasthttp.ErrBodyTooLarge) {
		return &fillResult{pass: true}, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.now().UnixNano()
	status := resp.StatusCode()
	if status == fasthttp.StatusNotModified && stale != nil {
		e := s.renewed(stale, resp, now, seq)
		s.store(e)
		return &fillResult{e: e, fill: took, reval: true}, nil
	}
	e := s.newEntry(u, key, resp, now, seq)
	e.body = append([]byte(nil), resp.Body()...)
	e.cost = e.computeCost()
	if cacheable(status) {
		s.store(e)
		if u.Varies() {
			s.store(&entry{key: u.AppendCacheKey(nil, delivery.Variant{}), kind: kindMarker, depends: u.Depends(),
				cost: entryOverhead + int64(len(u.Path)+len(u.Cloud))})
		}
	}
	return &fillResult{e: e, fill: took}, nil
}

// cacheable statuses: content, and the deterministic errors (bad URL, not
// found) for a short while.
func cacheable(status int) bool {
	return status == fasthttp.StatusOK || status == fasthttp.StatusNotFound || status == fasthttp.StatusBadRequest
}

// store puts e in the cache; a dropped Set is only a future miss.
func (s *Server) store(e *entry) { s.cache.set(e) }

// newEntry builds an entry from an origin response's headers, copying
// everything out of fasthttp's buffers; the caller adds the body and the
// cost.
func (s *Server) newEntry(u *delivery.URL, key []byte, resp *fasthttp.Response, now int64, seq uint64) *entry {
	status := resp.StatusCode()
	h := &resp.Header
	e := &entry{
		key:          key,
		status:       status,
		contentType:  copyBytes(h.ContentType()),
		etag:         copyBytes(h.PeekBytes(hETag)),
		lastModified: lastModified(h.PeekBytes(hLastModified)),
		version:      copyBytes(h.PeekBytes(hVersion)),
		cldError:     cldError(h),
		disposition:  copyBytes(h.PeekBytes(hDisposition)),
		csp:          copyBytes(h.PeekBytes(hCSP)),
		acceptCH:     copyBytes(h.PeekBytes(hAcceptCH)),
		access:       accessOf(h),
		versioned:    u.HasVersion,
		vary:         u.Vary(),
		retryAfter:   retryAfterOf(status, h),
		negative:     status == fasthttp.StatusNotFound || status == fasthttp.StatusBadRequest || len(h.PeekBytes(hDefaultImage)) > 0,
		stored:       now,
		fillSeq:      seq,
	}
	e.target = purge.Target{Cloud: clone(u.Cloud), Resource: u.Resource, Type: u.Type, PublicID: clone(u.PublicID),
		Transformation: clone(u.Transformation), Class: u.Class(), Version: u.Version, Negative: e.negative}
	e.expires = now + int64(s.ttl(e, h))
	if u.IsSearch() {
		// A search's answer lives at most its URL's ttl: the assets it
		// lists change without purges (docs/search.md).
		e.bounded = true
		e.cacheControl = []byte("public, max-age=" + u.Search.TTLText)
		e.expires = min(e.expires, now+int64(u.Search.TTL)*int64(time.Second))
	}
	e.checked.Store(seq)
	return e
}

// cldError copies an origin's X-Cld-Error through delivery.Echo: an origin
// that quotes a request's bytes raw (an older one) cannot make the edge
// send them.
func cldError(h *fasthttp.ResponseHeader) []byte {
	v := h.PeekBytes(hCldError)
	if len(v) == 0 {
		return nil
	}
	return []byte(delivery.Echo(b2s(v), delivery.MessageLimit))
}

// renewed is a stale entry confirmed by a 304: same content, new dates.
func (s *Server) renewed(old *entry, resp *fasthttp.Response, now int64, seq uint64) *entry {
	e := &entry{key: old.key, status: old.status, body: old.body, contentType: old.contentType, etag: old.etag,
		lastModified: old.lastModified, version: old.version, cldError: old.cldError, disposition: old.disposition,
		csp: old.csp, acceptCH: old.acceptCH, versioned: old.versioned, vary: old.vary, negative: old.negative, bounded: old.bounded,
		cacheControl: old.cacheControl,
		stored:       now, target: old.target, fillSeq: seq, cost: old.cost}
	if v := resp.Header.PeekBytes(hVersion); len(v) > 0 {
		e.version = copyBytes(v)
	}
	e.access = old.access
	if a := accessOf(&resp.Header); a != nil {
		e.access = a
	}
	e.expires = now + int64(s.ttl(e, &resp.Header))
	if e.bounded {
		e.expires = min(e.expires, now+(old.expires-old.stored))
	}
	e.checked.Store(seq)
	return e
}

// ttl is how long the edge keeps an entry fresh: NegativeTTL for errors,
// else the origin's s-maxage or max-age, else the configured lifetime.
func (s *Server) ttl(e *entry, h *fasthttp.ResponseHeader) time.Duration {
	if e.negative && e.status != fasthttp.StatusOK {
		return s.cfg.NegativeTTL
	}
	if d, ok := maxAgeOf(h.PeekBytes(hCacheControl)); ok {
		return d
	}
	if e.negative {
		return s.cfg.NegativeTTL
	}
	if e.versioned {
		return s.cfg.VersionedMaxAge
	}
	return s.cfg.UnversionedMaxAge
}

// maxAgeOf reads s-maxage (preferred) or max-age from Cache-Control.
func maxAgeOf(cc []byte) (time.Duration, bool) {
	var maxAge, sMaxAge int64 = -1, -1
	for len(cc) > 0 {
		var d []byte
		if i := bytes.IndexByte(cc, ','); i >= 0 {
			d, cc = cc[:i], cc[i+1:]
		} else {
			d, cc = cc, nil
		}
		d = bytes.TrimSpace(d)
		switch {
		case bytes.HasPrefix(d, []byte("s-maxage=")):
			if n, ok := parseDigits(d[len("s-maxage="):]); ok {
				sMaxAge = n
			}
		case bytes.HasPrefix(d, []byte("max-age=")):
			if n, ok := parseDigits(d[len("max-age="):]); ok {
				maxAge = n
			}
		case bytes.Equal(d, []byte("no-store")) || bytes.Equal(d, []byte("no-cache")) || bytes.Equal(d, []byte("private")):
			return 0, true
		}
	}
	if sMaxAge >= 0 {
		return time.Duration(sMaxAge) * time.Second, true
	}
	if maxAge >= 0 {
		return time.Duration(maxAge) * time.Second, true
	}
	return 0, false
}

func copyBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
