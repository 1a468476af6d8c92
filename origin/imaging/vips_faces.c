// The libvips side of face detection (faces.go): the image OpenCV reads.

#include "vips.h"

// mc_faces_grey writes in as 8-bit greyscale, shrunk so that its longer
// side is at most max_side, into a buffer the caller frees with mc_free.
int mc_faces_grey(VipsImage *in, int max_side, void **buf, size_t *len, int *width, int *height)
{
	MC_LOCAL(base, t, 4);
	int side = in->Xsize > in->Ysize ? in->Xsize : in->Ysize;
	double scale = side > max_side ? (double) max_side / side : 1.0;

	if (vips_resize(in, &t[0], scale, NULL) ||
		vips_colourspace(t[0], &t[1], VIPS_INTERPRETATION_B_W, NULL) ||
		vips_extract_band(t[1], &t[2], 0, NULL) ||
		vips_cast(t[2], &t[3], VIPS_FORMAT_UCHAR, NULL))
		return mc_done(base, -1);
	*buf = vips_image_write_to_memory(t[3], len);
	if (*buf == NULL)
		return mc_done(base, -1);
	*width = t[3]->Xsize;
	*height = t[3]->Ysize;
	return mc_done(base, 0);
}
