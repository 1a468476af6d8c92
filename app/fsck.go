package app

import "context"

// Fsck checks an origin's storage while the origin is stopped: blobs no
// row refers to, and rows whose blob is missing; -repair deletes the
// first and drops derived rows of the second (made again on request).
func Fsck(ctx context.Context, args []string, io *IO) error {
	fs := newFlags("fsck", "fsck [-config FILE] [-data DIR] [-repair]", io)
	cfgPath := fs.String("config", "", "YAML configuration `file` (default: built-in defaults)")
	data := fs.String("data", "", "data `directory` (default: the file's origin.data_dir, ./data)")
	repair := fs.Bool("repair", false, "delete orphaned blobs and drop derived rows whose blob is missing")
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
	return fsckDir(ctx, f.Origin.DataDir, *repair, io)
}
