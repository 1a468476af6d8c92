// Direct JPEG decoding for package imaging; see mc_jpeg_decode in vips.h.
#include "vips.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

// Rows decoded between two looks at the kill flag: a few milliseconds of
// work even for the widest images the limits let through.
#define MC_JPEG_ROWS_PER_CHECK 32

// Too many warnings mean a corrupt stream that decodes to noise; libvips
// gives up at the same count.
#define MC_JPEG_MAX_WARNINGS 100

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jmp;
	int truncated;
} mc_jpeg_errors;

static void mc_jpeg_error_exit(j_common_ptr cinfo)
{
	mc_jpeg_errors *e = (mc_jpeg_errors *) cinfo->err;
	char msg[JMSG_LENGTH_MAX];

	(*cinfo->err->format_message)(cinfo, msg);
	vips_error("mediacdn", "jpeg: %s", msg);
	longjmp(e->jmp, 1);
}

// mc_jpeg_emit_message keeps libjpeg quiet (it would print to stderr) and
// notes what makes a stream unusable: data that ends early (libvips' loader
// fails on that too, with fail_on=truncated) or a flood of warnings.
static void mc_jpeg_emit_message(j_common_ptr cinfo, int level)
{
	mc_jpeg_errors *e = (mc_jpeg_errors *) cinfo->err;

	if (level >= 0)
		return;
	cinfo->err->num_warnings++;
	if (cinfo->err->msg_code == JWRN_JPEG_EOF)
		e->truncated = 1;
}

static void mc_jpeg_free(VipsImage *im, void *pixels)
{
	g_free(pixels);
}

// mc_copy_meta copies one metadata item (EXIF, ICC profile, IPTC, XMP,
// orientation, ...) of the header image onto the decoded one; the fixed
// fields (size, format, resolution, ...) are set separately.
static void *mc_copy_meta(VipsImage *from, const char *name, GValue *value, void *to)
{
	static const char *fixed[] = { "width", "height", "bands", "format", "coding",
		"interpretation", "xoffset", "yoffset", "xres", "yres", "filename", "mode",
		"scale", "offset", NULL };

	for (int i = 0; fixed[i]; i++)
		if (strcmp(name, fixed[i]) == 0)
			return NULL;
	vips_image_set((VipsImage *) to, name, value);
	return NULL;
}

int mc_jpeg_decode(const void *buf, size_t len, int shrink, size_t max_bytes,
	VipsImage *header, VipsImage **out, int *handled)
{
	struct jpeg_decompress_struct cinfo;
	mc_jpeg_errors err;
	unsigned char *volatile pixels = NULL;
	size_t stride, size;
	int width, height, bands;
	VipsImage *im;

	*handled = 1;
	memset(&err, 0, sizeof(err));
	cinfo.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = mc_jpeg_error_exit;
	err.pub.emit_message = mc_jpeg_emit_message;
	if (setjmp(err.jmp)) {
		jpeg_destroy_decompress(&cinfo);
		g_free(pixels);
		return -1;
	}
	jpeg_create_decompress(&cinfo);
	jpeg_mem_src(&cinfo, (const unsigned char *) buf, len);
	if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) {
		vips_error("mediacdn", "jpeg: no image in the stream");
		longjmp(err.jmp, 1);
	}
	// Only what libjpeg turns into 8-bit RGB or grey by itself; CMYK,
	// YCCK and anything unusual go through libvips' loader.
	switch (cinfo.jpeg_color_space) {
	case JCS_GRAYSCALE:
		cinfo.out_color_space = JCS_GRAYSCALE;
		break;
	case JCS_YCbCr:
	case JCS_RGB:
		cinfo.out_color_space = JCS_RGB;
		break;
	default:
		jpeg_destroy_decompress(&cinfo);
		*handled = 0;
		return 0;
	}
	cinfo.scale_num = 1;
	cinfo.scale_denom = shrink > 1 ? shrink : 1;
	jpeg_calc_output_dimensions(&cinfo);
	// libjpeg rounds a shrunk size up, libvips' loader down: the last row
	// and column of a partial block are dropped, as libvips does, so that
	// both give the same image.
	width = VIPS_MAX(1, cinfo.image_width / cinfo.scale_denom);
	height = VIPS_MAX(1, cinfo.image_height / cinfo.scale_denom);
	bands = cinfo.output_components;
	stride = (size_t) cinfo.output_width * bands;
	size = stride * cinfo.output_height;
	if (stride == 0 || width > (int) cinfo.output_width || height > (int) cinfo.output_height ||
		size > max_bytes || size / stride != cinfo.output_height) {
		jpeg_destroy_decompress(&cinfo);
		*handled = 0;
		return 0;
	}
	if (!(pixels = g_try_malloc(size))) {
		vips_error("mediacdn", "jpeg: out of memory for %zu bytes", size);
		longjmp(err.jmp, 1);
	}

	jpeg_start_decompress(&cinfo);
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW rows[MC_JPEG_ROWS_PER_CHECK];
		int n = 0;

		for (unsigned y = cinfo.output_scanline;
			y < cinfo.output_height && n < MC_JPEG_ROWS_PER_CHECK; y++, n++)
			rows[n] = pixels + (size_t) y * stride;
		for (int done = 0; done < n;) {
			JDIMENSION got = jpeg_read_scanlines(&cinfo, rows + done, n - done);

			if (got == 0) {
				vips_error("mediacdn", "jpeg: decoder stalled");
				longjmp(err.jmp, 1);
			}
			done += got;
		}
		if (err.truncated || err.pub.num_warnings >= MC_JPEG_MAX_WARNINGS)
			break;
		if (g_atomic_int_get(&header->kill)) {
			vips_error("mediacdn", "jpeg: decode killed");
			longjmp(err.jmp, 1);
		}
	}
	if (err.truncated) {
		vips_error("mediacdn", "jpeg: premature end of JPEG file");
		longjmp(err.jmp, 1);
	}
	if (err.pub.num_warnings >= MC_JPEG_MAX_WARNINGS) {
		vips_error("mediacdn", "jpeg: too many decoder warnings");
		longjmp(err.jmp, 1);
	}
	jpeg_finish_decompress(&cinfo);
	if (err.truncated) {
		vips_error("mediacdn", "jpeg: premature end of JPEG file");
		longjmp(err.jmp, 1);
	}
	jpeg_destroy_decompress(&cinfo);

	if ((size_t) width * bands < stride)
		for (int y = 1; y < height; y++)
			memmove(pixels + (size_t) y * width * bands, pixels + (size_t) y * stride,
				(size_t) width * bands);
	size = (size_t) width * bands * height;
	if (!(im = vips_image_new_from_memory(pixels, size, width, height, bands, VIPS_FORMAT_UCHAR))) {
		g_free(pixels);
		return -1;
	}
	g_signal_connect(im, "postclose", G_CALLBACK(mc_jpeg_free), pixels);
	im->Type = bands == 1 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;
	im->Xres = header->Xres;
	im->Yres = header->Yres;
	vips_image_map(header, mc_copy_meta, im);
	*out = im;
	return 0;
}

int mc_jpeg_verify(const void *buf, size_t len, VipsImage *header)
{
	struct jpeg_decompress_struct cinfo;
	mc_jpeg_errors err;
	unsigned char *volatile row = NULL;

	memset(&err, 0, sizeof(err));
	cinfo.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = mc_jpeg_error_exit;
	err.pub.emit_message = mc_jpeg_emit_message;
	if (setjmp(err.jmp)) {
		jpeg_destroy_decompress(&cinfo);
		g_free(row);
		return -1;
	}
	jpeg_create_decompress(&cinfo);
	jpeg_mem_src(&cinfo, (const unsigned char *) buf, len);
	if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) {
		vips_error("mediacdn", "jpeg: no image in the stream");
		longjmp(err.jmp, 1);
	}
	// Every coefficient is still entropy-decoded at 1/8 scale; only the
	// inverse DCT shrinks to one value a block.
	cinfo.scale_num = 1;
	cinfo.scale_denom = 8;
	cinfo.dct_method = JDCT_IFAST;
	cinfo.do_fancy_upsampling = FALSE;
	jpeg_start_decompress(&cinfo);
	if (!(row = g_try_malloc((size_t) cinfo.output_width * cinfo.output_components))) {
		vips_error("mediacdn", "jpeg: out of memory for a row");
		longjmp(err.jmp, 1);
	}
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW rows[1] = { row };

		for (int n = 0; n < MC_JPEG_ROWS_PER_CHECK && cinfo.output_scanline < cinfo.output_height; n++)
			if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) {
				vips_error("mediacdn", "jpeg: decoder stalled");
				longjmp(err.jmp, 1);
			}
		if (err.truncated || err.pub.num_warnings >= MC_JPEG_MAX_WARNINGS)
			break;
		if (g_atomic_int_get(&header->kill)) {
			vips_error("mediacdn", "jpeg: verify killed");
			longjmp(err.jmp, 1);
		}
	}
	if (!err.truncated && err.pub.num_warnings < MC_JPEG_MAX_WARNINGS)
		jpeg_finish_decompress(&cinfo); // reads on to the end-of-image marker
	if (err.truncated) {
		vips_error("mediacdn", "jpeg: premature end of JPEG file");
		longjmp(err.jmp, 1);
	}
	if (err.pub.num_warnings >= MC_JPEG_MAX_WARNINGS) {
		vips_error("mediacdn", "jpeg: too many decoder warnings");
		longjmp(err.jmp, 1);
	}
	jpeg_destroy_decompress(&cinfo);
	g_free(row);
	return 0;
}
