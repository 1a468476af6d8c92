package origin

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mediacdn/mediacdn/origin/imaging"
)

// spoolDir is where uploads' files are written while a request is served:
// <data_dir>/uploads, emptied when the origin starts.
type spoolDir string

func newSpoolDir(path string) (spoolDir, error) {
	if err := os.RemoveAll(path); err != nil {
		return "", err
	}
	if err := os.MkdirAll(path, 0o750); err != nil {
		return "", err
	}
	return spoolDir(path), nil
}

// upfile is an upload's file on disk, never in memory: a temporary file
// of the spool directory, unlinked as soon as it is created, so that its
// space is given back when it is closed, whatever the path a request
// takes, and after a crash. The pipeline reads it back as a reader (the
// blob store, digests) or mapped (the image processor, the analyses).
type upfile struct {
	f    *os.File
	size int64
	name string          // the client's file name, a URL's base name, or "file"
	m    *imaging.Mapped // set by mapped
}

// create makes an empty upfile.
func (d spoolDir) create() (*upfile, error) {
	f, err := os.CreateTemp(string(d), "upload-*")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	return &upfile{f: f}, nil
}

// upfileOf makes an upfile holding b.
func (d spoolDir) upfileOf(b []byte, name string) (*upfile, error) {
	u, err := d.create()
	if err != nil {
		return nil, err
	}
	u.name = name
	if _, err := u.Write(b); err != nil {
		u.close()
		return nil, err
	}
	return u, nil
}

// Write appends to the file (before it is mapped).
func (u *upfile) Write(p []byte) (int, error) {
	n, err := u.f.Write(p)
	u.size += int64(n)
	return n, err
}

// errPastLimit is fill's refusal of more than its limit.
var errPastLimit = errors.New("past the limit")

// fill appends r to the file, at most limit bytes: with more, it reads no
// further and answers errPastLimit. buf is the copy buffer. A failure to
// write is internal (*delivery.Error); a failure to read is r's own error, for
// the caller to word (readFailure).
func (u *upfile) fill(r io.Reader, limit int64, buf []byte) error {
	n, err := io.CopyBuffer(u, &sourceReader{r: io.LimitReader(r, limit+1)}, buf)
	var se *sourceError
	switch {
	case errors.As(err, &se):
		return se.err
	case err != nil:
		return internal(fmt.Errorf("writing an upload's file: %w", err))
	case n > limit:
		return errPastLimit
	}
	return nil
}

// sourceError marks an error of fill's source, not of the file.
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

// reader reads the whole file from its start.
func (u *upfile) reader() io.Reader { return io.NewSectionReader(u.f, 0, u.size) }

// head is the file's first n bytes (fewer if it is shorter).
func (u *upfile) head(n int) []byte {
	b := make([]byte, min(int64(n), u.size))
	k, _ := u.f.ReadAt(b, 0)
	return b[:k]
}

// hasPrefix reports whether the file starts with prefix.
func (u *upfile) hasPrefix(prefix string) bool {
	return bytes.HasPrefix(u.head(len(prefix)), []byte(prefix))
}

// text is the whole file as a string; only for files known to be small.
func (u *upfile) text() string { return string(u.head(int(u.size))) }

// mapped maps the file for the image processor (once; the file is not
// written after this).
func (u *upfile) mapped() (*imaging.Mapped, error) {
	if u.m == nil {
		m, err := imaging.MapFile(u.f, u.size)
		if err != nil {
			return nil, internal(err)
		}
		u.m = m
	}
	return u.m, nil
}

// close unmaps and closes the file, which gives its space back. It is
// safe on nil and idempotent.
func (u *upfile) close() {
	if u == nil || u.f == nil {
		return
	}
	if u.m != nil {
		u.m.Close()
	}
	u.f.Close()
	u.f = nil
}
