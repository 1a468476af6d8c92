package origin_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The official Node SDK (npm cloudinary, installed by `make test` into
// test/node) uploads, overwrites, renames and destroys through a real
// origin: it sends everything as multipart.
func TestNodeSDKUpload(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("SKIP: node is not installed; the Node SDK test needs node and npm (make test installs the SDK)")
	}
	dir, _ := filepath.Abs("../test/node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "cloudinary")); err != nil {
		t.Skip("SKIP: the Node SDK is not installed; run `npm ci --prefix test/node` (make test does)")
	}
	o := startOrigin(t, nil)
	// The raw upload reads README.md from the corpus directory's sibling: give the script both.
	corpusDir := t.TempDir()
	for _, name := range []string{"rocket.jpg", "chelsea.png"} {
		if err := os.Symlink(mustAbs(t, corpusPath(name)), filepath.Join(corpusDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(mustAbs(t, "../README.md"), filepath.Join(corpusDir, "README.md")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "upload.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MEDIACDN_API="+o.URL, "CORPUS="+corpusDir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"ok":true`) {
		t.Fatalf("node SDK: %v\n%s", err, out)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
