// The C side of layers (l_, u_): compositing an overlay or underlay at a
// position, tiling it, and rendering a text layer. The return convention
// is vips.h's.
#include "vips.h"

// mc_layer_rgba makes in 8-bit sRGB with alpha.
static int mc_layer_rgba(VipsImage *in, VipsImage **out)
{
	MC_LOCAL(base, t, 3);
	VipsImage *x = in;

	if (x->Bands - (vips_image_hasalpha(x) ? 1 : 0) < 3) {
		if (vips_colourspace(x, &t[0], VIPS_INTERPRETATION_sRGB, NULL))
			return mc_done(base, -1);
		x = t[0];
	}
	if (!vips_image_hasalpha(x)) {
		if (vips_addalpha(x, &t[1], NULL))
			return mc_done(base, -1);
		x = t[1];
	}
	if (vips_cast(x, &t[2], VIPS_FORMAT_UCHAR, NULL))
		return mc_done(base, -1);
	return mc_done(base, vips_copy(t[2], out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL));
}

// mc_blend puts the 4-band layer l (lw wide) over the part b (w × h,
// bands 3 or 4, in memory) at (dx, dy) of l's origin in b, in place: the
// "over" operator, exact on 8-bit values. libvips' composite costs about
// 60 ns a pixel here (float, premultiplied), this about 3.
static void mc_blend(unsigned char *b, int w, int h, int bands, const unsigned char *l, int lw, int dx, int dy)
{
	int x, y, k;

	for (y = 0; y < h; y++) {
		unsigned char *p = b + (size_t) y * w * bands;
		const unsigned char *q = l + ((size_t) (y + dy) * lw + dx) * 4;
		for (x = 0; x < w; x++, p += bands, q += 4) {
			int la = q[3];
			if (la == 0)
				continue;
			if (bands == 3 || p[3] == 255) {
				for (k = 0; k < 3; k++)
					p[k] = (unsigned char) ((q[k] * la + p[k] * (255 - la) + 127) / 255);
				continue;
			}
			// Under a translucent pixel: out_a = la + ba (1 - la).
			{
				int ba = p[3];
				int oa = la * 255 + ba * (255 - la); // out alpha × 255
				for (k = 0; k < 3; k++)
					p[k] = (unsigned char) ((q[k] * la * 255 + p[k] * ba * (255 - la) + oa / 2) / oa);
				p[3] = (unsigned char) ((oa + 127) / 255);
			}
		}
	}
}

// mc_layer_over composites the 4-band layer at (x, y) over in (sRGB, 3
// or 4 bands), on the part of in the layer covers only: that part is
// made in memory, blended and put back.
static int mc_layer_over(VipsImage *in, VipsImage *layer, int x, int y, VipsImage **out)
{
	MC_LOCAL(base, t, 4);
	int x0 = VIPS_MAX(x, 0), y0 = VIPS_MAX(y, 0);
	int x1 = VIPS_MIN(x + layer->Xsize, in->Xsize), y1 = VIPS_MIN(y + layer->Ysize, in->Ysize);
	int w = x1 - x0, h = y1 - y0;

	if (w <= 0 || h <= 0)
		return mc_done(base, vips_copy(in, out, NULL));
	if (vips_extract_area(in, &t[0], x0, y0, w, h, NULL) ||
		vips_cast(t[0], &t[1], VIPS_FORMAT_UCHAR, NULL) ||
		!(t[2] = vips_image_copy_memory(t[1])) ||
		!(t[3] = vips_image_copy_memory(layer)))
		return mc_done(base, -1);
	mc_blend(VIPS_IMAGE_ADDR(t[2], 0, 0), w, h, t[2]->Bands, VIPS_IMAGE_ADDR(t[3], 0, 0),
		t[3]->Xsize, x0 - x, y0 - y);
	return mc_done(base, vips_insert(in, t[2], out, x0, y0, NULL));
}

int mc_layer_composite(VipsImage *in, VipsImage *layer, int x, int y, int under, VipsImage **out)
{
	MC_LOCAL(base, t, 6);
	int keep_alpha = vips_image_hasalpha(in);
	VipsArrayDouble *bg;
	int rc;

	if (mc_layer_rgba(layer, &t[1]))
		return mc_done(base, -1);
	if (!under) {
		// A grey image becomes sRGB first, so that a colour layer stays colour.
		if (in->Bands - keep_alpha < 3 || in->BandFmt != VIPS_FORMAT_UCHAR) {
			if (vips_colourspace(in, &t[0], VIPS_INTERPRETATION_sRGB, NULL) ||
				vips_cast(t[0], &t[2], VIPS_FORMAT_UCHAR, NULL))
				return mc_done(base, -1);
			in = t[2];
		}
		return mc_done(base, mc_layer_over(in, t[1], x, y, out));
	}
	// The underlay, placed on a transparent canvas of the image's size,
	// goes under the image.
	if (mc_layer_rgba(in, &t[0]))
		return mc_done(base, -1);
	bg = vips_array_double_newv(4, 0.0, 0.0, 0.0, 0.0);
	rc = vips_embed(t[1], &t[2], x, y, t[0]->Xsize, t[0]->Ysize,
		"extend", VIPS_EXTEND_BACKGROUND, "background", bg, NULL);
	vips_area_unref(VIPS_AREA(bg));
	if (rc || vips_composite2(t[2], t[0], &t[3], VIPS_BLEND_MODE_OVER, NULL) ||
		vips_cast(t[3], &t[4], VIPS_FORMAT_UCHAR, NULL))
		return mc_done(base, -1);
	if (!keep_alpha) {
		if (vips_extract_band(t[4], &t[5], 0, "n", 3, NULL))
			return mc_done(base, -1);
		return mc_done(base, vips_copy(t[5], out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL));
	}
	return mc_done(base, vips_copy(t[4], out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL));
}

int mc_layer_tile(VipsImage *layer, int width, int height, VipsImage **out)
{
	MC_LOCAL(base, t, 1);
	int across = (width + layer->Xsize - 1) / layer->Xsize;
	int down = (height + layer->Ysize - 1) / layer->Ysize;

	if (vips_replicate(layer, &t[0], across, down, NULL))
		return mc_done(base, -1);
	return mc_done(base, vips_extract_area(t[0], out, 0, 0, width, height, NULL));
}

int mc_layer_text(VipsImage **out, const char *markup, const char *font, int width, int align,
	int justify, int spacing, double r, double g, double b, double a)
{
	MC_LOCAL(base, t, 5);
	double zero[3] = {0, 0, 0}, rgb[3] = {r, g, b};
	VipsAlign al = align < 0 ? VIPS_ALIGN_LOW : align > 0 ? VIPS_ALIGN_HIGH : VIPS_ALIGN_CENTRE;

	// width 0 does not wrap; spacing 0 is the font's own line spacing.
	if (vips_text(&t[0], markup, "font", font, "dpi", 72, "width", width > 0 ? width : 0,
		"align", al, "justify", justify, "spacing", spacing, NULL))
		return mc_done(base, -1);
	return mc_done(base,
		vips_linear(t[0], &t[1], zero, rgb, 3, "uchar", TRUE, NULL) ||
		vips_linear1(t[0], &t[2], a / 255.0, 0, "uchar", TRUE, NULL) ||
		vips_bandjoin2(t[1], t[2], &t[3], NULL) ||
		vips_copy(t[3], out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL));
}

int mc_layer_pixels(VipsImage *in, void **buf, size_t *len)
{
	*buf = vips_image_write_to_memory(in, len);
	return *buf ? 0 : -1;
}

int mc_layer_open(const void *buf, size_t len, int width, int height, int bands, int format,
	int interpretation, VipsImage **out)
{
	MC_LOCAL(base, t, 1);

	t[0] = vips_image_new_from_memory_copy(buf, len, width, height, bands, (VipsBandFormat) format);
	if (!t[0])
		return mc_done(base, -1);
	return mc_done(base, vips_copy(t[0], out, "interpretation", (VipsInterpretation) interpretation, NULL));
}
