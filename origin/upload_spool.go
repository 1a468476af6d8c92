package origin

import (
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/imaging"
)

// upfile is an upload's file on disk (api.File: a temporary file of the
// spool, <data_dir>/uploads, unlinked as soon as it is created) and, once
// the image processor asks for it, its mapping. The pipeline reads it back
// as a reader (the blob store, digests) or mapped (the image processor,
// the analyses).
type upfile struct {
	*api.File
	m *imaging.Mapped // set by mapped
}

// newUpfile makes an empty upfile in the spool.
func (s *Server) newUpfile() (*upfile, error) {
	f, err := s.spool.Create()
	if err != nil {
		return nil, err
	}
	return &upfile{File: f}, nil
}

// upfileOf makes an upfile holding b.
func (s *Server) upfileOf(b []byte, name string) (*upfile, error) {
	f, err := s.spool.FileOf(b, name)
	if err != nil {
		return nil, err
	}
	return &upfile{File: f}, nil
}

// mapped maps the file for the image processor (once; the file is not
// written after this).
func (u *upfile) mapped() (*imaging.Mapped, error) {
	if u.m == nil {
		m, err := imaging.MapFile(u.OS(), u.Size())
		if err != nil {
			return nil, delivery.Internal(err)
		}
		u.m = m
	}
	return u.m, nil
}

// close unmaps and closes the file, which gives its space back. It is
// safe on nil and idempotent.
func (u *upfile) close() {
	if u == nil || u.File == nil {
		return
	}
	if u.m != nil {
		u.m.Close()
		u.m = nil
	}
	u.File.Close()
	u.File = nil
}
