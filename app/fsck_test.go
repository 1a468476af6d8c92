package app

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/origin"
)

// mediacdn fsck reports an orphaned blob and fails, repairs it with
// -repair, and refuses a data directory an origin holds.
func TestFsckCommand(t *testing.T) {
	dir := t.TempDir()
	st, err := origin.OpenStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	w, err := st.Blobs.Create()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("no row refers to this"))
	key, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Fsck(context.Background(), append([]string{"-data", dir}, args...),
			&IO{Stdout: &out, Stderr: io.Discard, DevConfig: devYAML(t)})
		return out.String(), err
	}
	if _, err := run(); err == nil || !strings.Contains(err.Error(), "in use by another process") {
		t.Fatalf("fsck while an origin holds the directory: %v", err)
	}
	st.Close()
	out, err := run()
	if err == nil || !strings.Contains(err.Error(), "1 problems left") || !strings.Contains(out, "orphaned blob "+key) {
		t.Fatalf("report: %v\n%s", err, out)
	}
	if out, err := run("-repair"); err != nil || !strings.Contains(out, "1 orphaned blobs (1 deleted)") {
		t.Fatalf("repair: %v\n%s", err, out)
	}
	if out, err := run(); err != nil || !strings.Contains(out, "0 blobs, 0 rows") {
		t.Fatalf("after repair: %v\n%s", err, out)
	}
}
