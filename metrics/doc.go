// Package metrics writes the Prometheus text exposition format (version
// 0.0.4) for the edge and the origin: counters and gauges rendered at
// scrape time from values the servers keep in atomics, and Histogram, a
// fixed-bucket latency histogram safe for concurrent use.
//
// It uses the standard library only, so that both servers can import it
// without the edge depending on the origin or on libvips.
package metrics
