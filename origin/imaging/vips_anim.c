// The C layer of animation (anim.go): frames loaded as one tall image
// (libvips' "toilet roll", page-height set), their delays and loop count
// read, and processed frames joined back with that metadata.

#include "vips.h"

int mc_anim_load(int kind, const void *buf, size_t len, int page, int n, VipsImage **out)
{
	void *b = (void *) buf;
	const int seq = VIPS_ACCESS_SEQUENTIAL;
	const int fail = VIPS_FAIL_ON_TRUNCATED;

	switch (kind) {
	case MC_LOAD_WEBP:
		return vips_webpload_buffer(b, len, out, "access", seq, "fail_on", fail,
			"page", page, "n", n, NULL);
	case MC_LOAD_GIF:
		return vips_gifload_buffer(b, len, out, "access", seq, "fail_on", fail,
			"page", page, "n", n, NULL);
	}
	vips_error("mediacdn", "loader %d has no animation", kind);
	return -1;
}

void mc_anim_meta(VipsImage *im, int *delays, int n, int *loop)
{
	int *d = NULL;
	int dn = 0, i, gif = 10;

	if (vips_image_get_typeof(im, "delay") && vips_image_get_array_int(im, "delay", &d, &dn))
		dn = 0;
	if (vips_image_get_typeof(im, "gif-delay") && vips_image_get_int(im, "gif-delay", &gif))
		gif = 10;
	for (i = 0; i < n; i++)
		delays[i] = i < dn ? d[i] : gif * 10;
	*loop = 0;
	if (vips_image_get_typeof(im, "loop") && vips_image_get_int(im, "loop", loop))
		*loop = 0;
}

int mc_anim_join(VipsImage **frames, int n, const int *delays, int loop, VipsImage **out)
{
	MC_LOCAL(base, t, 1);
	int i;

	for (i = 1; i < n; i++)
		if (frames[i]->Xsize != frames[0]->Xsize || frames[i]->Ysize != frames[0]->Ysize) {
			vips_error("mediacdn", "frame %d is %dx%d, frame 0 %dx%d", i,
				frames[i]->Xsize, frames[i]->Ysize, frames[0]->Xsize, frames[0]->Ysize);
			return mc_done(base, -1);
		}
	if (vips_arrayjoin(frames, &t[0], n, "across", 1, NULL) ||
		vips_copy(t[0], out, NULL))
		return mc_done(base, -1);
	vips_image_set_int(*out, VIPS_META_PAGE_HEIGHT, frames[0]->Ysize);
	vips_image_set_int(*out, VIPS_META_N_PAGES, n);
	vips_image_set_array_int(*out, "delay", delays, n);
	vips_image_set_int(*out, "gif-delay", VIPS_RINT(delays[0] / 10.0));
	vips_image_set_int(*out, "loop", loop);
	return mc_done(base, 0);
}

int mc_anim_frame(VipsImage *in, VipsImage **out)
{
	MC_LOCAL(base, t, 3);
	VipsImage *x = in;

	if (mc_normalize(x, &t[0]))
		return mc_done(base, -1);
	x = t[0];
	if (x->Type != VIPS_INTERPRETATION_sRGB) {
		if (vips_colourspace(x, &t[1], VIPS_INTERPRETATION_sRGB, NULL))
			return mc_done(base, -1);
		x = t[1];
	}
	if (!vips_image_hasalpha(x)) {
		if (vips_addalpha(x, &t[2], NULL))
			return mc_done(base, -1);
		x = t[2];
	}
	return mc_done(base, vips_copy(x, out, NULL));
}
