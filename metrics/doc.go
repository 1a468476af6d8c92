// Package metrics writes the Prometheus text exposition format (version
// 0.0.4) for the edge and the origin: counters and gauges rendered at
// scrape time from values the servers keep in atomics, and Histogram, a
// fixed-bucket latency histogram safe for concurrent use.
//
// It uses the standard library only, so that both servers can import it
// without the edge depending on the origin or on libvips.
//
// A scrape's way: a server's /metrics handler writes each family in turn,
// Counter or Gauge for one value, Counters or Gauges for a family split by
// one label (Labeled series), Histogram.Write for a histogram; each starts
// with its HELP and TYPE lines (header), escaped as the format says.
//
// Files, one concept each:
//
//	counter.go    Counter, Counters, Labeled: counter families
//	gauge.go      Gauge, Gauges: gauge families
//	histogram.go  Histogram, NewHistogram, Observe, Write: fixed buckets in seconds, two atomics per Observe
//	text.go       the HELP and TYPE lines, a labelled family's lines, HELP and label value escaping
package metrics
