//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import (
	"context"
	"errors"
	"unsafe"

	"github.com/mediacdn/mediacdn/delivery"
)

// pipeline is one transform in progress on a locked OS thread (pool.do):
// the current libvips image and the images it depends on.
type pipeline struct {
	cfg     *Config
	ctx     context.Context // its end kills the evaluation (kill.go)
	a       arena
	unwatch func()
	img     *C.VipsImage
	seq     bool // pixels still stream from a sequential loader
	out     output
	bg      delivery.Color // last b_, used when flattening for JPEG
	hasBG   bool
	// lw, lh is the size the first step is computed on: the input's, after
	// EXIF orientation, before any shrink-on-load.
	lw, lh int
	// proc and layerData serve image layers (layers_apply.go);
	// layerSources are their inputs, freed after the images that read them.
	proc         *Processor
	layerData    map[string][]byte
	layerSources []source
	// frames is an animated input's, whose steps run frame by frame (anim.go).
	frames    *frameSet
	faceCache faceCache   // the last face detection (faces.go)
	coords    coordinates // the asset's stored coordinates (Request.Faces, Request.Custom)
}

// newPipeline starts a pipeline whose evaluation stops when ctx ends;
// close ends it.
func newPipeline(ctx context.Context, cfg *Config, out output) *pipeline {
	pl := &pipeline{cfg: cfg, ctx: ctx, out: out}
	pl.unwatch = watch(ctx, &pl.a)
	return pl
}

// close releases the pipeline's images. After a killed evaluation it also
// hands the memory libvips freed back to the system at once: a killed
// transform is typically one that had grown large.
func (pl *pipeline) close() {
	pl.unwatch()
	pl.a.release()
	for _, s := range pl.layerSources {
		s.free()
	}
	if pl.ctx.Err() != nil {
		C.mc_malloc_trim()
	}
}

// set makes im the current image.
func (pl *pipeline) set(im *C.VipsImage) {
	pl.img = pl.a.keep(im)
}

// size is the current image's width and height.
func (pl *pipeline) size() (int, int) {
	return int(pl.img.Xsize), int(pl.img.Ysize)
}

func (pl *pipeline) hasAlpha() bool {
	return C.vips_image_hasalpha(pl.img) != 0
}

// fail wraps a libvips failure: once the pipeline's context has ended it
// is that end's error (504 past the deadline, 503 when canceled or
// closing), else the input could not be decoded (libvips decodes lazily,
// so a broken file can fail at any step).
func (pl *pipeline) fail(op string) error {
	err := failed(op)
	if pl.ctx.Err() != nil {
		return stopError(pl.ctx, err)
	}
	return invalidImage(err)
}

// materialize decodes the current image into memory, for operations that
// read pixels out of order (rotation, vertical flip, smart crop), which a
// sequential loader cannot serve. Done after the shrink-on-load, so the
// copy is of the smaller image.
func (pl *pipeline) materialize() error {
	if !pl.seq {
		return nil
	}
	var out *C.VipsImage
	if C.mc_copy_memory(pl.img, &out) != 0 {
		return pl.fail("copy_memory")
	}
	pl.set(out)
	pl.seq = false
	return nil
}

// checkSize enforces the output limits on a size about to be produced.
func (pl *pipeline) checkSize(w, h int) error {
	if w > pl.cfg.MaxOutputDimension || h > pl.cfg.MaxOutputDimension ||
		int64(w)*int64(h) > pl.cfg.MaxOutputPixels {
		return outputTooLarge(w, h, pl.cfg.MaxOutputDimension, pl.cfg.MaxOutputPixels)
	}
	return nil
}

// finish flattens what the encoder cannot keep and encodes.
func (pl *pipeline) finish(p *plan) (Result, error) {
	enc := pl.out.resolve(pl.hasAlpha())
	if enc == encJPEG && pl.hasAlpha() {
		c := white()
		if pl.hasBG && pl.bg.A == 0xff {
			c = pl.bg
		}
		if err := pl.flatten(c); err != nil {
			return Result{}, err
		}
	}
	w, h := pl.size()
	if err := pl.checkSize(w, h); err != nil {
		return Result{}, err
	}
	body, err := pl.save(enc, p)
	if err != nil {
		return Result{}, err
	}
	return Result{Body: body, Format: enc.format(), Width: w, Height: h}, nil
}

// save encodes the current image; metadata is stripped unless
// fl_keep_iptc keeps the IPTC block.
func (pl *pipeline) save(enc encoder, p *plan) ([]byte, error) {
	if writtenInGo(enc) {
		return pl.saveInGo(enc)
	}
	o := C.mc_save_options{
		format:    C.int(enc),
		quality:   C.int(quality(p.quality, p.hasQuality, enc)),
		interlace: cbool(p.progressive),
		chroma:    C.int(p.quality.Chroma),
		keep_iptc: cbool(p.keepIPTC),
		effort:    C.int(effort(enc)),
	}
	var buf unsafe.Pointer
	var n C.size_t
	if C.mc_save(pl.img, &o, &buf, &n) != 0 {
		return nil, pl.fail("save")
	}
	defer C.mc_free(buf)
	if n > 1<<31-1 {
		return nil, internalError(errors.New("encoded image over 2 GiB"))
	}
	return C.GoBytes(buf, C.int(n)), nil
}

// effort is the encoder speed setting: WebP 4 (libvips' default), AVIF 1
// (libaom speed 8, imgproxy's default), JPEG XL 4 (imgproxy's default;
// libjxl's own is 7).
func effort(e encoder) int {
	switch e {
	case encWebP, encJXL:
		return 4
	case encAVIF:
		return 1
	}
	return 0
}
