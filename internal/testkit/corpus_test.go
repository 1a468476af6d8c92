package testkit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommittedImagesAreFound(t *testing.T) {
	for _, name := range []string{"astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "logo.png"} {
		if b := Read(t, name); len(b) < 100_000 {
			t.Fatalf("%s: %d bytes", name, len(b))
		}
	}
}

// A missing photo of the fetched kind names `make testdata`; any other
// missing file is the file system's error; Path fails the test with it.
func TestMissingImages(t *testing.T) {
	dir := t.TempDir()
	if _, err := locate(dir, "LadyBird.jpg"); err == nil || !strings.Contains(err.Error(), "make testdata") {
		t.Fatalf("missing fetched photo: %v", err)
	}
	if _, err := locate(dir, "rocket.jpg"); !os.IsNotExist(err) {
		t.Fatalf("missing committed image: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Wood.jpg"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := locate(dir, "Wood.jpg"); err != nil || p != filepath.Join(dir, "Wood.jpg") {
		t.Fatalf("present photo: %q %v", p, err)
	}
	if fatal := run(func(tb testing.TB) { Path(tb, "nothere.jpg") }); !strings.Contains(fatal, "nothere.jpg") {
		t.Fatalf("Path of a missing image: fatal %q", fatal)
	}
}
