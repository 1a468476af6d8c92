//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import (
	"errors"
	"unsafe"

	"github.com/mediacdn/mediacdn/delivery"
)

// The inputs read in Go beyond BMP (bmp.go, load.go): ICO, decoded here
// (ico.go), and JPEG XL, whose header only is read (jxl.go).

// probeInGo is Probe for an ICO or a JPEG XL: the size from the header,
// checked against MaxInputPixels.
func (p *Processor) probeInGo(b []byte, kind loader) (Info, error) {
	var info Info
	if kind == loaderJXL {
		var err error
		if info, err = jxlInfo(b); err != nil {
			return Info{}, err
		}
	} else {
		h, err := readICOHeader(b)
		if err != nil {
			return Info{}, err
		}
		info = Info{Format: delivery.ICO, Width: h.width, Height: h.height, Alpha: true, Pages: 1}
	}
	if err := p.checkPixels(header{width: info.Width, height: info.Height}, kind, 0); err != nil {
		return Info{}, err
	}
	return info, nil
}

// verifyInGo is Verify for an ICO (its largest image decoded, at most
// 256×256) or a JPEG XL (its header read: it is never decoded here).
func (p *Processor) verifyInGo(b []byte, kind loader) error {
	if _, err := p.probeInGo(b, kind); err != nil || kind == loaderJXL {
		return err
	}
	e, err := icoLargest(b)
	if err != nil {
		return invalidImage(err)
	}
	if err := decodeICO(e, make([]byte, e.width*e.height*4)); err != nil {
		return invalidImage(err)
	}
	return nil
}

// readICOHeader reads the size of an ICO's largest image (ico.go), without
// decoding it.
func readICOHeader(b []byte) (header, error) {
	e, err := icoLargest(b)
	if err != nil {
		return header{}, invalidImage(err)
	}
	return header{width: e.width, height: e.height, pages: 1, alpha: true, orientation: 1}, nil
}

// decodeICOSource decodes an ICO source's largest image, whose header the
// caller has checked against the limits, into an RGBA memory image the
// arena owns.
func decodeICOSource(a *arena, src source) (*C.VipsImage, error) {
	e, err := icoLargest(src.bytes())
	if err != nil {
		return nil, invalidImage(err)
	}
	n := e.width * e.height * 4
	buf := C.mc_pixels_alloc(C.size_t(n))
	if buf == nil {
		return nil, internalError(errors.New("out of memory for an ICO"))
	}
	if err := decodeICO(e, unsafe.Slice((*byte)(buf), n)); err != nil {
		C.mc_free(buf)
		return nil, invalidImage(err)
	}
	var im *C.VipsImage // owns buf from here
	if C.mc_from_pixels(buf, C.size_t(n), C.int(e.width), C.int(e.height), 4, &im) != 0 {
		return nil, internalError(failed("ico"))
	}
	a.keep(im)
	return im, nil
}

// decodeInGo decodes a source that libvips does not load (BMP, ICO), or
// returns im, the loader's image, unchanged.
func decodeInGo(a *arena, src source, im *C.VipsImage) (*C.VipsImage, error) {
	switch src.kind {
	case loaderBMP:
		return decodeBMPSource(a, src)
	case loaderICO:
		return decodeICOSource(a, src)
	}
	return im, nil
}
