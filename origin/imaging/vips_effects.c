// The C side of the e_ effects added after the first five (grayscale,
// sepia, negate, blur, sharpen live in vips.c): colour adjustments,
// automatic corrections, unsharp mask, pixelation, regions and vignette.
// Same return convention as vips.c (vips.h). Each works on the colour
// bands of an 8-bit image and keeps its alpha as it is.
#include <math.h>

#include "vips.h"

// fx_join casts colour to 8 bits (clipping) and puts alpha back.
static int fx_join(VipsImage *colour, VipsImage *alpha, VipsInterpretation type, VipsImage **out)
{
	MC_LOCAL(base, t, 2);

	if (vips_cast(colour, &t[0], VIPS_FORMAT_UCHAR, NULL))
		return mc_done(base, -1);
	if (!alpha)
		return mc_done(base, vips_copy(t[0], out, "interpretation", type, NULL));
	return mc_done(base, vips_bandjoin2(t[0], alpha, &t[1], NULL) ||
		vips_copy(t[1], out, "interpretation", type, NULL));
}

int mc_fx_linear(VipsImage *in, VipsImage **out, double a, double b)
{
	MC_LOCAL(base, t, 3);

	return mc_done(base,
		mc_split(in, &t[0], &t[1]) ||
		vips_linear1(t[0], &t[2], a, b, NULL) ||
		fx_join(t[2], t[1], in->Type, out));
}

int mc_fx_gamma(VipsImage *in, VipsImage **out, double exponent)
{
	MC_LOCAL(base, t, 3);

	return mc_done(base,
		mc_split(in, &t[0], &t[1]) ||
		vips_gamma(t[0], &t[2], "exponent", exponent, NULL) ||
		fx_join(t[2], t[1], in->Type, out));
}

// mc_fx_lch works on chroma and hue in Lab: chroma (the length of a, b)
// times chroma_mul, hue (the angle of a, b) plus hue_add degrees (both a
// 3 × 3 recombination, cheaper than the trip through LCh), then a and b
// times 1 + vibrance * exp(-C/40) (most for the dullest colours).
int mc_fx_lch(VipsImage *in, VipsImage **out, double chroma_mul, double hue_add, double vibrance)
{
	MC_LOCAL(base, t, 19);
	double rad = hue_add * M_PI / 180;
	double cs = chroma_mul * cos(rad), sn = chroma_mul * sin(rad);
	double m[9] = {1, 0, 0, 0, cs, -sn, 0, sn, cs};
	VipsImage *lab;

	if (mc_split(in, &t[0], &t[1]) ||
		vips_colourspace(t[0], &t[2], VIPS_INTERPRETATION_LAB, NULL) ||
		!(t[3] = vips_image_new_matrix_from_array(3, 3, m, 9)) ||
		vips_recomb(t[2], &t[4], t[3], NULL))
		return mc_done(base, -1);
	lab = t[4];
	if (vibrance != 0) {
		if (vips_extract_band(lab, &t[5], 1, "n", 2, NULL) ||
			vips_multiply(t[5], t[5], &t[6], NULL) ||
			vips_bandmean(t[6], &t[7], NULL) ||
			vips_linear1(t[7], &t[8], 2, 0, NULL) ||
			vips_pow_const1(t[8], &t[9], 0.5, NULL) ||
			vips_linear1(t[9], &t[10], -1.0 / 40, 0, NULL) ||
			vips_exp(t[10], &t[11], NULL) ||
			vips_linear1(t[11], &t[12], vibrance, 1, NULL) ||
			vips_multiply(t[5], t[12], &t[13], NULL) ||
			vips_extract_band(lab, &t[14], 0, NULL) ||
			vips_bandjoin2(t[14], t[13], &t[15], NULL))
			return mc_done(base, -1);
		lab = t[15];
	}
	return mc_done(base,
		vips_copy(lab, &t[16], "interpretation", VIPS_INTERPRETATION_LAB, NULL) ||
		vips_colourspace(t[16], &t[17], VIPS_INTERPRETATION_sRGB, NULL) ||
		fx_join(t[17], t[1], VIPS_INTERPRETATION_sRGB, out));
}

// fx_band_stats reads, for each colour band of colour (8-bit, at most
// four bands), its mean and the values below which lo_pct and hi_pct
// percent of its pixels lie, from one histogram pass.
static int fx_band_stats(VipsImage *colour, double *mean, double *lo, double *hi, int lo_pct, int hi_pct)
{
	MC_LOCAL(base, t, 3);
	unsigned int *h;
	size_t size;
	double total = (double) colour->Xsize * colour->Ysize;
	int n = colour->Bands, i, v;

	if (n > 4 || vips_cast(colour, &t[0], VIPS_FORMAT_UCHAR, NULL) ||
		vips_hist_find(t[0], &t[1], NULL) ||
		vips_cast(t[1], &t[2], VIPS_FORMAT_UINT, NULL))
		return mc_done(base, -1);
	if (!(h = vips_image_write_to_memory(t[2], &size)))
		return mc_done(base, -1);
	for (i = 0; i < n; i++) {
		double sum = 0, seen = 0;
		int got_lo = 0, got_hi = 0;

		lo[i] = 0, hi[i] = 255;
		for (v = 0; v < 256; v++) {
			double c = h[v * n + i];
			sum += c * v;
			seen += c;
			if (!got_lo && seen >= total * lo_pct / 100) {
				lo[i] = v;
				got_lo = 1;
			}
			if (!got_hi && seen >= total * hi_pct / 100) {
				hi[i] = v;
				got_hi = 1;
			}
		}
		mean[i] = total > 0 ? sum / total : 0;
	}
	g_free(h);
	return mc_done(base, 0);
}

// mc_fx_auto applies an automatic correction blended with the original by
// blend (0-1): MC_FX_AUTO_BRIGHTNESS moves the mean to mid-grey,
// MC_FX_AUTO_CONTRAST stretches the 1st-99th percentile of all bands
// together to the full range, MC_FX_AUTO_COLOR scales each band so that
// its mean is the mean of all (grey world). in must allow out-of-order
// reads (it is read twice).
int mc_fx_auto(VipsImage *in, VipsImage **out, int kind, double blend)
{
	MC_LOCAL(base, t, 3);
	double mean[4], lo[4], hi[4], a[4], b[4], all = 0, lmin = 255, lmax = 0;
	int i, n;

	if (mc_split(in, &t[0], &t[1]))
		return mc_done(base, -1);
	n = t[0]->Bands > 4 ? 4 : t[0]->Bands;
	if (fx_band_stats(t[0], mean, lo, hi, 1, 99))
		return mc_done(base, -1);
	for (i = 0; i < n; i++) {
		all += mean[i] / n;
		lmin = lo[i] < lmin ? lo[i] : lmin;
		lmax = hi[i] > lmax ? hi[i] : lmax;
	}
	for (i = 0; i < n; i++) {
		double ga = 1, gb = 0;

		switch (kind) {
		case MC_FX_AUTO_BRIGHTNESS:
			gb = 127.5 - all;
			break;
		case MC_FX_AUTO_CONTRAST:
			if (lmax - lmin >= 1) {
				ga = 255 / (lmax - lmin);
				gb = -lmin * ga;
			}
			break;
		case MC_FX_AUTO_COLOR:
			if (mean[i] >= 1) {
				ga = all / mean[i];
				ga = ga < 0.5 ? 0.5 : ga > 2 ? 2 : ga;
			}
			break;
		}
		a[i] = 1 + blend * (ga - 1);
		b[i] = blend * gb;
	}
	return mc_done(base,
		vips_linear(t[0], &t[2], a, b, n, NULL) ||
		fx_join(t[2], t[1], in->Type, out));
}

// mc_fx_unsharp adds amount times the difference between in and its blur
// of sigma.
int mc_fx_unsharp(VipsImage *in, VipsImage **out, double sigma, double amount)
{
	MC_LOCAL(base, t, 6);

	return mc_done(base,
		mc_split(in, &t[0], &t[1]) ||
		mc_blur(t[0], &t[2], sigma) ||
		vips_subtract(t[0], t[2], &t[3], NULL) ||
		vips_linear1(t[3], &t[4], amount, 0, NULL) ||
		vips_add(t[0], t[4], &t[5], NULL) ||
		fx_join(t[5], t[1], in->Type, out));
}

// mc_fx_pixelate replaces each size × size square by its mean.
int mc_fx_pixelate(VipsImage *in, VipsImage **out, int size)
{
	MC_LOCAL(base, t, 2);

	int hs = MIN(size, in->Xsize), vs = MIN(size, in->Ysize);

	if (hs <= 1 && vs <= 1)
		return mc_done(base, vips_copy(in, out, NULL));
	return mc_done(base,
		vips_shrink(in, &t[0], hs, vs, NULL) ||
		vips_zoom(t[0], &t[1], hs, vs, NULL) ||
		vips_embed(t[1], out, 0, 0, in->Xsize, in->Ysize, "extend", VIPS_EXTEND_COPY, NULL));
}

// mc_fx_region applies MC_FX_REGION_PIXELATE (param: square size) or
// MC_FX_REGION_BLUR (param: sigma) to the rectangle left, top, width,
// height of in (inside it) and leaves the rest as it is.
int mc_fx_region(VipsImage *in, VipsImage **out, int left, int top, int width, int height, int kind, double param)
{
	MC_LOCAL(base, t, 2);

	if (vips_extract_area(in, &t[0], left, top, width, height, NULL))
		return mc_done(base, -1);
	if (kind == MC_FX_REGION_PIXELATE ? mc_fx_pixelate(t[0], &t[1], (int) param) : mc_blur(t[0], &t[1], param))
		return mc_done(base, -1);
	return mc_done(base, vips_insert(in, t[1], out, left, top, NULL));
}

// mc_fx_vignette darkens towards the corners: each colour band times
// 1 - strength * r², r the distance from the centre, 1 at the corners.
int mc_fx_vignette(VipsImage *in, VipsImage **out, double strength)
{
	MC_LOCAL(base, t, 8);
	double a[2] = {2.0 / in->Xsize, 2.0 / in->Ysize};
	double b[2] = {-1 + 1.0 / in->Xsize, -1 + 1.0 / in->Ysize};

	return mc_done(base,
		mc_split(in, &t[0], &t[1]) ||
		vips_xyz(&t[2], in->Xsize, in->Ysize, NULL) ||
		vips_linear(t[2], &t[3], a, b, 2, NULL) ||
		vips_multiply(t[3], t[3], &t[4], NULL) ||
		vips_bandmean(t[4], &t[5], NULL) ||
		vips_linear1(t[5], &t[6], -strength, 1, NULL) ||
		vips_multiply(t[0], t[6], &t[7], NULL) ||
		fx_join(t[7], t[1], in->Type, out));
}

// fx_srgb makes colour (no alpha) three-band sRGB.
static int fx_srgb(VipsImage *colour, VipsImage **out)
{
	if (colour->Bands >= 3)
		return vips_copy(colour, out, NULL);
	return vips_colourspace(colour, out, VIPS_INTERPRETATION_sRGB, NULL);
}

// mc_fx_corner reads the colour of in's top-left pixel (0-255).
int mc_fx_corner(VipsImage *in, double *r, double *g, double *b)
{
	MC_LOCAL(base, t, 3);
	double *v = NULL;
	int n = 0;

	if (mc_split(in, &t[0], &t[1]) || fx_srgb(t[0], &t[2]) ||
		vips_getpoint(t[2], &v, &n, 0, 0, NULL))
		return mc_done(base, -1);
	*r = v[0], *g = v[1], *b = v[2];
	g_free(v);
	return mc_done(base, 0);
}

// mc_fx_trim crops away the edges that differ from the colour r, g, b by
// less than threshold (vips_find_trim); an image all of that colour is
// left as it is. in must allow out-of-order reads.
int mc_fx_trim(VipsImage *in, VipsImage **out, double threshold, double r, double g, double b)
{
	MC_LOCAL(base, t, 3);
	int left, top, width, height;
	VipsArrayDouble *bg;
	int res;

	// vips_find_trim smooths with a 3 × 3 median first.
	if (in->Xsize < 3 || in->Ysize < 3)
		return mc_done(base, vips_copy(in, out, NULL));
	if (mc_split(in, &t[0], &t[1]) || fx_srgb(t[0], &t[2]))
		return mc_done(base, -1);
	bg = vips_array_double_newv(3, r, g, b);
	res = vips_find_trim(t[2], &left, &top, &width, &height,
		"threshold", threshold, "background", bg, NULL);
	vips_area_unref(VIPS_AREA(bg));
	if (res)
		return mc_done(base, -1);
	if (width <= 0 || height <= 0)
		return mc_done(base, vips_copy(in, out, NULL));
	return mc_done(base, vips_extract_area(in, out, left, top, width, height, NULL));
}

// mc_fx_colorize blends the colour bands with r, g, b by level (0-1).
int mc_fx_colorize(VipsImage *in, VipsImage **out, double level, double r, double g, double b)
{
	MC_LOCAL(base, t, 4);
	double a[3] = {1 - level, 1 - level, 1 - level};
	double c[3] = {r * level, g * level, b * level};

	return mc_done(base,
		mc_split(in, &t[0], &t[1]) ||
		fx_srgb(t[0], &t[2]) ||
		vips_linear(t[2], &t[3], a, c, 3, NULL) ||
		fx_join(t[3], t[1], VIPS_INTERPRETATION_sRGB, out));
}

// mc_fx_tint blends the colour bands by amount (0-1) with the image's
// luminance in the colour r, g, b (white stays white, black black).
int mc_fx_tint(VipsImage *in, VipsImage **out, double amount, double r, double g, double b)
{
	MC_LOCAL(base, t, 7);
	double a[3] = {r / 255 * amount, g / 255 * amount, b / 255 * amount};
	double zero[3] = {0, 0, 0};

	return mc_done(base,
		mc_split(in, &t[0], &t[1]) ||
		fx_srgb(t[0], &t[2]) ||
		vips_colourspace(t[2], &t[3], VIPS_INTERPRETATION_B_W, NULL) ||
		vips_linear(t[3], &t[4], a, zero, 3, NULL) ||
		vips_linear1(t[2], &t[5], 1 - amount, 0, NULL) ||
		vips_add(t[4], t[5], &t[6], NULL) ||
		fx_join(t[6], t[1], VIPS_INTERPRETATION_sRGB, out));
}

// mc_fx_blackwhite makes each pixel black or white: white where its
// luminance (0-255) is at least threshold, black below.
int mc_fx_blackwhite(VipsImage *in, VipsImage **out, double threshold)
{
	MC_LOCAL(base, t, 6);
	VipsImage *grey[3];

	if (mc_split(in, &t[0], &t[1]) ||
		fx_srgb(t[0], &t[2]) ||
		vips_colourspace(t[2], &t[3], VIPS_INTERPRETATION_B_W, NULL) ||
		vips_moreeq_const1(t[3], &t[4], threshold, NULL))
		return mc_done(base, -1);
	grey[0] = grey[1] = grey[2] = t[4];
	return mc_done(base,
		vips_bandjoin(grey, &t[5], 3, NULL) ||
		fx_join(t[5], t[1], VIPS_INTERPRETATION_sRGB, out));
}

// fx_near is a one-band mask (255 where true) of the pixels of rgb (sRGB)
// within distance dE (CIE76) of the colour r, g, b.
static int fx_near(VipsImage *rgb, double r, double g, double b, double dE, VipsImage **out)
{
	MC_LOCAL(base, t, 10);
	double *lab = NULL;
	int n = 0;
	double one[3] = {1, 1, 1}, zero[3] = {0, 0, 0}, c[3] = {r, g, b};

	if (vips_black(&t[0], 1, 1, "bands", 3, NULL) ||
		vips_linear(t[0], &t[1], zero, c, 3, NULL) ||
		vips_cast(t[1], &t[2], VIPS_FORMAT_UCHAR, NULL) ||
		vips_copy(t[2], &t[3], "interpretation", VIPS_INTERPRETATION_sRGB, NULL) ||
		vips_colourspace(t[3], &t[4], VIPS_INTERPRETATION_LAB, NULL) ||
		vips_getpoint(t[4], &lab, &n, 0, 0, NULL))
		return mc_done(base, -1);
	{
		double neg[3] = {-lab[0], -lab[1], -lab[2]};
		g_free(lab);
		if (vips_colourspace(rgb, &t[5], VIPS_INTERPRETATION_LAB, NULL) ||
			vips_linear(t[5], &t[6], one, neg, 3, NULL) ||
			vips_multiply(t[6], t[6], &t[7], NULL) ||
			vips_bandmean(t[7], &t[8], NULL) ||
			vips_relational_const1(t[8], out, VIPS_OPERATION_RELATIONAL_LESS, dE * dE / 3, NULL))
			return mc_done(base, -1);
	}
	return mc_done(base, 0);
}

// mc_fx_predominant finds the most common colour of in: the mean of the
// pixels within distance 20 of the centre of the fullest cell of an
// 8 × 8 × 8 histogram. in must allow out-of-order reads.
int mc_fx_predominant(VipsImage *in, double *r, double *g, double *b)
{
	MC_LOCAL(base, t, 9);
	double max, m, c[3], *v = NULL;
	int x = 0, y = 0, n = 0, i, best = 0;

	if (mc_split(in, &t[0], &t[1]) || fx_srgb(t[0], &t[2]) ||
		vips_hist_find_ndim(t[2], &t[3], "bins", 8, NULL) ||
		vips_max(t[3], &max, "x", &x, "y", &y, NULL) ||
		vips_getpoint(t[3], &v, &n, x, y, NULL))
		return mc_done(base, -1);
	for (i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	g_free(v);
	c[0] = x * 32 + 16, c[1] = y * 32 + 16, c[2] = best * 32 + 16;
	if (fx_near(t[2], c[0], c[1], c[2], 20, &t[4]) ||
		vips_avg(t[4], &m, NULL))
		return mc_done(base, -1);
	if (m > 0) {
		for (i = 0; i < 3; i++) {
			double s;
			if (vips_extract_band(t[2], &t[5 + i], i, NULL) ||
				vips_multiply(t[5 + i], t[4], &t[8], NULL) ||
				vips_avg(t[8], &s, NULL))
				return mc_done(base, -1);
			g_object_unref(t[8]);
			t[8] = NULL;
			c[i] = s / m;
		}
	}
	*r = c[0], *g = c[1], *b = c[2];
	return mc_done(base, 0);
}

// mc_fx_replace shifts the pixels within distance dE of the colour from
// by (to − from), keeping their shading.
int mc_fx_replace(VipsImage *in, VipsImage **out, double dE, const double from[3], const double to[3])
{
	MC_LOCAL(base, t, 6);
	double one[3] = {1, 1, 1};
	double shift[3] = {to[0] - from[0], to[1] - from[1], to[2] - from[2]};

	return mc_done(base,
		mc_split(in, &t[0], &t[1]) ||
		fx_srgb(t[0], &t[2]) ||
		fx_near(t[2], from[0], from[1], from[2], dE, &t[3]) ||
		vips_linear(t[2], &t[4], one, shift, 3, NULL) ||
		vips_ifthenelse(t[3], t[4], t[2], &t[5], NULL) ||
		fx_join(t[5], t[1], VIPS_INTERPRETATION_sRGB, out));
}

// mc_fx_make_transparent makes the pixels within distance dE of the
// colour r, g, b transparent (adding alpha).
int mc_fx_make_transparent(VipsImage *in, VipsImage **out, double dE, double r, double g, double b)
{
	MC_LOCAL(base, t, 7);

	if (mc_split(in, &t[0], &t[1]) || fx_srgb(t[0], &t[2]) ||
		fx_near(t[2], r, g, b, dE, &t[3]) ||
		vips_linear1(t[3], &t[4], -1.0 / 255, 1, NULL))
		return mc_done(base, -1);
	if (t[1]) {
		if (vips_multiply(t[1], t[4], &t[5], NULL))
			return mc_done(base, -1);
	} else if (vips_linear1(t[4], &t[5], 255, 0, NULL))
		return mc_done(base, -1);
	return mc_done(base,
		vips_cast(t[5], &t[6], VIPS_FORMAT_UCHAR, NULL) ||
		fx_join(t[2], t[6], VIPS_INTERPRETATION_sRGB, out));
}

// fx_alpha is in's alpha, or an opaque one.
static int fx_alpha(VipsImage *in, VipsImage **out)
{
	MC_LOCAL(base, t, 2);

	if (vips_image_hasalpha(in))
		return mc_done(base, vips_extract_band(in, out, in->Bands - 1, NULL));
	return mc_done(base,
		vips_black(&t[0], in->Xsize, in->Ysize, NULL) ||
		vips_linear1(t[0], &t[1], 1, 255, NULL) ||
		vips_cast(t[1], out, VIPS_FORMAT_UCHAR, NULL));
}

// fx_edge is a one-band 8-bit image of in's size: 255 × the distance from
// the left or top edge (or the right or bottom one, far set) over len,
// clipped at 255.
static int fx_edge(VipsImage *in, int vertical, double len, int far, VipsImage **out)
{
	MC_LOCAL(base, t, 3);
	double size = vertical ? in->Ysize : in->Xsize;
	double a = 255 / len, b = 0;

	if (far)
		a = -a, b = 255 * (size - 1) / len;
	return mc_done(base,
		vips_xyz(&t[0], in->Xsize, in->Ysize, NULL) ||
		vips_extract_band(t[0], &t[1], vertical ? 1 : 0, NULL) ||
		vips_linear1(t[1], &t[2], a, b, NULL) ||
		vips_cast(t[2], out, VIPS_FORMAT_UCHAR, NULL));
}

// fx_ramp is a one-band float image of in's size going from 0 at one edge
// to 1 at len pixels from it (the left or top edge, or the right or
// bottom for a negative len), 1 beyond; with both set, the product of
// both edges' ramps along that axis.
static int fx_ramp(VipsImage *in, int vertical, double len, int both, VipsImage **out)
{
	MC_LOCAL(base, t, 3);
	double l = fabs(len);

	if (!both)
		return mc_done(base,
			fx_edge(in, vertical, l, len < 0, &t[0]) ||
			vips_linear1(t[0], out, 1.0 / 255, 0, NULL));
	return mc_done(base,
		fx_edge(in, vertical, l, 0, &t[0]) ||
		fx_edge(in, vertical, l, 1, &t[1]) ||
		vips_multiply(t[0], t[1], &t[2], NULL) ||
		vips_linear1(t[2], out, 1.0 / (255 * 255), 0, NULL));
}

// mc_fx_fade multiplies alpha (adding one) by a ramp from the edge: along
// x over xlen pixels and along y over ylen (either 0 for none; negative
// from the right or bottom), both edges of the axis when symmetric, the
// ramp raised to exponent.
int mc_fx_fade(VipsImage *in, VipsImage **out, double xlen, double ylen, int symmetric, double exponent)
{
	MC_LOCAL(base, t, 12);
	VipsImage *f;

	if (mc_split(in, &t[0], &t[1]) || fx_alpha(in, &t[2]) ||
		vips_black(&t[3], in->Xsize, in->Ysize, NULL) ||
		vips_linear1(t[3], &t[4], 1, 1, NULL))
		return mc_done(base, -1);
	f = t[4];
	if (xlen != 0) {
		if (fx_ramp(in, 0, xlen, symmetric, &t[5]) || vips_multiply(f, t[5], &t[6], NULL))
			return mc_done(base, -1);
		f = t[6];
	}
	if (ylen != 0) {
		if (fx_ramp(in, 1, ylen, symmetric, &t[7]) || vips_multiply(f, t[7], &t[8], NULL))
			return mc_done(base, -1);
		f = t[8];
	}
	return mc_done(base,
		vips_pow_const1(f, &t[9], exponent, NULL) ||
		vips_multiply(t[2], t[9], &t[10], NULL) ||
		vips_cast(t[10], &t[11], VIPS_FORMAT_UCHAR, NULL) ||
		fx_join(t[0], t[11], in->Type, out));
}

// mc_fx_shadow puts a shadow of in's shape (its alpha, or its rectangle)
// under it: the colour r, g, b at opacity, offset by dx, dy and blurred by
// sigma, on a canvas enlarged to hold it (transparent around).
int mc_fx_shadow(VipsImage *in, VipsImage **out, int dx, int dy, double sigma, double opacity,
	double r, double g, double b)
{
	MC_LOCAL(base, t, 13);
	int pad = (int) ceil(3 * sigma);
	int left = MAX(0, pad - dx), top = MAX(0, pad - dy);
	int width = in->Xsize + left + MAX(0, dx + pad);
	int height = in->Ysize + top + MAX(0, dy + pad);
	double zero[3] = {0, 0, 0}, c[3] = {r, g, b};

	if (fx_alpha(in, &t[0]) ||
		vips_embed(t[0], &t[1], left + dx, top + dy, width, height, NULL) ||
		mc_blur(t[1], &t[2], sigma) ||
		vips_linear1(t[2], &t[3], opacity, 0, NULL) ||
		vips_cast(t[3], &t[4], VIPS_FORMAT_UCHAR, NULL) ||
		vips_black(&t[5], width, height, "bands", 3, NULL) ||
		vips_linear(t[5], &t[6], zero, c, 3, NULL) ||
		vips_cast(t[6], &t[7], VIPS_FORMAT_UCHAR, NULL) ||
		vips_bandjoin2(t[7], t[4], &t[8], NULL) ||
		vips_copy(t[8], &t[9], "interpretation", VIPS_INTERPRETATION_sRGB, NULL))
		return mc_done(base, -1);
	{
		VipsImage *rgba = NULL;
		int res;
		// in as sRGB with alpha, on the canvas.
		if (vips_image_hasalpha(in) && in->Bands >= 4)
			res = vips_copy(in, &rgba, NULL);
		else {
			VipsImage *x = NULL, *y = NULL, *a = NULL;
			res = mc_split(in, &x, &a) || fx_srgb(x, &y) ||
				(a ? vips_bandjoin2(y, a, &rgba, NULL) : vips_addalpha(y, &rgba, NULL));
			if (x) g_object_unref(x);
			if (y) g_object_unref(y);
			if (a) g_object_unref(a);
		}
		if (res)
			return mc_done(base, -1);
		t[10] = rgba;
	}
	return mc_done(base,
		vips_embed(t[10], &t[11], left, top, width, height, NULL) ||
		vips_composite2(t[9], t[11], &t[12], VIPS_BLEND_MODE_OVER, NULL) ||
		fx_join(t[12], NULL, VIPS_INTERPRETATION_sRGB, out));
}

// fx_rgba is in as sRGB with alpha.
static int fx_rgba(VipsImage *in, VipsImage **out)
{
	MC_LOCAL(base, t, 3);

	if (mc_split(in, &t[0], &t[1]) || fx_srgb(t[0], &t[2]))
		return mc_done(base, -1);
	if (t[1])
		return mc_done(base, vips_bandjoin2(t[2], t[1], out, NULL));
	return mc_done(base, vips_addalpha(t[2], out, NULL));
}

// fx_square_rank is the max (dilate) or min (erode) of mask over a square
// of side 2 radius + 1: two one-dimensional passes.
static int fx_square_rank(VipsImage *mask, int radius, int dilate, VipsImage **out)
{
	MC_LOCAL(base, t, 1);
	int side = 2 * radius + 1;

	return mc_done(base,
		vips_rank(mask, &t[0], side, 1, dilate ? side - 1 : 0, NULL) ||
		vips_rank(t[0], out, 1, side, dilate ? side - 1 : 0, NULL));
}

// mc_fx_outline draws a band of width pixels along in's shape (alpha, or
// its rectangle) in the colour r, g, b, blurred by sigma (0 for none):
// outside the shape (MC_FX_OUTLINE_OUTER, under the image, on a canvas
// grown to hold it), inside it (MC_FX_OUTLINE_INNER, over the image), or
// both (MC_FX_OUTLINE_BOTH).
int mc_fx_outline(VipsImage *in, VipsImage **out, int mode, int width, double sigma,
	double r, double g, double b)
{
	MC_LOCAL(base, t, 16);
	int grow = mode == MC_FX_OUTLINE_INNER ? 0 : width + (int) ceil(3 * sigma);
	int cw = in->Xsize + 2 * grow, ch = in->Ysize + 2 * grow;
	int m = width + 1; // margin so that erosion sees transparency past the edges
	double zero[3] = {0, 0, 0}, c[3] = {r, g, b};
	VipsImage *outer, *inner, *band;

	if (fx_alpha(in, &t[0]) ||
		vips_embed(t[0], &t[1], grow + m, grow + m, cw + 2 * m, ch + 2 * m, NULL) ||
		vips_extract_area(t[1], &t[2], m, m, cw, ch, NULL))
		return mc_done(base, -1);
	outer = inner = t[2];
	if (mode != MC_FX_OUTLINE_INNER) {
		if (fx_square_rank(t[1], width, 1, &t[3]) ||
			vips_extract_area(t[3], &t[4], m, m, cw, ch, NULL))
			return mc_done(base, -1);
		outer = t[4];
	}
	if (mode != MC_FX_OUTLINE_OUTER) {
		if (fx_square_rank(t[1], width, 0, &t[5]) ||
			vips_extract_area(t[5], &t[6], m, m, cw, ch, NULL))
			return mc_done(base, -1);
		inner = t[6];
	}
	if (vips_subtract(outer, inner, &t[7], NULL) ||
		vips_cast(t[7], &t[8], VIPS_FORMAT_UCHAR, NULL))
		return mc_done(base, -1);
	band = t[8];
	if (sigma > 0) {
		if (mc_blur(band, &t[9], sigma))
			return mc_done(base, -1);
		band = t[9];
	}
	if (vips_black(&t[10], cw, ch, "bands", 3, NULL) ||
		vips_linear(t[10], &t[11], zero, c, 3, NULL) ||
		vips_cast(t[11], &t[12], VIPS_FORMAT_UCHAR, NULL) ||
		vips_bandjoin2(t[12], band, &t[13], NULL) ||
		vips_copy(t[13], &t[14], "interpretation", VIPS_INTERPRETATION_sRGB, NULL) ||
		fx_rgba(in, &t[15]))
		return mc_done(base, -1);
	{
		VipsImage *img = NULL, *comp = NULL;
		int res = vips_embed(t[15], &img, grow, grow, cw, ch, NULL) ||
			(mode == MC_FX_OUTLINE_OUTER ?
				vips_composite2(t[14], img, &comp, VIPS_BLEND_MODE_OVER, NULL) :
				vips_composite2(img, t[14], &comp, VIPS_BLEND_MODE_OVER, NULL)) ||
			fx_join(comp, NULL, VIPS_INTERPRETATION_sRGB, out);
		if (img)
			g_object_unref(img);
		if (comp)
			g_object_unref(comp);
		return mc_done(base, res);
	}
}
