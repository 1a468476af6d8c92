//go:build cgo

package imaging

import (
	"context"
	"errors"

	"github.com/mediacdn/mediacdn/delivery"
)

// Transform applies req to the encoded image src and encodes the result.
// src is copied before Transform queues the work, so the caller may reuse
// it as soon as Transform returns. Errors are *Error: 400 for bad input,
// unsupported parameters and limits, 503 with RetryAfter when the queue is
// full, 504 past the timeout (see Config.Timeout for what it stops).
func (p *Processor) Transform(ctx context.Context, src []byte, req Request) (Result, error) {
	kind, err := p.admit(src)
	if err != nil {
		return Result{}, err
	}
	pln, err := newPlan(req.Transformation, req.DPR)
	if err != nil {
		return Result{}, err
	}
	if kind == loaderSVG {
		return svgPassthrough(src, &pln, req.Format)
	}
	out, err := chooseOutput(req.Format, req.Accept, kind.format(isAVIF(src)), p.avif)
	if err != nil {
		return Result{}, err
	}
	s := newSource(src, kind)
	work := func(ctx context.Context) (Result, error) {
		defer s.free()
		if err := ctx.Err(); err != nil {
			return Result{}, ctxError(err)
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
	pl := pipeline{cfg: &p.cfg, deadline: deadlineOf(ctx), out: out}
	defer pl.a.release()
	if err := pl.load(p, src, pln); err != nil {
		return Result{}, err
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
		return Result{}, &Error{Status: 400, Message: "Transformations of SVG images are not supported"}
	}
	w, h, ok := svgSize(src)
	if !ok {
		return Result{}, invalidImage(errors.New("svg without an <svg> root"))
	}
	return Result{Body: src, Format: delivery.SVG, Width: w, Height: h}, nil
}

// logFailure logs internal causes of errors (libvips' text, for operators).
func (p *Processor) logFailure(err error) {
	var e *Error
	if err == nil || !errors.As(err, &e) || e.cause == nil {
		return
	}
	if e.Status >= 500 {
		p.log.Warn("imaging: transform failed", "status", e.Status, "err", e.cause)
		return
	}
	p.log.Debug("imaging: transform refused", "status", e.Status, "msg", e.Message, "err", e.cause)
}
