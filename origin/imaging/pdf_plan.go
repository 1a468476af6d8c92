package imaging

import (
	"strconv"

	"github.com/mediacdn/mediacdn/delivery"
)

// maxDensity bounds dn_: a page rasterised at 600 dpi is 8.3 times
// wider and higher than at 72 (a Letter page, 5100x6600 pixels), and the
// pixels still count against the input and output limits.
const maxDensity = 600

// takeDensity takes dn_ from a top-level component: the resolution a PDF
// page is rasterised at (Cloudinary's default is 150; here 72, a point a
// pixel, the size the upload reports). It changes nothing for raster
// inputs, as at Cloudinary.
func (p *plan) takeDensity(c *delivery.Component) (*delivery.Component, error) {
	if !c.Has(delivery.KeyDensity) {
		return c, nil
	}
	var v string
	for _, o := range c.Other {
		if o.Key == delivery.KeyDensity {
			v = o.Value
		}
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxDensity || v[0] == '+' {
		return nil, invalidValue("density", v)
	}
	p.density = n
	rest := c.Without(delivery.KeyDensity)
	return &rest, nil
}
