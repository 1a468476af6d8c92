// The face detector of package imaging (faces.cpp, OpenCV's cascade
// classifier behind a C API for cgo), and the libvips side that feeds it
// (vips_faces.c). Return convention as in vips.h: 0 on success, -1 on
// failure; answers come back through out-parameters.
#ifndef MEDIACDN_IMAGING_FACES_H
#define MEDIACDN_IMAGING_FACES_H

#ifdef __cplusplus
extern "C" {
#endif

// MC_FACES_MAX bounds the faces one detection reports.
#define MC_FACES_MAX 64

// mc_faces_init sets OpenCV to one thread per call (the transform pool
// gives the parallelism, as with libvips), silences its log (failures are
// reported through the return value) and checks that cascade is a
// cascade file OpenCV loads; -1 when it is missing or not one.
int mc_faces_init(const char *cascade);

// mc_faces_detect finds frontal faces in the 8-bit greyscale image grey
// (width × height, rows packed) with the cascade at path (loaded once per
// thread and kept). rects receives up to MC_FACES_MAX faces as x, y, w, h
// quadruples, *n their count. min_size is the smallest face side looked
// for, in pixels. -1 when the cascade does not load or OpenCV fails.
int mc_faces_detect(const char *cascade, const unsigned char *grey, int width, int height,
	int min_size, int *rects, int *n);

#ifdef __cplusplus
}
#endif

#endif
