package blob_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testservers"
	"github.com/mediacdn/mediacdn/origin/blob"
	"github.com/mediacdn/mediacdn/origin/blob/blobtest"
)

// The contract on the filesystem (fs_test.go has what only it does:
// staging, fsyncs, crash sweeping).
func TestFSContract(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := blob.NewFS(t.TempDir(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// The contract on S3 (versitygw on loopback), with 5 MiB parts so that the
// large blob takes the multipart path; each subtest has its own prefix.
func TestS3Contract(t *testing.T) {
	srv := testservers.StartS3(t)
	n := 0
	blobtest.Run(t, func(t *testing.T) blob.Store {
		n++
		return openS3(t, srv, fmt.Sprintf("contract/%d", n), blob.MinS3PartSize)
	})
}

// openS3 opens a store on srv's bucket under prefix.
func openS3(t testing.TB, srv *testservers.S3Server, prefix string, partSize int64) *blob.S3 {
	t.Helper()
	s, err := blob.NewS3(context.Background(), s3Options(srv, prefix, partSize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func s3Options(srv *testservers.S3Server, prefix string, partSize int64) blob.S3Options {
	return blob.S3Options{Endpoint: srv.Endpoint, Region: srv.Region, Bucket: srv.Bucket, Prefix: prefix,
		PathStyle: "true", AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey, PartSize: partSize}
}
