package app

import (
	"context"
	"fmt"

	"github.com/mediacdn/mediacdn/config"
)

// Fsck checks an origin's storage while the origin is stopped: blobs no
// row refers to, and rows whose blob is missing; -repair deletes the
// first and drops derived rows of the second (made again on request).
//
// On storage several origins share (metadata on PostgreSQL, blobs on S3)
// the report works while they run (it may list as orphaned the blob of an
// upload in progress), but -repair refuses unless -all-origins-stopped
// says that every origin using it is stopped: a blob an origin has just
// written, whose row it has not yet committed, would look orphaned and be
// deleted. The blob stores keep no dates to tell old orphans from new.
func Fsck(ctx context.Context, args []string, io *IO) error {
	fs := newFlags("fsck", "fsck [-config FILE] [-data DIR] [-repair [-all-origins-stopped]]", io)
	cfgPath := fs.String("config", "", "YAML configuration `file` (default: built-in defaults)")
	data := fs.String("data", "", "data `directory` (default: the file's origin.data_dir, ./data)")
	repair := fs.Bool("repair", false, "delete orphaned blobs and drop derived rows whose blob is missing")
	stopped := fs.Bool("all-origins-stopped", false, "with -repair on shared storage (PostgreSQL, S3): "+
		"every origin using it is stopped")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return usageError("fsck takes no arguments")
	}
	f, err := roleFile(*cfgPath, io)
	if err != nil {
		return err
	}
	setIf(&f.Origin.DataDir, *data)
	if err := f.Origin.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", config.Prefix("origin", err))
	}
	return fsckStorage(ctx, f.Origin, fsckOptions{repair: *repair, allStopped: *stopped}, io)
}

// fsckOptions are fsck's flags.
type fsckOptions struct {
	repair     bool
	allStopped bool // every origin on shared storage is stopped
}
