//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

// pdfDPI is the resolution a PDF page is rasterised at without dn_,
// Cloudinary's default (Probe reports the page in points, 72 dpi, as its
// upload does).
const pdfDPI = 150

// loadPDF opens page (0-based) of a PDF, rasterised at pln's density,
// after checking that page's size at that density against the limits.
func (pl *pipeline) loadPDF(p *Processor, src source, page int, pln *plan) error {
	dpi := pdfDPI
	if pln.density > 0 {
		dpi = pln.density
	}
	var im *C.VipsImage
	if C.mc_pdf_load(src.data, src.size, C.int(page), C.double(dpi), &im) != 0 {
		return invalidImage(failed("pdf"))
	}
	pl.a.keep(im)
	var ch C.mc_header
	C.mc_read_header(im, &ch)
	h := header{width: int(ch.width), height: int(ch.height), pages: 1, alpha: ch.alpha != 0, orientation: 1}
	if err := p.checkPixels(h, src.kind, 0); err != nil {
		return err
	}
	pl.lw, pl.lh = h.width, h.height
	if err := p.checkCost(pln, h, src.kind, 0, 1, false, pl.out); err != nil {
		return err
	}
	pl.img, pl.seq = im, true
	return pl.finishLoad(1)
}
