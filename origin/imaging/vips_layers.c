// The C side of layers (l_, u_): compositing an overlay or underlay at a
// position, tiling it, and rendering a text layer. The return convention
// is vips.h's.
#include "vips.h"

#define MC_LAYER_LOCAL(base, t, n) \
	VipsImage *base = vips_image_new(); \
	VipsImage **t = (VipsImage **) vips_object_local_array(VIPS_OBJECT(base), n)

static int mc_layer_done(VipsImage *base, int res)
{
	g_object_unref(base);
	return res ? -1 : 0;
}

// mc_layer_rgba makes in 8-bit sRGB with alpha.
static int mc_layer_rgba(VipsImage *in, VipsImage **out)
{
	MC_LAYER_LOCAL(base, t, 3);
	VipsImage *x = in;

	if (x->Bands - (vips_image_hasalpha(x) ? 1 : 0) < 3) {
		if (vips_colourspace(x, &t[0], VIPS_INTERPRETATION_sRGB, NULL))
			return mc_layer_done(base, -1);
		x = t[0];
	}
	if (!vips_image_hasalpha(x)) {
		if (vips_addalpha(x, &t[1], NULL))
			return mc_layer_done(base, -1);
		x = t[1];
	}
	if (vips_cast(x, &t[2], VIPS_FORMAT_UCHAR, NULL))
		return mc_layer_done(base, -1);
	return mc_layer_done(base, vips_copy(t[2], out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL));
}

int mc_layer_composite(VipsImage *in, VipsImage *layer, int x, int y, int under, VipsImage **out)
{
	MC_LAYER_LOCAL(base, t, 6);
	int keep_alpha = vips_image_hasalpha(in);
	VipsImage *res;

	if (mc_layer_rgba(in, &t[0]) || mc_layer_rgba(layer, &t[1]))
		return mc_layer_done(base, -1);
	if (under) {
		// The underlay, placed on a transparent canvas of the base's size,
		// goes under the base.
		VipsArrayDouble *bg = vips_array_double_newv(4, 0.0, 0.0, 0.0, 0.0);
		int rc = vips_embed(t[1], &t[2], x, y, t[0]->Xsize, t[0]->Ysize,
			"extend", VIPS_EXTEND_BACKGROUND, "background", bg, NULL);
		vips_area_unref(VIPS_AREA(bg));
		if (rc || vips_composite2(t[2], t[0], &t[3], VIPS_BLEND_MODE_OVER, NULL))
			return mc_layer_done(base, -1);
	} else if (vips_composite2(t[0], t[1], &t[3], VIPS_BLEND_MODE_OVER, "x", x, "y", y, NULL))
		return mc_layer_done(base, -1);
	if (vips_cast(t[3], &t[4], VIPS_FORMAT_UCHAR, NULL))
		return mc_layer_done(base, -1);
	res = t[4];
	if (!keep_alpha) {
		if (vips_extract_band(res, &t[5], 0, "n", 3, NULL))
			return mc_layer_done(base, -1);
		res = t[5];
	}
	return mc_layer_done(base, vips_copy(res, out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL));
}

int mc_layer_tile(VipsImage *layer, int width, int height, VipsImage **out)
{
	MC_LAYER_LOCAL(base, t, 1);
	int across = (width + layer->Xsize - 1) / layer->Xsize;
	int down = (height + layer->Ysize - 1) / layer->Ysize;

	if (vips_replicate(layer, &t[0], across, down, NULL))
		return mc_layer_done(base, -1);
	return mc_layer_done(base, vips_extract_area(t[0], out, 0, 0, width, height, NULL));
}

int mc_layer_text(VipsImage **out, const char *markup, const char *font, int width, int align,
	int justify, int spacing, double r, double g, double b, double a)
{
	MC_LAYER_LOCAL(base, t, 5);
	double zero[3] = {0, 0, 0}, rgb[3] = {r, g, b};
	VipsAlign al = align < 0 ? VIPS_ALIGN_LOW : align > 0 ? VIPS_ALIGN_HIGH : VIPS_ALIGN_CENTRE;

	// width 0 does not wrap; spacing 0 is the font's own line spacing.
	if (vips_text(&t[0], markup, "font", font, "dpi", 72, "width", width > 0 ? width : 0,
		"align", al, "justify", justify, "spacing", spacing, NULL))
		return mc_layer_done(base, -1);
	return mc_layer_done(base,
		vips_linear(t[0], &t[1], zero, rgb, 3, "uchar", TRUE, NULL) ||
		vips_linear1(t[0], &t[2], a / 255.0, 0, "uchar", TRUE, NULL) ||
		vips_bandjoin2(t[1], t[2], &t[3], NULL) ||
		vips_copy(t[3], out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL));
}
