package origin_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/mediacdn/mediacdn/origin/meta"

	"github.com/mediacdn/mediacdn/delivery"
)

// delete_all_resources over 2,500 assets, 1,000 per call, the caller
// repeating with next_cursor: every asset deleted exactly once, every
// response well formed.
func TestAdminDeleteAllPaged(t *testing.T) {
	o := startOrigin(t, nil)
	const n = 2500
	seeded := seedAssets(t, o, "bulk/", n, nil)
	want := map[string]bool{}
	for _, a := range seeded {
		want[a.PublicID] = true
	}
	ctx := context.Background()
	deleted := map[string]int{}
	cursor := ""
	calls := 0
	for {
		res, err := o.Cld.Admin.DeleteAllAssets(ctx, admin.DeleteAllAssetsParams{AssetType: api.File,
			DeliveryType: api.Upload, NextCursor: cursor})
		if msg := sdkFailure(err, res); msg != "" {
			t.Fatalf("call %d: %s", calls, msg)
		}
		calls++
		if res.Partial != (res.NextCursor != "") || len(res.Deleted) > 1000 || len(res.Deleted) != len(res.DeletedCounts) {
			t.Fatalf("call %d malformed: partial %v cursor %q deleted %d counts %d", calls, res.Partial,
				res.NextCursor, len(res.Deleted), len(res.DeletedCounts))
		}
		for id, st := range res.Deleted {
			c := res.DeletedCounts[id].(map[string]any)
			if st != "deleted" || c["original"].(float64) != 1 || c["derived"].(float64) != 0 {
				t.Fatalf("call %d: %s %s %v", calls, id, st, c)
			}
			deleted[id]++
		}
		if !res.Partial {
			break
		}
		cursor = res.NextCursor
		if calls > 10 {
			t.Fatal("no end")
		}
	}
	if calls != 3 {
		t.Errorf("%d calls for %d assets, want 3", calls, n)
	}
	for id := range want {
		if deleted[id] != 1 {
			t.Errorf("%s deleted %d times", id, deleted[id])
		}
	}
	if len(deleted) != n {
		t.Errorf("%d deleted, want %d", len(deleted), n)
	}
	if b := countBlobs(t, o); b != 0 {
		t.Errorf("%d blobs left", b)
	}
	if a := adminGet(t, o, "resources/raw"); len(ids(t, a)) != 0 {
		t.Errorf("assets left: %s", a.raw)
	}
}

// A listing that goes on while assets are uploaded, overwritten (which
// moves their created_at) and renamed into its range neither repeats nor
// skips an asset that existed when it began: by creation and by prefix,
// in both directions.
func TestAdminListingDuringUploads(t *testing.T) {
	for _, query := range []string{"resources/raw/upload?max_results=37",
		"resources/raw/upload?max_results=37&direction=asc",
		"resources/raw/upload?prefix=old/&max_results=37",
		"resources/raw/upload?prefix=old/&max_results=37&direction=desc"} {
		t.Run(query, func(t *testing.T) {
			o := startOrigin(t, nil)
			initial := seedAssets(t, o, "old/", 400, nil)
			ctx := context.Background()
			// A writer running freely alongside (for the race detector)...
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					a := &meta.Asset{Key: meta.Key{Cloud: cloudName, ResourceType: delivery.Raw, Type: delivery.Upload,
						PublicID: fmt.Sprintf("free/%d", i)}, AssetID: fmt.Sprintf("%032x", rand.Uint64()),
						VersionID: "v", Blob: "none", ETag: "e"}
					if err := o.Store.Meta.Import(ctx, []*meta.Asset{a}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
			seen := map[string]int{}
			next := ""
			for page := 0; ; page++ {
				url := query
				if next != "" {
					url += "&next_cursor=" + next
				}
				a := adminGet(t, o, url)
				if a.status != 200 {
					t.Fatalf("page %d: %s", page, a.raw)
				}
				for _, id := range ids(t, a) {
					seen[id]++
				}
				// ...and, between pages, uploads through the API: new assets in
				// the prefix, and overwrites of assets listed and not yet.
				rawUpload(t, o, fmt.Sprintf("old/%05d-new", rand.IntN(400)))
				rawUpload(t, o, fmt.Sprintf("new/%d", page))
				rawUpload(t, o, initial[rand.IntN(len(initial))].PublicID)
				next, _ = a.body["next_cursor"].(string)
				if next == "" {
					break
				}
			}
			close(stop)
			wg.Wait()
			for id, n := range seen {
				if n > 1 {
					t.Errorf("%s listed %d times", id, n)
				}
			}
			for _, a := range initial {
				if seen[a.PublicID] != 1 {
					t.Errorf("%s listed %d times", a.PublicID, seen[a.PublicID])
				}
			}
		})
	}
}

// rawUpload uploads a small raw file (creating or overwriting id).
func rawUpload(t testing.TB, o *testOrigin, id string) {
	t.Helper()
	ct, body := form(t, [][2]string{{"public_id", id}, {"overwrite", "true"}}, "f.txt", []byte("text "+id))
	status, resp := post(t, o.URL+"/v1_1/demo/raw/upload", ct, body, true)
	if status != http.StatusOK {
		t.Fatalf("raw upload %s: %d %s", id, status, resp)
	}
}

// colors, phash, image_metadata and exif in details, computed once per
// version; faces lists the faces detected (none in this landscape).
func TestAdminDetailsAnalysis(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "Storm.jpg", "storm")
	uploadPNG(t, o, "half", halfTransparent())
	a := adminGet(t, o, "resources/image/upload/storm?colors=true&phash=true&image_metadata=true&exif=true&faces=true")
	if a.status != 200 {
		t.Fatal(a.raw)
	}
	colors := a.body["colors"].([]any)
	sum := 0.0
	for _, c := range colors {
		pair := c.([]any)
		if s := pair[0].(string); len(s) != 7 || s[0] != '#' {
			t.Fatalf("colour %v", pair)
		}
		sum += pair[1].(float64)
	}
	if len(colors) < 8 || len(colors) > 32 || sum < 98 || sum > 102 {
		t.Fatalf("%d colours summing to %.1f: %v", len(colors), sum, colors)
	}
	pred := a.body["predominant"].(map[string]any)["google"].([]any)
	if len(pred) == 0 || a.body["grayscale"] != false {
		t.Fatalf("predominant %v grayscale %v", pred, a.body["grayscale"])
	}
	if ph, _ := a.body["phash"].(string); len(ph) != 16 {
		t.Fatalf("phash %q", ph)
	}
	md := a.body["image_metadata"].(map[string]any)
	exif := a.body["exif"].(map[string]any)
	if md["Make"] != "Canon" || exif["Model"] != "Canon EOS 400D DIGITAL" {
		t.Fatalf("metadata %v exif %v", md, exif)
	}
	if f, _ := a.body["faces"].([]any); f == nil || len(f) != 0 || a.body["face_detection"] != nil {
		t.Fatalf("faces: %v %v", a.body["faces"], a.body["face_detection"])
	}
	if a2 := adminGet(t, o, "resources/image/upload/storm?phash=1"); a2.body["phash"] != a.body["phash"] {
		t.Fatalf("phash changed: %v", a2.body["phash"])
	}
	h := adminGet(t, o, "resources/image/upload/half?colors=1&phash=1")
	hc := h.body["colors"].([]any)
	if h.body["semi_transparent"] != true || len(hc) != 1 || hc[0].([]any)[0] != "#FF0000" || hc[0].([]any)[1] != 100.0 {
		t.Fatalf("half transparent: %s", h.raw)
	}
	if len(adminGet(t, o, "resources/image/upload/storm").body) == 0 {
		t.Fatal("no details")
	}
	if plain := adminGet(t, o, "resources/image/upload/storm"); plain.body["colors"] != nil || plain.body["exif"] != nil {
		t.Fatalf("analysis without asking: %s", plain.raw)
	}
}

// halfTransparent is a 40×40 PNG: red on the left, transparent on the right.
func halfTransparent() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 40, 40))
	for y := 0; y < 40; y++ {
		for x := 0; x < 20; x++ {
			img.Set(x, y, color.NRGBA{255, 0, 0, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

// uploadPNG uploads PNG bytes as id.
func uploadPNG(t testing.TB, o *testOrigin, id string, b []byte) {
	t.Helper()
	ct, body := form(t, [][2]string{{"public_id", id}}, id+".png", b)
	if status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true); status != http.StatusOK {
		t.Fatalf("upload %s: %d %s", id, status, resp)
	}
}
