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
//	config.go     Config: the limits of one origin's image work, defaults, validation
//	types.go      Info, Request, Result, TextRequest, Tile, Stats (shared by both builds)
//	errors.go     Error: HTTP status and a public message in Cloudinary's wording
//	transform.go  Transform, TransformReader: admission, plan, pipeline, SVG pass-through
//	conditions.go if_ conditions decided, $variables defined, expressions evaluated, before planning
//	plan.go       a delivery.Transformation checked into steps (400 Unsupported)
//	autowidth.go  w_auto replaced by the width the caller resolved from the client hints
//	geometry.go   crop modes and shrink-on-load, as pure arithmetic
//	gravity.go    where a region or a padded image goes (g_, x_, y_)
//	load.go       header checks, page, shrink-on-load, EXIF orientation
//	bmp.go        BMP decoded in Go (libvips has no safe loader for it)
//	bmp_encode.go BMP written in Go (libvips' only BMP saver is ImageMagick's)
//	ico.go        ICO read and written in Go (the same reason)
//	jxl.go        the JPEG XL policy: size from the header, never decoded, pass-through
//	load_formats.go  Probe and Verify of ICO and JPEG XL, an ICO decoded into libvips
//	pdf.go        a PDF page rasterised by poppler at dn_ (pdf_plan.go: dn_ checked)
//	anim.go       animated GIF and WebP: frames loaded, every step run per frame, joined back
//	anim_plan.go  pg_ ranges and lists, dl_, e_loop, fl_animated: checked; the animated output chosen
//	animate.go    Animate: still frames joined into an animated GIF or WebP (the Upload API's multi)
//	pdf_write.go  PDF: JPEGs written as the pages of a PDF, embedded as they are (multi's pdf)
//	sprite.go     Sprite: images stacked into one PNG, and where each went (the Upload API's sprite)
//	steps.go      one component applied: geometry, then angle
//	crops.go      c_auto, c_fill_pad, c_auto_pad, g_auto's options, z_ and b_auto checked; their geometry
//	crop_saliency.go the saliency map read: the salient region, where a box holds the most of it
//	crop_auto.go  the salient crops and b_auto's colour measured on the pixels
//	effects.go    e_ (grayscale, sepia, negate, blur, sharpen), r_, bo_, o_ and b_
//	effects_plan.go  the other e_ effects checked and typed: levels, defaults, region, colours (400 for the rest)
//	effects_more.go  the other e_ effects applied, and their cost
//	faces_plan.go face and custom gravities as arithmetic: fallbacks, focus, c_thumb's region
//	faces.go      faces detected (OpenCV) for g_face, g_faces, e_blur_faces, e_pixelate_faces, DetectFaces
//	layers.go     l_ and u_ checked into layer steps: nesting, placement, text styles, fonts
//	layers_apply.go a layer made (image or text) and composited
//	layercache.go prepared image layers kept as pixels, bounded, least recently used out (Config.LayerCache)
//	pipeline.go   the libvips image in flight, limits, encoding
//	kill.go       stopping libvips when a transform's context ends (deadline, caller gone, Close)
//	cost.go       the cost budget: a plan's work estimated from the header (400 too expensive)
//	format.go     output format (f_auto) and quality (q_auto)
//	format_more.go   the outputs beyond the web five: TIFF, HEIC, JPEG XL, BMP, ICO; their cost
//	save_formats.go  their savers: libvips' (TIFF, HEIC, JPEG XL) or Go's (BMP, ICO), the encoder probes
//	pool.go       the bounded pool of transform slots and its queue (503, 504)
//	text.go       Text (the Upload API's text method)
//	probe.go      Probe (the upload API's header check)
//	analyze.go    Analyze (the Admin API's colors and phash)
//	mapped.go     Mapped: an input file read in place (uploads), MapFile, Close, AnalyzeMapped
//	mapped_cgo.go ProbeMapped, VerifyMapped, TransformMapped
//	verify.go     Verify (the upload API's whole-file check: truncated or corrupt images)
//	sniff.go      format detection by magic bytes (no libvips code runs)
//	svg.go        the SVG policy and SVG size from its root element
//	memory.go     periodic malloc_trim
//	stats.go      Stats for metrics (libvips' memory through bimg)
//	floor.go      Floor: a plain bimg resize, the benchmark floor
//	vips.go       libvips settings, errors, image lifetimes (the arena)
//	errors.go     the public failures (*delivery.Error): 400 invalid, 503 busy, 504 timed out
//	vips.h        the C layer's declarations and its return convention
//	vips.c        the C layer: loaders, colour, geometry, effects, corners, text, savers
//	vips_layers.c the C layer of layers: compositing in place, tiling, text layers
//	vips_effects.c the C layer of effects_more.go
//	vips_formats.c the C layer of save_formats.go
//	vips_anim.c   the C layer of animation: frames loaded as one tall image, delays, loop, joining
//	vips_pdf.c    the C layer of PDF: poppler let through the untrusted block, a page at a density
//	vips_crop.c   the C layer of crop_auto.go: the saliency map, the border's colour
//	vips_faces.c  the greyscale copy face detection reads
//	faces.h, faces.cpp  OpenCV's cascade classifier behind a C API (objdetect, imgproc, core)
//	jpeg.c        direct JPEG decoding and verifying with libjpeg
//	nocgo.go, mapped_nocgo.go  the stand-ins of a build without cgo (edges only): every call fails with 503
//
// Without cgo the package builds (for edges): the files without a
// `//go:build cgo` line (plan, effects_plan, anim_plan, pdf_plan, faces_plan, layers, geometry, gravity, crops,
// crop_saliency, format, format_more, sniff, svg, jxl, bmp, bmp_encode, ico, analyze, mapped, config, types,
// errors) need no libvips, nocgo.go and
// mapped_nocgo.go stand in for the rest, and geometry_test.go runs under
// `CGO_ENABLED=0 go test` (TestArithmeticWithoutCgo checks it does);
// every other test file carries `//go:build cgo`.
//
// libvips settings: libvips is started once per process, by bimg's package
// init (vips_init, named "bimg"), which Go runs before this package's code.
// New then applies this package's settings over bimg's, once (mc_configure
// in vips.c). What wins:
//
//	operation cache   off: 0 operations, 0 bytes, 0 files (bimg's 500 operations and 100 MiB are replaced)
//	concurrency       1 libvips thread per pipeline (both set it) unless VIPS_CONCURRENCY is set; the pool gives the parallelism
//	vector (SIMD)     libvips' default, on unless VIPS_NOVECTOR is set (neither changes it)
//	untrusted loaders blocked (ImageMagick, SVG, JPEG XL, ...) but poppler's PDF loader; bimg leaves them open;
//	                  the JPEG XL saver (untrusted with its loader in 8.14) is allowed back
//	libvips warnings  dropped (a log handler for the VIPS domain)
//	malloc arenas     at most 2 (mallopt) unless MALLOC_ARENA_MAX is set
//	cache trace       bimg's VIPS_TRACE switch, moot with the cache off
//
// Floor (bimg's own pipeline) runs under the same settings once a
// Processor exists. TestLibvipsSettings (vips_test.go) checks them.
//
// Threads: all libvips work runs on the pool's goroutines, each locked to
// its own OS thread for life; per-thread libvips state is freed on the
// thread that made it. libvips' error text is only logged: under
// concurrency it may belong to another request.
//
// docs/transformations.md lists what is supported and what answers 400.
package imaging
