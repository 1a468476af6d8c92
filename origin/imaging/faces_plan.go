package imaging

import (
	"math"
	"net/http"

	"github.com/mediacdn/mediacdn/delivery"
)

// Face gravities (g_face, g_faces and their :center and :auto forms) and
// the effects on faces (e_blur_faces, e_pixelate_faces), as pure
// arithmetic: the plan keeps the face gravity and what to do when no face
// is found; the pipeline (faces.go) detects the faces and sets the step's
// focus before its geometry is computed.

// faceFallback is the gravity of g_face and g_faces when no face is
// found, as Cloudinary documents it: north for the plain forms, centre for
// :center, the attention smart crop (g_auto) for :auto.
func faceFallback(param string) (delivery.GravityMode, bool) {
	switch param {
	case "":
		return delivery.GravityNorth, true
	case "center":
		return delivery.GravityCenter, true
	case "auto":
		return delivery.GravityAuto, true
	}
	return 0, false
}

// customFallback is g_custom's gravity when the asset has no
// custom_coordinates: centre for g_custom, face detection for
// g_custom:face and g_custom:faces.
func customFallback(param string) (delivery.GravityMode, bool) {
	switch param {
	case "":
		return delivery.GravityCenter, true
	case "face":
		return delivery.GravityFace, true
	case "faces":
		return delivery.GravityFaces, true
	}
	return 0, false
}

// coordinates are an asset's stored face_coordinates and
// custom_coordinates (Request.Faces and Request.Custom).
type coordinates struct {
	faces, custom [][4]int
}

// boxes turns stored coordinates into rects.
func boxes(c [][4]int) []rect {
	out := make([]rect, 0, len(c))
	for _, b := range c {
		if b[2] > 0 && b[3] > 0 {
			out = append(out, rect{b[0], b[1], b[2], b[3]})
		}
	}
	return out
}

// isFaceGravity reports whether g is g_face or g_faces.
func isFaceGravity(g delivery.GravityMode) bool {
	return g == delivery.GravityFace || g == delivery.GravityFaces
}

// isFaceEffect reports whether e reads the image's faces.
func isFaceEffect(e delivery.EffectName) bool {
	return e == delivery.EffectBlurFaces || e == delivery.EffectPixelateFaces
}

// needsFaces reports whether the step finds faces (or stored
// coordinates) before it runs: a face or custom gravity of a mode that
// crops, or a face effect.
func (s *step) needsFaces() bool {
	focused := isFaceGravity(s.gravity) || s.gravity == delivery.GravityCustom
	return s.layer == nil && (focused && cropsByGravity(s.crop) || isFaceEffect(s.effect.Name))
}

// cropsByGravity reports whether gravity chooses the region crop mode c
// keeps (the others scale or pad, and a face gravity changes nothing).
func cropsByGravity(c delivery.Crop) bool {
	switch c {
	case delivery.CropFill, delivery.CropLFill, delivery.CropCrop, delivery.CropThumb:
		return true
	}
	return false
}

// faceThumb reports whether the step is c_thumb around faces, whose size
// on the input depends on the faces found: the first such step reads the
// input at full size (no shrink-on-load).
func (s *step) faceThumb() bool {
	return s.crop == delivery.CropThumb && (isFaceGravity(s.gravity) || s.gravity == delivery.GravityCustom)
}

// facesUnavailable is the answer to a face gravity or effect when the
// server has no cascade to detect faces with (Config.FaceCascade).
func facesUnavailable() *delivery.Error {
	return &delivery.Error{Status: http.StatusBadRequest, Message: "face detection unavailable"}
}

// focusOf is the box the face gravity centres on: the largest face for
// g_face, the box around all faces for g_faces; false when there is none.
func focusOf(g delivery.GravityMode, faces []rect) (rect, bool) {
	if len(faces) == 0 {
		return rect{}, false
	}
	if g == delivery.GravityFaces {
		b := faces[0]
		for _, f := range faces[1:] {
			x0, y0 := min(b.x, f.x), min(b.y, f.y)
			x1, y1 := max(b.x+b.w, f.x+f.w), max(b.y+b.h, f.y+f.h)
			b = rect{x0, y0, x1 - x0, y1 - y0}
		}
		return b, true
	}
	best := faces[0]
	for _, f := range faces[1:] {
		if f.w*f.h > best.w*best.h {
			best = f
		}
	}
	return best, true
}

// focus is where a face gravity centres: a box in the coordinates of a
// frameW × frameH image (the one the step's geometry is computed on).
type focus struct {
	box            rect
	frameW, frameH int
}

// in is the focus box scaled to a w × h image of the same frame (the
// frame resized), as floats: x, y, width, height.
func (f *focus) in(w, h int) (x, y, bw, bh float64) {
	sx, sy := float64(w)/float64(f.frameW), float64(h)/float64(f.frameH)
	return float64(f.box.x) * sx, float64(f.box.y) * sy, float64(f.box.w) * sx, float64(f.box.h) * sy
}

// placeOnFocus positions a bw × bh box inside w × h centred on the focus,
// kept inside.
func (s *step) placeOnFocus(w, h, bw, bh int) (int, int) {
	fx, fy, fw, fh := s.focus.in(w, h)
	x := fx + fw/2 - float64(bw)/2
	y := fy + fh/2 - float64(bh)/2
	return clamp(int(math.Round(x)), 0, w-bw), clamp(int(math.Round(y)), 0, h-bh)
}

// defBlurFaces is e_blur_faces' strength when none is given (Cloudinary's).
const defBlurFaces = 500

// thumbMargin is how much wider and taller than the face box a c_thumb
// region is at z_1: the face box of a frontal detector covers brows to
// mouth, so twice it frames the head with some shoulders.
const thumbMargin = 2.0

// faceThumbGeometry is c_thumb around the focus: a region of the
// requested aspect ratio (the face's when only one size is given)
// thumbMargin times the face box, divided by z_, never smaller than the
// requested size (thumbnails are not enlarged from less) nor larger than
// the image, centred on the face; then resized to the requested size.
func (s *step) faceThumbGeometry(w, h int, tw, th float64) geometry {
	_, _, fw, fh := s.focus.in(w, h)
	ar := fw / fh
	if tw > 0 && th > 0 {
		ar = tw / th
	}
	rw, rh := fw*thumbMargin, fh*thumbMargin
	if rw/rh < ar {
		rw = rh * ar
	} else {
		rh = rw / ar
	}
	if s.zoom > 0 {
		rw, rh = rw/s.zoom, rh/s.zoom
	}
	if tw > 0 && rw < tw {
		rw, rh = tw, tw/ar
	}
	if th > 0 && rh < th {
		rw, rh = th*ar, th
	}
	if k := math.Min(float64(w)/rw, float64(h)/rh); k < 1 {
		rw, rh = rw*k, rh*k
	}
	bw, bh := min(pixels(rw), w), min(pixels(rh), h)
	x, y := s.placeOnFocus(w, h, bw, bh)
	var g geometry
	switch {
	case tw > 0 && th > 0:
		g = resizeTo(bw, bh, pixels(tw), pixels(th))
	case tw > 0 || th > 0:
		g = scaleGeometry(bw, bh, tw, th)
	}
	if bw != w || bh != h {
		g.pre = rect{x, y, bw, bh}
	}
	return g
}

// faceCropBox is c_crop's box with a face gravity and neither w_ nor h_:
// the focus box, grown to ar_ when given, divided by z_, inside the image.
func (s *step) faceCropBox(w, h int) (int, int) {
	_, _, fw, fh := s.focus.in(w, h)
	if s.ar > 0 {
		if fw/fh < s.ar {
			fw = fh * s.ar
		} else {
			fh = fw / s.ar
		}
	}
	if s.zoom > 0 {
		fw, fh = fw/s.zoom, fh/s.zoom
	}
	if k := math.Min(float64(w)/fw, float64(h)/fh); k < 1 {
		fw, fh = fw*k, fh*k
	}
	return min(pixels(fw), w), min(pixels(fh), h)
}
