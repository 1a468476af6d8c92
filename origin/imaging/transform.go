//go:build cgo

package imaging

/*
#include <stdlib.h>
*/
import "C"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unsafe"

	"github.com/mediacdn/mediacdn/delivery"
)

// Transform applies req to the encoded image src and encodes the result.
// src is copied before Transform queues the work, so the caller may reuse
// it as soon as Transform returns. Errors are *delivery.Error: 400 for bad input,
// unsupported parameters and limits, 503 with RetryAfter when the queue is
// full, 504 past the timeout (see Config.Timeout for what it stops).
func (p *Processor) Transform(ctx context.Context, src []byte, req Request) (Result, error) {
	return p.transformView(ctx, src, func(kind loader) source { return newSource(src, kind) }, req)
}

// TransformReader is Transform for an encoded image of size bytes read
// from r: it is read straight into the C memory libvips decodes from,
// without a copy on the Go heap. A failed read is a 500.
func (p *Processor) TransformReader(ctx context.Context, r io.Reader, size int64, req Request) (Result, error) {
	if size <= 0 {
		return Result{}, invalidImage(errors.New("empty file"))
	}
	if size > int64(p.cfg.MaxInputSize) {
		return Result{}, fileTooLarge(int(size), int64(p.cfg.MaxInputSize))
	}
	buf := C.malloc(C.size_t(size))
	if buf == nil {
		return Result{}, internalError(errors.New("out of memory for the input"))
	}
	view := unsafe.Slice((*byte)(buf), size)
	owned := false // the source frees buf once it holds it
	defer func() {
		if !owned {
			C.free(buf)
		}
	}()
	if _, err := io.ReadFull(r, view); err != nil {
		return Result{}, internalError(fmt.Errorf("reading the input: %w", err))
	}
	return p.transformView(ctx, view, func(kind loader) source {
		owned = true
		return source{data: buf, size: C.size_t(size), kind: kind}
	}, req)
}

// transformView does Transform's work on src, which it may read until it
// returns; hold turns it into the source the queued work decodes (and
// frees).
func (p *Processor) transformView(ctx context.Context, src []byte, hold func(loader) source, req Request) (Result, error) {
	kind, err := p.admit(src)
	if err != nil {
		return Result{}, err
	}
	req.Transformation = autoWidthTransformation(&req)
	if needsResolve(req.Transformation) {
		// Conditions and expressions read the input's header (conditions.go).
		info, err := p.Probe(src)
		if err != nil {
			return Result{}, err
		}
		faceCount := func() (int, error) {
			if len(req.Faces) > 0 {
				return len(req.Faces), nil
			}
			faces, err := p.DetectFaces(ctx, src)
			return len(faces), err
		}
		if req.Transformation, err = resolve(req, info, faceCount); err != nil {
			return Result{}, err
		}
	}
	pln, err := newPlan(req.Transformation, req.DPR)
	if err != nil {
		return Result{}, err
	}
	pln.layerData = req.Layers
	pln.anim.format, pln.anim.accept = req.Format, req.Accept
	pln.coords = coordinates{faces: req.Faces, custom: req.Custom}
	if kind == loaderSVG {
		return svgPassthrough(bytes.Clone(src), &pln, req.Format)
	}
	if kind == loaderJXL {
		return jxlPassthrough(bytes.Clone(src), &pln, req.Format)
	}
	out, err := chooseOutput(req.Format, req.Accept, kind.format(isAVIF(src)), p.avif)
	if err == nil {
		err = p.more.available(out.enc)
	}
	if err != nil {
		return Result{}, err
	}
	s := hold(kind)
	work := func(ctx context.Context) (Result, error) {
		defer s.free()
		if err := ctx.Err(); err != nil {
			return Result{}, stopError(ctx, err)
		}
		return p.transform(ctx, s, &pln, out)
	}
	res, err := p.run(ctx, work, s.free)
	p.logFailure(err)
	return res, err
}

// admit checks the input's size and kind before anything is queued.
func (p *Processor) admit(src []byte) (loader, error) {
	if len(src) == 0 {
		return loaderNone, invalidImage(errors.New("empty file"))
	}
	if int64(len(src)) > int64(p.cfg.MaxInputSize) {
		return loaderNone, fileTooLarge(len(src), int64(p.cfg.MaxInputSize))
	}
	kind := sniff(src)
	if kind == loaderNone {
		return loaderNone, invalidImage(errors.New("unrecognised or refused format"))
	}
	return kind, nil
}

// transform runs in a pool slot (pool.do).
func (p *Processor) transform(ctx context.Context, src source, pln *plan, out output) (Result, error) {
	pl := newPipeline(ctx, &p.cfg, out)
	defer pl.close()
	pl.proc, pl.layerData, pl.coords = p, pln.layerData, pln.coords
	if err := pl.load(p, src, pln); err != nil {
		return Result{}, err
	}
	if pl.frames != nil {
		return pl.runFrames(pln)
	}
	for i := range pln.steps {
		if err := pl.run(&pln.steps[i], i == 0); err != nil {
			return Result{}, err
		}
	}
	return pl.finish(pln)
}

// svgPassthrough hands an SVG back untouched when nothing is asked of it;
// SVG is never rasterised (see svg.go).
func svgPassthrough(src []byte, pln *plan, f delivery.Format) (Result, error) {
	if !pln.empty() || f != delivery.FormatNone && f != delivery.SVG {
		return Result{}, delivery.Errorf(http.StatusBadRequest, "Transformations of SVG images are not supported")
	}
	w, h, ok := svgSize(src)
	if !ok {
		return Result{}, invalidImage(errors.New("svg without an <svg> root"))
	}
	return Result{Body: src, Format: delivery.SVG, Width: w, Height: h}, nil
}

// logFailure logs internal causes of errors (libvips' text, for operators).
func (p *Processor) logFailure(err error) {
	var e *delivery.Error
	if err == nil || !errors.As(err, &e) || e.Unwrap() == nil {
		return
	}
	if e.Status >= 500 {
		p.log.Warn("imaging: transform failed", "status", e.Status, "err", e.Unwrap())
		return
	}
	p.log.Debug("imaging: transform refused", "status", e.Status, "msg", e.Message, "err", e.Unwrap())
}
