package app

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Two origins on one PostgreSQL database: a preset made through one is
// used by unsigned uploads to both, and the unsigned rate per client
// address is counted over both. The counts live in one-minute windows of
// the real clock, so an attempt that straddles a minute's end is made
// again, on a cloud of its own.
func TestUnsignedRateAcrossOrigins(t *testing.T) {
	stores := startSharedStores(t)
	ns := startNATS(t, "127.0.0.1:0")
	const attempts = 3
	var origins [2]sharedOrigin
	for i := range origins {
		f := stores.originOn(t, ns.URL())
		for c := range attempts {
			f.Clouds[fmt.Sprintf("u%d", c)] = config.Cloud{APIKey: "demo_key", APISecret: "demo_secret"}
		}
		f.Origin.Uploads.UnsignedPerClient = 4
		origins[i] = startSharedOrigin(t, f)
	}
	png := testkit.Read(t, "logo.png")
	for c := range attempts {
		cloud := fmt.Sprintf("u%d", c)
		if a := adminPost(t, origins[0].api, cloud, "upload_presets", url.Values{"name": {"open"}, "unsigned": {"true"}}); a.Status != 200 {
			t.Fatalf("create preset: %v", a)
		}
		window := time.Now().Truncate(time.Minute)
		var accepted, limited int
		for i := range 10 {
			switch status := unsignedUpload(t, origins[i%2].api, cloud, png); status {
			case 200:
				accepted++
			case 420:
				limited++
			default:
				t.Fatalf("upload %d: %d", i, status)
			}
		}
		if !time.Now().Truncate(time.Minute).Equal(window) {
			continue // a minute ended meanwhile: counts started again
		}
		if accepted != 4 || limited != 6 {
			t.Fatalf("%d accepted, %d limited over two origins; want 4 and 6", accepted, limited)
		}
		return
	}
	t.Fatal("every attempt straddled a minute's end")
}

// unsignedUpload posts file to cloud through the preset "open", with no
// credentials, and returns the status.
func unsignedUpload(t *testing.T, api, cloud string, file []byte) int {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("upload_preset", "open")
	fw, _ := w.CreateFormFile("file", "logo.png")
	fw.Write(file)
	w.Close()
	resp, err := http.Post(api+"/v1_1/"+cloud+"/image/upload", w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
