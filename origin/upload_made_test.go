package origin_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// What multi and sprite make is listed and shown by the Admin API
// (resources/image/multi, resources/image/sprite, resources/raw/sprite)
// and deleted by destroy with type multi or sprite (a sprite image with
// its CSS and JSON), with the Go SDK; nothing is uploaded under those
// types.
func TestMultiAndSpriteListedAndDestroyed(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	uploadWithTag(t, o, "set", [2]string{"rocket.jpg", "a"}, [2]string{"logo.png", "b"})
	if res, err := o.Cld.Upload.Multi(ctx, uploader.MultiParams{Tag: "set"}); sdkFailure(err, res) != "" {
		t.Fatal(sdkFailure(err, res))
	}
	sp, err := o.Cld.Upload.GenerateSprite(ctx, uploader.GenerateSpriteParams{Tag: "set"})
	if msg := sdkFailure(err, sp); msg != "" {
		t.Fatal(msg)
	}
	list := func(rt api.AssetType, typ string) string {
		t.Helper()
		res, err := o.Cld.Admin.Assets(ctx, admin.AssetsParams{AssetType: rt, DeliveryType: typ})
		if msg := sdkFailure(err, res); msg != "" {
			t.Fatalf("list %s/%s: %s", rt, typ, msg)
		}
		var ids []string
		for _, a := range res.Assets {
			ids = append(ids, a.PublicID+":"+a.Type)
		}
		return strings.Join(ids, ",")
	}
	if got := list(api.Image, "multi"); got != "set:multi" {
		t.Errorf("image/multi lists %q", got)
	}
	if got := list(api.Image, "sprite"); got != "set:sprite" {
		t.Errorf("image/sprite lists %q", got)
	}
	if got := list(api.AssetType("raw"), "sprite"); got != "set.json:sprite,set.css:sprite" {
		t.Errorf("raw/sprite lists %q", got)
	}
	d, err := o.Cld.Admin.Asset(ctx, admin.AssetParams{AssetType: api.Image, DeliveryType: "sprite", PublicID: "set"})
	if msg := sdkFailure(err, d); msg != "" || d.Format != "png" || d.Version != sp.Version {
		t.Errorf("sprite details: %+v %s", d, msg)
	}

	// Uploads, renames and tags still refuse the types.
	up, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "x", Type: "multi"})
	if err != nil || !strings.HasPrefix(up.Error.Message, "Invalid type") {
		t.Errorf("upload of type multi: %+v %v", up.Error, err)
	}
	status, body := post(t, o.URL+"/v1_1/demo/image/rename", "application/x-www-form-urlencoded", strings.NewReader(url.Values{
		"from_public_id": {"set"}, "to_public_id": {"other"}, "type": {"sprite"}}.Encode()), true)
	if status != 400 || errorMessage(t, body) != "Invalid type - sprite" {
		t.Errorf("rename of type sprite: %d %s", status, body)
	}

	for _, typ := range []string{"multi", "sprite"} {
		res, err := o.Cld.Upload.Destroy(ctx, uploader.DestroyParams{PublicID: "set", Type: typ})
		if msg := sdkFailure(err, res); msg != "" || res.Result != "ok" {
			t.Fatalf("destroy %s: %+v %s", typ, res, msg)
		}
		if again, err := o.Cld.Upload.Destroy(ctx, uploader.DestroyParams{PublicID: "set", Type: typ}); err != nil || again.Result != "not found" {
			t.Errorf("destroy %s again: %+v %v", typ, again, err)
		}
	}
	for _, path := range []string{"multi/set.gif", "sprite/set.png", "sprite/set.css", "sprite/set.json"} {
		if r := testkit.Get(t, o.URL+"/demo/image/"+path); r.Status != 404 {
			t.Errorf("%s after destroy: %d, want 404", path, r.Status)
		}
	}
	if got := list(api.Image, "multi") + list(api.Image, "sprite") + list(api.AssetType("raw"), "sprite"); got != "" {
		t.Errorf("listed after destroy: %q", got)
	}
	if got := list(api.Image, "upload"); got != "b:upload,a:upload" {
		t.Errorf("the tagged images: %q", got)
	}
}
