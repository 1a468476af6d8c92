package imaging

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
)

// Mapped is an encoded image in a file, mapped read-only into memory:
// ProbeMapped, TransformMapped and AnalyzeMapped read it in place, so an
// upload of any size is never copied onto the Go heap or into C memory,
// and the pages read are the kernel's page cache, which it can drop, not
// the process's own. A Mapped is safe for concurrent use; Close unmaps it
// once the last transform reading it has ended, and the caller must not use
// Bytes after Close.
//
// Locking: mu guards refs (the owner's reference until Close, and one
// per source reading the mapping) and closed.
type Mapped struct {
	b      []byte
	mu     sync.Mutex
	refs   int
	closed bool
}

// MapFile maps the first size bytes of f (size > 0), which must not change
// or shrink while mapped. f may be closed once MapFile returns.
func MapFile(f *os.File, size int64) (*Mapped, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, fmt.Errorf("imaging: cannot map %d bytes", size)
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("imaging: mmap: %w", err)
	}
	return &Mapped{b: b, refs: 1}, nil
}

// Bytes is the file's content, read-only, valid until Close.
func (m *Mapped) Bytes() []byte { return m.b }

// Close gives up the caller's reference: the file is unmapped once no
// transform reads it any more. Close is idempotent.
func (m *Mapped) Close() {
	m.mu.Lock()
	was := m.closed
	m.closed = true
	m.mu.Unlock()
	if !was {
		m.release()
	}
}

// retain takes a reference for a source that reads the mapping.
func (m *Mapped) retain() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errors.New("imaging: mapping used after Close")
	}
	m.refs++
	return nil
}

// release drops a reference, unmapping on the last.
func (m *Mapped) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refs--; m.refs == 0 {
		syscall.Munmap(m.b)
	}
}

// AnalyzeMapped is Analyze for a mapped file.
func (p *Processor) AnalyzeMapped(ctx context.Context, m *Mapped) (Analysis, error) {
	return p.analyze(func(req Request) (Result, error) { return p.TransformMapped(ctx, m, req) })
}
