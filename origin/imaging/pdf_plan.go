package imaging

import "github.com/mediacdn/mediacdn/delivery"

// maxDensity bounds dn_: a page rasterised at 600 dpi is 8.3 times
// wider and higher than at 72 (a Letter page, 5100x6600 pixels), and the
// pixels still count against the input and output limits.
const maxDensity = 600

// takeDensity takes dn_ from a top-level component: the resolution a PDF
// page is rasterised at (pdfDPI without it, 150 as at Cloudinary). It
// changes nothing for raster inputs, as at Cloudinary.
func (p *plan) takeDensity(c *delivery.Component) (*delivery.Component, error) {
	if !c.Has(delivery.KeyDensity) {
		return c, nil
	}
	v := otherValue(c, delivery.KeyDensity) // anim_plan.go
	n, ok := intIn(v, 1, maxDensity)
	if !ok {
		return nil, invalidValue("density", v)
	}
	p.density = n
	rest := c.Without(delivery.KeyDensity)
	return &rest, nil
}
