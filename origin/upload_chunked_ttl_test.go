package origin_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// A chunked upload abandoned for an hour is dropped, records and chunk
// blobs, by the sweep a later chunked upload starts; one still going is
// kept.
func TestChunkedUploadAbandonedSwept(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	o := startOriginClock(t, nil, clock)
	data := sdkLargeBMP()
	n := len(data)
	chunk := func(upload string, start, end int) {
		t.Helper()
		ct, body := form(t, [][2]string{{"public_id", upload}}, "big.bmp", data[start:end+1])
		status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true, "X-Unique-Upload-Id", upload,
			"Content-Range", "bytes "+strconv.Itoa(start)+"-"+strconv.Itoa(end)+"/"+strconv.Itoa(n))
		if status != 200 || resp != `{"done":false}` {
			t.Fatalf("%s: %d %s", upload, status, resp)
		}
	}
	chunk("abandoned", 0, 5<<20-1)
	mu.Lock()
	now = now.Add(61 * time.Minute)
	mu.Unlock()
	chunk("going", 0, 5<<20-1)
	testkit.Eventually(t, 10*time.Second, "the abandoned upload swept", func() bool {
		inProgress, _ := o.Server.ChunkUploads("demo")
		return inProgress == 1 && countBlobs(t, o) == 1
	})
	ct, body := form(t, [][2]string{{"public_id", "going"}}, "big.bmp", data[5<<20:])
	if status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true, "X-Unique-Upload-Id", "going",
		"Content-Range", "bytes "+strconv.Itoa(5<<20)+"-"+strconv.Itoa(n-1)+"/"+strconv.Itoa(n)); status != 200 {
		t.Fatalf("the last chunk of the upload still going: %d %s", status, resp)
	}
	if inProgress, _ := o.Server.ChunkUploads("demo"); inProgress != 0 || countBlobs(t, o) != 1 {
		t.Fatalf("%d uploads in progress and %d blobs after the last chunk, want 0 and the asset's", inProgress, countBlobs(t, o))
	}
}
