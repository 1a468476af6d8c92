package origin

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/metrics"
	"github.com/mediacdn/mediacdn/origin/api"
)

// counters are the origin's Prometheus counters: atomics updated on the
// request path, read when /metrics is scraped. Transforms started are
// Server.transforms.
type counters struct {
	deliveries atomic.Int64 // delivery requests
	apiCalls   atomic.Int64 // Upload and Admin API requests
	// responses counts delivery and API responses by status class, 2xx
	// to 5xx.
	responses       [len(statusClasses)]atomic.Int64
	transformErrors atomic.Int64       // transforms that returned an error
	derivedHits     atomic.Int64       // derived images served already made
	transformTime   *metrics.Histogram // wall time of transforms
}

// statusClasses are the labels of counters.responses.
var statusClasses = [...]string{"2xx", "3xx", "4xx", "5xx"}

// newCounters returns zeroed counters. The transform histogram's upper
// bounds are in seconds: a thumbnail takes milliseconds, a large original
// seconds when the workers are busy.
func newCounters() *counters {
	return &counters{transformTime: metrics.NewHistogram(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)}
}

// counted serves r through serve, counting its response by status class.
func (s *Server) counted(w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) {
	sw := &api.StatusWriter{ResponseWriter: w}
	serve(sw, r)
	if class := sw.Code()/100 - 2; class >= 0 && class < len(s.m.responses) {
		s.m.responses[class].Add(1)
	}
}

// MetricsHandler serves GET /metrics in the Prometheus text format, and
// 404 for anything else: the handler of the metrics listener
// (Config.MetricsListen), kept off the public API port, which answers
// /metrics 404.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", s.serveMetrics)
	return mux
}

// checkMetricsListen checks Config.MetricsListen: empty, or host:port
// other than the API's.
func checkMetricsListen(addr, listen string) error {
	if addr == "" {
		return nil
	}
	if err := config.CheckHostPort(addr); err != nil {
		return config.Errorf("metrics_listen", "%v", err)
	}
	if addr == listen && !strings.HasSuffix(listen, ":0") {
		return config.Errorf("metrics_listen", "must differ from listen (%s): metrics stay off the API port", listen)
	}
	return nil
}

// serveMetrics answers /metrics in the Prometheus text format.
func (s *Server) serveMetrics(w http.ResponseWriter, _ *http.Request) {
	var b bytes.Buffer
	s.writeMetrics(&b)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

// writeMetrics renders the counters and the gauges read at scrape time.
func (s *Server) writeMetrics(w io.Writer) {
	m := s.m
	metrics.Counters(w, "mediacdn_origin_requests_total", "Requests received, by kind (delivery, or api for the Upload and Admin APIs).", "kind",
		metrics.Labeled{Label: "delivery", Value: m.deliveries.Load()},
		metrics.Labeled{Label: "api", Value: m.apiCalls.Load()})
	classes := make([]metrics.Labeled, len(statusClasses))
	for i, class := range statusClasses {
		classes[i] = metrics.Labeled{Label: class, Value: m.responses[i].Load()}
	}
	metrics.Counters(w, "mediacdn_origin_responses_total", "Delivery and API responses, by status class.", "class", classes...)
	metrics.Counter(w, "mediacdn_origin_transforms_total", "Transforms started to make derived images.", s.transforms.Load())
	metrics.Counter(w, "mediacdn_origin_transform_errors_total", "Transforms that failed.", m.transformErrors.Load())
	m.transformTime.Write(w, "mediacdn_origin_transform_duration_seconds",
		"Wall time of transforms, reading the original and waiting for a worker included.")
	metrics.Counter(w, "mediacdn_origin_derived_hits_total", "Derived images served already made (being recorded, or stored).", m.derivedHits.Load())
	metrics.Gauge(w, "mediacdn_origin_derived_recordings_pending", "Derived images being recorded in the background.", float64(s.recording.inFlight()))
	st := s.images.Stats()
	metrics.Gauge(w, "mediacdn_origin_transform_workers", "Transforms that can run at once.", float64(st.Workers))
	metrics.Gauge(w, "mediacdn_origin_transforms_busy", "Transforms running.", float64(st.Busy))
	metrics.Gauge(w, "mediacdn_origin_transforms_queued", "Transforms waiting for a worker.", float64(st.Queued))
	metrics.Gauge(w, "mediacdn_origin_transform_queue_capacity", "Transforms that may wait; past it, transforms answer 503.", float64(st.QueueCapacity))
	metrics.Gauge(w, "mediacdn_origin_vips_memory_bytes", "Memory libvips tracks (pixel buffers).", float64(st.VipsMemory))
	metrics.Gauge(w, "mediacdn_origin_vips_memory_highwater_bytes", "High-water mark of the memory libvips tracks.", float64(st.VipsMemoryHighwater))
	metrics.Gauge(w, "mediacdn_origin_vips_allocations", "Allocations libvips tracks.", float64(st.VipsAllocations))
	metrics.Counter(w, "mediacdn_origin_jpeg_direct_decodes_total", "JPEG inputs decoded by libjpeg straight into memory.", st.DirectJPEGDecodes)
	metrics.Counter(w, "mediacdn_origin_layer_decodes_total", "Image layers decoded and transformed (layer cache misses).", st.LayerDecodes)
	metrics.Counter(w, "mediacdn_origin_layer_cache_hits_total", "Image layers taken ready from the layer cache.", st.LayerCacheHits)
	metrics.Gauge(w, "mediacdn_origin_layer_cache_bytes", "Pixels the layer cache holds.", float64(st.LayerCacheBytes))
	metrics.Gauge(w, "mediacdn_origin_layer_cache_entries", "Layers the layer cache holds.", float64(st.LayerCacheEntries))
	s.webhooks.writeMetrics(w)
	s.jobs.writeMetrics(w)
}
