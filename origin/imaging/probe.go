//go:build cgo

package imaging

import (
	"errors"
	"runtime"

	"github.com/mediacdn/mediacdn/delivery"
)

// Probe reads an image's header without decoding its pixels and checks it
// against the limits: it answers "Invalid image file" for anything that is
// not an image libvips can read safely, and refuses images above
// MaxInputPixels. It runs on the caller's goroutine (header parsing is
// cheap) and is safe for concurrent use. SVG is accepted with the size its
// root element declares (see svg.go), JPEG XL with the size its codestream
// header declares (jxl.go); neither is ever decoded.
func (p *Processor) Probe(b []byte) (Info, error) {
	return p.probe(b, func(kind loader) source { return newSource(b, kind) })
}

// probe does Probe's work on b; hold turns it into the source libvips
// reads the header from.
func (p *Processor) probe(b []byte, hold func(loader) source) (Info, error) {
	kind, err := p.admit(b)
	if err != nil {
		return Info{}, err
	}
	switch kind {
	case loaderSVG:
		w, h, _ := svgSize(b)
		return Info{Format: delivery.SVG, Width: w, Height: h, Alpha: true, Pages: 1}, nil
	case loaderBMP: // its header is read in Go (bmp.go), with no copy for libvips
		h, err := readBMPHeader(b)
		if err != nil {
			return Info{}, err
		}
		if err := p.checkPixels(h, kind, 0); err != nil {
			return Info{}, err
		}
		return Info{Format: delivery.BMP, Width: h.width, Height: h.height, Alpha: h.alpha, Pages: 1}, nil
	case loaderICO, loaderJXL:
		return p.probeInGo(b, kind)
	}
	h, err := probeHeader(hold(kind))
	if err != nil {
		return Info{}, err
	}
	if err := p.checkPixels(h, kind, 0); err != nil {
		return Info{}, err
	}
	info := Info{Format: kind.format(h.av1), Width: h.width, Height: h.height, Alpha: h.alpha,
		Pages: h.pages}
	if h.orientation > 1 {
		info.Orientation = h.orientation
	}
	if h.swapped() {
		info.Width, info.Height = h.height, h.width
	}
	return info, nil
}

// probeHeader reads src's header on a locked thread, frees libvips'
// per-thread state afterwards, and frees src.
func probeHeader(src source) (header, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer threadDone()
	defer src.free()
	var a arena
	defer a.release()
	_, h, err := readHeader(&a, src) // decodes nothing: the caller checks the pixels
	if err != nil {
		return header{}, err
	}
	if h.width <= 0 || h.height <= 0 {
		return header{}, invalidImage(errors.New("no dimensions"))
	}
	return h, nil
}
