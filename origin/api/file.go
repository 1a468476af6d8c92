package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mediacdn/mediacdn/delivery"
)

// Spool is where uploads' files are written while a request is served:
// <data_dir>/uploads, emptied when the origin starts.
type Spool string

// NewSpool empties path and makes it the spool.
func NewSpool(path string) (Spool, error) {
	if err := os.RemoveAll(path); err != nil {
		return "", err
	}
	if err := os.MkdirAll(path, 0o750); err != nil {
		return "", err
	}
	return Spool(path), nil
}

// File is an upload's file on disk, never in memory: a temporary file of
// the spool, unlinked as soon as it is created, so that its space is given
// back when it is closed, whatever the path a request takes, and after a
// crash. It is written once (Write, Fill), then read back (Reader, ReadAt,
// Head); the origin maps it for the image processor (origin/upload_spool.go).
type File struct {
	f    *os.File
	size int64
	// Name is the client's file name, a URL's base name, or "file".
	Name string
}

// Create makes an empty File.
func (d Spool) Create() (*File, error) {
	f, err := os.CreateTemp(string(d), "upload-*")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	return &File{f: f}, nil
}

// FileOf makes a File holding b.
func (d Spool) FileOf(b []byte, name string) (*File, error) {
	u, err := d.Create()
	if err != nil {
		return nil, err
	}
	u.Name = name
	if _, err := u.Write(b); err != nil {
		u.Close()
		return nil, err
	}
	return u, nil
}

// OpenFile makes a File of f, opened at its start and already unlinked,
// which is size bytes long.
func OpenFile(f *os.File, size int64) *File { return &File{f: f, size: size} }

// Write appends to the file.
func (u *File) Write(p []byte) (int, error) {
	n, err := u.f.Write(p)
	u.size += int64(n)
	return n, err
}

// ErrPastLimit is Fill's refusal of more than its limit.
var ErrPastLimit = errors.New("past the limit")

// Fill appends r to the file, at most limit bytes: with more, it reads no
// further and answers ErrPastLimit. buf is the copy buffer. A failure to
// write is internal (*delivery.Error); a failure to read is r's own error,
// for the caller to word (readFailure).
func (u *File) Fill(r io.Reader, limit int64, buf []byte) error {
	n, err := io.CopyBuffer(u, &sourceReader{r: io.LimitReader(r, limit+1)}, buf)
	var se *sourceError
	switch {
	case errors.As(err, &se):
		return se.err
	case err != nil:
		return delivery.Internal(fmt.Errorf("writing an upload's file: %w", err))
	case n > limit:
		return ErrPastLimit
	}
	return nil
}

// sourceError marks an error of Fill's source, not of the file.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }

type sourceReader struct{ r io.Reader }

func (r *sourceReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = &sourceError{err}
	}
	return n, err
}

// Size is how many bytes the file holds.
func (u *File) Size() int64 { return u.size }

// OS is the open file, for the image processor to map.
func (u *File) OS() *os.File { return u.f }

// ReadAt reads the file at off.
func (u *File) ReadAt(p []byte, off int64) (int, error) { return u.f.ReadAt(p, off) }

// Reader reads the whole file from its start.
func (u *File) Reader() io.Reader { return io.NewSectionReader(u.f, 0, u.size) }

// Head is the file's first n bytes (fewer if it is shorter).
func (u *File) Head(n int) []byte {
	b := make([]byte, min(int64(n), u.size))
	k, _ := u.f.ReadAt(b, 0)
	return b[:k]
}

// HasPrefix reports whether the file starts with prefix.
func (u *File) HasPrefix(prefix string) bool {
	return bytes.HasPrefix(u.Head(len(prefix)), []byte(prefix))
}

// Text is the whole file as a string; only for files known to be small.
func (u *File) Text() string { return string(u.Head(int(u.size))) }

// Close closes the file, which gives its space back. It is safe on nil
// and idempotent; whoever mapped the file unmaps it first.
func (u *File) Close() {
	if u == nil || u.f == nil {
		return
	}
	u.f.Close()
	u.f = nil
}
