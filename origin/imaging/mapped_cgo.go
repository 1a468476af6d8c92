//go:build cgo

package imaging

/*
#include <stdlib.h>
*/
import "C"

import (
	"context"
	"unsafe"
)

// source is the mapping as an input libvips decodes in place; the source
// holds a reference, which its free gives back.
func (m *Mapped) source(kind loader) source {
	if err := m.retain(); err != nil {
		panic(err) // a caller's bug: it closed the mapping it passed
	}
	return source{data: unsafe.Pointer(unsafe.SliceData(m.b)), size: C.size_t(len(m.b)), kind: kind, owner: m}
}

// ProbeMapped is Probe for a mapped file; nothing is copied.
func (p *Processor) ProbeMapped(m *Mapped) (Info, error) { return p.probe(m.b, m.source) }

// VerifyMapped is Verify for a mapped file: the whole image is decoded
// from the mapping, with no copy of the input.
func (p *Processor) VerifyMapped(ctx context.Context, m *Mapped) error {
	return p.verify(ctx, m.b, m.source)
}

// TransformMapped is Transform for a mapped file: libvips decodes from the
// mapping, with no copy of the input.
func (p *Processor) TransformMapped(ctx context.Context, m *Mapped, req Request) (Result, error) {
	return p.transformView(ctx, m.b, m.source, req)
}
