// The C side of package imaging: thin wrappers over libvips' variadic
// operations (cgo cannot call those directly) and the few pieces of pixel
// work that are simpler in C.
//
// One return convention:
//   - a function returning int returns 0 on success and -1 on failure, with
//     libvips' error buffer set (the Go side logs that text, never shows it
//     to clients); an image out-parameter is set only on success, and the
//     caller owns (unrefs) it;
//   - an answer that is not a failure comes back through an out-parameter
//     (mc_jpeg_decode's handled), never as another return value;
//   - a function returning a pointer returns NULL on failure;
//   - a void function cannot fail.
// The exceptions are mc_avif_works and mc_saver_works, probes: -1 means "no
// such encoder", and its error text is cleared.
#ifndef MEDIACDN_IMAGING_VIPS_H
#define MEDIACDN_IMAGING_VIPS_H

#include <stdlib.h>
#include <vips/vips.h>

// Loaders accepted for untrusted input (of libvips' untrusted loaders,
// poppler's PDF alone: vips_pdf.c). Anything else (ImageMagick, SVG,
// JPEG XL, ...) is refused before libvips sees the bytes.
enum {
	MC_LOAD_NONE = 0,
	MC_LOAD_JPEG,
	MC_LOAD_PNG,
	MC_LOAD_WEBP,
	MC_LOAD_GIF,
	MC_LOAD_TIFF,
	MC_LOAD_HEIF,
	MC_LOAD_BMP,    // decoded in Go (bmp.go); mc_load refuses it
	MC_LOAD_PDF,    // poppler, the one untrusted loader let through (vips_pdf.c)
};

// Encoders.
enum {
	MC_SAVE_JPEG = 1,
	MC_SAVE_PNG,
	MC_SAVE_WEBP,
	MC_SAVE_AVIF,
	MC_SAVE_GIF,
	MC_SAVE_TIFF,   // the rest: save_formats.go, vips_formats.c
	MC_SAVE_HEIC,
	MC_SAVE_JXL,
	MC_SAVE_BMP,    // written in Go (bmp_encode.go); mc_save refuses it
	MC_SAVE_ICO,    // written in Go (ico.go); mc_save refuses it
};

typedef struct {
	int format;     // MC_SAVE_*
	int quality;    // 1-100, lossy formats
	int interlace;  // progressive JPEG, interlaced PNG
	int chroma;     // 0 auto, 420 or 444
	int keep_iptc;  // keep IPTC, drop all other metadata
	int effort;     // WebP effort 0-6, AVIF effort 0-9
} mc_save_options;

typedef struct {
	int width, height;  // one page
	int pages;          // pages in the file
	int bands;
	int alpha;
	int orientation;    // EXIF orientation, 1 when absent
	int av1;            // HEIF with AV1 compression (AVIF)
} mc_header;

// The process-wide libvips settings, as libvips reports them (mc_read_settings).
typedef struct {
	const char *argv0;  // the name libvips was started with (vips_init)
	int cache_max;      // operations in the cache
	size_t cache_max_mem;
	int cache_max_files;
	int concurrency;    // worker threads per pipeline
	int vector;         // SIMD (highway/orc) paths enabled
} mc_settings;

int mc_configure(void);
void mc_read_settings(mc_settings *s);
char *mc_error_copy(void);
void mc_thread_done(void);
void mc_unref(VipsImage *im);
void mc_free(void *p);
void mc_malloc_trim(void);

int mc_load(int kind, const void *buf, size_t len, int shrink, int page, VipsImage **out);
void mc_read_header(VipsImage *im, mc_header *h);
void *mc_pixels_alloc(size_t len);
int mc_from_pixels(void *pixels, size_t len, int width, int height, int bands, VipsImage **out);
void mc_kill(VipsImage *im);

// mc_jpeg_decode decodes a whole JPEG at once, on the calling thread,
// shrunk by 1/shrink in the DCT, into a memory image that carries the
// metadata and resolution of header (the file's libvips header image).
// libvips' own loader reads through a 4 KiB buffer and hands the rows to a
// worker thread; this costs about 15% less CPU for the same pixels. It sets
// *handled to 0 (returning 0, *out untouched) for a JPEG that is one for
// libvips' loader instead: colour spaces libjpeg does not turn into RGB or
// grey itself (CMYK, YCCK) and images over max_bytes decoded. It returns -1
// for a corrupt or truncated stream, or once header's kill flag is set
// (mc_kill).
int mc_jpeg_decode(const void *buf, size_t len, int shrink, size_t max_bytes,
	VipsImage *header, VipsImage **out, int *handled);

// mc_jpeg_verify decodes a whole JPEG stream at 1/8 scale, keeping no
// pixels, through to its end-of-image marker: -1 for one that is corrupt,
// truncated or missing its end (as mc_jpeg_decode refuses), or once
// header's kill flag is set.
int mc_jpeg_verify(const void *buf, size_t len, VipsImage *header);

// mc_verify decodes every pixel of in (a loader's image, opened with
// fail_on truncated), keeping none.
int mc_verify(VipsImage *in);

int mc_normalize(VipsImage *in, VipsImage **out);
int mc_autorot(VipsImage *in, VipsImage **out);
int mc_copy_memory(VipsImage *in, VipsImage **out);
int mc_resize(VipsImage *in, VipsImage **out, double hscale, double vscale);
int mc_fit(VipsImage *in, VipsImage **out, int width, int height);
int mc_extract(VipsImage *in, VipsImage **out, int left, int top, int width, int height);
int mc_smartcrop(VipsImage *in, VipsImage **out, int width, int height);
int mc_embed(VipsImage *in, VipsImage **out, int left, int top, int width, int height,
	double r, double g, double b, double a);
int mc_flatten(VipsImage *in, VipsImage **out, double r, double g, double b);
int mc_rot(VipsImage *in, VipsImage **out, int quarter_turns);
int mc_rotate(VipsImage *in, VipsImage **out, double angle, double r, double g, double b, double a);
int mc_flip(VipsImage *in, VipsImage **out, int horizontal);
int mc_grayscale(VipsImage *in, VipsImage **out);
int mc_sepia(VipsImage *in, VipsImage **out, double level);
int mc_negate(VipsImage *in, VipsImage **out);
int mc_blur(VipsImage *in, VipsImage **out, double sigma);
int mc_sharpen(VipsImage *in, VipsImage **out, double sigma);
int mc_opacity(VipsImage *in, VipsImage **out, double factor);
int mc_round_corners(VipsImage *in, VipsImage **out, const double radii[4], int ellipse);
int mc_border(VipsImage *in, VipsImage **out, int width, const double radii[4], int ellipse,
	double r, double g, double b, double a);
int mc_text(VipsImage **out, const char *markup, const char *font,
	double r, double g, double b, double a, double br, double bg, double bb, double ba);
// Layers (vips_layers.c). mc_layer_composite puts layer over in at (x, y),
// or under it (under set, the layer placed at (x, y) on a transparent
// canvas of in's size); the result is 8-bit sRGB, with alpha only when in
// had one. mc_layer_tile repeats layer to cover width × height.
// mc_layer_text renders Pango markup in font, coloured (r,g,b,a) on a
// transparent background, wrapped at width pixels (0: no wrapping), align
// -1 left, 0 centre, 1 right, spacing the line spacing in pixels (0: the
// font's).
int mc_layer_composite(VipsImage *in, VipsImage *layer, int x, int y, int under, VipsImage **out);
int mc_layer_tile(VipsImage *layer, int width, int height, VipsImage **out);
int mc_layer_text(VipsImage **out, const char *markup, const char *font, int width, int align,
	int justify, int spacing, double r, double g, double b, double a);
// The layer cache (layercache.go): mc_layer_pixels evaluates in into a new
// buffer of its pixels (*buf, *len: g_free it); mc_layer_open makes an
// image of a copy of such a buffer, with the layout and interpretation it
// had.
int mc_layer_pixels(VipsImage *in, void **buf, size_t *len);
int mc_layer_open(const void *buf, size_t len, int width, int height, int bands, int format,
	int interpretation, VipsImage **out);

int mc_save(VipsImage *in, const mc_save_options *o, void **buf, size_t *len);
// e_ effects beyond the first five (vips_effects.c, effects_more.go).
enum {
	MC_FX_AUTO_BRIGHTNESS = 1,
	MC_FX_AUTO_CONTRAST,
	MC_FX_AUTO_COLOR,
};
enum {
	MC_FX_REGION_PIXELATE = 1,
	MC_FX_REGION_BLUR,
};
int mc_fx_linear(VipsImage *in, VipsImage **out, double a, double b);
int mc_fx_gamma(VipsImage *in, VipsImage **out, double exponent);
int mc_fx_lch(VipsImage *in, VipsImage **out, double chroma_mul, double hue_add, double vibrance);
int mc_fx_auto(VipsImage *in, VipsImage **out, int kind, double blend);
int mc_fx_unsharp(VipsImage *in, VipsImage **out, double sigma, double amount);
int mc_fx_pixelate(VipsImage *in, VipsImage **out, int size);
int mc_fx_region(VipsImage *in, VipsImage **out, int left, int top, int width, int height, int kind, double param);
int mc_fx_vignette(VipsImage *in, VipsImage **out, double strength);
int mc_fx_corner(VipsImage *in, double *r, double *g, double *b);
int mc_fx_predominant(VipsImage *in, double *r, double *g, double *b);
int mc_fx_trim(VipsImage *in, VipsImage **out, double threshold, double r, double g, double b);
int mc_fx_colorize(VipsImage *in, VipsImage **out, double level, double r, double g, double b);
int mc_fx_tint(VipsImage *in, VipsImage **out, double amount, double r, double g, double b);
int mc_fx_blackwhite(VipsImage *in, VipsImage **out, double threshold);
int mc_fx_replace(VipsImage *in, VipsImage **out, double dE, const double from[3], const double to[3]);
int mc_fx_make_transparent(VipsImage *in, VipsImage **out, double dE, double r, double g, double b);
enum {
	MC_FX_OUTLINE_BOTH = 0,
	MC_FX_OUTLINE_OUTER,
	MC_FX_OUTLINE_INNER,
};
int mc_fx_outline(VipsImage *in, VipsImage **out, int mode, int width, double sigma,
	double r, double g, double b);
int mc_fx_fade(VipsImage *in, VipsImage **out, double xlen, double ylen, int symmetric, double exponent);
int mc_fx_shadow(VipsImage *in, VipsImage **out, int dx, int dy, double sigma, double opacity,
	double r, double g, double b);
// Formats beyond the first five (vips_formats.c, save_formats.go).
// mc_save_more encodes TIFF, HEIC and JPEG XL (mc_save hands them over);
// mc_pixels gives 8-bit sRGB rows, 3 or 4 bands, to the encoders written
// in Go; mc_saver_works probes an encoder as mc_avif_works does;
// mc_formats_configure allows the JPEG XL saver (not its loader).
int mc_save_more(VipsImage *x, const mc_save_options *o, int strip, void **buf, size_t *len);
int mc_pixels(VipsImage *in, void **buf, size_t *len, int *bands);
int mc_saver_works(int format);
void mc_formats_configure(void);
int mc_subsample(int chroma);

// Salient crops and b_auto (vips_crop.c, crop_auto.go). mc_crop_saliency
// is in's saliency map, at most 256 pixels on its long side (the caller
// frees *map with mc_free); mc_crop_border_colour the predominant colour
// of in's border. in must allow out-of-order reads.
int mc_crop_saliency(VipsImage *in, float **map, int *width, int *height);
int mc_crop_border_colour(VipsImage *in, double *r, double *g, double *b);
// mc_avif_works returns 0 when libvips can encode AVIF (heifsave with an
// AV1 encoder), -1 when it cannot.
int mc_avif_works(void);

// Animation (vips_anim.c, anim.go). mc_anim_load opens n frames (-1: to
// the end) from page as one image of frames stacked top to bottom, its
// page-height one frame's. mc_anim_meta reads n frames' delays (ms; a
// frame without one gets the GIF delay, else 100) and the loop count (0:
// forever). mc_anim_join stacks n frames of one size the same way, with
// these delays and loop count; frames of different sizes fail.
int mc_anim_load(int kind, const void *buf, size_t len, int page, int n, VipsImage **out);
void mc_anim_meta(VipsImage *im, int *delays, int n, int *loop);
int mc_anim_join(VipsImage **frames, int n, const int *delays, int loop, VipsImage **out);
// mc_anim_frame makes a still image a frame of a joined animation (animate.go):
// sRGB, 8 bits, with an alpha band.
int mc_anim_frame(VipsImage *in, VipsImage **out);

// PDF (vips_pdf.c, pdf.go). mc_pdf_unblock lets poppler's PDF loader
// through libvips' block on untrusted loaders (the others stay blocked).
// mc_pdf_load opens page (0-based) rasterised at dpi.
void mc_pdf_unblock(void);
int mc_pdf_load(const void *buf, size_t len, int page, double dpi, VipsImage **out);

// ---- faces (vips_faces.c; the detector itself is faces.h) ----
// mc_faces_grey writes in as 8-bit greyscale, its longer side at most
// max_side, into *buf (*len bytes, *width × *height; free with mc_free).
int mc_faces_grey(VipsImage *in, int max_side, void **buf, size_t *len, int *width, int *height);

// Shared by the C files (vips.c, vips_effects.c, vips_layers.c, vips_faces.c).
//
// MC_LOCAL declares base, an image that owns n local images t[0..n-1];
// mc_done releases them and turns res (a libvips result, or a chain of
// them joined with ||) into 0 or -1.
#define MC_LOCAL(base, t, n) \
	VipsImage *base = vips_image_new(); \
	VipsImage **t = (VipsImage **) vips_object_local_array(VIPS_OBJECT(base), n)
int mc_done(VipsImage *base, int res);
// mc_split separates colour bands and alpha; alpha is NULL without one.
int mc_split(VipsImage *in, VipsImage **colour, VipsImage **alpha);

#endif
