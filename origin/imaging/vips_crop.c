// The C layer of the salient crops and b_auto (crops.go, crop_auto.go); see vips.h.
#include "vips.h"

#include <math.h>

// crop_srgb makes in's colour bands (no alpha) three-band sRGB.
static int crop_srgb(VipsImage *in, VipsImage **out)
{
	MC_LOCAL(base, t, 2);

	if (mc_split(in, &t[0], &t[1]))
		return mc_done(base, -1);
	if (t[0]->Bands >= 3)
		return mc_done(base, vips_copy(t[0], out, NULL));
	return mc_done(base, vips_colourspace(t[0], out, VIPS_INTERPRETATION_sRGB, NULL));
}

// mc_crop_saliency is the frequency-tuned saliency map of in (Achanta et
// al., 2009: each pixel's CIELAB distance, after a slight blur, from the
// image's mean colour) on a copy at most 256 pixels on its long side:
// *width × *height floats in *map, which the caller frees (mc_free). in
// must allow out-of-order reads.
int mc_crop_saliency(VipsImage *in, float **map, int *width, int *height)
{
	MC_LOCAL(base, t, 9);
	double scale = 256.0 / VIPS_MAX(in->Xsize, in->Ysize);
	double mean[3], neg[3], one[3] = {1, 1, 1};
	float *s = NULL;
	size_t len = 0;
	int i;

	if (scale > 1)
		scale = 1;
	if (crop_srgb(in, &t[0]) ||
		vips_resize(t[0], &t[1], scale, NULL) ||
		vips_gaussblur(t[1], &t[2], 1.0, NULL) ||
		vips_colourspace(t[2], &t[3], VIPS_INTERPRETATION_LAB, NULL))
		return mc_done(base, -1);
	for (i = 0; i < 3; i++) {
		if (vips_extract_band(t[3], &t[4], i, NULL) || vips_avg(t[4], &mean[i], NULL))
			return mc_done(base, -1);
		g_object_unref(t[4]);
		t[4] = NULL;
		neg[i] = -mean[i];
	}
	if (vips_linear(t[3], &t[5], one, neg, 3, NULL) ||
		vips_multiply(t[5], t[5], &t[6], NULL) ||
		vips_bandmean(t[6], &t[7], NULL) ||
		vips_cast(t[7], &t[8], VIPS_FORMAT_FLOAT, NULL) ||
		!(s = vips_image_write_to_memory(t[8], &len)))
		return mc_done(base, -1);
	if (len < (size_t) t[8]->Xsize * t[8]->Ysize * sizeof(float)) {
		g_free(s);
		vips_error("mc_crop_saliency", "short saliency map");
		return mc_done(base, -1);
	}
	for (i = 0; i < t[8]->Xsize * t[8]->Ysize; i++)
		s[i] = sqrtf(s[i] * 3); // the mean of three squares: the distance
	*map = s, *width = t[8]->Xsize, *height = t[8]->Ysize;
	return mc_done(base, 0);
}

// mc_crop_border_colour is the predominant colour (mc_fx_predominant) of
// in's border: its outer strips, thickness 2% of its smaller side (at
// least 1 pixel), joined into one image. in must allow out-of-order reads.
int mc_crop_border_colour(VipsImage *in, double *r, double *g, double *b)
{
	MC_LOCAL(base, t, 9);
	int w = in->Xsize, h = in->Ysize;
	int k = VIPS_MAX(1, (int) round(VIPS_MIN(w, h) * 0.02));

	if (w < 2 * k + 1 || h < 2 * k + 1)
		return mc_done(base, mc_fx_predominant(in, r, g, b));
	if (vips_extract_area(in, &t[0], 0, 0, w, k, NULL) ||
		vips_extract_area(in, &t[1], 0, h - k, w, k, NULL) ||
		vips_extract_area(in, &t[2], 0, 0, k, h, NULL) ||
		vips_extract_area(in, &t[3], w - k, 0, k, h, NULL) ||
		vips_rot(t[2], &t[4], VIPS_ANGLE_D90, NULL) ||
		vips_rot(t[3], &t[5], VIPS_ANGLE_D90, NULL) ||
		vips_join(t[0], t[1], &t[6], VIPS_DIRECTION_VERTICAL, NULL) ||
		vips_join(t[4], t[5], &t[7], VIPS_DIRECTION_VERTICAL, NULL) ||
		vips_join(t[6], t[7], &t[8], VIPS_DIRECTION_HORIZONTAL, NULL))
		return mc_done(base, -1);
	return mc_done(base, mc_fx_predominant(t[8], r, g, b));
}
