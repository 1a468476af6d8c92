package origin_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The official Node SDK (npm cloudinary, installed by `make test` into
// test/node) uploads, overwrites, renames and destroys through a real
// origin: it sends everything as multipart. upload_large sends a 12 MB BMP
// in 5 MB chunks (bytes a-b/-1 until the last).
func TestNodeSDKUpload(t *testing.T) {
	o := startOrigin(t, nil)
	// The raw upload reads README.md beside the photos: give the script both.
	corpusDir := t.TempDir()
	for _, name := range []string{"rocket.jpg", "chelsea.png"} {
		if err := os.Symlink(mustAbs(t, testkit.Path(t, name)), filepath.Join(corpusDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(mustAbs(t, "../README.md"), filepath.Join(corpusDir, "README.md")); err != nil {
		t.Fatal(err)
	}
	runNode(t, "upload.js", o.URL, corpusDir)
}

// The official Node SDK's api.* calls run end to end against a real
// origin (test/node/admin.js checks every answer field by field).
func TestNodeSDKAdmin(t *testing.T) {
	o := startOrigin(t, nil)
	runNode(t, "admin.js", o.URL, testkit.Dir(t))
}

// The official Node SDK's create_zip and download_zip_url against a real
// origin (test/node/archive.js).
func TestNodeSDKArchive(t *testing.T) {
	o := startOrigin(t, nil)
	runNode(t, "archive.js", o.URL, testkit.Dir(t))
}

// The official Node SDK's multi and generate_sprite, whose format travels
// in the transformation, against a real origin (test/node/multi.js).
func TestNodeSDKMultiSprite(t *testing.T) {
	o := startOrigin(t, nil)
	runNode(t, "multi.js", o.URL, testkit.Dir(t))
}

// The official Node SDK's notification_url on upload, rename and destroy
// reaches a receiver of the script's, which checks each signature with the
// SDK's verifyNotificationSignature (test/node/webhooks.js).
func TestNodeSDKWebhooks(t *testing.T) {
	o := startOrigin(t, webhookConfig)
	runNode(t, "webhooks.js", o.URL, testkit.Dir(t))
}

// runNode runs a script of test/node against the origin at api. Where node
// or the SDK is missing it skips with a visible message, or fails when
// MEDIACDN_NODE_SDK=required (make test sets it, after installing both).
func runNode(t *testing.T, script, api, corpusDir string) {
	t.Helper()
	testkit.RunNodeSDK(t, script, "MEDIACDN_API="+api, "CORPUS="+corpusDir)
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
