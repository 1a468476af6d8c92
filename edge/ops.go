package edge

import (
	"bytes"
	"fmt"

	"github.com/valyala/fasthttp"
)

// ready answers /readyz: 200 when an origin is in (health.go) and the purge stream is caught up, else 503 with the reason.
func (s *Server) ready(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	if s.origins.healthy() == 0 {
		ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
		ctx.SetBodyString("not ready: every origin is out (origin_fail_after failures in a row)\n")
		return
	}
	if s.sync != nil {
		st := s.sync.State()
		if !st.CaughtUp {
			ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
			fmt.Fprintf(ctx, "not ready: purge stream not caught up (%s); unversioned entries are revalidated\n", st.Reason)
			return
		}
		fmt.Fprintf(ctx, "ready: purge sequence %d applied\n", st.Applied)
		return
	}
	ctx.SetBodyString("ready\n")
}

// writeMetrics answers /metrics in the Prometheus text format.
func (s *Server) writeMetrics(ctx *fasthttp.RequestCtx) {
	var b bytes.Buffer
	cs := cacheStats{bytes: s.cache.used(), maxBytes: int64(s.cfg.CacheSize), entries: s.cache.entries(),
		purgeSeq: s.purges.Seq(), caughtUp: s.caughtUp(), conns: int64(s.watch.open()), timedOut: s.watch.timedOut.Load()}
	if s.sync != nil {
		st := s.sync.State()
		cs.purgeFlushes, cs.purgeRestarts = st.Flushes, st.Restarts
	}
	s.m.write(&b, cs)
	if l := s.applyLog(); l != nil {
		l.ApplyDelay().Write(&b, "mediacdn_edge_purge_apply_delay_seconds",
			"Delay between the purge stream storing a rule and this edge applying it (the two machines' clocks).")
	}
	s.origins.write(&b)
	ctx.SetContentType("text/plain; version=0.0.4; charset=utf-8")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetBody(b.Bytes())
}
