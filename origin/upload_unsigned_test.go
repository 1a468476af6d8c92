package origin_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
)

// Unsigned uploads hammered from one address: the per-client rate holds
// (420 with Retry-After), or with none the per-cloud one; signed uploads
// pass all along; the next minute accepts again.
func TestUnsignedUploadRateLimits(t *testing.T) {
	t.Run("per client", func(t *testing.T) {
		testUnsignedRate(t, 3, 100, "Limit of 3 unsigned uploads a minute from one address reached")
	})
	t.Run("per cloud", func(t *testing.T) {
		testUnsignedRate(t, -1, 4, "Limit of 4 unsigned uploads a minute for this cloud reached")
	})
}

func testUnsignedRate(t *testing.T, perClient, perCloud int, message string) {
	var offset atomic.Int64
	start := time.Now().Truncate(time.Minute)
	now := func() time.Time { return start.Add(time.Duration(offset.Load())) }
	o := startOriginClock(t, func(c *origin.Config) {
		c.Uploads.UnsignedPerClient = perClient
		c.Uploads.UnsignedPerCloud = perCloud
		c.Uploads.PerClient = -1 // the bound on uploads in progress is not what is tested
	}, now)
	limit := perCloud
	if perClient >= 0 {
		limit = perClient
	}
	ctx := context.Background()
	if r, err := o.Cld.Admin.CreateUploadPreset(ctx, admin.CreateUploadPresetParams{Name: "open",
		Unsigned: api.Bool(true)}); sdkFailure(err, r) != "" {
		t.Fatal(sdkFailure(err, r))
	}
	png := testkit.Read(t, "logo.png")

	hammer := func(n int) (ok, limited int, messages []string) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, res, h := unsignedPost(t, o, png, "upload_preset", "open")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case status == 200:
					ok++
				case status == 420 && h.Get("Retry-After") != "":
					limited++
					messages = append(messages, errMessage(res))
				default:
					t.Errorf("unexpected answer %d %v %v", status, res, h)
				}
			}()
		}
		wg.Wait()
		return ok, limited, messages
	}
	signed := func() {
		t.Helper()
		r, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "logo.png"), uploader.UploadParams{UploadPreset: "open"})
		if msg := sdkFailure(err, r); msg != "" {
			t.Fatalf("signed upload: %s", msg)
		}
	}

	ok, limited, msgs := hammer(4 * limit)
	if ok != limit || limited != 3*limit || !strings.HasPrefix(msgs[0], "Rate Limit Exceeded. "+message) {
		t.Fatalf("%d accepted, %d limited %v", ok, limited, msgs)
	}
	signed()
	offset.Store(int64(time.Minute))
	if ok, limited, _ = hammer(limit + 2); ok != limit || limited != 2 {
		t.Fatalf("next minute: %d accepted, %d limited", ok, limited)
	}
	signed()
}

// The server's size and pixel bounds hold for unsigned uploads as for any:
// a file above max_upload_size, an image above the input pixel bound.
func TestUnsignedUploadBounds(t *testing.T) {
	o := startOrigin(t, func(c *origin.Config) {
		c.MaxUploadSize = 150 << 10
		c.Imaging.MaxInputPixels = 100 * 100
	})
	ctx := context.Background()
	if r, err := o.Cld.Admin.CreateUploadPreset(ctx, admin.CreateUploadPresetParams{Name: "open",
		Unsigned: api.Bool(true)}); sdkFailure(err, r) != "" {
		t.Fatal(sdkFailure(err, r))
	}
	big := testkit.Read(t, "logo.png") // 176 KiB
	status, res, _ := unsignedPost(t, o, big, "upload_preset", "open")
	if status != 400 || !strings.HasPrefix(errMessage(res), "File size too large") {
		t.Fatalf("too large: %d %v", status, res)
	}
	photo := testkit.Read(t, "rocket.jpg") // 110 KiB, 640×427
	status, res, _ = unsignedPost(t, o, photo, "upload_preset", "open")
	if status != 400 || !strings.Contains(errMessage(res), "too large") {
		t.Fatalf("too many pixels: %d %v", status, res)
	}
}
