package edge

import (
	"log/slog"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// Origin health: an origin that fails origin_fail_after requests in a row
// is taken out. A failure is a request that got no answer: a connection
// refused or reset, a connect timeout, or a timeout on a stored file. Any
// HTTP answer is not one (a 503 shedding load included), nor is a
// connection budget that stayed busy (the edge's own limit), nor a timeout
// on a transformation (it may be slow on its own). Any answer resets the
// count.
//
// While an origin is out no request goes to it unless every origin is out
// (then they are all tried anyway, in the key's order), and one goroutine
// per edge, the prober, GETs its /healthz every origin_probe_interval: the
// first 200 puts it back. The prober starts with the first takeout and
// stops with the server. With probing off (a negative interval), an out
// origin is tried again by requests after origin_down_for, and its next
// failure takes it out again.

// probePath is what the prober asks an out origin; the origin answers it
// 200 while it runs.
const probePath = "/healthz"

// health is what the origins share about taking out and probing.
type health struct {
	failAfter  int32
	probeEvery time.Duration // <= 0: probing off
	probeWait  time.Duration // one probe's timeout
	downFor    time.Duration // while probing is off
	log        *slog.Logger

	wake      chan struct{} // a takeout wakes the prober (buffered 1)
	stop      chan struct{} // closed by close
	done      chan struct{} // closed when the prober returns
	startOnce sync.Once
	stopOnce  sync.Once
}

// out reports whether o is out at now (unix nanoseconds). With probing
// off, an out origin counts as in again past origin_down_for.
func (og *origins) out(o *origin, now int64) bool {
	if !o.out.Load() {
		return false
	}
	return og.h.probeEvery > 0 || o.outUntil.Load() > now
}

// answered records that o answered a request sent at sent (unix
// nanoseconds): its failures are forgotten, and it is back in if it was
// out, unless the request left before the takeout (an answer on its way
// when the origin died says nothing of it now).
func (og *origins) answered(o *origin, sent int64) {
	if o.fails.Load() != 0 {
		o.fails.Store(0)
	}
	if o.out.Load() && sent >= o.outAt.Load() && o.out.CompareAndSwap(true, false) {
		og.h.log.Info("origin back in: it answered a request", "origin", o.addr)
	}
}

// failed records a request to o that got no answer, and takes o out at
// origin_fail_after in a row.
func (og *origins) failed(o *origin, err error) {
	o.failures.Add(1)
	if o.fails.Add(1) < og.h.failAfter {
		return
	}
	now := time.Now()
	o.outUntil.Store(now.Add(og.h.downFor).UnixNano())
	o.outAt.Store(now.UnixNano())
	if !o.out.CompareAndSwap(false, true) {
		return
	}
	o.takeouts.Add(1)
	og.h.log.Warn("origin taken out", "origin", o.addr, "failures", og.h.failAfter, "err", err)
	if og.h.probeEvery > 0 {
		og.h.startOnce.Do(func() { go og.probeLoop() })
		select {
		case og.h.wake <- struct{}{}:
		default:
		}
	}
}

// probeLoop probes the out origins every probeEvery, one at a time, while
// any is out; it sleeps until a takeout otherwise.
func (og *origins) probeLoop() {
	defer close(og.h.done)
	t := time.NewTicker(og.h.probeEvery)
	defer t.Stop()
	for {
		if !og.anyOut() {
			select {
			case <-og.h.wake:
				t.Reset(og.h.probeEvery)
			case <-og.h.stop:
				return
			}
		}
		select {
		case <-t.C:
		case <-og.h.stop:
			return
		}
		for _, o := range og.list {
			if o.out.Load() {
				og.probe(o)
			}
		}
	}
}

// anyOut reports whether an origin is out.
func (og *origins) anyOut() bool {
	for _, o := range og.list {
		if o.out.Load() {
			return true
		}
	}
	return false
}

// probe asks o's /healthz once and puts o back on a 200.
func (og *origins) probe(o *origin) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(probePath)
	req.SetHost(o.addr)
	o.probes.Add(1)
	err := o.probe.DoTimeout(req, resp, og.h.probeWait)
	if err != nil || resp.StatusCode() != fasthttp.StatusOK {
		return
	}
	o.fails.Store(0)
	if o.out.CompareAndSwap(true, false) {
		og.h.log.Info("origin back in: /healthz answered 200", "origin", o.addr)
	}
}

// close stops the prober, if it started, and waits for it.
func (og *origins) close() {
	og.h.stopOnce.Do(func() { close(og.h.stop) })
	og.h.startOnce.Do(func() { close(og.h.done) })
	<-og.h.done
}

// healthy counts the origins that are in.
func (og *origins) healthy() int {
	now := time.Now().UnixNano()
	n := 0
	for _, o := range og.list {
		if !og.out(o, now) {
			n++
		}
	}
	return n
}
