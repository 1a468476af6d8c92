// The C layer of save_formats.go: the TIFF, HEIC and JPEG XL savers, the
// pixels handed to the savers written in Go (BMP, ICO), and the probes of
// the encoders libheif and libjxl may lack.
#include "vips.h"

// mc_formats_configure allows libvips' JPEG XL saver, which 8.14 marks
// untrusted with its loader (mc_configure blocks both): the saver only
// ever encodes pixels this process decoded; the loader stays blocked.
void mc_formats_configure(void)
{
	vips_operation_block_set("VipsForeignSaveJxl", FALSE);
}

// mc_save_more encodes x (8-bit sRGB or grey, metadata already stripped as
// o asks) for the formats beyond mc_save's first five.
int mc_save_more(VipsImage *x, const mc_save_options *o, int strip, void **buf, size_t *len)
{
	switch (o->format) {
	case MC_SAVE_TIFF:
		return vips_tiffsave_buffer(x, buf, len, "compression", VIPS_FOREIGN_TIFF_COMPRESSION_LZW,
			"predictor", VIPS_FOREIGN_TIFF_PREDICTOR_HORIZONTAL, "strip", strip, NULL);
	case MC_SAVE_HEIC:
		return vips_heifsave_buffer(x, buf, len, "Q", o->quality,
			"compression", VIPS_FOREIGN_HEIF_COMPRESSION_HEVC, "bitdepth", 8,
			"subsample_mode", mc_subsample(o->chroma), "strip", strip, NULL);
	case MC_SAVE_JXL:
		return vips_jxlsave_buffer(x, buf, len, "Q", o->quality, "effort", o->effort,
			"strip", strip, NULL);
	}
	vips_error("mediacdn", "unknown output format %d", o->format);
	return -1;
}

// mc_pixels writes in's pixels to memory as 8-bit sRGB rows, with alpha
// when in has one (*bands 3 or 4), for an encoder written in Go. *buf is
// freed with mc_free.
int mc_pixels(VipsImage *in, void **buf, size_t *len, int *bands)
{
	MC_LOCAL(base, t, 2);
	VipsImage *x = in;

	if (x->Bands < 3) {
		if (vips_colourspace(x, &t[0], VIPS_INTERPRETATION_sRGB, "source_space",
				VIPS_INTERPRETATION_B_W, NULL))
			return mc_done(base, -1);
		x = t[0];
	}
	if (x->BandFmt != VIPS_FORMAT_UCHAR) {
		if (vips_cast(x, &t[1], VIPS_FORMAT_UCHAR, NULL))
			return mc_done(base, -1);
		x = t[1];
	}
	if (x->Bands != 3 && x->Bands != 4) {
		vips_error("mediacdn", "%d bands", x->Bands);
		return mc_done(base, -1);
	}
	*buf = vips_image_write_to_memory(x, len);
	if (!*buf)
		return mc_done(base, -1);
	*bands = x->Bands;
	return mc_done(base, 0);
}

// mc_saver_works encodes a tiny image with format (MC_SAVE_HEIC,
// MC_SAVE_JXL): 0 when it works here, -1 (error text cleared) when the
// encoder is missing, as mc_avif_works.
int mc_saver_works(int format)
{
	MC_LOCAL(base, t, 2);
	mc_save_options o = { .format = format, .quality = 50, .effort = 4 };
	void *buf = NULL;
	size_t len = 0;
	int ok;

	ok = !vips_black(&t[0], 16, 16, "bands", 3, NULL) &&
		!vips_copy(t[0], &t[1], "interpretation", VIPS_INTERPRETATION_sRGB, NULL) &&
		!mc_save_more(t[1], &o, TRUE, &buf, &len) && len > 0;
	g_free(buf);
	if (!ok)
		vips_error_clear();
	vips_thread_shutdown();
	return mc_done(base, !ok);
}
