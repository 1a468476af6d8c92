package app

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// generate_archive on PostgreSQL and S3: an archive made on one origin is
// streamed into the bucket (a multipart upload) from originals read from
// it, recorded in the shared database, and delivered by the other origin,
// which also streams a download of the same selection.
func TestArchiveOnSharedStores(t *testing.T) {
	stores := startSharedStores(t)
	ns := startNATS(t, "127.0.0.1:0")
	a := startSharedOrigin(t, stores.originOn(t, ns.URL()))
	b := startSharedOrigin(t, stores.originOn(t, ns.URL()))
	want := map[string][]byte{}
	for id, file := range map[string]string{"zip/rocket": "rocket.jpg", "zip/chelsea": "chelsea.png"} {
		callAPI(t, a.api, "upload", map[string]string{"public_id": id, "tags": "zipme"}, file)
		want[id+file[len(file)-4:]] = testkit.Read(t, file)
	}
	made := callAPI(t, a.api, "generate_archive", map[string]string{"tags": "zipme", "target_public_id": "zip/all"}, "")
	if made.PublicID != "zip/all.zip" {
		t.Fatalf("created %+v", made)
	}
	stored := testkit.Get(t, b.api+fmt.Sprintf("/demo/raw/upload/v%d/zip/all.zip", made.Version))
	if stored.Status != 200 {
		t.Fatalf("the archive delivered by the other origin: %v", stored)
	}
	checkZip(t, stored.Body, want)

	down := testkit.Do(t, "POST", b.api+"/v1_1/demo/image/generate_archive?tags=zipme&mode=download",
		"Authorization", "Basic ZGVtb19rZXk6ZGVtb19zZWNyZXQ=") // demo_key:demo_secret
	if down.Status != 200 {
		t.Fatalf("download from the other origin: %v", down)
	}
	checkZip(t, down.Body, want)
}

// checkZip fails unless b is a zip of exactly want's files, byte for byte.
func checkZip(t *testing.T, b []byte, want map[string][]byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	if len(zr.File) != len(want) {
		t.Errorf("%d files, want %d", len(zr.File), len(want))
	}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(data, want[f.Name]) {
			t.Errorf("%s: %d bytes %v, want the original's %d", f.Name, len(data), err, len(want[f.Name]))
		}
	}
}
