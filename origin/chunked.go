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
)

// chunkTTL is how long an unfinished chunked upload is kept.
const chunkTTL = time.Hour

// chunkStore assembles chunked uploads: each chunk is a full upload POST
// with X-Unique-Upload-Id and Content-Range: bytes a-b/total (the Go SDK
// chunks files above 20 MB, the Node SDK's upload_large always does).
//
// mu guards uploads; each upload's file is written only under mu.
type chunkStore struct {
	dir     string
	mu      sync.Mutex
	uploads map[string]*chunkUpload
}

type chunkUpload struct {
	path     string
	total    int64
	received int64
	ranges   map[int64]int64 // start → end (inclusive) already written
	touched  time.Time
}

func newChunkStore(dir string) (*chunkStore, error) {
	if err := os.RemoveAll(dir); err != nil { // unfinished uploads do not survive a restart
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	return &chunkStore{dir: dir, uploads: map[string]*chunkUpload{}}, nil
}

// parseContentRange parses "bytes a-b/total".
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
	ok = err1 == nil && err2 == nil && err3 == nil && start >= 0 && end >= start && end < total
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

// add writes one chunk. It returns the whole file once every byte has
// arrived (and forgets the upload), else nil.
func (cs *chunkStore) add(cloud, id, contentRange string, data []byte, limit int64, now time.Time) ([]byte, error) {
	start, end, total, ok := parseContentRange(contentRange)
	switch {
	case !validUploadID(id):
		return nil, badRequest("Invalid X-Unique-Upload-Id header")
	case !ok:
		return nil, badRequest("Invalid Content-Range header - %s", clip(contentRange))
	case total > limit:
		return nil, fileTooLarge(total, limit)
	case end-start+1 != int64(len(data)):
		return nil, badRequest("Chunk size %d does not match Content-Range %s", len(data), clip(contentRange))
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.expire(now)
	key := cloud + "\x00" + id
	up := cs.uploads[key]
	if up == nil {
		sum := sha256.Sum256([]byte(key))
		up = &chunkUpload{path: filepath.Join(cs.dir, hex.EncodeToString(sum[:16])), total: total, ranges: map[int64]int64{}}
		cs.uploads[key] = up
	}
	if up.total != total {
		return nil, badRequest("Content-Range total %d differs from earlier chunks (%d)", total, up.total)
	}
	up.touched = now
	if prevEnd, seen := up.ranges[start]; !seen || prevEnd != end {
		for s, e := range up.ranges {
			if start <= e && s <= end && !(s == start && e == end) {
				return nil, badRequest("Chunk %d-%d overlaps an earlier chunk", start, end)
			}
		}
		if err := writeAt(up.path, start, data); err != nil {
			return nil, internal(err)
		}
		up.ranges[start] = end
		up.received += end - start + 1
	}
	if up.received < up.total {
		return nil, nil
	}
	whole, err := os.ReadFile(up.path)
	os.Remove(up.path)
	delete(cs.uploads, key)
	if err != nil || int64(len(whole)) != total {
		return nil, internal(fmt.Errorf("chunked upload %s: %v (%d of %d bytes)", id, err, len(whole), total))
	}
	return whole, nil
}

// expire drops uploads untouched for chunkTTL. mu must be held.
func (cs *chunkStore) expire(now time.Time) {
	for k, up := range cs.uploads {
		if now.Sub(up.touched) > chunkTTL {
			os.Remove(up.path)
			delete(cs.uploads, k)
		}
	}
}

func writeAt(path string, off int64, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
