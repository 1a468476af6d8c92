package origin_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"

	"github.com/mediacdn/mediacdn/delivery"
)

// moderation=manual puts the upload in the manual queue, pending.
func TestUploadModeration(t *testing.T) {
	o := startOrigin(t, nil)
	ct, body := form(t, [][2]string{{"public_id", "moderated"}, {"moderation", "manual"}}, "c.png", testkit.Read(t, "chelsea.png"))
	if status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true); status != 200 {
		t.Fatalf("upload: %d %s", status, resp)
	}
	q := adminGet(t, o, "resources/image/moderations/manual/pending")
	if q.status != 200 || !strings.Contains(q.raw, `"public_id":"moderated"`) {
		t.Fatalf("moderation queue: %d %s", q.status, q.raw)
	}
	ct, body = form(t, [][2]string{{"public_id", "x"}, {"moderation", "webpurify"}}, "c.png", testkit.Read(t, "chelsea.png"))
	if status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true); status != 400 ||
		errorMessage(t, resp) != "Unsupported moderation - webpurify (only manual is available)" {
		t.Fatalf("unsupported moderation: %d %s", status, resp)
	}
}

// Colours, perceptual hash and embedded metadata are computed after the
// upload, without a details call asking for them.
func TestAnalysisAtUpload(t *testing.T) {
	o := startOrigin(t, nil)
	res := uploadAs(t, o, "rocket.jpg", "analysed")
	key := meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "analysed"}
	testkit.CheckFor(t, testkit.Timeout, func() error {
		if _, err := o.Store.Meta.Analysis(context.Background(), key, int64(res.Version)); err != nil {
			return fmt.Errorf("no analysis stored after the upload: %w", err)
		}
		return nil
	})
}

// An analysis or an eager transformation that fails (here every image
// operation times out) refuses the call before anything changes: an upload
// stores no asset and no blob and emits no event; an overwrite leaves the
// current version; explicit leaves the asset as it was.
func TestAnalysisOrEagerFailureChangesNothing(t *testing.T) {
	o := startOrigin(t, func(cfg *origin.Config) { cfg.Imaging.Timeout = time.Nanosecond })
	jpg := testkit.Read(t, "rocket.jpg")
	upload := func(fields ...[2]string) (int, string) {
		t.Helper()
		ct, body := form(t, fields, "rocket.jpg", jpg)
		return post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true)
	}
	timedOut := "Image transformation timed out"
	if status, resp := upload([2]string{"public_id", "fresh"}, [2]string{"colors", "true"},
		[2]string{"return_delete_token", "true"}); status != 504 || errorMessage(t, resp) != timedOut {
		t.Fatalf("new asset: %d %s", status, resp)
	}
	assertNothingStored(t, o, "fresh")
	if status, resp := upload([2]string{"public_id", "fresh"}, [2]string{"eager", "c_scale,w_100|w_50/png"},
		[2]string{"return_delete_token", "true"}); status != 504 || errorMessage(t, resp) != timedOut {
		t.Fatalf("new asset with eager: %d %s", status, resp)
	}
	assertNothingStored(t, o, "fresh")
	if n := len(o.Events.all()); n != 0 {
		t.Fatalf("%d events for refused uploads", n)
	}

	if status, resp := upload([2]string{"public_id", "kept"}, [2]string{"tags", "v1"}); status != 200 {
		t.Fatalf("upload without analyses: %d %s", status, resp)
	}
	key := meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "kept"}
	before, err := o.Store.Meta.Asset(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	events := len(o.Events.all())
	if status, resp := upload([2]string{"public_id", "kept"}, [2]string{"tags", "v2"},
		[2]string{"phash", "true"}); status != 504 || errorMessage(t, resp) != timedOut {
		t.Fatalf("overwrite: %d %s", status, resp)
	}
	if status, resp := upload([2]string{"public_id", "kept"}, [2]string{"tags", "v2"},
		[2]string{"eager", "w_30"}); status != 504 || errorMessage(t, resp) != timedOut {
		t.Fatalf("overwrite with eager: %d %s", status, resp)
	}
	for _, fields := range [][][2]string{
		{{"image_metadata", "true"}, {"colors", "true"}},
		{{"eager", "c_fill,h_20,w_20"}},
	} {
		ct, body := form(t, append([][2]string{{"public_id", "kept"}, {"type", "upload"}, {"tags", "changed"}},
			fields...), "", nil)
		if status, resp := post(t, o.URL+"/v1_1/demo/image/explicit", ct, body, true); status != 504 ||
			errorMessage(t, resp) != timedOut {
			t.Fatalf("explicit %v: %d %s", fields, status, resp)
		}
	}
	after, err := o.Store.Meta.Asset(context.Background(), key)
	if err != nil || after.Version != before.Version || after.Blob != before.Blob ||
		strings.Join(after.Tags, ",") != "v1" || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("asset changed by refused calls: %+v -> %+v (%v)", before, after, err)
	}
	if n := len(o.Events.all()); n != events {
		t.Fatalf("%d events for refused calls", n-events)
	}
	if n := countBlobs(t, o); n != 1 {
		t.Fatalf("%d blobs, want the one asset's", n)
	}
}
