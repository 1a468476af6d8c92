package origin_test

import (
	"testing"
)

// rename answers the asset's context (and structured metadata) only when
// asked with context=true (metadata=true), as Cloudinary's does; the Node
// SDK's own spec asks for them.
func TestRenameContextOnRequest(t *testing.T) {
	o := startOrigin(t, nil)
	if status, up := uploadForm(t, o, "upload", "rocket.jpg", [2]string{"public_id", "ren_a"},
		[2]string{"context", "alt=Example|class=Example"}, [2]string{"tags", "test-tag"}); status != 200 {
		t.Fatalf("upload: %d %v", status, up)
	}
	status, plain := uploadForm(t, o, "rename", "", [2]string{"from_public_id", "ren_a"}, [2]string{"to_public_id", "ren_b"})
	if status != 200 || plain["public_id"] != "ren_b" || plain["context"] != nil || plain["tags"] == nil {
		t.Fatalf("rename: %d %v", status, plain)
	}
	status, asked := uploadForm(t, o, "rename", "", [2]string{"from_public_id", "ren_b"}, [2]string{"to_public_id", "ren_c"},
		[2]string{"tags", "true"}, [2]string{"context", "true"}, [2]string{"metadata", "true"})
	custom, _ := asked["context"].(map[string]any)["custom"].(map[string]any)
	if status != 200 || custom["alt"] != "Example" || custom["class"] != "Example" || asked["tags"] == nil {
		t.Fatalf("rename with context=true: %d %v", status, asked)
	}
	if status, bad := uploadForm(t, o, "rename", "", [2]string{"from_public_id", "ren_c"}, [2]string{"to_public_id", "ren_d"},
		[2]string{"context", "maybe"}); status != 400 {
		t.Fatalf("context=maybe: %d %v", status, bad)
	}
}
