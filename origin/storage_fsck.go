package origin

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/mediacdn/mediacdn/origin/blob"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// FsckReport is what a consistency check of an origin's storage found:
// blobs that no row refers to (left by a crash between writing a blob and
// committing its row, or by a failed delete), and rows whose blob is
// missing (a lost or damaged disk, a blob deleted by hand).
type FsckReport struct {
	Blobs   int            // blobs in the store
	Refs    int            // rows that refer to a blob
	Orphans []string       // blobs no row refers to
	Missing []meta.BlobRef // rows whose blob is missing
	// With repair: orphaned blobs deleted, and derived rows whose blob was
	// missing dropped (the image is made again when it is asked for).
	RemovedBlobs, DroppedDerived int
}

// Unrepaired counts the problems left after the check: everything found
// without repair; with it, the originals and backups whose blob is missing
// (nothing can bring those bytes back).
func (r FsckReport) Unrepaired() int {
	return len(r.Orphans) - r.RemovedBlobs + len(r.Missing) - r.DroppedDerived
}

// Fsck checks an origin's storage: every blob a row refers to exists, and
// every blob is referred to. With repair it deletes orphaned blobs and
// drops derived rows whose blob is missing. Repair needs every origin
// using the storage stopped: a blob just written for an upload not yet
// committed would look orphaned and be deleted. OpenStorage's lock keeps
// the origin of the data directory out; on shared storage (Shared:
// PostgreSQL, S3) the caller makes sure of the others (mediacdn fsck asks
// for -all-origins-stopped). Without repair it may run beside origins: a
// row whose blob was not listed is looked up again before it is reported
// missing (the blob may have been written after the listing). It holds
// one map entry per blob (about 100 bytes each).
func Fsck(ctx context.Context, st *Storage, repair bool) (FsckReport, error) {
	var r FsckReport
	referenced := map[string]bool{}
	if err := st.Blobs.Walk(func(key string) error {
		referenced[key] = false
		return nil
	}); err != nil {
		return r, fmt.Errorf("fsck: blobs: %w", err)
	}
	r.Blobs = len(referenced)
	if err := st.Meta.BlobRefs(ctx, func(ref meta.BlobRef) error {
		r.Refs++
		if _, ok := referenced[ref.Blob]; !ok {
			ok, err := blobExists(st.Blobs, ref.Blob)
			if err != nil {
				return fmt.Errorf("blob %s: %w", ref.Blob, err)
			}
			if !ok {
				r.Missing = append(r.Missing, ref)
			}
			return nil
		}
		referenced[ref.Blob] = true
		return nil
	}); err != nil {
		return r, fmt.Errorf("fsck: rows: %w", err)
	}
	for key, used := range referenced {
		if !used {
			r.Orphans = append(r.Orphans, key)
		}
	}
	slices.Sort(r.Orphans)
	if !repair {
		return r, nil
	}
	for _, key := range r.Orphans {
		if err := st.Blobs.Delete(key); err != nil {
			return r, fmt.Errorf("fsck: delete blob %s: %w", key, err)
		}
		r.RemovedBlobs++
	}
	derived := map[string][]int64{} // by cloud
	for _, ref := range r.Missing {
		if ref.Kind == meta.RefDerived {
			derived[ref.Cloud] = append(derived[ref.Cloud], ref.DerivedID)
		}
	}
	for cloud, ids := range derived {
		res, err := st.Meta.DeleteDerived(ctx, cloud, ids)
		if err != nil {
			return r, fmt.Errorf("fsck: drop derived rows: %w", err)
		}
		// The rows' blobs are the missing ones: nothing else to delete.
		r.DroppedDerived += len(res.Deleted)
	}
	return r, nil
}

// blobExists looks a blob up.
func blobExists(s blob.Store, key string) (bool, error) {
	rd, err := s.Open(key)
	if errors.Is(err, blob.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	rd.Close()
	return true, nil
}
