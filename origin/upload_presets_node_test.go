package origin_test

import (
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The official Node SDK's upload preset calls and unsigned_upload run end
// to end against a real origin (test/node/presets.js).
func TestNodeSDKUploadPresets(t *testing.T) {
	o := startOrigin(t, nil)
	runNode(t, "presets.js", o.URL, testkit.Dir(t))
}
