package testservers

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mediacdn/mediacdn/internal/localsrv"
)

// S3Server is a running S3 server with one empty bucket
// (localsrv.S3Server).
type S3Server struct {
	*localsrv.S3Server
}

// StartS3 starts versitygw's POSIX backend on a temporary directory and a
// free loopback port, creates the bucket, and waits (polling) until it
// answers. The server is stopped when the test ends.
func StartS3(tb testing.TB) *S3Server {
	tb.Helper()
	bin := Find(tb, localsrv.Versitygw)
	s, err := localsrv.StartS3(context.Background(), localsrv.S3Options{Dir: xattrDir(tb), Program: bin,
		AccessKey: "mediacdn-test", SecretKey: "mediacdn-test-secret", Bucket: "mediacdn-test", Region: "us-east-1"})
	if err != nil {
		tb.Fatal(wrap(err))
	}
	tb.Cleanup(s.Stop)
	return &S3Server{s}
}

// Freeze stops the server's process (SIGSTOP) without closing its
// connections: it accepts and answers nothing until it is killed, as a
// hung server does.
func (s *S3Server) Freeze(tb testing.TB) {
	tb.Helper()
	if err := s.S3Server.Freeze(); err != nil {
		tb.Fatal(err)
	}
}

// Find is the path of a program the Makefile's test-deps target installs
// (localsrv.Find: the module's bin/, PATH, GOPATH/bin). When it is in
// none, the test fails saying to run `make test-deps`.
func Find(tb testing.TB, name string) string {
	tb.Helper()
	p, err := localsrv.Find(name)
	if err != nil {
		tb.Fatal(wrap(err))
	}
	return p
}

// xattrDir is a new empty directory that takes user extended attributes,
// which versitygw's POSIX backend keeps its metadata in: the test's
// temporary directory when its file system has them (ext4, xfs, btrfs,
// tmpfs on Linux 6.6 and later), else one under the module's bin/ (which
// git ignores), removed when the test ends.
func xattrDir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := localsrv.ProbeXattr(dir); err == nil {
		return dir
	} else if !localsrv.NoXattr(err) {
		tb.Fatalf("testservers: extended attributes in %s: %v", dir, err)
	}
	root, err := localsrv.ModuleRoot()
	if err != nil {
		tb.Fatalf("testservers: %s has no user extended attributes and %v", dir, err)
	}
	base := filepath.Join(root, "bin", "tmp")
	if err := os.MkdirAll(base, 0o755); err != nil {
		tb.Fatal(err)
	}
	dir, err = os.MkdirTemp(base, "s3-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	if err := localsrv.ProbeXattr(dir); err != nil {
		tb.Fatalf("testservers: neither the temporary directory nor %s takes user extended attributes "+
			"(versitygw's POSIX backend needs them): %v", base, err)
	}
	return dir
}

// FreePort is a loopback address no one listens on now.
func FreePort(tb testing.TB) string {
	tb.Helper()
	addr, err := localsrv.FreePort()
	if err != nil {
		tb.Fatal(err)
	}
	return addr
}
