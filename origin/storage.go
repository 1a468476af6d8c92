package origin

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/origin/blob"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Storage is the origin's storage: the metadata store and the blob store
// its configuration names (metadata_url, blobs_url; by default SQLite and
// a folder in the data directory), and the lock that keeps any other
// process out of the data directory while it is open.
type Storage struct {
	Meta  meta.Store
	Blobs blob.Store
	lock  *os.File
}

// OpenStorage opens (creating) the default storage of dataDir:
// <data_dir>/meta.db and <data_dir>/blobs (OpenStorageConfig with only
// the data directory set).
func OpenStorage(dataDir string) (*Storage, error) {
	return OpenStorageConfig(context.Background(), Config{DataDir: dataDir})
}

// OpenStorageConfig opens the stores cfg names: meta.Open of
// cfg.MetadataURL and blob.OpenURL of cfg.BlobsURL, each defaulting to
// its place in cfg.DataDir. Opening checks, within ctx, that a PostgreSQL
// server or an S3 bucket answers and takes the credentials; its errors
// name the key (origin.metadata_url, origin.blobs_url) and say what is
// wrong. It holds an exclusive lock on <data_dir>/LOCK until Close, so a
// second origin (or `mediacdn fsck`) on the same directory fails at once
// instead of sharing it: each origin has a data directory of its own,
// also when its stores are shared. A file blob store drops the staging
// files a crashed process left: with the lock held, nothing else writes
// the default folder (a file:// folder elsewhere must be this origin's
// alone).
func OpenStorageConfig(ctx context.Context, cfg Config) (*Storage, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("origin: data dir: %w", err)
	}
	lock, err := lockDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	m, err := meta.Open(ctx, config.MetadataURL(cfg.MetadataURL, cfg.DataDir), os.Getenv(config.EnvMetadataPassword))
	if err != nil {
		lock.Close()
		return nil, err
	}
	b, err := blob.OpenURL(ctx, string(cfg.BlobsURL.Resolve(cfg.DataDir)))
	if err != nil {
		m.Close()
		lock.Close()
		return nil, err
	}
	return &Storage{Meta: m, Blobs: b, lock: lock}, nil
}

// Shared reports storage that other origins may be using at the same
// time: metadata on PostgreSQL or blobs on S3. (SQLite files and blob
// folders are one origin's, behind its data directory's lock.)
func (s *Storage) Shared() bool {
	_, sqlite := s.Meta.(*meta.SQLite)
	_, files := s.Blobs.(*blob.FS)
	return !sqlite || !files
}

// Close closes the metadata store and releases the directory.
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
