package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/mediacdn/mediacdn/internal/testservers"
	"github.com/mediacdn/mediacdn/origin/blob"
	"github.com/mediacdn/mediacdn/origin/blob/blobtest"
)

// admin is a client of srv's bucket outside the store under test.
func admin(t testing.TB, srv *testservers.S3Server) *minio.Client {
	t.Helper()
	c, err := minio.New(strings.TrimPrefix(srv.Endpoint, "http://"), &minio.Options{
		Creds:  credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, ""),
		Region: srv.Region, BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func uploads(t *testing.T, c *minio.Client, bucket, prefix string) []string {
	t.Helper()
	var names []string
	for u := range c.ListIncompleteUploads(context.Background(), bucket, prefix, true) {
		if u.Err != nil {
			t.Fatalf("ListIncompleteUploads: %v", u.Err)
		}
		names = append(names, u.Key)
	}
	return names
}

// A blob past one part goes up as a multipart upload while it is written
// (parts are in the store before Commit, the object is not), one up to a
// part in a single PUT; an aborted upload leaves no upload and no object.
func TestS3Multipart(t *testing.T) {
	srv := testservers.StartS3(t)
	s := openS3(t, srv, "mp", blob.MinS3PartSize)
	c := admin(t, srv)
	ctx := context.Background()

	w, err := s.Create()
	if err != nil {
		t.Fatal(err)
	}
	data := blobtest.Bytes(blobtest.LargeSize, 7)
	if _, err := w.Write(data[:12<<20]); err != nil {
		t.Fatal(err)
	}
	if got := uploads(t, c, srv.Bucket, "mp/"); len(got) != 1 {
		t.Fatalf("uploads in progress after 12 MiB = %v, want one", got)
	}
	if _, err := w.Write(data[12<<20:]); err != nil {
		t.Fatal(err)
	}
	key, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	name := "mp/" + key[:2] + "/" + key[2:4] + "/" + key
	info, err := c.StatObject(ctx, srv.Bucket, name, minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("the blob is not at %s: %v", name, err)
	}
	if !strings.HasSuffix(info.ETag, "-5") || info.Size != blobtest.LargeSize {
		t.Errorf("ETag %s, size %d: want a 5-part multipart object of %d bytes", info.ETag, info.Size, blobtest.LargeSize)
	}
	if got := uploads(t, c, srv.Bucket, "mp/"); len(got) != 0 {
		t.Errorf("uploads left after Commit: %v", got)
	}

	small := blobtest.Put(t, s, data[:blob.MinS3PartSize], 1<<20)
	info, err = c.StatObject(ctx, srv.Bucket, "mp/"+small[:2]+"/"+small[2:4]+"/"+small, minio.StatObjectOptions{})
	if err != nil || strings.Contains(info.ETag, "-") {
		t.Errorf("a blob of one part: ETag %q, %v; want a single PUT's", info.ETag, err)
	}

	w, _ = s.Create()
	w.Write(data[:12<<20])
	w.Abort()
	if got := uploads(t, c, srv.Bucket, "mp/"); len(got) != 0 {
		t.Errorf("uploads left after Abort: %v", got)
	}
}

// Blobs are <prefix>/<k0k1>/<k2k3>/<key>; Walk skips every other object,
// and stores with other prefixes in the same bucket.
func TestS3Layout(t *testing.T) {
	srv := testservers.StartS3(t)
	c := admin(t, srv)
	a := openS3(t, srv, "/a/b/", 0)
	other := openS3(t, srv, "a/other", 0)
	root := openS3(t, srv, "", 0)
	key := blobtest.Put(t, a, []byte("in a"), 10)
	blobtest.Put(t, other, []byte("in other"), 10)
	rootKey := blobtest.Put(t, root, []byte("at the root"), 10)
	const stray = "0123456789abcdef0123456789abcdef"
	for _, name := range []string{"a/b/" + stray, "a/b/01/23/0123456789abcdef0123456789abcdex",
		"a/b/ff/ff/" + stray, "a/b/01/23/" + stray + ".tmp", "a/b-sibling/01/23/" + stray} {
		if _, err := c.PutObject(context.Background(), srv.Bucket, name, strings.NewReader("x"), 1,
			minio.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.StatObject(context.Background(), srv.Bucket,
		"a/b/"+key[:2]+"/"+key[2:4]+"/"+key, minio.StatObjectOptions{}); err != nil {
		t.Errorf("the blob is not at a/b/%s/%s/%s: %v", key[:2], key[2:4], key, err)
	}
	var got []string
	a.Walk(func(k string) error { got = append(got, k); return nil })
	if len(got) != 1 || got[0] != key {
		t.Errorf("Walk of a/b = %v, want [%s]", got, key)
	}
	got = nil
	root.Walk(func(k string) error { got = append(got, k); return nil })
	if len(got) != 1 || got[0] != rootKey {
		t.Errorf("Walk at the root = %v, want [%s]", got, rootKey)
	}
}

// A server that stops in the middle of a write fails the writes and the
// commit (it never hangs them), readers fail, and the errors keep their
// cause for the log while their public form names nothing of the store.
func TestS3ServerStopped(t *testing.T) {
	srv := testservers.StartS3(t)
	o := s3Options(srv, "stop", blob.MinS3PartSize)
	o.MaxRetries, o.Timeout = 2, 5*time.Second
	s, err := blob.NewS3(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	key := blobtest.Put(t, s, []byte("before"), 10)
	r, err := s.Open(key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	w, _ := s.Create()
	defer w.Abort()
	part := blobtest.Bytes(1<<20, 8)
	for range 6 { // past the first part: the multipart upload is under way
		if _, err := w.Write(part); err != nil {
			t.Fatal(err)
		}
	}
	srv.Stop()
	var werr error
	for i := 0; werr == nil && i < 200; i++ {
		_, werr = w.Write(part)
	}
	if werr == nil {
		t.Fatal("200 MiB written to a stopped server without an error")
	}
	if _, err := w.Commit(); err == nil {
		t.Fatal("Commit to a stopped server succeeded")
	}
	_, rerr := r.ReadAt(make([]byte, 3), 0)
	_, oerr := s.Open(key)
	for _, err := range []error{werr, rerr, oerr} {
		var be *blob.Error
		if !errors.As(err, &be) {
			t.Errorf("%v (%T) is not a *blob.Error", err, err)
			continue
		}
		if !strings.Contains(err.Error(), "127.0.0.1") && !strings.Contains(err.Error(), "connect") {
			t.Errorf("%v: the cause is lost", err)
		}
		if p := be.Public(); strings.Contains(p, "127.0.0.1") || strings.Contains(p, srv.Bucket) || p == "" {
			t.Errorf("public message %q", p)
		}
		if errors.Is(err, blob.ErrNotFound) {
			t.Errorf("%v is ErrNotFound", err)
		}
	}
}

// OpenURL opens both kinds of store, and says what is wrong with a URL,
// naming origin.blobs_url.
func TestOpenURL(t *testing.T) {
	srv := testservers.StartS3(t)
	clearAWS(t)
	fs, err := blob.OpenURL(context.Background(), "file://"+t.TempDir()+"/blobs")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := fs.(*blob.FS); !ok {
		t.Errorf("file URL opened a %T", fs)
	}
	good := "s3://" + srv.Bucket + "/u?endpoint=" + srv.Endpoint + "&path_style=true&region=" + srv.Region
	t.Setenv("MEDIACDN_ORIGIN_S3_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("MEDIACDN_ORIGIN_S3_SECRET_ACCESS_KEY", srv.SecretKey)
	s, err := blob.OpenURL(context.Background(), good)
	if err != nil {
		t.Fatal(err)
	}
	key := blobtest.Put(t, s, []byte("via URL"), 10)
	if b, err := blob.ReadAll(s, key); err != nil || string(b) != "via URL" {
		t.Fatalf("ReadAll = %q, %v", b, err)
	}

	// The standard AWS variables are the fallback.
	t.Setenv("MEDIACDN_ORIGIN_S3_ACCESS_KEY_ID", "")
	t.Setenv("MEDIACDN_ORIGIN_S3_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	if _, err := blob.OpenURL(context.Background(), good); err != nil {
		t.Fatalf("with AWS_ variables: %v", err)
	}

	dead := testservers.FreePort(t)
	for _, c := range []struct {
		name, url string
		env       map[string]string
		want      string
	}{
		{"bad URL", "s3://bucket?endpoint=nowhere", nil, "not an absolute URL"},
		{"no bucket", "s3://missing-bucket/u?endpoint=" + srv.Endpoint + "&path_style=true", nil, "does not exist"},
		{"unreachable", "s3://" + srv.Bucket + "?endpoint=http://" + dead + "&region=us-east-1&path_style=true",
			nil, "cannot reach"},
		{"wrong key", good, map[string]string{"AWS_SECRET_ACCESS_KEY": "wrong"}, "AccessDenied"},
		{"no credentials", good, map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""},
			"no credentials"},
		{"half the credentials", good, map[string]string{"MEDIACDN_ORIGIN_S3_ACCESS_KEY_ID": "x"}, "set both"},
		{"file needs an absolute path", "file:blobs", nil, "absolute path"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			_, err := blob.OpenURL(context.Background(), c.url)
			if err == nil || !strings.HasPrefix(err.Error(), "origin.blobs_url: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("OpenURL(%s) = %v, want origin.blobs_url: …%s…", c.url, err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), srv.SecretKey) {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
}

// clearAWS hides the machine's AWS settings from the credential chain.
func clearAWS(t *testing.T) {
	home := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY",
		"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"MEDIACDN_ORIGIN_S3_ACCESS_KEY_ID", "MEDIACDN_ORIGIN_S3_SECRET_ACCESS_KEY"} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", home)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", home+"/none")
}

// Read and ReadAt of a reader stay right when mixed, and Close ends it.
func TestS3ReaderClose(t *testing.T) {
	srv := testservers.StartS3(t)
	s := openS3(t, srv, "close", 0)
	data := blobtest.Bytes(300000, 9)
	key := blobtest.Put(t, s, data, 65536)
	r, err := s.Open(key)
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 1000)
	if _, err := io.ReadFull(r, p); err != nil || !bytes.Equal(p, data[:1000]) {
		t.Fatalf("Read: %v", err)
	}
	r.Close()
	if _, err := r.Read(p); err == nil {
		t.Error("Read after Close succeeded")
	}
}

// A server that hangs (stopped, its connections open) fails a read in the
// middle of a body and a write in the middle of a part once nothing has
// moved for the timeout: no wait on the store is unbounded.
func TestS3ServerHangs(t *testing.T) {
	srv := testservers.StartS3(t)
	o := s3Options(srv, "hang", blob.MinS3PartSize)
	o.MaxRetries, o.Timeout = 1, time.Second
	s, err := blob.NewS3(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	data := blobtest.Bytes(32<<20, 10)
	key := blobtest.Put(t, s, data, 1<<20)
	r, err := s.Open(key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := io.ReadFull(r, make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	w, _ := s.Create()
	defer w.Abort()
	w.Write(data[:6<<20])

	srv.Freeze(t)
	if n, err := io.Copy(io.Discard, r); err == nil {
		t.Errorf("read the remaining %d bytes from a hung server", n)
	}
	var werr error
	for i := 0; werr == nil && i < 200; i++ {
		_, werr = w.Write(data[:1<<20])
	}
	if werr == nil {
		t.Error("wrote 200 MiB to a hung server without an error")
	}
}
