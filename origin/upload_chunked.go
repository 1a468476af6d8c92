package origin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// chunkTTL is how long an unfinished chunked upload is kept after its
// latest chunk, and how long a refused one is remembered.
const chunkTTL = time.Hour

// maxChunkUploads bounds a cloud's chunked uploads in progress (each up
// to max_upload_size of chunk blobs): a new one past it is refused. The
// count is the metadata store's, over every origin sharing it, and read
// before a new upload's first chunk is stored: two origins starting
// uploads at the same moment may both pass it, so across origins it is a
// soft bound (exceeded by at most one upload per origin at once).
const maxChunkUploads = 128

// chunkSweepEvery spaces an origin's sweeps of abandoned chunked uploads;
// chunkSweepBatch bounds the uploads one sweep drops, and chunkSweepLease
// is the lease that makes one origin at a time sweep.
const (
	chunkSweepEvery = time.Minute
	chunkSweepBatch = 100
	chunkSweepLease = "chunks:sweep"
)

// Chunked uploads: each chunk is a full upload POST with
// X-Unique-Upload-Id and Content-Range: bytes a-b/total (the Go SDK
// chunks files above 20 MB and gives the total on every chunk; the Node
// SDK's upload_large always chunks, and sends bytes a-b/-1 until the last
// chunk, which alone says the total). As Cloudinary requires, every chunk
// but the last is at least minChunkSize.
//
// The chunks of one upload may land on different origins: each chunk is
// kept as a blob of the blob store and recorded in the metadata store
// (meta.ChunkStore: upload ID, range, blob, time). The chunk whose record
// completes the file takes the upload's records (meta's TakeChunks: of
// two origins, one gets them), streams the chunk blobs in order into an
// upload file of the spool (upload_spool.go; bounded memory, one copy
// buffer), deletes the chunk blobs, and the upload goes on as any other.
// An origin whose chunk completes the file while another took the records
// answers {"done":false}, as for any chunk but the last.
//
// A chunk refused for what its own headers say (the upload ID, the
// Content-Range, its size against the range, a total past the limit)
// leaves nothing behind when it is its upload's first: the next chunk is
// judged on its own. Once an upload is refused otherwise (a chunk under
// minChunkSize, chunks that disagree), the refusal is recorded in the
// metadata store for chunkTTL and every later chunk of it, on any origin,
// gets the same answer: the Go SDK reads only the last chunk's, which is
// itself allowed to be small. Uploads abandoned for chunkTTL are dropped
// (records and blobs) by a sweep that one origin at a time runs.
type chunkStore struct {
	mu        sync.Mutex
	limit     int       // maxChunkUploads; tests lower it
	lastSweep time.Time // when this origin last started a sweep
}

// minChunkSize is Cloudinary's smallest chunk (all but the last): 5 MB.
const minChunkSize = 5 << 20

func newChunkStore(dir string) (*chunkStore, error) {
	// Earlier versions assembled chunks in <data_dir>/chunks: what is
	// left there is of no use.
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	return &chunkStore{limit: maxChunkUploads}, nil
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

// storeChunk stores one chunk of an upload (its bytes read from chunk). It
// returns the whole file, assembled in the spool, once the recorded
// chunks cover it and this origin took them, else nil.
func (s *Server) storeChunk(ctx context.Context, cloud, id, contentRange string, chunk *upfile, limit int64) (*upfile, error) {
	if !validUploadID(id) {
		return nil, api.BadRequest("Invalid X-Unique-Upload-Id header")
	}
	start, end, total, refused := chunkRange(contentRange, chunk.Size(), limit)
	now := s.now()
	s.sweepChunksInBackground(now)
	r, err := s.meta.ChunkRefusal(ctx, cloud, id, now)
	switch {
	case err == nil:
		return nil, &delivery.Error{Status: r.Status, Message: r.Message}
	case !errors.Is(err, meta.ErrNotFound):
		return nil, delivery.Internal(err)
	}
	chunks, err := s.meta.Chunks(ctx, cloud, id)
	if err != nil {
		return nil, delivery.Internal(err)
	}
	if len(chunks) == 0 && refused != nil {
		return nil, refused
	}
	if refused == nil {
		refused = checkChunk(chunks, start, end, total, chunk.Size())
	}
	if refused != nil {
		// The upload cannot complete: drop what it sent and refuse the rest.
		return nil, s.refuseChunks(ctx, cloud, id, refused, now)
	}
	if len(chunks) == 0 {
		n, err := s.meta.ChunkUploads(ctx, cloud)
		if err != nil {
			return nil, delivery.Internal(err)
		}
		if limit := s.chunks.uploadLimit(); n >= limit {
			return nil, &delivery.Error{Status: 420, RetryAfter: time.Minute, Message: fmt.Sprintf(
				"Rate Limit Exceeded. Limit of %d chunked uploads in progress reached. Try again later", limit)}
		}
	}
	if !hasChunk(chunks, start, end) {
		key, _, _, err := s.writeBlobFrom(chunk.Reader())
		if err != nil {
			return nil, delivery.Internal(err)
		}
		err = s.meta.AddChunk(ctx, meta.Chunk{ChunkUpload: meta.ChunkUpload{Cloud: cloud, UploadID: id},
			Start: start, End: end, Total: total, Blob: key, Created: now})
		if err != nil {
			s.deleteBlobs(key)
			if !errors.Is(err, meta.ErrExists) { // else the same chunk was just stored by another request
				return nil, delivery.Internal(err)
			}
		}
	}
	if chunks, err = s.meta.Chunks(ctx, cloud, id); err != nil {
		return nil, delivery.Internal(err)
	}
	if _, whole := chunksCover(chunks, total); !whole {
		return nil, nil
	}
	taken, err := s.meta.TakeChunks(ctx, cloud, id)
	if err != nil {
		return nil, delivery.Internal(err)
	}
	if len(taken) == 0 {
		return nil, nil // another request took them and assembles the file
	}
	defer s.deleteChunkBlobs(taken)
	size, whole := chunksCover(taken, total)
	if !whole {
		return nil, delivery.Internal(fmt.Errorf("chunked upload %s: the chunks taken do not cover the file", id))
	}
	return s.assembleChunks(taken, size)
}

// assembleChunks streams the chunks' blobs, in order, into a new file of
// the spool.
func (s *Server) assembleChunks(chunks []meta.Chunk, size int64) (*upfile, error) {
	whole, err := s.newUpfile()
	if err != nil {
		return nil, delivery.Internal(err)
	}
	buf := make([]byte, 256<<10)
	for _, c := range chunks {
		if err := copyBlob(whole, s, c.Blob, buf); err != nil {
			whole.close()
			return nil, delivery.Internal(fmt.Errorf("chunked upload %s: chunk %d: %w", c.UploadID, c.Start, err))
		}
	}
	if whole.Size() != size {
		whole.close()
		return nil, delivery.Internal(fmt.Errorf("chunked upload: %d of %d bytes", whole.Size(), size))
	}
	return whole, nil
}

// copyBlob appends a blob to w.
func copyBlob(w io.Writer, s *Server, key string, buf []byte) error {
	r, err := s.blobs.Open(key)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.CopyBuffer(w, r, buf)
	return err
}

// refuseChunks records the refusal of an upload, for its later chunks on
// any origin, drops its chunks and returns the refusal.
func (s *Server) refuseChunks(ctx context.Context, cloud, id string, refused *delivery.Error, now time.Time) error {
	taken, err := s.meta.RefuseChunkUpload(ctx, cloud, id,
		meta.ChunkRefusal{Status: refused.Status, Message: refused.Message, Expires: now.Add(chunkTTL)}, now)
	if err != nil {
		return delivery.Internal(err)
	}
	s.deleteChunkBlobs(taken)
	return refused
}

func (s *Server) deleteChunkBlobs(chunks []meta.Chunk) {
	keys := make([]string, len(chunks))
	for i, c := range chunks {
		keys[i] = c.Blob
	}
	s.deleteBlobs(keys...)
}

// uploadLimit is the bound on a cloud's chunked uploads in progress.
func (cs *chunkStore) uploadLimit() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.limit
}

// sweepChunksInBackground starts a sweep of abandoned uploads when this
// origin has not started one for chunkSweepEvery; Close waits for it.
func (s *Server) sweepChunksInBackground(now time.Time) {
	s.chunks.mu.Lock()
	due := now.Sub(s.chunks.lastSweep) >= chunkSweepEvery || now.Before(s.chunks.lastSweep)
	if due {
		s.chunks.lastSweep = now
	}
	s.chunks.mu.Unlock()
	if !due {
		return
	}
	ticket := s.recording.start()
	go func() {
		defer s.recording.done(ticket)
		ctx, cancel := context.WithTimeout(context.Background(), chunkSweepEvery)
		defer cancel()
		if err := s.sweepChunks(ctx, now); err != nil {
			s.log.Warn("sweep of abandoned chunked uploads failed", "err", err)
		}
	}()
}

// sweepChunks drops the chunks of uploads untouched for chunkTTL (at
// most chunkSweepBatch uploads), under a lease: while one origin sweeps,
// the others skip their turn.
func (s *Server) sweepChunks(ctx context.Context, now time.Time) error {
	got, err := s.meta.TakeLease(ctx, chunkSweepLease, s.holder, chunkSweepEvery)
	if err != nil || !got {
		return err
	}
	defer s.meta.ReleaseLease(context.WithoutCancel(ctx), chunkSweepLease, s.holder)
	expired, err := s.meta.ExpiredChunkUploads(ctx, now.Add(-chunkTTL), chunkSweepBatch)
	if err != nil {
		return err
	}
	for _, u := range expired {
		taken, err := s.meta.TakeChunks(ctx, u.Cloud, u.UploadID)
		if err != nil {
			return err
		}
		s.deleteChunkBlobs(taken)
	}
	return nil
}

// checkChunk refuses a chunk of size bytes under minChunkSize that is not
// the last, and one that disagrees with the upload's recorded chunks:
// another total, a range past the total, or an overlap. A chunk equal to
// a recorded one (sent again) is not refused. The upload's first chunk
// can only be refused for its size.
func checkChunk(chunks []meta.Chunk, start, end, total, size int64) *delivery.Error {
	known := knownTotal(chunks)
	switch {
	case end+1 != total && size < minChunkSize:
		return api.BadRequest("All parts except EOF-chunk must be larger than 5mb")
	case total != -1 && known != -1 && known != total:
		return api.BadRequest("Content-Range total %d differs from earlier chunks (%d)", total, known)
	case total != -1 && known == -1:
		for _, c := range chunks {
			if c.End >= total {
				return api.BadRequest("Content-Range total %d is less than earlier chunks", total)
			}
		}
	case known != -1 && end >= known:
		return api.BadRequest("Chunk %d-%d is past the total of earlier chunks (%d)", start, end, known)
	}
	for _, c := range chunks {
		if start <= c.End && c.Start <= end && !(c.Start == start && c.End == end) {
			return api.BadRequest("Chunk %d-%d overlaps an earlier chunk", start, end)
		}
	}
	return nil
}

// hasChunk reports a recorded chunk of exactly this range.
func hasChunk(chunks []meta.Chunk, start, end int64) bool {
	for _, c := range chunks {
		if c.Start == start && c.End == end {
			return true
		}
	}
	return false
}

// knownTotal is the file's size as the chunks say it, -1 while none does.
func knownTotal(chunks []meta.Chunk) int64 {
	for _, c := range chunks {
		if c.Total != -1 {
			return c.Total
		}
	}
	return -1
}

// chunksCover reports whether chunks (by their start) cover the whole
// file, one after the other from byte 0, and its size. total is the
// current chunk's, in case it alone says it (a chunk sent again, with
// the total this time).
func chunksCover(chunks []meta.Chunk, total int64) (int64, bool) {
	if known := knownTotal(chunks); known != -1 {
		total = known
	}
	if total == -1 {
		return 0, false
	}
	var next int64
	for _, c := range chunks {
		if c.Start != next {
			return 0, false
		}
		next = c.End + 1
	}
	return total, next == total
}
