//go:build cgo

package imaging

/*
#include "vips.h"
*/
import "C"

import (
	"context"
	"net/http"
	"time"
	"unsafe"

	"github.com/mediacdn/mediacdn/delivery"
)

// Animate joins still frames (PNG, JPEG or WebP files, all of one size)
// into an animated GIF or WebP (the Upload API's multi), each frame shown
// for delay milliseconds, looping forever. It is bounded as animated
// transforms are: at most MaxFrames frames, MaxOutputPixels over all of
// them, MaxCost for their estimated work, the processor's deadline.
func (p *Processor) Animate(ctx context.Context, frames [][]byte, delay int, f delivery.Format) (Result, error) {
	var out output
	switch f {
	case delivery.GIF:
		out = output{enc: encGIF, alpha: alphaAlways}
	case delivery.WebP:
		out = output{enc: encWebP, alpha: alphaAlways}
	default:
		return Result{}, &delivery.Error{Status: http.StatusBadRequest, Message: "Animated images are gif or webp, not " + f.String()}
	}
	switch {
	case len(frames) == 0:
		return Result{}, invalidValue("page", "no frame")
	case len(frames) > p.cfg.MaxFrames:
		return Result{}, tooManyFrames(len(frames), p.cfg.MaxFrames)
	}
	work := func(ctx context.Context) (Result, error) {
		if err := ctx.Err(); err != nil {
			return Result{}, stopError(ctx, err)
		}
		return p.animate(ctx, frames, delay, out)
	}
	res, err := p.run(ctx, work, nil)
	p.logFailure(err)
	return res, err
}

// animate runs in a pool slot (pool.do).
func (p *Processor) animate(ctx context.Context, frames [][]byte, delay int, out output) (Result, error) {
	pl := newPipeline(ctx, &p.cfg, out)
	defer pl.close()
	done := make([]*C.VipsImage, 0, len(frames))
	delays := make([]C.int, 0, len(frames))
	var w, h int
	for i, b := range frames {
		kind := sniff(b)
		if kind != loaderPNG && kind != loaderJPEG && kind != loaderWebP {
			return Result{}, invalidImage(failed("frame format"))
		}
		src := newSource(b, kind)
		pl.layerSources = append(pl.layerSources, src) // freed by close, after the save reads them
		var im *C.VipsImage
		if C.mc_load(C.int(kind), src.data, src.size, 1, 0, &im) != 0 {
			return Result{}, pl.fail("load frame")
		}
		pl.set(im)
		if i == 0 {
			w, h = pl.size()
			if err := pl.checkSize(w, h); err != nil {
				return Result{}, err
			}
			if n := int64(len(frames)); int64(w)*int64(h)*n > p.cfg.MaxOutputPixels {
				return Result{}, outputTooLarge(w, h*len(frames), p.cfg.MaxOutputDimension, p.cfg.MaxOutputPixels)
			}
			if err := p.checkAnimateCost(w, h, len(frames), kind, out.enc); err != nil {
				return Result{}, err
			}
		}
		if fw, fh := pl.size(); fw != w || fh != h {
			return Result{}, invalidValue("frame", "frames of different sizes")
		}
		var fr *C.VipsImage
		if C.mc_anim_frame(pl.img, &fr) != 0 {
			return Result{}, pl.fail("frame")
		}
		pl.set(fr)
		done = append(done, pl.img)
		delays = append(delays, C.int(delay))
	}
	var joined *C.VipsImage
	if C.mc_anim_join((**C.VipsImage)(unsafe.Pointer(&done[0])), C.int(len(done)), &delays[0], 0, &joined) != 0 {
		return Result{}, pl.fail("join frames")
	}
	pl.set(joined)
	enc := pl.out.resolve(true)
	var none plan
	body, err := pl.save(enc, &none)
	if err != nil {
		return Result{}, err
	}
	return Result{Body: body, Format: enc.format(), Width: w, Height: h}, nil
}

// checkAnimateCost refuses an animation whose estimated work is over
// Config.MaxCost: per frame, its decode, normalisation and encoding per
// pixel (cost.go) and the encoder's fixed cost per frame (anim.go).
func (p *Processor) checkAnimateCost(w, h, n int, kind loader, enc encoder) error {
	if p.cfg.MaxCost <= 0 {
		return nil
	}
	perPixel := decodeCost(kind) + costNormalize + encodeCost(enc)
	one := time.Duration(perPixel*float64(w)*float64(h)) + frameCost(enc)
	if est := one * time.Duration(n); est > p.cfg.MaxCost {
		return tooExpensive(est, p.cfg.MaxCost)
	}
	return nil
}
