package origin_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The Go SDK configured with an OAuth token sends it as a bearer token
// (and signs nothing): OAuth is not implemented, so the Admin and Upload
// APIs answer as Cloudinary answers an invalid token, 401 Invalid token,
// and nothing is stored.
func TestOAuthTokenRefused(t *testing.T) {
	o := startOrigin(t, nil)
	cld, err := cloudinary.NewFromURL("cloudinary://" + cloudName + "?oauth_token=MTQ0NjJkZmQ5OTM2NDE1ZTZjNGZmZjI4" +
		"&upload_prefix=" + o.URL + "&secure=false&analytics=false")
	if err != nil {
		t.Fatal(err)
	}
	if cld.Config.Cloud.OAuthToken == "" || cld.Config.Cloud.APIKey != "" {
		t.Fatalf("not an OAuth configuration: %+v", cld.Config.Cloud)
	}
	ctx := context.Background()
	ping, err := cld.Admin.Ping(ctx)
	if err != nil || ping.Error.Message != "Invalid token" {
		t.Fatalf("admin ping: %+v %v", ping, err)
	}
	details, err := cld.Admin.Asset(ctx, admin.AssetParams{PublicID: "x"})
	if err != nil || details.Error.Message != "Invalid token" {
		t.Fatalf("admin details: %+v %v", details, err)
	}
	up, err := cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "oauth"})
	if err != nil || up.Error.Message != "Invalid token" {
		t.Fatalf("upload: %+v %v", up, err)
	}
	if n := countBlobs(t, o); n != 0 {
		t.Fatalf("%d blobs stored", n)
	}
	// The status is 401 on both APIs, even with valid credentials beside.
	for _, path := range []string{"/v1_1/demo/ping", "/v1_1/demo/image/upload"} {
		req, _ := http.NewRequest(http.MethodPost, o.URL+path+"?api_key="+apiKey, strings.NewReader(""))
		if path == "/v1_1/demo/ping" {
			req.Method = http.MethodGet
		}
		req.Header.Set("Authorization", "Bearer irrelevant")
		if a := send(t, req); a.status != 401 || a.errorMessage() != "Invalid token" {
			t.Errorf("%s: %d %s", path, a.status, a.raw)
		}
	}
}
