package blob

import (
	"errors"
	"io"
)

// ErrNotFound is returned for a key with no blob.
var ErrNotFound = errors.New("blob: not found")

// Store holds blobs.
type Store interface {
	// Create starts a new blob. Nothing is visible until Commit.
	Create() (Writer, error)
	// Open opens a committed blob for reading.
	Open(key string) (Reader, error)
	// Delete removes a blob; deleting a missing blob is not an error.
	Delete(key string) error
	// Walk calls fn with every committed key, in no particular order.
	Walk(fn func(key string) error) error
}

// Writer stages a blob.
type Writer interface {
	io.Writer
	// Commit makes the blob durable and visible under a new key.
	Commit() (key string, err error)
	// CommitUnsynced makes the blob visible under a new key without
	// waiting for the disk: after a power loss it may be missing, empty or
	// torn. Only for bytes that can be made again and are checked when
	// read (derived images, against their ETag).
	CommitUnsynced() (key string, err error)
	// Abort discards the staged bytes. It is safe after Commit (a no-op).
	Abort()
}

// Reader reads a committed blob.
type Reader interface {
	io.ReadSeekCloser
	io.ReaderAt
	// Size is the blob's length in bytes.
	Size() int64
}

// ReadAll reads a whole blob.
func ReadAll(s Store, key string) ([]byte, error) {
	r, err := s.Open(key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b := make([]byte, r.Size())
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}
