package testservers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/build"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Server is a running S3 server with one empty bucket.
type S3Server struct {
	// Endpoint is http://127.0.0.1:<port>.
	Endpoint string
	// AccessKey and SecretKey are the root user's.
	AccessKey, SecretKey string
	// Bucket exists and is empty.
	Bucket string
	// Region is the server's.
	Region string

	cmd    *exec.Cmd
	exited chan struct{}
	log    *lockedBuffer
	stop   sync.Once
}

// versitygw is the S3 server the tests run; the Makefile's deps target
// installs it at a pinned version into the module's bin/.
const versitygw = "versitygw"

// StartS3 starts versitygw's POSIX backend on a temporary directory and a
// free loopback port, creates the bucket, and waits (polling) until it
// answers. The server is stopped when the test ends.
func StartS3(tb testing.TB) *S3Server {
	tb.Helper()
	bin := Find(tb, versitygw)
	dir := xattrDir(tb)
	s := &S3Server{AccessKey: "mediacdn-test", SecretKey: "mediacdn-test-secret", Bucket: "mediacdn-test",
		Region: "us-east-1", exited: make(chan struct{}), log: &lockedBuffer{}}
	addr := FreePort(tb)
	s.Endpoint = "http://" + addr
	s.cmd = exec.Command(bin, "--port", addr, "--access", s.AccessKey, "--secret", s.SecretKey,
		"--region", s.Region, "--quiet", "posix", dir)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	// The server is ours alone: no environment credentials or settings.
	s.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("testservers: start %s: %v", bin, err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	tb.Cleanup(s.Stop)

	client, err := minio.New(addr, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""),
		Region: s.Region, BucketLookup: minio.BucketLookupPath, MaxRetries: 1})
	if err != nil {
		tb.Fatal(err)
	}
	testkit.CheckFor(tb, 30*time.Second, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := client.MakeBucket(ctx, s.Bucket, minio.MakeBucketOptions{Region: s.Region})
		cancel()
		if err == nil || minio.ToErrorResponse(err).Code == "BucketAlreadyOwnedByYou" {
			return nil
		}
		select {
		case <-s.exited:
			tb.Fatalf("testservers: %s exited: %v\n%s", bin, s.cmd.ProcessState, s.log)
		default:
		}
		return fmt.Errorf("testservers: %s did not answer on %s: %v\n%s", bin, addr, err, s.log)
	})
	return s
}

// Stop kills the server and waits for it to exit (a test that stops the
// server itself; otherwise the test's cleanup does it).
func (s *S3Server) Stop() {
	s.stop.Do(func() {
		s.cmd.Process.Kill()
		<-s.exited
	})
}

// Freeze stops the server's process (SIGSTOP) without closing its
// connections: it accepts and answers nothing until it is killed, as a
// hung server does.
func (s *S3Server) Freeze(tb testing.TB) {
	tb.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		tb.Fatal(err)
	}
}

// Log is what the server printed.
func (s *S3Server) Log() string { return s.log.String() }

// Find is the path of a program the Makefile's deps target installs: in
// the module's bin/ (where deps puts it, at the pinned version), else on
// PATH, else in $(go env GOPATH)/bin. When it is in none, the test fails
// saying to run `make test-deps`.
func Find(tb testing.TB, name string) string {
	tb.Helper()
	var looked []string
	if root, err := moduleRoot(); err == nil {
		p := filepath.Join(root, "bin", name)
		if executable(p) {
			return p
		}
		looked = append(looked, filepath.Dir(p))
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	looked = append(looked, "PATH")
	if gp := build.Default.GOPATH; gp != "" {
		p := filepath.Join(filepath.SplitList(gp)[0], "bin", name)
		if executable(p) {
			return p
		}
		looked = append(looked, filepath.Dir(p))
	}
	tb.Fatalf("testservers: %s is not installed (looked in %s): run `make test-deps`, which installs it",
		name, strings.Join(looked, ", "))
	return ""
}

func executable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// moduleRoot is the first directory upwards from the working directory
// that holds go.mod.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
	}
}

// xattrDir is a new empty directory that takes user extended attributes,
// which versitygw's POSIX backend keeps its metadata in: the test's
// temporary directory when its file system has them (ext4, xfs, btrfs,
// tmpfs on Linux 6.6 and later), else one under the module's bin/ (which
// git ignores), removed when the test ends.
func xattrDir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := probeXattr(dir); err == nil {
		return dir
	} else if !errors.Is(err, syscall.ENOTSUP) && !errors.Is(err, syscall.EOPNOTSUPP) {
		tb.Fatalf("testservers: extended attributes in %s: %v", dir, err)
	}
	root, err := moduleRoot()
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
	if err := probeXattr(dir); err != nil {
		tb.Fatalf("testservers: neither the temporary directory nor %s takes user extended attributes "+
			"(versitygw's POSIX backend needs them): %v", base, err)
	}
	return dir
}

func probeXattr(dir string) error {
	const name = "user.mediacdn.probe"
	if err := syscall.Setxattr(dir, name, []byte("1"), 0); err != nil {
		return err
	}
	return syscall.Removexattr(dir, name)
}

// FreePort is a loopback address no one listens on now.
func FreePort(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
