package origin

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
)

// chunkTTL is how long an unfinished chunked upload is kept.
const chunkTTL = time.Hour

// Bounds on what chunked uploads keep between requests: at most
// maxChunkUploads uploads in progress (each a file of up to
// max_upload_size under <data_dir>/chunks; a new one past it is refused),
// and at most maxChunkRefusals refused uploads remembered (no file; the
// oldest is forgotten first).
const (
	maxChunkUploads  = 128
	maxChunkRefusals = 1024
)

// chunkStore assembles chunked uploads: each chunk is a full upload POST
// with X-Unique-Upload-Id and Content-Range: bytes a-b/total (the Go SDK
// chunks files above 20 MB and gives the total on every chunk; the Node
// SDK's upload_large always chunks, and sends bytes a-b/-1 until the last
// chunk, which alone says the total). As Cloudinary requires, every chunk
// but the last is at least minChunkSize.
//
// A chunk refused for what its own headers say (the upload ID, the
// Content-Range, its size against the range, a total past the limit)
// leaves nothing behind when it is its upload's first: the next chunk is
// judged on its own. Once an upload is refused otherwise (a chunk under
// minChunkSize, chunks that disagree), every later chunk of it gets the
// same answer: the Go SDK reads only the last chunk's, which is itself
// allowed to be small.
//
// mu guards uploads and refused; each upload's file is written only
// under mu.
type chunkStore struct {
	dir     string
	limit   int // maxChunkUploads; tests lower it
	mu      sync.Mutex
	uploads map[string]*chunkUpload
	refused map[string]*chunkRefusal
}

// minChunkSize is Cloudinary's smallest chunk (all but the last): 5 MB.
const minChunkSize = 5 << 20

type chunkUpload struct {
	path     string
	total    int64 // -1 until a chunk says it
	received int64
	ranges   map[int64]int64 // start → end (inclusive) already written
	touched  time.Time
}

// chunkRefusal is why an upload was refused, for its later chunks.
type chunkRefusal struct {
	err     *delivery.Error
	touched time.Time
}

func newChunkStore(dir string) (*chunkStore, error) {
	if err := os.RemoveAll(dir); err != nil { // unfinished uploads do not survive a restart
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	return &chunkStore{dir: dir, limit: maxChunkUploads, uploads: map[string]*chunkUpload{},
		refused: map[string]*chunkRefusal{}}, nil
}

// parseContentRange parses "bytes a-b/total", where total is -1 while the
// client does not know it yet.
func parseContentRange(h string) (start, end, total int64, ok bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, tot, found := strings.Cut(spec, "/")
	a, b, found2 := strings.Cut(rng, "-")
	if !found || !found2 {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	start, err1 = strconv.ParseInt(a, 10, 64)
	end, err2 = strconv.ParseInt(b, 10, 64)
	total, err3 = strconv.ParseInt(tot, 10, 64)
	ok = err1 == nil && err2 == nil && err3 == nil && start >= 0 && end >= start && (end < total || total == -1)
	return start, end, total, ok
}

func validUploadID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// add writes one chunk, copied from its upload's file. It returns the
// whole file, assembled on disk, once every byte has arrived and the total
// is known (and forgets the upload), else nil.
func (cs *chunkStore) add(cloud, id, contentRange string, chunk *upfile, limit int64, now time.Time) (*upfile, error) {
	if !validUploadID(id) {
		return nil, api.BadRequest("Invalid X-Unique-Upload-Id header")
	}
	start, end, total, refused := chunkRange(contentRange, chunk.Size(), limit)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.expire(now)
	key := cloud + "\x00" + id
	if r := cs.refused[key]; r != nil {
		r.touched = now
		return nil, r.err
	}
	up := cs.uploads[key]
	if up == nil && refused != nil {
		return nil, refused
	}
	if refused == nil && end+1 != total && chunk.Size() < minChunkSize {
		refused = api.BadRequest("All parts except EOF-chunk must be larger than 5mb")
	}
	if up == nil && refused == nil {
		if len(cs.uploads) >= cs.limit {
			return nil, &delivery.Error{Status: 420, RetryAfter: time.Minute, Message: fmt.Sprintf(
				"Rate Limit Exceeded. Limit of %d chunked uploads in progress reached. Try again later", cs.limit)}
		}
		sum := sha256.Sum256([]byte(key))
		up = &chunkUpload{path: filepath.Join(cs.dir, hex.EncodeToString(sum[:16])), total: -1, ranges: map[int64]int64{}}
		cs.uploads[key] = up
	}
	if up != nil {
		up.touched = now
		if refused == nil {
			refused = up.check(start, end, total)
		}
	}
	if refused != nil {
		// The upload cannot complete: drop what it sent and refuse the rest.
		cs.refuse(key, refused, now)
		return nil, refused
	}
	if prevEnd, seen := up.ranges[start]; !seen || prevEnd != end {
		if err := writeAt(up.path, start, chunk.Reader()); err != nil {
			return nil, delivery.Internal(err)
		}
		up.ranges[start] = end
		up.received += end - start + 1
	}
	if total != -1 {
		up.total = total
	}
	if up.total == -1 || up.received < up.total {
		return nil, nil
	}
	delete(cs.uploads, key)
	return up.whole(id)
}

// chunkRange reads a chunk's Content-Range (start, end, total or -1);
// refused is the answer to a range that is malformed, past limit or not
// the chunk's size.
func chunkRange(contentRange string, size, limit int64) (start, end, total int64, refused *delivery.Error) {
	start, end, total, ok := parseContentRange(contentRange)
	switch {
	case !ok:
		refused = api.BadRequest("Invalid Content-Range header - %s", api.Clip(contentRange))
	case total > limit:
		refused = api.FileTooLarge(total, limit)
	case end >= limit:
		refused = api.FileTooLarge(end+1, limit)
	case end-start+1 != size:
		refused = api.BadRequest("Chunk size %d does not match Content-Range %s", size, api.Clip(contentRange))
	}
	return start, end, total, refused
}

// whole opens the assembled file of the upload id, all of it received.
func (up *chunkUpload) whole(id string) (*upfile, error) {
	whole, err := openWhole(up.path)
	if err != nil {
		return nil, delivery.Internal(fmt.Errorf("chunked upload %s: %w", id, err))
	}
	if whole.Size() != up.total {
		whole.close()
		return nil, delivery.Internal(fmt.Errorf("chunked upload %s: %d of %d bytes", id, whole.Size(), up.total))
	}
	return whole, nil
}

// openWhole opens an assembled file as an upfile and unlinks it: it is
// gone once the upload closes it.
func openWhole(path string) (*upfile, error) {
	f, err := os.Open(path)
	os.Remove(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &upfile{File: api.OpenFile(f, st.Size())}, nil
}

// check refuses a chunk that disagrees with the upload's earlier ones:
// another total, a range past the total, or an overlap.
func (up *chunkUpload) check(start, end, total int64) *delivery.Error {
	switch {
	case total != -1 && up.total != -1 && up.total != total:
		return api.BadRequest("Content-Range total %d differs from earlier chunks (%d)", total, up.total)
	case total != -1 && up.total == -1:
		for _, e := range up.ranges {
			if e >= total {
				return api.BadRequest("Content-Range total %d is less than earlier chunks", total)
			}
		}
	case up.total != -1 && end >= up.total:
		return api.BadRequest("Chunk %d-%d is past the total of earlier chunks (%d)", start, end, up.total)
	}
	for s, e := range up.ranges {
		if start <= e && s <= end && !(s == start && e == end) {
			return api.BadRequest("Chunk %d-%d overlaps an earlier chunk", start, end)
		}
	}
	return nil
}

// refuse forgets the upload's chunks and remembers why it was refused,
// forgetting the oldest refusal when maxChunkRefusals are remembered. mu
// must be held.
func (cs *chunkStore) refuse(key string, err *delivery.Error, now time.Time) {
	if up := cs.uploads[key]; up != nil {
		os.Remove(up.path)
		delete(cs.uploads, key)
	}
	if len(cs.refused) >= maxChunkRefusals {
		oldest := ""
		for k, r := range cs.refused {
			if oldest == "" || r.touched.Before(cs.refused[oldest].touched) {
				oldest = k
			}
		}
		delete(cs.refused, oldest)
	}
	cs.refused[key] = &chunkRefusal{err: err, touched: now}
}

// expire drops uploads and refusals untouched for chunkTTL. mu must be
// held.
func (cs *chunkStore) expire(now time.Time) {
	for k, up := range cs.uploads {
		if now.Sub(up.touched) > chunkTTL {
			os.Remove(up.path)
			delete(cs.uploads, k)
		}
	}
	for k, r := range cs.refused {
		if now.Sub(r.touched) > chunkTTL {
			delete(cs.refused, k)
		}
	}
}

// writeAt copies r into the file at path from offset off.
func writeAt(path string, off int64, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		f.Close()
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
