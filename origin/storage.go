package origin

import (
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/mediacdn/mediacdn/origin/blob"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Storage is the origin's storage opened from its data directory: the
// metadata database, the blob store, and the lock that keeps any other
// process out of the directory while it is open.
type Storage struct {
	Meta  *meta.SQLite
	Blobs *blob.FS
	lock  *os.File
}

// OpenStorage opens (creating) <data_dir>/meta.db and <data_dir>/blobs.
// It holds an exclusive lock on <data_dir>/LOCK until Close, so a second
// origin (or `mediacdn fsck`) on the same directory fails at once instead
// of sharing it. Blobs staged by a process that crashed are removed: with
// the lock held, nothing else is writing them.
func OpenStorage(dataDir string) (*Storage, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("origin: data dir: %w", err)
	}
	lock, err := lockDir(dataDir)
	if err != nil {
		return nil, err
	}
	m, err := meta.OpenSQLite(filepath.Join(dataDir, "meta.db"))
	if err != nil {
		lock.Close()
		return nil, err
	}
	b, err := blob.NewFS(filepath.Join(dataDir, "blobs"), 0)
	if err != nil {
		m.Close()
		lock.Close()
		return nil, err
	}
	return &Storage{Meta: m, Blobs: b, lock: lock}, nil
}

// Close closes the metadata database and releases the directory.
func (s *Storage) Close() error {
	err := s.Meta.Close()
	s.lock.Close()
	return err
}

// lockDir takes the data directory's lock (flock, released by the kernel
// when the process dies, so a crash never leaves it held).
func lockDir(dataDir string) (*os.File, error) {
	name := filepath.Join(dataDir, "LOCK")
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("origin: data dir lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("origin: data directory %s is in use by another process (it holds %s): "+
				"stop it first, or give this one another data_dir", dataDir, name)
		}
		return nil, fmt.Errorf("origin: data dir lock: %w", err)
	}
	return f, nil
}

// The Server's blob writes and deletes, used by every call that stores or
// drops a file.

// writeBlob stores data as a new blob, durably, and returns its key.
func (s *Server) writeBlob(data []byte) (string, error) {
	w, err := s.stageBlob(data)
	if err != nil {
		return "", err
	}
	return w.Commit()
}

// writeBlobUnsynced stores bytes that can be made again (blob.Writer's
// CommitUnsynced).
func (s *Server) writeBlobUnsynced(data []byte) (string, error) {
	w, err := s.stageBlob(data)
	if err != nil {
		return "", err
	}
	return w.CommitUnsynced()
}

// writeBlobFrom stores what r reads as a new blob, durably, and returns
// its key, size and md5.
func (s *Server) writeBlobFrom(r io.Reader) (key string, size int64, sum []byte, err error) {
	w, err := s.blobs.Create()
	if err != nil {
		return "", 0, nil, err
	}
	h := md5.New()
	if size, err = io.Copy(io.MultiWriter(w, h), r); err != nil {
		w.Abort()
		return "", 0, nil, err
	}
	if key, err = w.Commit(); err != nil {
		return "", 0, nil, err
	}
	return key, size, h.Sum(nil), nil
}

func (s *Server) stageBlob(data []byte) (blob.Writer, error) {
	w, err := s.blobs.Create()
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		w.Abort()
		return nil, err
	}
	return w, nil
}

// deleteBlobs removes blobs no row refers to; a failure only leaves an
// orphan file behind, so it is logged, not returned.
func (s *Server) deleteBlobs(keys ...string) {
	for _, k := range slices.Compact(slices.Sorted(slices.Values(keys))) {
		if k == "" {
			continue
		}
		if err := s.blobs.Delete(k); err != nil {
			s.log.Warn("orphan blob left behind", "blob", k, "err", err)
		}
	}
}
