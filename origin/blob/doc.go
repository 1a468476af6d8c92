// Package blob stores immutable byte blobs (originals and derived files)
// under random keys (32 hex digits). A blob is either absent or complete:
// FS stages into a temporary file, fsyncs it, and renames it into place;
// S3 makes an object in one PUT or a multipart upload, which the store
// shows only once completed. So a crash never leaves a half-written blob
// under a key. Keys never derive from public IDs. OpenURL opens either
// from origin.blobs_url; package blobtest is the contract both pass.
//
// A blob's way: Store.Create returns a Writer that stages the bytes;
// Commit makes them durable and visible under a new random key (or
// CommitUnsynced, for bytes that can be made again), Abort discards them.
// Open returns a Reader (ReadSeekCloser, ReaderAt, Size) of a committed
// blob; Delete removes one, Walk visits every key (fsck). A backend's
// failure is an *Error, whose Public text tells a client nothing about
// the store.
//
// Files, one concept each:
//
//	blob.go   Store, Writer, Reader, ErrNotFound, ReadAll
//	fs.go     FS, NewFS: files under a root, staged in tmp, fsync and rename, stale staging swept
//	s3.go     S3, S3Options, NewS3: objects of an S3-compatible store (minio-go), PUT or multipart
//	url.go    OpenURL: the store an origin.blobs_url names
//	error.go  Error: a backend's failure, with a public message that hides it
package blob
