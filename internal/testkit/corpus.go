package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The test images live in testdata/corpus (testdata/README.md). The
// public-domain, CC0 and BSD images are committed; the GPL-2+ photos
// (Aqua, Garden, LadyBird, Storm, Wood) are fetched by `make testdata`
// from Debian's mate-backgrounds package. A test that asks for an image
// that is not there fails with a message saying how to get it; it never
// runs on without its input.

// fetched reports whether name is one of the photos `make testdata` puts
// in testdata/corpus rather than one committed there.
func fetched(name string) bool {
	switch name {
	case "Aqua.jpg", "Garden.jpg", "LadyBird.jpg", "Storm.jpg", "Wood.jpg":
		return true
	}
	return false
}

// Dir is the absolute path of testdata/corpus: the first directory
// upwards from the test's working directory that holds go.mod, joined
// with testdata/corpus.
func Dir(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatalf("testkit: %v", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "corpus")
		}
		if filepath.Dir(dir) == dir {
			tb.Fatalf("testkit: no go.mod above %s", wd)
		}
	}
}

// Path is the absolute path of one corpus image; the test fails when the
// image is missing.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	p, err := locate(Dir(tb), name)
	if err != nil {
		tb.Fatalf("testkit: %v", err)
	}
	return p
}

// locate is the path of name in dir, or an error saying how to get it.
func locate(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		if fetched(name) {
			return "", fmt.Errorf("%s is missing: run `make testdata` (it fetches the GPL-2+ photos from Debian's mate-backgrounds package)", p)
		}
		return "", err
	}
	return p, nil
}

// Read returns one corpus image's bytes; the test fails when it is missing.
func Read(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Path(tb, name))
	if err != nil {
		tb.Fatalf("testkit: %v", err)
	}
	return b
}
