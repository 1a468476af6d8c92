package testservers

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/localsrv"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// StartS3 gives a server that answers, with its bucket, and stops it.
func TestStartS3(t *testing.T) {
	s := StartS3(t)
	c := s.client(t)
	ok, err := c.BucketExists(context.Background(), s.Bucket)
	if err != nil || !ok {
		t.Fatalf("BucketExists = %v, %v", ok, err)
	}
	s.Stop()
	if _, err := c.BucketExists(context.Background(), s.Bucket); err == nil {
		t.Fatal("the server answers after Stop")
	}
	s.Stop() // a second Stop (and the cleanup's) does nothing
}

// A missing program fails the test with a message naming make test-deps; the
// failure is seen from a subprocess test, as a test cannot watch itself
// fail.
func TestFindMissing(t *testing.T) {
	if os.Getenv("TESTSERVERS_FIND") != "" {
		Find(t, os.Getenv("TESTSERVERS_FIND"))
		return
	}
	out, err := runSelf(t, "TestFindMissing", "TESTSERVERS_FIND=mediacdn-no-such-program")
	if err == nil || !strings.Contains(out, "mediacdn-no-such-program is not installed") ||
		!strings.Contains(out, "run `make test-deps`") {
		t.Fatalf("err %v, output:\n%s", err, out)
	}
	// make test-deps puts versitygw in the module's bin/, which comes first.
	root, _ := localsrv.ModuleRoot()
	if p := Find(t, "versitygw"); p != filepath.Join(root, "bin", "versitygw") {
		t.Errorf("Find(versitygw) = %s, want the module's bin/versitygw", p)
	}
}

func (s *S3Server) client(t *testing.T) *minio.Client {
	c, err := minio.New(strings.TrimPrefix(s.Endpoint, "http://"), &minio.Options{
		Creds:  credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""),
		Region: s.Region, BucketLookup: minio.BucketLookupPath, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runSelf runs one test of this binary in a subprocess with env added.
func runSelf(t *testing.T, name string, env ...string) (string, error) {
	cmd := exec.Command(os.Args[0], "-test.run", "^"+name+"$", "-test.v")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
