package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/internal/testservers"
	"github.com/mediacdn/mediacdn/origin/blob"
	"github.com/mediacdn/mediacdn/purge"
)

// An origin on stores other origins can share: origin.metadata_url and
// origin.blobs_url as the configuration names them, a PostgreSQL database
// and an S3 bucket on servers the test starts.

// sharedStores are a PostgreSQL database and an S3 bucket, with the S3
// credentials in the environment as an origin reads them.
type sharedStores struct {
	metadataURL string
	blobsURL    config.BlobsURL
	s3          *testservers.S3Server
}

// startSharedStores starts a PostgreSQL server (with a database for the
// test) and an S3 server; both stop when the test ends.
func startSharedStores(t *testing.T) sharedStores {
	t.Helper()
	pg, err := testservers.NewPostgresServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Stop)
	db := pg.Database(t)
	s3 := testservers.StartS3(t)
	hideAWS(t)
	t.Setenv(config.EnvS3AccessKeyID, s3.AccessKey)
	t.Setenv(config.EnvS3SecretAccessKey, s3.SecretKey)
	return sharedStores{metadataURL: db.URL, s3: s3,
		blobsURL: config.BlobsURL("s3://" + s3.Bucket + "/assets?endpoint=" + s3.Endpoint + "&region=" + s3.Region + "&path_style=true")}
}

// hideAWS hides the machine's AWS settings and the origin's S3 and
// PostgreSQL credentials from the origin under test.
func hideAWS(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY",
		"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE",
		config.EnvS3AccessKeyID, config.EnvS3SecretAccessKey, config.EnvMetadataPassword} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", home)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "none"))
}

// blobKeys lists the bucket's blobs under the stores' blobs_url.
func (s sharedStores) blobKeys(t *testing.T) []string {
	t.Helper()
	b, err := blob.OpenURL(t.Context(), string(s.blobsURL))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	if err := b.Walk(func(k string) error { keys = append(keys, k); return nil }); err != nil {
		t.Fatal(err)
	}
	return keys
}

// originOn is an origin configuration on the shared stores, with a data
// directory of its own.
func (s sharedStores) originOn(t *testing.T, natsURL string) *File {
	t.Helper()
	f := originFile(t, natsURL)
	f.Origin.MetadataURL, f.Origin.BlobsURL = s.metadataURL, s.blobsURL
	if err := f.Validate(RoleOrigin); err != nil {
		t.Fatal(err)
	}
	return f
}

// startOriginUntil starts an origin service for f and returns its API
// URL and a function that stops it (also called when the test ends).
func startOriginUntil(t *testing.T, f *File) (string, func()) {
	t.Helper()
	o, err := newOrigin(f, slog.New(slog.DiscardHandler), make(chan error, 4), func() purge.Config { return f.NATS })
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Start(t.Context()); err != nil {
		o.Close(context.Background())
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			if err := o.Close(context.Background()); err != nil {
				t.Error(err)
			}
		}
	}
	t.Cleanup(stop)
	return "http://" + o.(interface{ Addr() string }).Addr(), stop
}

// An origin on PostgreSQL and S3 keeps nothing of its assets in its data
// directory: it takes an upload, delivers it and a transformation of it,
// and a new origin on the same stores (another data directory) after it
// stopped lists and delivers the same bytes. fsck reports on those
// stores while the origin runs, and repairs them only when told that
// every origin is stopped.
func TestOriginOnPostgresAndS3(t *testing.T) {
	stores := startSharedStores(t)
	ns := startNATS(t, "127.0.0.1:0")
	first := stores.originOn(t, ns.URL())
	api, stop := startOriginUntil(t, first)

	up := devUpload(t, api, "shared/rocket", "rocket.jpg")
	original := fmt.Sprintf("/demo/image/upload/v%d/shared/rocket.jpg", up.Version)
	const derived = "/demo/image/upload/c_fill,h_60,w_80/shared/rocket.jpg"
	want := map[string][]byte{original: testkit.Read(t, "rocket.jpg")}
	g := testkit.Get(t, api+derived)
	if g.Status != 200 || len(g.Body) == 0 {
		t.Fatalf("%s: %v", derived, g)
	}
	want[derived] = g.Body
	for path, body := range want {
		if g := testkit.Get(t, api+path); g.Status != 200 || !bytes.Equal(g.Body, body) {
			t.Fatalf("%s on the first origin: %v", path, g)
		}
	}
	stop() // a derived image's record is committed by then

	for _, name := range []string{"meta.db", "blobs"} {
		if _, err := os.Stat(filepath.Join(first.Origin.DataDir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the data directory has %s (%v): the origin did not use the configured stores", name, err)
		}
	}
	if keys := stores.blobKeys(t); len(keys) != 2 {
		t.Errorf("the bucket holds %d blobs, want 2 (the original and the derived image): %v", len(keys), keys)
	}

	second := stores.originOn(t, ns.URL())
	api, _ = startOriginUntil(t, second)
	for path, body := range want {
		if g := testkit.Get(t, api+path); g.Status != 200 || !bytes.Equal(g.Body, body) {
			t.Errorf("%s on a new origin on the same stores: %v", path, g)
		}
	}
	d := testkit.Get(t, api+"/v1_1/demo/resources/image/upload/shared/rocket", "Authorization",
		"Basic "+base64.StdEncoding.EncodeToString([]byte("demo_key:demo_secret")))
	if d.Status != 200 || !strings.Contains(string(d.Body), fmt.Sprintf(`"version":%d`, up.Version)) {
		t.Errorf("details on the new origin: %v", d)
	}

	// fsck on the shared stores, from a data directory of its own.
	b, err := blob.OpenURL(t.Context(), string(stores.blobsURL))
	if err != nil {
		t.Fatal(err)
	}
	w, err := b.Create()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("no row refers to this"))
	orphan, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "origin.yaml")
	yaml := fmt.Sprintf("origin:\n  data_dir: %s\n  metadata_url: %s\n  blobs_url: %s\n",
		filepath.Join(t.TempDir(), "fsck"), stores.metadataURL, stores.blobsURL)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	fsck := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Fsck(t.Context(), append([]string{"-config", cfg}, args...), &IO{Stdout: &out, Stderr: io.Discard})
		return out.String(), err
	}
	if out, err := fsck(); err == nil || !strings.Contains(err.Error(), "1 problems left") ||
		!strings.Contains(out, "orphaned blob "+orphan) || !strings.Contains(out, "3 blobs, 2 rows") {
		t.Errorf("fsck while an origin runs: %v\n%s", err, out)
	}
	if out, err := fsck("-repair"); err == nil || !strings.Contains(err.Error(), "-all-origins-stopped") ||
		strings.Contains(out, "deleted") {
		t.Errorf("fsck -repair on shared stores without -all-origins-stopped: %v\n%s", err, out)
	}
	if keys := stores.blobKeys(t); len(keys) != 3 {
		t.Errorf("after a refused repair the bucket holds %d blobs, want 3", len(keys))
	}
	if out, err := fsck("-repair", "-all-origins-stopped"); err != nil || !strings.Contains(out, "1 orphaned blobs (1 deleted)") {
		t.Errorf("fsck -repair -all-origins-stopped: %v\n%s", err, out)
	}
	if keys := stores.blobKeys(t); len(keys) != 2 {
		t.Errorf("after the repair the bucket holds %d blobs, want 2", len(keys))
	}
}

// An origin whose stores cannot be opened does not start, and says which
// key is wrong and why; it leaves its data directory free.
func TestOriginStoresFailStart(t *testing.T) {
	s3 := testservers.StartS3(t)
	hideAWS(t)
	bucket := "s3://" + s3.Bucket + "?endpoint=" + s3.Endpoint + "&region=" + s3.Region + "&path_style=true"
	for _, c := range []struct {
		name        string
		metadataURL string
		blobsURL    string
		env         map[string]string
		want        string
	}{
		{name: "PostgreSQL unreachable", want: "origin.metadata_url: cannot reach PostgreSQL at 127.0.0.1",
			metadataURL: "postgres://mediacdn@" + freeAddr(t) + "/mediacdn?sslmode=disable"},
		{name: "no bucket", want: "origin.blobs_url: ", blobsURL: strings.Replace(bucket, s3.Bucket, "missing-bucket", 1),
			env: map[string]string{config.EnvS3AccessKeyID: s3.AccessKey, config.EnvS3SecretAccessKey: s3.SecretKey}},
		{name: "no credentials", want: "origin.blobs_url: ", blobsURL: bucket},
		{name: "wrong secret", want: "origin.blobs_url: ", blobsURL: bucket,
			env: map[string]string{config.EnvS3AccessKeyID: s3.AccessKey, config.EnvS3SecretAccessKey: "wrong"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			f := originFile(t, "nats://"+freeAddr(t))
			f.Origin.MetadataURL, f.Origin.BlobsURL = c.metadataURL, config.BlobsURL(c.blobsURL)
			if err := f.Validate(RoleOrigin); err != nil {
				t.Fatal(err)
			}
			o, err := newOrigin(f, slog.New(slog.DiscardHandler), make(chan error, 4), func() purge.Config { return f.NATS })
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			err = o.Start(ctx)
			o.Close(context.Background())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("start: %v, want an error with %q", err, c.want)
			}
			for _, secret := range []string{s3.SecretKey, "wrong"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows a secret: %v", err)
				}
			}
			// The data directory is free for the next try.
			f.Origin.MetadataURL, f.Origin.BlobsURL = "", ""
			startOriginUntil(t, f)
		})
	}
}

// check-config checks the form of origin.metadata_url and
// origin.blobs_url and names the key.
func TestCheckConfigStoreURLs(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ origin, want string }{
		{"metadata_url: mysql://db/x", "origin.metadata_url: "},
		{"metadata_url: postgres://host", "origin.metadata_url: "},
		{"blobs_url: s3://B", "origin.blobs_url: "},
		{"blobs_url: ftp://host/x", "origin.blobs_url: "},
		{"blobs_url: s3://bucket/p?endpoint=http://127.0.0.1:9000&path_style=true\n  metadata_url: postgres://u@db:5432/mediacdn?sslmode=disable", ""},
	} {
		path := filepath.Join(dir, "origin.yaml")
		yaml := "clouds:\n  demo: {api_key: k, api_secret: s}\nnats: {urls: [\"nats://127.0.0.1:4222\"]}\norigin:\n  " + c.origin + "\n"
		if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		err := CheckConfig(t.Context(), []string{"-role", "origin", path}, &IO{Stdout: &out, Stderr: io.Discard})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.origin, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want %q", c.origin, err, c.want)
		}
	}
}
