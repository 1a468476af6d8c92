package imaging

import (
	"math"
	"net/http"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
)

// The salient crops (c_auto, c_fill_pad, c_auto_pad), g_auto's options,
// z_ and b_auto, checked into a step; their geometry is arithmetic over
// the salient region that crop_auto.go measures on the pixels.
//
//	c_auto      the smallest box of the requested ratio around the salient
//	            region, or the requested size itself at 1:1 when that is
//	            larger, within the image; z_ zooms that box (z_2 half its
//	            size, z_0.5 twice, up to the largest box of the ratio).
//	            The box is then scaled to the requested size.
//	c_fill_pad  c_fill (the largest box of the ratio, placed over the
//	            salient region) when the salient region fits in it; else
//	            the smallest box of the ratio around the region, padded
//	            where it goes past the image.
//	c_auto_pad  c_auto when the salient region fits in the image at the
//	            requested ratio; else padded as c_fill_pad.

// salientCrop reports whether c measures the salient region.
func salientCrop(c delivery.Crop) bool {
	return c == delivery.CropAuto || c == delivery.CropFillPad || c == delivery.CropAutoPad
}

// padCrop reports whether c can add padding (and so take b_auto).
func padCrop(c delivery.Crop) bool {
	switch c {
	case delivery.CropPad, delivery.CropLPad, delivery.CropMPad, delivery.CropFillPad, delivery.CropAutoPad:
		return true
	}
	return false
}

// zoomCrop reports whether z_ applies to c (as Cloudinary allows it).
func zoomCrop(c delivery.Crop) bool {
	return c == delivery.CropCrop || c == delivery.CropThumb || c == delivery.CropAuto
}

// checkCrops checks the combinations of c, g, x, y, z and b_auto that the
// salient crops and b_auto allow, once the step's size and placement are
// typed.
func (s *step) checkCrops(c *delivery.Component) error {
	if c.Has(delivery.KeyZoom) && !zoomCrop(s.crop) {
		return unsupported(token(c, "z") + " with " + cropToken(c))
	}
	if s.autoBG != nil && !padCrop(s.crop) {
		return unsupported(token(c, "b") + " with " + cropToken(c))
	}
	if !salientCrop(s.crop) {
		return nil
	}
	crop := token(c, "c")
	g := c.Gravity.Mode
	switch {
	case !c.Has(delivery.KeyGravity) && s.crop == delivery.CropAuto:
		s.gravity = delivery.GravityAuto // c_auto's default
	case !c.Has(delivery.KeyGravity):
		return &delivery.Error{Status: http.StatusBadRequest, Message: crop + " requires g_auto"}
	case g != delivery.GravityAuto:
		return unsupported(crop + " with " + token(c, "g"))
	}
	for _, k := range []struct {
		key  delivery.Key
		name string
	}{{delivery.KeyX, "x"}, {delivery.KeyY, "y"}} {
		if c.Has(k.key) {
			return unsupported(token(c, k.name) + " with " + crop)
		}
	}
	return nil
}

// cropToken names the component's crop mode for messages (c_scale when
// none is given).
func cropToken(c *delivery.Component) string {
	if c.Has(delivery.KeyCrop) {
		return token(c, "c")
	}
	return "c_scale"
}

// autoGravity checks g_auto's options: an algorithm (classic or subject,
// both libvips' attention-based saliency here) and thirds_0 (no rule of
// thirds, which this server never applies). Focal preferences answer 400
// naming them: faces (g_face:auto and g_faces:auto are the face gravities
// with this fallback), and bodies, objects (with weights or _avoid) and
// custom coordinates, which need detectors this server does not have.
func autoGravity(c *delivery.Component) (delivery.GravityMode, error) {
	rest := c.Gravity.Param
	algorithm := false
	for rest != "" {
		var opt string
		opt, rest, _ = strings.Cut(rest, ":")
		switch {
		case (opt == "classic" || opt == "subject") && !algorithm:
			algorithm = true
		case opt == "thirds_0":
		case opt == "":
			return 0, unsupported(token(c, "g"))
		case opt == "face" || opt == "faces" || opt == "no_faces":
			return 0, &delivery.Error{Status: http.StatusBadRequest, Message: "g_auto:" + opt +
				" is unavailable: use g_face:auto or g_faces:auto for face-centred crops with the automatic fallback"}
		default:
			return 0, &delivery.Error{Status: http.StatusBadRequest, Message: "g_auto:" + opt +
				" is unavailable: it needs object detection that this server does not have"}
		}
	}
	return delivery.GravityAuto, nil
}

// autoBackground checks b_auto: its border and predominant colours (with
// _contrast and a palette) are measured; gradients are not built.
func (s *step) autoBackground(c *delivery.Component) error {
	a, ok := c.Background.AutoBackground()
	if !ok || a.Gradient {
		return unsupported(token(c, "b"))
	}
	s.autoBG = &a
	return nil
}

// salientEstimate is the geometry the cost budget and shrink-on-load see
// for a salient crop to tw × th: the largest box of the ratio, analysed,
// then scaled. The run replaces it (salientGeometry) once the region is
// measured; what it does is never more work.
func salientEstimate(w, h int, tw, th float64) geometry {
	fw, fh := boxInside(w, h, tw/th)
	return geometry{pre: rect{w: fw, h: fh}, preSmart: true, scaleW: pixels(tw), scaleH: pixels(th),
		salient: true, tw: tw, th: th}
}

// salientMap is what salientGeometry asks of the measured saliency
// (crop_saliency.go).
type salientMap interface {
	region() rect                // the salient region
	place(bw, bh int) (int, int) // where a box holds the most salient weight
	within(b rect) rect          // the salient region inside b
}

// salientGeometry is the geometry of a salient crop to tw × th on a
// w × h image with saliency m. A box that holds the salient region is
// centred on it (as far as the image allows); a smaller one goes to the
// most salient spot. For c_auto, a region that no box of the ratio
// holds (objects far apart) gives way to the most salient part of it.
func (s *step) salientGeometry(w, h int, m salientMap, tw, th float64) geometry {
	ar := tw / th
	fw, fh := boxInside(w, h, ar)
	r := m.region()
	// The smallest box of the ratio around the region.
	bw := math.Max(float64(r.w), float64(r.h)*ar)
	if s.crop == delivery.CropAuto && pixels(bw) > fw {
		x, y := m.place(fw, fh)
		r = m.within(rect{x, y, fw, fh})
		bw = math.Max(float64(r.w), float64(r.h)*ar)
	}
	bh := bw / ar
	cx, cy := float64(r.x)+float64(r.w)/2, float64(r.y)+float64(r.h)/2
	tiw, tih := pixels(tw), pixels(th)
	fits := pixels(bw) <= fw && pixels(bh) <= fh
	if fits || s.crop == delivery.CropAuto {
		rw := float64(fw)
		if s.crop != delivery.CropFillPad {
			rw = math.Max(bw, tw)
			if s.zoom > 0 {
				rw /= s.zoom
			}
			rw = math.Min(rw, float64(fw))
		}
		cw, ch := min(pixels(rw), fw), min(pixels(rw/ar), fh)
		x := clamp(int(math.Round(cx-float64(cw)/2)), 0, w-cw)
		y := clamp(int(math.Round(cy-float64(ch)/2)), 0, h-ch)
		if cw < r.w || ch < r.h {
			x, y = m.place(cw, ch)
		}
		g := geometry{scaleW: tiw, scaleH: tih}
		if cw != w || ch != h {
			g.pre = rect{x, y, cw, ch}
		}
		if cw == tiw && ch == tih {
			g.scaleW, g.scaleH = 0, 0
		}
		return g
	}
	// Padded: the box around the region, placed to cover as much of the
	// image as it can; the part inside the image is scaled and padded.
	biw, bih := pixels(bw), pixels(bh)
	bx := clamp(int(math.Round(cx-bw/2)), min(0, w-biw), max(0, w-biw))
	by := clamp(int(math.Round(cy-bh/2)), min(0, h-bih), max(0, h-bih))
	x0, y0 := max(bx, 0), max(by, 0)
	x1, y1 := min(bx+biw, w), min(by+bih, h)
	f := tw / bw
	sw, sh := min(pixels(float64(x1-x0)*f), tiw), min(pixels(float64(y1-y0)*f), tih)
	px := clamp(int(math.Round(float64(x0-bx)*f)), 0, tiw-sw)
	py := clamp(int(math.Round(float64(y0-by)*f)), 0, tih-sh)
	g := geometry{scaleW: sw, scaleH: sh}
	if x1-x0 != w || y1-y0 != h {
		g.pre = rect{x0, y0, x1 - x0, y1 - y0}
	}
	if sw != tiw || sh != tih {
		g.pad = rect{px, py, tiw, tih}
	}
	return g
}

// Contrasting and palette colours for b_auto.

// contrastColour is the colour farthest from c in RGB: the corner of the
// colour cube opposite it.
func contrastColour(r, g, b float64) (float64, float64, float64) {
	far := func(v float64) float64 {
		if v < 128 {
			return 255
		}
		return 0
	}
	return far(r), far(g), far(b)
}

// paletteColour is the palette's colour nearest to (r, g, b), or the
// farthest with contrast set; ok is false without a palette.
func paletteColour(a *delivery.AutoBackground, r, g, b float64) (pr, pg, pb float64, ok bool) {
	best := 0.0
	a.PaletteColors(func(c delivery.Color) {
		dr, dg, db := float64(c.R)-r, float64(c.G)-g, float64(c.B)-b
		d := dr*dr + dg*dg + db*db
		if !ok || (a.Contrast && d > best) || (!a.Contrast && d < best) {
			pr, pg, pb, best, ok = float64(c.R), float64(c.G), float64(c.B), d, true
		}
	})
	return pr, pg, pb, ok
}

// autoColour is b_auto's colour for a measured colour (r, g, b).
func autoColour(a *delivery.AutoBackground, r, g, b float64) delivery.Color {
	if pr, pg, pb, ok := paletteColour(a, r, g, b); ok {
		r, g, b = pr, pg, pb
	} else if a.Contrast {
		r, g, b = contrastColour(r, g, b)
	}
	c8 := func(v float64) uint8 { return uint8(math.Round(math.Max(0, math.Min(255, v)))) }
	return delivery.Color{Kind: delivery.ColorRGB, R: c8(r), G: c8(g), B: c8(b), A: 0xff}
}
