package imaging

import (
	"slices"

	"github.com/mediacdn/mediacdn/delivery"
)

// autoWidthTransformation is req's transformation with each w_auto
// replaced by the width the caller resolved from the client hints
// (Request.AutoWidth). That width is in device pixels, as Sec-CH-Width is:
// in a component with a DPR (dpr_2, dpr_auto) the width is divided by it,
// so that the DPR, which still scales the other sizes, does not count
// twice. A width of 0 (no hint, no fallback) drops w_: the image keeps its
// own width, as on Cloudinary. Without Request.HasAutoWidth, and for
// w_auto:breakpoints…, w_auto stays and answers 400 naming it.
func autoWidthTransformation(req *Request) delivery.Transformation {
	t := req.Transformation
	if !req.HasAutoWidth {
		return t
	}
	var out []delivery.Component // t's, copied at the first change
	for i := range t.Components {
		c := &t.Components[i]
		if !c.Has(delivery.KeyWidth) {
			continue
		}
		if _, ok := c.Width.AutoWidth(); !ok {
			continue
		}
		if out == nil {
			out = slices.Clone(t.Components)
		}
		if req.AutoWidth <= 0 {
			out[i] = c.Without(delivery.KeyWidth)
			continue
		}
		out[i].Width = delivery.Dimension{Kind: delivery.DimPixels, Value: float64(req.AutoWidth) / componentDPR(c, req.DPR)}
	}
	if out == nil {
		return t
	}
	return delivery.Transformation{Components: out}
}

// componentDPR is the DPR a component's sizes are multiplied by, as
// step.size reads it (1 without dpr_).
func componentDPR(c *delivery.Component, dprHint float64) float64 {
	if !c.Has(delivery.KeyDPR) {
		return 1
	}
	d := c.DPR.Value
	if c.DPR.Auto {
		d = dprHint
	}
	if d <= 0 || d > 10 {
		return 1
	}
	return d
}
