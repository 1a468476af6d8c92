package origin_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"

	"github.com/mediacdn/mediacdn/delivery"
)

// Fsck finds a blob no row refers to and rows whose blob is gone; repair
// deletes the blob and drops the derived row (made again on request),
// and says the lost original is left.
func TestFsck(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	uploadAs(t, o, "rocket.jpg", "kept", "eager", "w_40")
	lost := uploadAs(t, o, "chelsea.png", "lost")
	o.Server.WaitRecorded()

	if r, err := origin.Fsck(ctx, o.Store, false); err != nil || r.Unrepaired() != 0 || r.Blobs != 3 || r.Refs != 3 {
		t.Fatalf("clean store: %+v %v", r, err)
	}
	w, err := o.Store.Blobs.Create()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("left by a crash"))
	orphan, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	kept, err := o.Store.Meta.Asset(ctx, meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "kept"})
	if err != nil {
		t.Fatal(err)
	}
	derived, err := o.Store.Meta.ListDerived(ctx, kept.Key)
	if err != nil || len(derived) != 1 {
		t.Fatalf("derived of kept: %v %v", derived, err)
	}
	lostAsset, err := o.Store.Meta.Asset(ctx, meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "lost"})
	if err != nil || lostAsset.Version != int64(lost.Version) {
		t.Fatalf("lost: %+v %v", lostAsset, err)
	}
	for _, key := range []string{derived[0].Blob, lostAsset.Blob} {
		if err := o.Store.Blobs.Delete(key); err != nil {
			t.Fatal(err)
		}
	}

	r, err := origin.Fsck(ctx, o.Store, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Orphans) != 1 || r.Orphans[0] != orphan || len(r.Missing) != 2 || r.Unrepaired() != 3 || r.RemovedBlobs != 0 {
		t.Fatalf("report: %+v", r)
	}
	kinds := map[meta.BlobRefKind]string{}
	for _, m := range r.Missing {
		kinds[m.Kind] = m.PublicID
	}
	if kinds[meta.RefDerived] != "kept" || kinds[meta.RefAsset] != "lost" {
		t.Fatalf("missing: %+v", r.Missing)
	}

	r, err = origin.Fsck(ctx, o.Store, true)
	if err != nil || r.RemovedBlobs != 1 || r.DroppedDerived != 1 || r.Unrepaired() != 1 {
		t.Fatalf("repair: %+v %v", r, err)
	}
	if got := testkit.Get(t, o.URL+"/demo/image/upload/w_40/kept.jpg"); got.Status != 200 {
		t.Fatalf("derived image after repair: %d", got.Status)
	}
	o.Server.WaitRecorded()
	if r, err := origin.Fsck(ctx, o.Store, false); err != nil || len(r.Orphans) != 0 || len(r.Missing) != 1 ||
		r.Missing[0].PublicID != "lost" {
		t.Fatalf("after repair: %+v %v", r, err)
	}
}

// One process at a time holds a data directory; opening it removes what
// a crashed process left staged.
func TestStorageLockAndStagingSweep(t *testing.T) {
	dir := t.TempDir()
	st, err := origin.OpenStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := origin.OpenStorage(dir); err == nil || !strings.Contains(err.Error(), "in use by another process") {
		t.Fatalf("second open: %v", err)
	}
	staged := filepath.Join(dir, "blobs", "tmp", "blob-123")
	if err := os.WriteFile(staged, []byte("half an upload"), 0o640); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = origin.OpenStorage(dir)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	defer st.Close()
	if _, err := os.Stat(staged); !os.IsNotExist(err) {
		t.Fatalf("staged file left by a crash still there: %v", err)
	}
}
