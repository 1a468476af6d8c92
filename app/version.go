package app

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version prints the binary's version.
func Version(_ context.Context, args []string, io *IO) error {
	fs := newFlags("version", "version", io)
	if err := fs.Parse(args); err != nil {
		return err
	}
	v := io.Version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	fmt.Fprintf(io.Stdout, "mediacdn %s %s %s/%s\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
