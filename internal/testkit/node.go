package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// NodeSDK is a command running script, a file of test/node, with node in
// that directory, for the tests of a package one directory below the
// repository's root. Without node or the Node SDK installed the test is
// skipped, or fails when MEDIACDN_NODE_SDK=required (make test sets it).
func NodeSDK(t testing.TB, script string) *exec.Cmd {
	t.Helper()
	missing := t.Skip
	if os.Getenv("MEDIACDN_NODE_SDK") == "required" {
		missing = t.Fatal
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed; the Node SDK tests need node and npm (make test installs them)")
	}
	dir, err := filepath.Abs("../test/node")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "cloudinary")); err != nil {
		missing("the Node SDK is not installed; run `npm ci --prefix test/node` (make test does)")
	}
	cmd := exec.Command(node, script)
	cmd.Dir = dir
	return cmd
}

// RunNodeSDK runs script (NodeSDK) with env added to the environment and
// fails the test unless it reports {"ok":true}.
func RunNodeSDK(t testing.TB, script string, env ...string) {
	t.Helper()
	cmd := NodeSDK(t, script)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"ok":true`) {
		t.Fatalf("node SDK %s: %v\n%s", script, err, out)
	}
}
