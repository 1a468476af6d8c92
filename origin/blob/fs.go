package blob

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FS stores blobs as files under a root directory:
// <root>/<k0k1>/<k2k3>/<key>, staging in <root>/tmp.
type FS struct {
	root string
}

// NewFS opens (creating) a filesystem store rooted at dir, and removes
// staging files older than staleAfter left behind by a crash.
func NewFS(dir string, staleAfter time.Duration) (*FS, error) {
	s := &FS{root: dir}
	if err := os.MkdirAll(s.tmpDir(), 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	if err := s.sweepTmp(staleAfter); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *FS) tmpDir() string { return filepath.Join(s.root, "tmp") }

func (s *FS) path(key string) (string, error) {
	if !validKey(key) {
		return "", fmt.Errorf("blob: invalid key %q", key)
	}
	return filepath.Join(s.root, key[0:2], key[2:4], key), nil
}

// validKey accepts the keys newKey makes: 32 lower-case hex digits.
func validKey(k string) bool {
	if len(k) != 32 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func newKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// Create stages a new blob in the tmp directory.
func (s *FS) Create() (Writer, error) {
	f, err := os.CreateTemp(s.tmpDir(), "blob-*")
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &fsWriter{s: s, f: f}, nil
}

// Open opens a committed blob.
func (s *FS) Open(key string) (Reader, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &fsReader{File: f, size: st.Size()}, nil
}

// Delete removes a blob.
func (s *FS) Delete(key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: %w", err)
	}
	return nil
}

// Walk visits every committed key.
func (s *FS) Walk(fn func(key string) error) error {
	return filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == s.tmpDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if name := d.Name(); validKey(name) {
			return fn(name)
		}
		return nil
	})
}

func (s *FS) sweepTmp(staleAfter time.Duration) error {
	entries, err := os.ReadDir(s.tmpDir())
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !strings.HasPrefix(e.Name(), "blob-") {
			continue
		}
		if time.Since(info.ModTime()) >= staleAfter {
			os.Remove(filepath.Join(s.tmpDir(), e.Name()))
		}
	}
	return nil
}

type fsWriter struct {
	s    *FS
	f    *os.File
	done bool
}

func (w *fsWriter) Write(p []byte) (int, error) { return w.f.Write(p) }

// Commit fsyncs the staged file, renames it into place and fsyncs the
// directory, so the blob survives a crash once Commit returns.
func (w *fsWriter) Commit() (string, error) { return w.commit(true) }

// CommitUnsynced renames the staged file into place without fsyncs.
func (w *fsWriter) CommitUnsynced() (string, error) { return w.commit(false) }

func (w *fsWriter) commit(durable bool) (string, error) {
	if w.done {
		return "", errors.New("blob: writer already finished")
	}
	w.done = true
	tmp := w.f.Name()
	if durable {
		if err := w.f.Sync(); err != nil {
			w.f.Close()
			os.Remove(tmp)
			return "", fmt.Errorf("blob: sync: %w", err)
		}
	}
	if err := w.f.Close(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("blob: close: %w", err)
	}
	key, err := newKey()
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	dst, _ := w.s.path(key)
	dir := filepath.Dir(dst)
	// The two shard levels exist for most keys once a store has some
	// thousands of blobs: try the rename first, create them if it fails.
	err = os.Rename(tmp, dst)
	if errors.Is(err, fs.ErrNotExist) {
		err = w.s.makeShard(dir, durable)
		if err == nil {
			err = os.Rename(tmp, dst)
		}
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("blob: rename: %w", err)
	}
	if durable {
		if err := syncDir(dir); err != nil {
			return "", err
		}
	}
	return key, nil
}

// makeShard creates a blob's shard directory (root/ab/cd). For a durable
// blob the new directories' entries are synced too, so that a crash cannot
// drop the directory holding a blob already reported stored.
func (s *FS) makeShard(dir string, durable bool) error {
	parent := filepath.Dir(dir)
	_, statErr := os.Stat(parent)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	if !durable {
		return nil
	}
	if err := syncDir(parent); err != nil {
		return err
	}
	if statErr != nil {
		return syncDir(s.root)
	}
	return nil
}

func (w *fsWriter) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.f.Close()
	os.Remove(w.f.Name())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("blob: sync dir: %w", err)
	}
	return nil
}

type fsReader struct {
	*os.File
	size int64
}

func (r *fsReader) Size() int64 { return r.size }
