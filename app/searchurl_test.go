package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Search URLs end to end: the official Node SDK's search.to_url builds
// them on the edge's address and fetches them through a real edge and
// origin (test/node/search_url.js): answers equal to the Admin API's
// search, page by page; the second fetch an edge hit; tampered
// signatures, bad ttls, junk queries and forged cursors refused.
func TestNodeSDKSearchURLThroughEdge(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{})
	for _, id := range []string{"sq/a", "sq/b", "sq/c"} {
		call(t, c, "upload", map[string]string{"public_id": id, "tags": "sq"}, "rocket.jpg")
	}
	call(t, c, "upload", map[string]string{"public_id": "other/d"}, "rocket.jpg")
	runNodeScript(t, "search_url.js", "MEDIACDN_API="+c.OriginURL,
		"MEDIACDN_EDGE="+strings.TrimPrefix(c.EdgeURLs[0], "http://"))
}

// runNodeScript runs a script of test/node with env added (as origin's
// runNode does): where node or the SDK is missing it skips with a visible
// message, or fails when MEDIACDN_NODE_SDK=required (make test sets it).
func runNodeScript(t *testing.T, script string, env ...string) {
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
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"ok":true`) {
		t.Fatalf("node SDK %s: %v\n%s", script, err, out)
	}
}
