//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import (
	"time"
	"unsafe"
)

// frameSet is an animated input loaded for per-frame work: its frames
// stacked top to bottom in the pipeline's current image (the "roll").
type frameSet struct {
	index       []int   // the frames kept, 0-based, in output order
	pageHeight  int     // one frame's height in the roll
	delays      []C.int // per kept frame, in milliseconds
	loop        int     // libvips' loop count: 0 forever
	orientation int
}

// frameCost is an animated encoder's fixed cost per frame, on top of its
// cost per pixel (cost.go): measured on the 30-frame 480x270 photo GIF
// resized to 240x135 (libvips 8.14, the reference machine), GIF frames
// cost about 37 ms each (libimagequant builds a palette per frame; 10 ms
// for frames of few colours or few pixels), WebP frames about 7 ms.
func frameCost(e encoder) time.Duration {
	if e == encGIF {
		return 35 * time.Millisecond
	}
	return 5 * time.Millisecond
}

// animates reports whether pl's input, with header h, gives an animated
// result, and makes the output an animated one when it does. A still
// result refuses what needs frames (pg_ ranges, fl_animated).
func (pl *pipeline) animates(h header, kind loader, pln *plan) (bool, error) {
	a := &pln.anim
	animatedInput := (kind == loaderGIF || kind == loaderWebP) && h.pages > 1
	if animatedInput && pln.page == 0 {
		if out, ok := a.animatedOutput(kind.format(false)); ok {
			pl.out = out
			return true, nil
		}
	}
	return false, a.checkStill(animatedInput)
}

// loadFrames opens the frames pln keeps of an animated input whose header
// is h (im its header image), after checking them against the limits: the
// frame count, the pixels decoded and the cost of each frame's work.
func (pl *pipeline) loadFrames(p *Processor, src source, h header, pln *plan) error {
	switch n := pln.anim.count(h.pages); {
	case n == 0:
		return invalidValue("page", "no frame in range")
	case n > p.cfg.MaxFrames:
		return tooManyFrames(n, p.cfg.MaxFrames)
	}
	idx := pln.anim.frames(h.pages)
	if err := checkFrameSteps(pln.steps); err != nil {
		return err
	}
	last := 0
	for _, i := range idx {
		last = max(last, i+1)
	}
	if int64(h.width)*int64(h.height)*int64(last) > p.cfg.MaxInputPixels {
		return tooLarge(h.width, h.height*last, p.cfg.MaxInputPixels)
	}
	if p.cfg.MaxCost > 0 {
		// One frame's work (decode, steps, encode) times the frames decoded.
		one := estimate(&p.cfg, pln, h, src.kind, 0, 1, false, pl.out) + frameCost(pl.out.enc)
		if est := one * time.Duration(last); est > p.cfg.MaxCost {
			return tooExpensive(est, p.cfg.MaxCost)
		}
	}
	var im *C.VipsImage
	if C.mc_anim_load(C.int(src.kind), src.data, src.size, 0, C.int(last), &im) != 0 {
		return invalidImage(failed("load frames"))
	}
	pl.set(im)
	pl.seq = true
	all := make([]C.int, last)
	var loop C.int
	C.mc_anim_meta(im, &all[0], C.int(last), &loop)
	fs := &frameSet{index: idx, pageHeight: h.height, loop: int(loop), orientation: h.orientation}
	for _, i := range idx {
		d := all[i]
		if pln.anim.delay > 0 {
			d = C.int(pln.anim.delay)
		}
		fs.delays = append(fs.delays, d)
	}
	if pln.anim.hasLoop {
		fs.loop = pln.anim.loop
	}
	if pln.noAutoRotate {
		fs.orientation = 1
	}
	pl.lw, pl.lh = h.width, h.height
	if h.orientation != 1 && !pln.noAutoRotate && h.swapped() {
		pl.lw, pl.lh = h.height, h.width
	}
	var out *C.VipsImage
	if C.mc_normalize(pl.img, &out) != 0 {
		return pl.fail("normalize")
	}
	pl.set(out)
	pl.frames = fs
	return nil
}

// runFrames applies every step to each frame kept, in order, and joins
// the results into the animated image the encoder writes: the frames'
// size the same, their delays and loop count set.
func (pl *pipeline) runFrames(pln *plan) (Result, error) {
	fs := pl.frames
	roll, seq := pl.img, pl.seq
	w := int(roll.Xsize)
	done := make([]*C.VipsImage, 0, len(fs.index))
	for _, i := range fs.index {
		var fr *C.VipsImage
		if C.mc_extract(roll, &fr, 0, C.int(i*fs.pageHeight), C.int(w), C.int(fs.pageHeight)) != 0 {
			return Result{}, pl.fail("extract frame")
		}
		pl.set(fr)
		pl.seq = seq
		if err := pl.upright(fs.orientation); err != nil {
			return Result{}, err
		}
		for k := range pln.steps {
			if err := pl.run(&pln.steps[k], k == 0); err != nil {
				return Result{}, err
			}
		}
		done = append(done, pl.img)
	}
	fw, fh := int(done[0].Xsize), int(done[0].Ysize)
	if err := pl.checkSize(fw, fh); err != nil {
		return Result{}, err
	}
	if n := int64(len(done)); int64(fw)*int64(fh)*n > pl.cfg.MaxOutputPixels {
		return Result{}, outputTooLarge(fw, fh*int(n), pl.cfg.MaxOutputDimension, pl.cfg.MaxOutputPixels)
	}
	var out *C.VipsImage
	if C.mc_anim_join((**C.VipsImage)(unsafe.Pointer(&done[0])), C.int(len(done)), &fs.delays[0], C.int(fs.loop), &out) != 0 {
		return Result{}, pl.fail("join frames")
	}
	pl.set(out)
	enc := pl.out.resolve(true)
	body, err := pl.save(enc, pln)
	if err != nil {
		return Result{}, err
	}
	return Result{Body: body, Format: enc.format(), Width: fw, Height: fh}, nil
}
