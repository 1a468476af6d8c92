package edge

import (
	"io"
	"sync/atomic"

	"github.com/mediacdn/mediacdn/metrics"
)

// counters are the edge's Prometheus counters; every field is updated with
// atomics on the request path and read when /metrics is scraped.
type counters struct {
	// The counters every hit touches sit on cache lines of their own, so
	// that cores do not fight over one line.
	requests padded // every delivery request
	hits     padded // served fresh from memory
	bytes    padded // body bytes written

	misses        atomic.Int64       // filled from an origin
	stale         atomic.Int64       // served stale (revalidating or on error)
	coalesced     atomic.Int64       // waited on another request's fill
	notModified   atomic.Int64       // 304s
	clientErrors  atomic.Int64       // 4xx answered
	serverErrors  atomic.Int64       // 5xx answered
	originReqs    atomic.Int64       // requests sent to origins
	originErrors  atomic.Int64       // origin requests without an answer, or answered a 5xx but 503
	originShed    atomic.Int64       // origin requests answered 503 (the origin shedding load)
	originBusy    atomic.Int64       // origin requests not sent: their connection budget stayed busy
	purged        atomic.Int64       // entries dropped because a purge covered them
	passThrough   atomic.Int64       // responses too large to cache, streamed
	revalidations atomic.Int64       // conditional requests to origins
	fill          *metrics.Histogram // origin fill latency (newFillHistogram)
}

// padded is a counter alone on its cache line.
type padded struct {
	atomic.Int64
	_ [56]byte
}

// newFillHistogram is the origin fill latency histogram; its upper
// bounds are in seconds.
func newFillHistogram() *metrics.Histogram {
	return metrics.NewHistogram(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
}

// cacheStats are the gauges read from the cache at scrape time.
type cacheStats struct {
	bytes, maxBytes, entries int64
	purgeSeq                 uint64
	caughtUp                 bool
	// purgeFlushes and purgeRestarts come from the purge subscriber
	// (zero without one).
	purgeFlushes, purgeRestarts uint64
	// conns is the client connections open; timedOut those closed by a
	// client timeout.
	conns, timedOut int64
}

// write renders the Prometheus text format.
func (m *counters) write(w io.Writer, cs cacheStats) {
	counter := func(name, help string, v int64) { metrics.Counter(w, name, help, v) }
	gauge := func(name, help string, v float64) { metrics.Gauge(w, name, help, v) }
	counter("mediacdn_edge_requests_total", "Delivery requests received.", m.requests.Load())
	counter("mediacdn_edge_cache_hits_total", "Requests served fresh from the cache.", m.hits.Load())
	counter("mediacdn_edge_cache_misses_total", "Requests filled from an origin.", m.misses.Load())
	counter("mediacdn_edge_cache_stale_total", "Requests served stale (while revalidating or on origin error).", m.stale.Load())
	counter("mediacdn_edge_coalesced_total", "Requests that waited for another request's fill.", m.coalesced.Load())
	counter("mediacdn_edge_not_modified_total", "304 answers.", m.notModified.Load())
	counter("mediacdn_edge_client_errors_total", "4xx answers.", m.clientErrors.Load())
	counter("mediacdn_edge_server_errors_total", "5xx answers.", m.serverErrors.Load())
	counter("mediacdn_edge_bytes_sent_total", "Response body bytes sent.", m.bytes.Load())
	counter("mediacdn_edge_origin_requests_total", "Requests sent to origins.", m.originReqs.Load())
	counter("mediacdn_edge_origin_errors_total", "Origin requests that got no answer, or answered a 5xx other than 503.", m.originErrors.Load())
	counter("mediacdn_edge_origin_shed_total", "Origin requests answered 503: the origin shedding load (passed through with Retry-After, or a stale copy served).", m.originShed.Load())
	counter("mediacdn_edge_origin_busy_total", "Origin requests not sent because every connection of their budget (origin_max_conns, origin_transform_conns) stayed busy for origin_conn_wait; answered 503 with Retry-After, or a stale copy.", m.originBusy.Load())
	counter("mediacdn_edge_revalidations_total", "Conditional requests sent to origins.", m.revalidations.Load())
	counter("mediacdn_edge_purged_entries_total", "Cached entries dropped because a purge covered them.", m.purged.Load())
	counter("mediacdn_edge_pass_through_total", "Responses too large to cache, streamed through.", m.passThrough.Load())
	gauge("mediacdn_edge_cache_bytes", "Bytes held by cached entries.", float64(cs.bytes))
	gauge("mediacdn_edge_cache_max_bytes", "The cache's byte budget.", float64(cs.maxBytes))
	gauge("mediacdn_edge_cache_entries", "Cached entries (approximate).", float64(cs.entries))
	gauge("mediacdn_edge_purge_sequence", "Last purge stream sequence applied.", float64(cs.purgeSeq))
	up := 0.0
	if cs.caughtUp {
		up = 1
	}
	gauge("mediacdn_edge_purge_caught_up", "1 when the edge has confirmed it applied every purge.", up)
	gauge("mediacdn_edge_client_connections", "Client connections open.", float64(cs.conns))
	counter("mediacdn_edge_client_timeouts_total", "Client connections closed by the read, idle or write timeout.", cs.timedOut)
	counter("mediacdn_edge_purge_flushes_total", "Cache flushes because the purge stream no longer held missed rules.", int64(cs.purgeFlushes))
	counter("mediacdn_edge_purge_consumer_restarts_total", "Purge consumer restarts (a replaced stream, a stalled consumer).", int64(cs.purgeRestarts))
	m.fill.Write(w, "mediacdn_edge_fill_duration_seconds", "Origin fill latency.")
}

// Served reports what the edge has served since it started: delivery
// requests received and response body bytes sent. Safe for concurrent use.
func (s *Server) Served() (requests, bytes int64) {
	return s.m.requests.Load(), s.m.bytes.Load()
}
