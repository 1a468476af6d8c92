package origin_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// suffixed matches a display name made unique: "_" and 6 lower-case
// letters and digits after the name asked for.
var suffixed = regexp.MustCompile(`^cat_[a-z0-9]{6}$`)

// unique_display_name with the Go SDK, on upload and on the Admin API's
// update, on both metadata engines: a display name another asset of the
// asset folder has is suffixed; one of another folder, or the asset's own,
// is kept; without it names repeat; an update giving neither display_name
// nor asset_folder keeps the name; a bad value is refused.
func TestGoSDKUniqueDisplayName(t *testing.T) {
	onEachEngine(t, nil, func(t *testing.T, o *testOrigin) {
		ctx := context.Background()
		up := func(id, folder string, unique bool) *uploader.UploadResult {
			t.Helper()
			r, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: id,
				AssetFolder: folder, DisplayName: "cat", UniqueDisplayName: api.Bool(unique)})
			if msg := sdkFailure(err, r); msg != "" {
				t.Fatalf("upload %s: %s", id, msg)
			}
			return r
		}
		if r := up("one", "pets", true); r.DisplayName != "cat" {
			t.Fatalf("first cat: %q", r.DisplayName)
		}
		if r := up("two", "pets", false); r.DisplayName != "cat" {
			t.Fatalf("without unique_display_name: %q", r.DisplayName)
		}
		if r := up("three", "pets", true); !suffixed.MatchString(r.DisplayName) {
			t.Fatalf("third cat: %q", r.DisplayName)
		}
		if r := up("four", "zoo", true); r.DisplayName != "cat" {
			t.Fatalf("cat of another folder: %q", r.DisplayName)
		}
		if r := up("four", "zoo", true); r.DisplayName != "cat" { // an overwrite keeps its own name
			t.Fatalf("overwrite: %q", r.DisplayName)
		}

		update := func(id string, params admin.UpdateAssetParams) *admin.AssetResult {
			t.Helper()
			params.AssetType, params.DeliveryType, params.PublicID = api.Image, api.Upload, id
			r, err := o.Cld.Admin.UpdateAsset(ctx, params)
			if msg := sdkFailure(err, r); msg != "" {
				t.Fatalf("update %s: %s", id, msg)
			}
			return r
		}
		if r := update("four", admin.UpdateAssetParams{AssetFolder: "pets", UniqueDisplayName: api.Bool(true)}); !suffixed.MatchString(r.DisplayName) {
			t.Fatalf("moved into pets: %q", r.DisplayName)
		}
		if r := update("four", admin.UpdateAssetParams{DisplayName: "cat"}); r.DisplayName != "cat" {
			t.Fatalf("renamed without unique_display_name: %q", r.DisplayName)
		}
		// An update that gives neither display_name nor asset_folder keeps
		// the asset's name, shared or not.
		if r := update("two", admin.UpdateAssetParams{Tags: []string{"x"}, UniqueDisplayName: api.Bool(true)}); r.DisplayName != "cat" {
			t.Fatalf("an update of the tags with unique_display_name: %q", r.DisplayName)
		}
		if r := update("four", admin.UpdateAssetParams{DisplayName: "cat", UniqueDisplayName: api.Bool(true)}); !suffixed.MatchString(r.DisplayName) {
			t.Fatalf("renamed with unique_display_name: %q", r.DisplayName)
		}
		if r := update("one", admin.UpdateAssetParams{DisplayName: "dog", UniqueDisplayName: api.Bool(true)}); r.DisplayName != "dog" {
			t.Fatalf("a free name: %q", r.DisplayName)
		}

		bad := adminDo(t, o, "POST", "resources/image/upload/one", "application/x-www-form-urlencoded",
			"display_name=cat&unique_display_name=maybe")
		if bad.status != 400 || bad.errorMessage() != "Invalid value maybe for parameter unique_display_name" {
			t.Fatalf("bad value: %d %s", bad.status, bad.raw)
		}

		// A display name is bounded (PostgreSQL's index rows are: a
		// long one that does not compress failed there with a 500), on upload
		// and update.
		long := strings.Repeat("é", 513) // 1026 bytes
		r, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "long",
			DisplayName: long})
		if err != nil || r.Error.Message != "Invalid display_name - longer than 1024 bytes" {
			t.Fatalf("long display name uploaded: %+v %v", r, err)
		}
		bad = adminDo(t, o, "POST", "resources/image/upload/one", "application/x-www-form-urlencoded",
			"display_name="+url.QueryEscape(long))
		if bad.status != 400 || bad.errorMessage() != "Invalid display_name - longer than 1024 bytes" {
			t.Fatalf("long display name updated: %d %s", bad.status, bad.raw)
		}
		if r := update("one", admin.UpdateAssetParams{DisplayName: long[:1024]}); r.DisplayName != long[:1024] {
			t.Fatalf("1024 bytes: %q", r.DisplayName)
		}
		// A file's name made the display name (use_filename_as_display_name)
		// is cut to 1024 bytes, at a character.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range map[string]string{"public_id": "named", "use_filename_as_display_name": "true"} {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", "x"+long+".jpg")
		fw.Write(testkit.Read(t, "rocket.jpg"))
		mw.Close()
		named := adminDo(t, o, "POST", "image/upload", mw.FormDataContentType(), body.String())
		if named.status != 200 || named.body["display_name"] != "x"+long[:1022] {
			t.Fatalf("a long file name: %d %.300s", named.status, named.raw)
		}
	})
}
