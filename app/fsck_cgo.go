//go:build cgo

package app

import (
	"context"
	"fmt"

	"github.com/mediacdn/mediacdn/origin"
)

// fsckDir opens an origin's data directory (failing when an origin holds
// it), checks it and prints what it found.
func fsckDir(ctx context.Context, dir string, repair bool, io *IO) error {
	st, err := origin.OpenStorage(dir)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := origin.Fsck(ctx, st, repair)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Stdout, "%s: %d blobs, %d rows referring to blobs\n", dir, r.Blobs, r.Refs)
	for _, k := range r.Orphans {
		fmt.Fprintf(io.Stdout, "orphaned blob %s\n", k)
	}
	for _, m := range r.Missing {
		what := fmt.Sprintf("%s %s/%s/%s/%s version %d", m.Kind, m.Cloud, m.ResourceType, m.Type, m.PublicID, m.Version)
		if m.DerivedID != 0 {
			what += fmt.Sprintf(" (derived resource %d)", m.DerivedID)
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
