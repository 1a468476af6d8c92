package app

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// Version prints the binary's version: the module version, the VCS
// revision it was built from and whether that tree had uncommitted
// changes (from the build information Go stamps into the binary), and the
// Go release and platform.
func Version(_ context.Context, args []string, io *IO) error {
	fs := newFlags("version", "version", io)
	if err := fs.Parse(args); err != nil {
		return err
	}
	bi, _ := debug.ReadBuildInfo()
	writeVersion(io.Stdout, io.Version, bi)
	return nil
}

// writeVersion writes what Version prints. set is the version given at
// build time (-ldflags "-X main.version=v1.2.3"), which wins over the
// module's; bi may be nil.
func writeVersion(w io.Writer, set string, bi *debug.BuildInfo) {
	version, settings := set, map[string]string{}
	if bi != nil {
		if version == "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
	}
	if version == "" || version == "(devel)" {
		version = "devel (no module version)"
	}
	fmt.Fprintf(w, "mediacdn  %s\n", version)
	if rev := settings["vcs.revision"]; rev != "" {
		tree := "tree clean"
		switch settings["vcs.modified"] {
		case "true":
			tree = "tree modified (uncommitted changes)"
		case "":
			tree = "tree state unknown"
		}
		when := ""
		if t := settings["vcs.time"]; t != "" {
			when = " (" + t + ")"
		}
		fmt.Fprintf(w, "revision  %s%s, %s\n", rev, when, tree)
	} else {
		fmt.Fprintln(w, "revision  unknown: built without version control information (-buildvcs=false, or not from a git checkout)")
	}
	fmt.Fprintf(w, "go        %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
