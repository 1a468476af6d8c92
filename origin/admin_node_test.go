package origin_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The official Node SDK's api.* calls run end to end against a real
// origin (test/node/admin.js checks every answer field by field).
func TestNodeSDKAdmin(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("SKIP: node is not installed; the Node SDK test needs node and npm (make test installs the SDK)")
	}
	dir, _ := filepath.Abs("../test/node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "cloudinary")); err != nil {
		t.Skip("SKIP: the Node SDK is not installed; run `npm ci --prefix test/node` (make test does)")
	}
	o := startOrigin(t, nil)
	cmd := exec.Command(node, "admin.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MEDIACDN_API="+o.URL, "CORPUS="+mustAbs(t, corpus))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"ok":true`) {
		t.Fatalf("node SDK: %v\n%s", err, out)
	}
}
