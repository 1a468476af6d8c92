package edge

import (
	"sync/atomic"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/purge"
	"github.com/valyala/fasthttp"
)

// entry is one cached response. Everything but checked is immutable once
// the entry is in the cache; entries are replaced, never changed.
type entry struct {
	// key is the full cache key: ristretto stores hashes only, so a lookup
	// compares it to rule out collisions.
	key    []byte
	status int
	body   []byte

	contentType  []byte
	etag         []byte // as sent, with quotes
	lastModified []byte // HTTP date
	version      []byte // the origin's X-Asset-Version
	cldError     []byte // X-Cld-Error of a cached error
	disposition  []byte // Content-Disposition
	csp          []byte // Content-Security-Policy (SVG)
	retryAfter   []byte // Retry-After of a 503 or 429 (never cached)

	versioned bool   // the URL has a version: immutable for browsers
	vary      string // the Vary header (delivery.URL.Vary), "" for none
	kind      entryKind
	// bounded is a search URL's answer (delivery.SearchURL): it expires
	// within the URL's ttl, whatever the origin says, and is never served
	// stale past it.
	bounded bool
	// cacheControl is a bounded entry's Cache-Control for clients:
	// max-age the URL's ttl (with Age, the time left).
	cacheControl []byte
	// depends is a marker's: which request headers make the variant (the
	// Accept token, the DPR hint, the width hints and w_auto's rounding:
	// the URL's Depends).
	depends  delivery.Depends
	negative bool // a cached 404/400, or a d_ default image standing in for one
	// access is the origin's HeaderAccess: only a request with a valid
	// token, or one inside an anonymous window, may be served the entry
	// (token.go); nil for anyone.
	access *delivery.Access
	// acceptCH is the origin's Accept-CH (a cloud that asks browsers for
	// client hints), passed on with every answer.
	acceptCH []byte

	stored  int64 // unix nanoseconds when the response arrived
	expires int64 // unix nanoseconds when it stops being fresh

	// target is what purge rules match; fillSeq the purge sequence seen
	// when the fill started. checked is the sequence the entry has been
	// checked against (starts at fillSeq); it only grows.
	target  purge.Target
	fillSeq uint64
	checked atomic.Uint64

	cost int64
}

// entryKind tells what an entry holds.
type entryKind uint8

const (
	// kindContent is a response to serve.
	kindContent entryKind = iota
	// kindMarker lives under a varying URL's plain key and only says that
	// the real entries are under the key with a variant
	// (delivery.AppendVariantKey), the variant made of the request headers
	// its depends names. It is never served.
	kindMarker
	// kindPass is a response too large to cache (max_object_size): its
	// headers and validators without the body. Requests for it are
	// streamed from an origin without a first buffered attempt, and a
	// conditional request that matches is answered 304 from it, as a hit.
	kindPass
)

// entryOverhead approximates an entry's memory besides its byte slices.
const entryOverhead = 320

// uses is what a cached entry may be served as at a given time: a set of
// the use bits, empty when it may not be served at all.
type uses uint8

const (
	// useHit: served as is, without asking an origin.
	useHit uses = 1 << iota
	// useRevalidating: served while an origin is asked in the background
	// (stale-while-revalidate).
	useRevalidating
	// useOnError: served in place of an origin's failure, a 5xx included
	// (stale-if-error).
	useOnError
	// usePurged: a purge the edge has applied covers the entry; it is
	// never served again (no other bit is set), and the caller drops it.
	usePurged
)

// servable answers "may this entry be served?", the core of never serving
// purged content, for the hit path, the fill path and stale-if-error alike.
// It takes what the answer depends on besides the entry: the time, the
// purge index p, the edge's caught-up state (sync; nil for an edge no
// subscriber feeds, which counts as caught up) and the stale windows past
// expiry (stale_while_revalidate, stale_if_error; negative: none).
//
//   - Never when a purge in p covers it (usePurged).
//   - As a hit while it is fresh and trusted: versioned, or the edge is
//     caught up with purges.
//   - While revalidating: a trusted 200 expired less than swr ago.
//   - On an origin's failure: a 200 expired less than sie ago, trusted or
//     not (an edge cut off from purges still stands in for a failing
//     origin).
//
// It does not allocate; the caught-up state is read only when it matters.
func (e *entry) servable(now int64, p Purges, sync Sync, swr, sie time.Duration) uses {
	if e.purged(p) {
		return usePurged
	}
	fresh, ok := now < e.expires, e.status == fasthttp.StatusOK
	var u uses
	if ok && now < e.expires+int64(sie) {
		u |= useOnError
	}
	if !fresh && !(ok && now < e.expires+int64(swr)) {
		return u
	}
	if e.versioned || sync == nil || sync.CaughtUp() {
		if fresh {
			u |= useHit
		} else {
			u |= useRevalidating
		}
	}
	return u
}

// ageSeconds is the Age header's value.
func (e *entry) ageSeconds(now int64) int64 {
	if now <= e.stored {
		return 0
	}
	return (now - e.stored) / 1e9
}

// computeCost is bytes held by the entry: allocated sizes (cap, which
// includes the allocator's rounding), so that the budget holds in RSS.
func (e *entry) computeCost() int64 {
	n := cap(e.key) + cap(e.body) + len(e.contentType) + len(e.etag) + len(e.lastModified) +
		len(e.version) + len(e.cldError) + len(e.disposition) + len(e.csp) + len(e.acceptCH) + len(e.cacheControl) +
		len(e.target.Cloud) + len(e.target.PublicID) + len(e.target.Transformation)
	return int64(n) + entryOverhead
}

// purged reports whether an applied purge covers the entry, checking only
// rules newer than the last check, and records the check.
func (e *entry) purged(p Purges) bool {
	seq := p.Seq()
	checked := e.checked.Load()
	if checked >= seq {
		return false
	}
	if p.Covered(&e.target, checked) {
		return true
	}
	// Another goroutine may have advanced it further; only move forward.
	for checked < seq && !e.checked.CompareAndSwap(checked, seq) {
		checked = e.checked.Load()
	}
	return false
}
