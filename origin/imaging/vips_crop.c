// The C layer of the salient crops and b_auto (crops.go, crop_auto.go); see vips.h.
#include "vips.h"

#include <math.h>
#include <string.h>

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

// crop_span is where the middle (1 - 2 trim) of the mass of v[0..n-1]
// lies: the first and last index past trim of the total from each end.
static void crop_span(const double *v, int n, double trim, int *lo, int *hi)
{
	double total = 0, acc = 0;
	int i;

	for (i = 0; i < n; i++)
		total += v[i];
	*lo = 0, *hi = n - 1;
	for (i = 0; i < n; i++) {
		acc += v[i];
		if (acc > total * trim) {
			*lo = i;
			break;
		}
	}
	acc = 0;
	for (i = n - 1; i >= 0; i--) {
		acc += v[i];
		if (acc > total * trim) {
			*hi = i;
			break;
		}
	}
	if (*hi < *lo)
		*hi = *lo;
}

// mc_crop_salient finds the salient region of in: frequency-tuned saliency
// (Achanta et al., 2009: each pixel's CIELAB distance, after a slight blur,
// from the image's mean colour) on a copy at most 256 pixels on its long
// side; the pixels over twice the mean saliency weigh in by their
// saliency, and the region holds the middle 96% of that weight across and
// down. An image with no salient pixel is salient all over. in must allow
// out-of-order reads.
int mc_crop_salient(VipsImage *in, int *left, int *top, int *width, int *height)
{
	MC_LOCAL(base, t, 9);
	double scale = 256.0 / VIPS_MAX(in->Xsize, in->Ysize);
	double mean[3], neg[3], one[3] = {1, 1, 1};
	double sum = 0, thresh, *col = NULL, *row = NULL;
	float *s = NULL;
	size_t len = 0;
	int w, h, x, y, i, x0, x1, y0, y1;

	*left = 0, *top = 0, *width = in->Xsize, *height = in->Ysize;
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
	w = t[8]->Xsize, h = t[8]->Ysize;
	if (len < (size_t) w * h * sizeof(float)) {
		g_free(s);
		vips_error("mc_crop_salient", "short saliency map");
		return mc_done(base, -1);
	}
	for (i = 0; i < w * h; i++) {
		s[i] = sqrtf(s[i] * 3); // bandmean of squares: the distance
		sum += s[i];
	}
	thresh = 2 * sum / (w * h);
	col = g_new0(double, w);
	row = g_new0(double, h);
	sum = 0;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			double v = s[y * w + x];
			if (v > thresh && v > 1) {
				col[x] += v, row[y] += v, sum += v;
			}
		}
	if (sum > 0) {
		crop_span(col, w, 0.02, &x0, &x1);
		crop_span(row, h, 0.02, &y0, &y1);
		*left = VIPS_CLIP(0, (int) floor(x0 / scale), in->Xsize - 1);
		*top = VIPS_CLIP(0, (int) floor(y0 / scale), in->Ysize - 1);
		*width = VIPS_CLIP(1, (int) ceil((x1 + 1) / scale) - *left, in->Xsize - *left);
		*height = VIPS_CLIP(1, (int) ceil((y1 + 1) / scale) - *top, in->Ysize - *top);
	}
	g_free(s);
	g_free(col);
	g_free(row);
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
