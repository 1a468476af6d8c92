//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import (
	"errors"
	"strconv"
	"unsafe"
)

// source is an input image copied into C memory: libvips reads it lazily
// across several cgo calls, which Go memory may not be held through, and
// the caller may reuse its buffer once Transform returns. A source with an
// owner reads a Mapped file in place instead (mapped.go).
type source struct {
	data  unsafe.Pointer
	size  C.size_t
	kind  loader
	owner *Mapped
}

func newSource(b []byte, kind loader) source {
	return source{data: C.CBytes(b), size: C.size_t(len(b)), kind: kind}
}

func (s source) free() {
	if s.owner != nil {
		s.owner.release()
		return
	}
	C.free(s.data)
}

// bytes is the source's C memory as a slice, valid until free.
func (s source) bytes() []byte { return unsafe.Slice((*byte)(s.data), int(s.size)) }

// header is what the loader says before decoding pixels.
type header struct {
	width, height int // one page, as stored
	pages         int
	alpha         bool
	orientation   int
	av1           bool
}

// readHeader opens src lazily (libvips reads only the header) and returns
// the image, which the arena owns. Nothing is decoded: a BMP's header is
// read in Go (bmp.go) and no image is returned for it; decodeBMPSource decodes
// it once the caller has checked its pixels.
func readHeader(a *arena, src source) (*C.VipsImage, header, error) {
	if src.kind == loaderBMP {
		h, err := readBMPHeader(src.bytes())
		return nil, h, err
	}
	if src.kind == loaderICO {
		h, err := readICOHeader(src.bytes())
		return nil, h, err
	}
	var im *C.VipsImage
	if C.mc_load(C.int(src.kind), src.data, src.size, 1, 0, &im) != 0 {
		return nil, header{}, invalidImage(failed("header"))
	}
	a.keep(im)
	var h C.mc_header
	C.mc_read_header(im, &h)
	hd := header{width: int(h.width), height: int(h.height), pages: max(int(h.pages), 1),
		alpha: h.alpha != 0, orientation: int(h.orientation), av1: h.av1 != 0}
	if hd.width <= 0 || hd.height <= 0 {
		return nil, header{}, invalidImage(errors.New("no dimensions"))
	}
	if hd.orientation < 1 || hd.orientation > 8 {
		hd.orientation = 1
	}
	return im, hd, nil
}

// readBMPHeader reads a BMP's header (and palette) only.
func readBMPHeader(b []byte) (header, error) {
	h, err := bmpHeader(b)
	if err != nil {
		return header{}, invalidImage(err)
	}
	return header{width: h.width, height: h.height, pages: 1, alpha: h.alpha, orientation: 1}, nil
}

// decodeBMPSource decodes a BMP source, whose header the caller has checked,
// into a memory image the arena owns.
func decodeBMPSource(a *arena, src source) (*C.VipsImage, error) {
	b := src.bytes()
	h, err := bmpHeader(b)
	if err != nil {
		return nil, invalidImage(err)
	}
	n := h.width * h.height * h.bands()
	buf := C.mc_pixels_alloc(C.size_t(n))
	if buf == nil {
		return nil, internalError(errors.New("out of memory for a BMP"))
	}
	if err := decodeBMP(b, h, unsafe.Slice((*byte)(buf), n)); err != nil {
		C.mc_free(buf)
		return nil, invalidImage(err)
	}
	var im *C.VipsImage // owns buf from here
	if C.mc_from_pixels(buf, C.size_t(n), C.int(h.width), C.int(h.height), C.int(h.bands()), &im) != 0 {
		return nil, internalError(failed("bmp"))
	}
	a.keep(im)
	return im, nil
}

// swapped reports whether the EXIF orientation turns the image a quarter.
func (h header) swapped() bool { return h.orientation >= 5 }

// pageIndex turns pg_ (1-based, negative from the end, 0 = first) into a
// page index.
func pageIndex(pg, pages int) (int, error) {
	i := pg - 1
	switch {
	case pg == 0:
		return 0, nil
	case pg < 0:
		i = pages + pg
	}
	if i < 0 || i >= pages {
		return 0, invalidValue("page", strconv.Itoa(pg))
	}
	return i, nil
}

// checkPixels enforces MaxInputPixels on the header: width × height of
// the page, times the frames a GIF decoder must run through to reach it.
func (p *Processor) checkPixels(h header, kind loader, page int) error {
	frames := int64(1)
	if kind == loaderGIF {
		frames = int64(page) + 1
	}
	if int64(h.width)*int64(h.height)*frames > p.cfg.MaxInputPixels {
		return tooLarge(h.width, h.height, p.cfg.MaxInputPixels)
	}
	return nil
}

// load opens the input for pl: header checks, then the page asked for,
// shrunk on load as far as the first step allows (JPEG, WebP), turned
// upright by its EXIF orientation and converted to 8-bit sRGB.
func (pl *pipeline) load(p *Processor, src source, pln *plan) error {
	im, h, err := readHeader(&pl.a, src)
	if err != nil {
		return err
	}
	if ok, err := pl.animates(h, src.kind, pln); err != nil {
		return err
	} else if ok {
		return pl.loadFrames(p, src, h, pln)
	}
	page, err := pageIndex(pln.page, h.pages)
	if err != nil {
		return err
	}
	if src.kind == loaderPDF {
		return pl.loadPDF(p, src, page, pln)
	}
	if err := p.checkPixels(h, src.kind, page); err != nil {
		return err
	}
	if pln.noAutoRotate {
		h.orientation = 1
	}
	var shrink int
	var direct bool
	pl.lw, pl.lh, shrink, direct = p.shape(h, src.kind, page, pln)
	if err := p.checkCost(pln, h, src.kind, page, shrink, direct, pl.out); err != nil {
		return err
	}
	if im, err = decodeInGo(&pl.a, src, im); err != nil {
		return err
	}
	pl.img, pl.seq = im, true
	if direct {
		direct, err := pl.decodeJPEG(src, im, shrink)
		if err != nil {
			return err
		}
		if direct {
			p.directJPEG.Add(1)
			return pl.finishLoad(h.orientation)
		}
	}
	if shrink > 1 || page > 0 {
		if C.mc_load(C.int(src.kind), src.data, src.size, C.int(shrink), C.int(page), &im) != 0 {
			return invalidImage(failed("load"))
		}
		pl.a.keep(im)
		pl.img = im
	}
	return pl.finishLoad(h.orientation)
}

// shape is how load opens an input with header h for pln: its size
// upright (the first step's geometry is computed on it), the
// shrink-on-load factor, and whether the JPEG decoder is tried
// (decodeJPEG).
func (p *Processor) shape(h header, kind loader, page int, pln *plan) (lw, lh, shrink int, direct bool) {
	lw, lh = h.width, h.height
	if h.swapped() {
		lw, lh = h.height, h.width
	}
	shrink = 1
	if len(pln.steps) > 0 && (kind == loaderJPEG || kind == loaderWebP) && !pln.steps[0].faceThumb() {
		shrink = pln.steps[0].geometry(lw, lh).shrinkFactor(lw, lh)
	}
	direct = shrink > 1 && page == 0 && kind == loaderJPEG && !p.cfg.LibvipsJPEG
	return lw, lh, shrink, direct
}

// finishLoad turns the loaded image upright and into 8-bit sRGB or grey.
func (pl *pipeline) finishLoad(orientation int) error {
	if err := pl.upright(orientation); err != nil {
		return err
	}
	var out *C.VipsImage
	if C.mc_normalize(pl.img, &out) != 0 {
		return pl.fail("normalize")
	}
	pl.set(out)
	return nil
}

// maxDirectDecode caps the memory of one direct JPEG decode
// (mc_jpeg_decode): 8 megapixels of RGB. Larger results stream through
// libvips' loader, which holds a few rows at a time.
const maxDirectDecode = 24 << 20

// decodeJPEG decodes a JPEG shrunk on load straight into memory, on this
// thread, keeping the metadata of header; false when it is one for
// libvips' loader instead (CMYK, YCCK, or too large decoded).
func (pl *pipeline) decodeJPEG(src source, header *C.VipsImage, shrink int) (bool, error) {
	var out *C.VipsImage
	var handled C.int
	if C.mc_jpeg_decode(src.data, src.size, C.int(shrink), maxDirectDecode, header, &out, &handled) != 0 {
		return false, pl.fail("jpeg decode")
	}
	if handled == 0 {
		return false, nil
	}
	pl.set(out)
	pl.seq = false
	return true, nil
}

// upright applies the EXIF orientation (and drops the tag).
func (pl *pipeline) upright(orientation int) error {
	if orientation == 1 {
		return nil
	}
	if err := pl.materialize(); err != nil {
		return err
	}
	var out *C.VipsImage
	if C.mc_autorot(pl.img, &out) != 0 {
		return pl.fail("autorot")
	}
	pl.set(out)
	return nil
}
