//go:build cgo

package imaging

/*
#cgo CXXFLAGS: -std=c++17 -O2 -I/usr/include/opencv4
#cgo LDFLAGS: -lopencv_objdetect -lopencv_imgproc -lopencv_core
#include "vips.h"
#include "faces.h"
*/
import "C"

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"unsafe"

	"github.com/mediacdn/mediacdn/delivery"
)

// Face detection: OpenCV's cascade classifier (faces.cpp) reads the
// current image as greyscale, its longer side at most faceMaxSide
// (vips_faces.c), and its boxes are scaled back. It finds frontal faces;
// faces seen from the side, tilted far or smaller than faceMinSide are
// missed.
const (
	faceMaxSide = 1024
	// faceMinSide is the smallest face looked for, in pixels of the
	// detection image (and at least a 20th of its shorter side: smaller
	// faces cost the most to look for and matter least to a crop).
	faceMinSide = 20
)

// initFaces loads the cascade once to check it; false (and a warning)
// when face detection is unavailable, so that face gravities and effects
// answer 400.
func initFaces(cascade string, log *slog.Logger) bool {
	if cascade == "none" {
		return false
	}
	cs := C.CString(cascade)
	defer C.free(unsafe.Pointer(cs))
	if C.mc_faces_init(cs) != 0 {
		log.Warn("imaging: face cascade not loaded; g_face, g_faces and the face effects answer 400", "face_cascade", cascade)
		return false
	}
	return true
}

// faceCache is the last detection of a pipeline: the image and its faces.
type faceCache struct {
	img   *C.VipsImage
	faces []rect
}

// faces is the current image's faces, in its pixels (detected once per
// image). Its length is the face count (fc in conditions); its error is
// 400 "face detection unavailable" without a cascade.
func (pl *pipeline) faces() ([]rect, error) {
	if pl.faceCache.img != nil && pl.faceCache.img == pl.img {
		return pl.faceCache.faces, nil
	}
	if pl.proc == nil || !pl.proc.faces {
		return nil, facesUnavailable()
	}
	if err := pl.materialize(); err != nil {
		return nil, err
	}
	if err := pl.ctx.Err(); err != nil {
		return nil, stopError(pl.ctx, err)
	}
	var buf unsafe.Pointer
	var n C.size_t
	var gw, gh C.int
	if C.mc_faces_grey(pl.img, faceMaxSide, &buf, &n, &gw, &gh) != 0 {
		return nil, pl.fail("faces")
	}
	defer C.mc_free(buf)
	cascade := C.CString(pl.cfg.FaceCascade)
	defer C.free(unsafe.Pointer(cascade))
	var found [4 * C.MC_FACES_MAX]C.int
	var k C.int
	minSide := max(faceMinSide, min(int(gw), int(gh))/20)
	if C.mc_faces_detect(cascade, (*C.uchar)(buf), gw, gh, C.int(minSide), &found[0], &k) != 0 {
		return nil, internalError(errors.New("face detection failed"))
	}
	cw, ch := pl.size()
	sx, sy := float64(cw)/float64(gw), float64(ch)/float64(gh)
	faces := make([]rect, int(k))
	for i := range faces {
		x, y := float64(found[4*i])*sx, float64(found[4*i+1])*sy
		w, h := float64(found[4*i+2])*sx, float64(found[4*i+3])*sy
		r := rect{int(x + 0.5), int(y + 0.5), max(int(w+0.5), 1), max(int(h+0.5), 1)}
		r.w, r.h = min(r.w, cw-r.x), min(r.h, ch-r.y)
		faces[i] = r
	}
	pl.faceCache = faceCache{img: pl.img, faces: faces}
	return faces, nil
}

// faceStep is s with its face or custom gravity resolved on the current
// image: the focus set on the largest face (g_face) or the box around all
// (g_faces), else the fallback gravity. The first step reads the asset's
// stored coordinates (in the input's upright pixels) where it has them:
// custom_coordinates for g_custom, face_coordinates instead of detection.
func (pl *pipeline) faceStep(s *step, first bool) (*step, error) {
	fs := *s
	if !cropsByGravity(s.crop) {
		return &fs, nil
	}
	if s.gravity == delivery.GravityCustom {
		if custom := boxes(pl.coords.custom); first && len(custom) > 0 {
			fs.focus = &focus{box: custom[0], frameW: pl.lw, frameH: pl.lh}
			return &fs, nil
		}
		fs.gravity, fs.faceFallback = s.faceFallback, delivery.GravityNorth
		if !isFaceGravity(fs.gravity) {
			return &fs, nil
		}
	}
	if !isFaceGravity(fs.gravity) {
		return &fs, nil
	}
	if stored := boxes(pl.coords.faces); first && len(stored) > 0 {
		box, _ := focusOf(fs.gravity, stored)
		fs.focus = &focus{box: box, frameW: pl.lw, frameH: pl.lh}
		return &fs, nil
	}
	faces, err := pl.faces()
	if err != nil {
		return nil, err
	}
	cw, ch := pl.size()
	if box, ok := focusOf(fs.gravity, faces); ok {
		fs.focus = &focus{box: box, frameW: cw, frameH: ch}
	} else {
		fs.gravity = fs.faceFallback
	}
	return &fs, nil
}

// faceEffect applies e_blur_faces (default strength 500) or
// e_pixelate_faces to each face of the current image.
func (pl *pipeline) faceEffect(s *step) error {
	faces, err := pl.faces()
	if err != nil {
		return err
	}
	w, h := pl.size()
	e := s.effect
	kind, param := C.int(C.MC_FX_REGION_PIXELATE), float64(pixelateSize(e, w, h))
	if e.Name == delivery.EffectBlurFaces {
		kind, param = C.MC_FX_REGION_BLUR, max(level(e, defBlurFaces)/20, 0.5)
	}
	for _, f := range faces {
		var out *C.VipsImage
		if C.mc_fx_region(pl.img, &out, C.int(f.x), C.int(f.y), C.int(f.w), C.int(f.h), kind, C.double(param)) != 0 {
			return pl.fail("effect " + e.Name.String())
		}
		pl.set(out)
	}
	pl.faceCache = faceCache{img: pl.img, faces: faces}
	return nil
}

// FacesAvailable reports whether the face cascade loaded: without it face
// gravities, face effects and DetectFaces answer 400 "face detection
// unavailable".
func (p *Processor) FacesAvailable() bool { return p.faces }

// DetectFaces finds the faces of the encoded image src (the Upload API's
// and Admin API's faces=true): x, y, width, height in the pixels of the
// image as displayed (after its EXIF orientation), the largest first.
// Errors are Transform's, and 400 "face detection unavailable" without a
// cascade.
func (p *Processor) DetectFaces(ctx context.Context, src []byte) ([][4]int, error) {
	if !p.faces {
		return nil, facesUnavailable()
	}
	kind, err := p.admit(src)
	if err != nil {
		return nil, err
	}
	if kind == loaderSVG {
		return [][4]int{}, nil
	}
	s := newSource(src, kind)
	var faces [][4]int
	work := func(ctx context.Context) (Result, error) {
		defer s.free()
		if err := ctx.Err(); err != nil {
			return Result{}, stopError(ctx, err)
		}
		pl := newPipeline(ctx, &p.cfg, output{})
		defer pl.close()
		pl.proc = p
		var pln plan
		if err := pl.load(p, s, &pln); err != nil {
			return Result{}, err
		}
		found, err := pl.faces()
		if err != nil {
			return Result{}, err
		}
		slices.SortStableFunc(found, func(a, b rect) int { return b.w*b.h - a.w*a.h })
		faces = make([][4]int, len(found))
		for i, f := range found {
			faces[i] = [4]int{f.x, f.y, f.w, f.h}
		}
		return Result{}, nil
	}
	_, err = p.run(ctx, work, s.free)
	p.logFailure(err)
	return faces, err
}
