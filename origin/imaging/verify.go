//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import (
	"context"
	"encoding/binary"
	"errors"
	"runtime"
)

// Verify decodes the whole of the encoded image b, keeping no pixels, and
// answers 400 "Invalid image file" for one that is truncated or corrupt:
// what Probe's header check lets through and every later transform would
// fail on. It checks what the transforms' decoders check, and a little
// more: a JPEG must reach its end-of-image marker (read at 1/8 scale: the
// whole stream is entropy-decoded, the inverse DCT is one value a block), a
// PNG its IEND chunk; the first page of the other formats must decode with
// libvips' fail_on=truncated. Its pixels are checked against the limits
// before anything is decoded. Like Probe, it runs on the caller's
// goroutine, not in the transforms' pool (an upload in progress is bounded
// where uploads are), and it stops when ctx ends (504 past its deadline,
// 503 when canceled). SVG and JPEG XL are never decoded (only JPEG XL's
// header is read); a BMP shorter than its pixels fails Probe already; an
// ICO's image is decoded in Go.
func (p *Processor) Verify(ctx context.Context, b []byte) error {
	return p.verify(ctx, b, func(kind loader) source { return newSource(b, kind) })
}

// verify does Verify's work on b; hold turns it into the source that is
// decoded (and freed), as for transformView.
func (p *Processor) verify(ctx context.Context, b []byte, hold func(loader) source) error {
	kind, err := p.admit(b)
	if err != nil {
		return err
	}
	switch kind {
	case loaderSVG, loaderBMP:
		return nil
	case loaderICO, loaderJXL:
		return p.verifyInGo(b, kind)
	case loaderPNG:
		if err := pngComplete(b); err != nil {
			return invalidImage(err)
		}
	}
	if err := ctx.Err(); err != nil {
		return stopError(ctx, err)
	}
	s := hold(kind)
	defer s.free()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer threadDone()
	err = p.decodeAll(ctx, s)
	p.logFailure(err)
	return err
}

// decodeAll decodes src's first page, keeping nothing, on a locked
// thread.
func (p *Processor) decodeAll(ctx context.Context, src source) error {
	pl := newPipeline(ctx, &p.cfg, output{})
	defer pl.close()
	header, h, err := readHeader(&pl.a, src)
	if err != nil {
		return err
	}
	if err := p.checkPixels(h, src.kind, 0); err != nil {
		return err
	}
	if src.kind == loaderJPEG {
		if C.mc_jpeg_verify(src.data, src.size, header) != 0 {
			return pl.fail("jpeg verify")
		}
		return nil
	}
	var im *C.VipsImage
	if C.mc_load(C.int(src.kind), src.data, src.size, 1, 0, &im) != 0 {
		return invalidImage(failed("load"))
	}
	pl.a.keep(im)
	if C.mc_verify(im) != 0 {
		return pl.fail("verify")
	}
	return nil
}

// pngComplete walks a PNG's chunks to its IEND: a file cut anywhere before
// that, IDAT data included, is refused without decoding anything. Data
// after IEND is allowed (libpng ignores it).
func pngComplete(b []byte) error {
	const signature = 8
	for i := signature; ; {
		if len(b)-i < 12 { // length, type, CRC
			return errors.New("png: no IEND chunk")
		}
		n := int64(binary.BigEndian.Uint32(b[i:]))
		if string(b[i+4:i+8]) == "IEND" {
			return nil
		}
		if n > int64(len(b)-i-12) {
			return errors.New("png: a chunk runs past the end of the file")
		}
		i += 12 + int(n)
	}
}
