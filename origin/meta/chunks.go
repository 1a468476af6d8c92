package meta

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ChunkStore keeps chunked uploads in progress where every origin sees
// them: each chunk's record (its byte range and the blob holding its
// bytes), and the refusals that every later chunk of a refused upload
// gets. An upload is named by its cloud and the client's upload ID
// (X-Unique-Upload-Id).
type ChunkStore interface {
	// AddChunk records a chunk; ErrExists when the upload already has a
	// chunk starting at c.Start (whose blob stays the one recorded).
	AddChunk(ctx context.Context, c Chunk) error
	// Chunks lists an upload's chunks by their start.
	Chunks(ctx context.Context, cloud, uploadID string) ([]Chunk, error)
	// ChunkUploads counts a cloud's uploads with a chunk recorded.
	ChunkUploads(ctx context.Context, cloud string) (int, error)
	// TakeChunks deletes an upload's chunk records and returns them, by
	// their start, in one statement: of two origins taking them at once
	// one gets them all and the other none. The caller assembles or
	// deletes their blobs.
	TakeChunks(ctx context.Context, cloud, uploadID string) ([]Chunk, error)
	// ExpiredChunkUploads lists at most limit uploads whose latest chunk
	// was recorded before before (abandoned: TakeChunks, then delete the
	// blobs).
	ExpiredChunkUploads(ctx context.Context, before time.Time, limit int) ([]ChunkUpload, error)
	// RefuseChunkUpload records why an upload is refused, until r.Expires,
	// and takes its chunks (returned, for their blobs to be deleted), in
	// one transaction; refusals expired at r's time of recording are
	// dropped.
	RefuseChunkUpload(ctx context.Context, cloud, uploadID string, r ChunkRefusal, now time.Time) ([]Chunk, error)
	// ChunkRefusal is the refusal of an upload still valid at now;
	// ErrNotFound when there is none.
	ChunkRefusal(ctx context.Context, cloud, uploadID string, now time.Time) (ChunkRefusal, error)
}

// ChunkUpload names a chunked upload.
type ChunkUpload struct {
	Cloud, UploadID string
}

// Chunk is one chunk of a chunked upload: bytes Start to End (both
// included, as in Content-Range) of the file, kept in Blob.
type Chunk struct {
	ChunkUpload
	Start, End int64
	// Total is the file's size as this chunk's Content-Range says it, -1
	// when it does not.
	Total   int64
	Blob    string
	Created time.Time
}

// ChunkRefusal is what every later chunk of a refused upload answers.
type ChunkRefusal struct {
	Status  int
	Message string
	Expires time.Time
}

const chunkColumns = `cloud, upload_id, range_start, range_end, total, blob, created_at`

// AddChunk implements ChunkStore.
func (s *db) AddChunk(ctx context.Context, c Chunk) error {
	_, err := s.writes().ExecContext(ctx, `INSERT INTO chunks (`+chunkColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.Cloud, c.UploadID, c.Start, c.End, c.Total, c.Blob, c.Created.UnixNano())
	if uniqueViolation(err) {
		return fmt.Errorf("%w: chunk %d of upload %s", ErrExists, c.Start, c.UploadID)
	}
	if err != nil {
		return fmt.Errorf("meta: add chunk: %w", err)
	}
	return nil
}

// Chunks implements ChunkStore.
func (s *db) Chunks(ctx context.Context, cloud, uploadID string) ([]Chunk, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+chunkColumns+` FROM chunks
		WHERE cloud = ? AND upload_id = ? ORDER BY range_start`, cloud, uploadID)
	if err != nil {
		return nil, fmt.Errorf("meta: chunks: %w", err)
	}
	return scanChunks(rows)
}

// ChunkUploads implements ChunkStore.
func (s *db) ChunkUploads(ctx context.Context, cloud string) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(DISTINCT upload_id) FROM chunks WHERE cloud = ?`, cloud).
		Scan(&n); err != nil {
		return 0, fmt.Errorf("meta: chunk uploads: %w", err)
	}
	return n, nil
}

// TakeChunks implements ChunkStore.
func (s *db) TakeChunks(ctx context.Context, cloud, uploadID string) ([]Chunk, error) {
	rows, err := s.writes().QueryContext(ctx, `DELETE FROM chunks WHERE cloud = ? AND upload_id = ?
		RETURNING `+chunkColumns, cloud, uploadID)
	if err != nil {
		return nil, fmt.Errorf("meta: take chunks: %w", err)
	}
	return sortChunks(scanChunks(rows))
}

// ExpiredChunkUploads implements ChunkStore.
func (s *db) ExpiredChunkUploads(ctx context.Context, before time.Time, limit int) ([]ChunkUpload, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT cloud, upload_id FROM chunks GROUP BY cloud, upload_id
		HAVING max(created_at) < ? ORDER BY max(created_at) LIMIT ?`, before.UnixNano(), limit)
	if err != nil {
		return nil, fmt.Errorf("meta: expired chunks: %w", err)
	}
	defer rows.Close()
	var out []ChunkUpload
	for rows.Next() {
		var u ChunkUpload
		if err := rows.Scan(&u.Cloud, &u.UploadID); err != nil {
			return nil, fmt.Errorf("meta: expired chunks: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meta: expired chunks: %w", err)
	}
	return out, nil
}

// RefuseChunkUpload implements ChunkStore.
func (s *db) RefuseChunkUpload(ctx context.Context, cloud, uploadID string, r ChunkRefusal, now time.Time) ([]Chunk, error) {
	var taken []Chunk
	err := s.tx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM chunk_refusals WHERE expires_at <= ?`, now.UnixNano()); err != nil {
			return fmt.Errorf("meta: refuse chunks: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO chunk_refusals (cloud, upload_id, status, message, expires_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (cloud, upload_id) DO UPDATE
			SET status = excluded.status, message = excluded.message, expires_at = excluded.expires_at`,
			cloud, uploadID, r.Status, r.Message, r.Expires.UnixNano()); err != nil {
			return fmt.Errorf("meta: refuse chunks: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `DELETE FROM chunks WHERE cloud = ? AND upload_id = ?
			RETURNING `+chunkColumns, cloud, uploadID)
		if err != nil {
			return fmt.Errorf("meta: refuse chunks: %w", err)
		}
		taken, err = scanChunks(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sortChunks(taken, nil)
}

// ChunkRefusal implements ChunkStore.
func (s *db) ChunkRefusal(ctx context.Context, cloud, uploadID string, now time.Time) (ChunkRefusal, error) {
	var r ChunkRefusal
	var exp int64
	err := s.r.QueryRowContext(ctx, `SELECT status, message, expires_at FROM chunk_refusals
		WHERE cloud = ? AND upload_id = ? AND expires_at > ?`, cloud, uploadID, now.UnixNano()).
		Scan(&r.Status, &r.Message, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return ChunkRefusal{}, ErrNotFound
	}
	if err != nil {
		return ChunkRefusal{}, fmt.Errorf("meta: chunk refusal: %w", err)
	}
	r.Expires = time.Unix(0, exp)
	return r, nil
}

// scanChunks reads chunk rows and closes them.
func scanChunks(rows *sql.Rows) ([]Chunk, error) {
	defer rows.Close()
	var out []Chunk
	for rows.Next() {
		var c Chunk
		var created int64
		if err := rows.Scan(&c.Cloud, &c.UploadID, &c.Start, &c.End, &c.Total, &c.Blob, &created); err != nil {
			return nil, fmt.Errorf("meta: chunks: %w", err)
		}
		c.Created = time.Unix(0, created)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meta: chunks: %w", err)
	}
	return out, nil
}

// sortChunks orders chunks a DELETE … RETURNING gave in no particular
// order by their start.
func sortChunks(cs []Chunk, err error) ([]Chunk, error) {
	if err != nil {
		return nil, err
	}
	slices.SortFunc(cs, func(a, b Chunk) int { return cmp.Compare(a.Start, b.Start) })
	return cs, nil
}
