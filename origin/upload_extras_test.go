package origin_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/origin/meta"
)

// moderation=manual puts the upload in the manual queue, pending.
func TestUploadModeration(t *testing.T) {
	o := startOrigin(t, nil)
	ct, body := form(t, [][2]string{{"public_id", "moderated"}, {"moderation", "manual"}}, "c.png", readCorpus(t, "chelsea.png"))
	if status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true); status != 200 {
		t.Fatalf("upload: %d %s", status, resp)
	}
	q := adminGet(t, o, "resources/image/moderations/manual/pending")
	if q.status != 200 || !strings.Contains(q.raw, `"public_id":"moderated"`) {
		t.Fatalf("moderation queue: %d %s", q.status, q.raw)
	}
	ct, body = form(t, [][2]string{{"public_id", "x"}, {"moderation", "webpurify"}}, "c.png", readCorpus(t, "chelsea.png"))
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
	key := meta.Key{Cloud: "demo", ResourceType: "image", Type: "upload", PublicID: "analysed"}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := o.Store.Meta.Analysis(context.Background(), key, int64(res.Version)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no analysis stored after the upload")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
