package main

import (
	"os/exec"
	"path"
	"strings"
	"testing"
)

const module = "github.com/mediacdn/mediacdn"

// goList runs go list with a template over the given packages.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", args, err, out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// The dependency direction of design.md: delivery and metrics use the
// standard library only; the origin's leaves nothing of the origin; edges
// import neither the origin nor libvips; only origin/imaging imports bimg.
func TestDependencyDirection(t *testing.T) {
	for _, pkg := range []string{"delivery", "metrics"} {
		for _, line := range goList(t, "-deps", "-f", "{{.ImportPath}} {{.Standard}}", "./"+pkg) {
			path, std, _ := strings.Cut(line, " ")
			if std != "true" && path != module+"/"+pkg {
				t.Errorf("%s depends on %s, which is not in the standard library", pkg, path)
			}
		}
	}
	// The origin's leaves import nothing of the origin: the remote fetcher
	// the standard library only, the HTTP API's plumbing config and
	// delivery only (and, through them, what they import).
	for pkg, allowed := range map[string][]string{
		"origin/remote": nil,
		"origin/api":    {"config", "delivery"},
	} {
		ok := map[string]bool{module + "/" + pkg: true}
		for _, a := range allowed {
			for _, dep := range goList(t, "-deps", "-f", "{{.ImportPath}}", "./"+a) {
				ok[dep] = true
			}
		}
		for _, line := range goList(t, "-deps", "-f", "{{.ImportPath}} {{.Standard}}", "./"+pkg) {
			path, std, _ := strings.Cut(line, " ")
			if std != "true" && !ok[path] {
				t.Errorf("%s depends on %s; it may import only the standard library and %v", pkg, path, allowed)
			}
		}
	}
	for _, path := range goList(t, "-deps", "-f", "{{.ImportPath}}", "./edge/...") {
		if strings.HasPrefix(path, module+"/origin") || strings.Contains(path, "h2non/bimg") {
			t.Errorf("edge depends on %s", path)
		}
	}
	for _, line := range goList(t, "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...") {
		pkg, imports, _ := strings.Cut(line, " ")
		for _, imp := range strings.Fields(imports) {
			if imp == "github.com/h2non/bimg" && pkg != module+"/origin/imaging" {
				t.Errorf("%s imports bimg; only origin/imaging may", pkg)
			}
		}
	}
}

// internal/testkit is for tests only: it imports the standard library only
// (so that the internal tests of any package, edge's among them, can use
// it), and only tests and other test kits (internal/test…, a package named
// …test) import it.
func TestTestKitIsForTestsOnly(t *testing.T) {
	const kit = module + "/internal/testkit"
	for _, line := range goList(t, "-deps", "-f", "{{.ImportPath}} {{.Standard}}", "./internal/testkit") {
		p, std, _ := strings.Cut(line, " ")
		if std != "true" && p != kit {
			t.Errorf("testkit depends on %s, which is not in the standard library", p)
		}
	}
	for _, line := range goList(t, "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...") {
		pkg, imports, _ := strings.Cut(line, " ")
		testKit := strings.HasPrefix(pkg, module+"/internal/test") || strings.HasSuffix(path.Base(pkg), "test")
		for _, imp := range strings.Fields(imports) {
			if imp == kit && !testKit {
				t.Errorf("%s imports testkit outside its tests", pkg)
			}
		}
	}
}

// The binary builds without cgo, and such a binary serves edges (the
// origin needs libvips and SQLite, so it says so).
func TestEdgeBuildsWithoutCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	cmd := exec.Command("go", "build", "-o", "/dev/null", ".")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build .: %v\n%s", err, out)
	}
}
