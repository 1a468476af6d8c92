// Package imaging turns originals into derived images with libvips. It is
// the only package that imports github.com/h2non/bimg (and the only one
// that needs cgo for images): everything else sees bytes, delivery
// transformation values, and errors as *delivery.Error (a status and a
// public message; libvips' text is only its hidden cause).
//
// bimg's Options pipeline cannot express Cloudinary's chained components,
// shrinks JPEGs on load less than it could, decodes truncated files
// without complaint and reads libvips' process-wide error buffer without
// its lock. So the work is done through a small C layer over libvips
// (vips.c): bimg only initialises libvips and reports its memory (Stats),
// and floor.go exposes a plain bimg call as the benchmark floor.
//
// Files, one concept each:
//
//	processor.go  Processor, New, Close
//	transform.go  Request, Result, Transform
//	plan.go       a delivery.Transformation checked into steps (400 Unsupported)
//	geometry.go   crop modes and shrink-on-load, as pure arithmetic
//	gravity.go    where a region or a padded image goes (g_, x_, y_)
//	load.go       header checks, page, shrink-on-load, EXIF orientation
//	steps.go      one component applied: geometry, then angle
//	effects.go    e_, r_, bo_, o_ and b_
//	pipeline.go   the libvips image in flight, limits, encoding
//	kill.go       stopping libvips when a transform's context ends (deadline, caller gone, Close)
//	cost.go       the cost budget: a plan's work estimated from the header (400 too expensive)
//	format.go     output format (f_auto) and quality (q_auto)
//	pool.go       the bounded pool of transform slots and its queue (503, 504)
//	text.go       Text (the Upload API's text method)
//	probe.go      Probe (the upload API's header check)
//	mapped.go     Mapped: an input file read in place (uploads), and its Probe, Transform, Analyze
//	verify.go     Verify (the upload API's whole-file check: truncated or corrupt images)
//	sniff.go      format detection by magic bytes (no libvips code runs)
//	svg.go        the SVG policy and SVG size from its root element
//	memory.go     periodic malloc_trim
//	stats.go      Stats for metrics
//	vips.go       libvips set-up, errors, image lifetimes (vips.c, vips.h)
//	errors.go     the public failures (*delivery.Error): 400 invalid, 503 busy, 504 timed out
//
// Threads: all libvips work runs on the pool's goroutines, each locked to
// its own OS thread for life; per-thread libvips state is freed on the
// thread that made it. libvips' error text is only logged: under
// concurrency it may belong to another request.
//
// docs/transformations.md lists what is supported and what answers 400.
package imaging
