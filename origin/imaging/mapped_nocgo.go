//go:build !cgo

package imaging

import "context"

// ProbeMapped fails: image processing needs cgo.
func (p *Processor) ProbeMapped(*Mapped) (Info, error) { return Info{}, unavailable() }

// VerifyMapped fails.
func (p *Processor) VerifyMapped(context.Context, *Mapped) error { return unavailable() }

// TransformMapped fails.
func (p *Processor) TransformMapped(context.Context, *Mapped, Request) (Result, error) {
	return Result{}, unavailable()
}
