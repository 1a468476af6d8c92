//go:build cgo

package app

import (
	"context"
	"fmt"

	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// fsckStorage opens an origin's storage (failing when an origin holds its
// data directory), checks it and prints what it found.
func fsckStorage(ctx context.Context, cfg origin.Config, opt fsckOptions, io *IO) error {
	st, err := origin.OpenStorageConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if opt.repair && st.Shared() && !opt.allStopped {
		return usageError("-repair on storage other origins share (origin.metadata_url on PostgreSQL or " +
			"origin.blobs_url on S3) deletes the blobs of uploads in progress on them: stop every origin " +
			"using it, then run fsck -repair -all-origins-stopped (without -repair, fsck only reports)")
	}
	r, err := origin.Fsck(ctx, st, opt.repair)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Stdout, "%s: %d blobs, %d rows referring to blobs\n", cfg.DataDir, r.Blobs, r.Refs)
	for _, k := range r.Orphans {
		fmt.Fprintf(io.Stdout, "orphaned blob %s\n", k)
	}
	for _, m := range r.Missing {
		what := fmt.Sprintf("%s %s/%s/%s/%s version %d", m.Kind, m.Cloud, m.ResourceType, m.Type, m.PublicID, m.Version)
		if m.DerivedID != 0 {
			what += fmt.Sprintf(" (derived resource %d)", m.DerivedID)
		}
		if m.Kind == meta.RefChunk {
			what = fmt.Sprintf("chunk at byte %d of chunked upload %s/%s", m.Version, m.Cloud, m.UploadID)
		}
		fmt.Fprintf(io.Stdout, "missing blob %s of %s\n", m.Blob, what)
	}
	fmt.Fprintf(io.Stdout, "%d orphaned blobs (%d deleted), %d rows with a missing blob (%d derived rows dropped)\n",
		len(r.Orphans), r.RemovedBlobs, len(r.Missing), r.DroppedDerived)
	if n := r.Unrepaired(); n > 0 {
		return fmt.Errorf("%d problems left (-repair deletes orphaned blobs and drops derived rows whose blob "+
			"is missing; an original or backup whose blob is missing needs its file restored from a copy)", n)
	}
	return nil
}
