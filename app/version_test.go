package app

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// version prints the module version, the VCS revision and whether the tree
// was modified, from the build information.
func TestWriteVersion(t *testing.T) {
	stamped := func(modified string) *debug.BuildInfo {
		return &debug.BuildInfo{
			Main: debug.Module{Path: "github.com/mediacdn/mediacdn", Version: "v0.0.0-20261206133015-a4e456d1b83c+dirty"},
			Settings: []debug.BuildSetting{
				{Key: "-buildmode", Value: "exe"},
				{Key: "vcs", Value: "git"},
				{Key: "vcs.revision", Value: "a4e456d1b83c8829fd0efeee9352d2e06c90484d"},
				{Key: "vcs.time", Value: "2026-12-06T13:30:15Z"},
				{Key: "vcs.modified", Value: modified},
			},
		}
	}
	goLine := "go        " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	for _, c := range []struct {
		name, set string
		bi        *debug.BuildInfo
		want      string
	}{
		{"modified tree", "", stamped("true"), "mediacdn  v0.0.0-20261206133015-a4e456d1b83c+dirty\n" +
			"revision  a4e456d1b83c8829fd0efeee9352d2e06c90484d (2026-12-06T13:30:15Z), tree modified (uncommitted changes)\n" + goLine},
		{"clean tree", "", stamped("false"), "mediacdn  v0.0.0-20261206133015-a4e456d1b83c+dirty\n" +
			"revision  a4e456d1b83c8829fd0efeee9352d2e06c90484d (2026-12-06T13:30:15Z), tree clean\n" + goLine},
		{"version set at build time", "v1.2.3", stamped("false"), "mediacdn  v1.2.3\n" +
			"revision  a4e456d1b83c8829fd0efeee9352d2e06c90484d (2026-12-06T13:30:15Z), tree clean\n" + goLine},
		{"no VCS information", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "mediacdn  devel (no module version)\n" +
			"revision  unknown: built without version control information (-buildvcs=false, or not from a git checkout)\n" + goLine},
		{"no build information", "", nil, "mediacdn  devel (no module version)\n" +
			"revision  unknown: built without version control information (-buildvcs=false, or not from a git checkout)\n" + goLine},
	} {
		var b strings.Builder
		writeVersion(&b, c.set, c.bi)
		if b.String() != c.want {
			t.Errorf("%s:\n%s\nwant\n%s", c.name, b.String(), c.want)
		}
	}
}

// The command prints the test binary's own build information.
func TestVersionCommand(t *testing.T) {
	var out strings.Builder
	if err := Version(t.Context(), nil, &IO{Stdout: &out, Stderr: &out}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "mediacdn  ") || !strings.Contains(out.String(), "\nrevision  ") {
		t.Fatalf("version printed:\n%s", out.String())
	}
}
