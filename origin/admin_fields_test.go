package origin_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// keysOf lists an object's keys, sorted.
func keysOf(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// fields on every listing and on details answers public_id, asset_id and
// folder plus every field it names, empty ones included (tags [],
// context {}), whatever the tags/context flags say.
func TestFieldsAnswersEveryNamedField(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	up, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "f/rich",
		Tags: api.CldAPIArray{"space"}, Context: api.CldAPIMap{"alt": "A rocket"}, AssetFolder: "shelf",
		Moderation: "manual"})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	plain := uploadAs(t, o, "chelsea.png", "plain")

	// The Go SDK sends fields comma-joined and decodes the entries.
	res, err := o.Cld.Admin.Assets(ctx, admin.AssetsParams{AssetType: api.Image, DeliveryType: "upload",
		Fields: api.CldAPIArray{"tags", "context"}})
	if msg := sdkFailure(err, res); msg != "" || len(res.Assets) != 2 {
		t.Fatalf("listing: %s %+v", msg, res)
	}
	p := res.Assets[0] // newest first
	if p.PublicID != "plain" || p.AssetID != plain.AssetID || p.Tags == nil || len(p.Tags) != 0 ||
		p.Context == nil || len(p.Context) != 0 || p.URL != "" || p.Format != "" {
		t.Fatalf("plain entry: %+v", p)
	}
	r := res.Assets[1]
	if strings.Join(r.Tags, ",") != "space" || r.Context["custom"].(map[string]any)["alt"] != "A rocket" {
		t.Fatalf("rich entry: %+v", r)
	}

	want := "asset_id,context,folder,public_id,tags"
	for _, path := range []string{
		"resources/image?fields=tags,context",
		"resources/image/upload?fields=tags&fields=context&tags=false",
		"resources/image/upload?public_ids[]=plain&public_ids[]=f/rich&fields=tags,context",
		"resources/image/tags/space?fields=context,tags",
		"resources/image/context?key=alt&fields=tags,context",
		"resources/image/moderations/manual/pending?fields=tags,context",
		"resources/by_asset_folder?asset_folder=shelf&fields=tags,context",
		"resources/by_asset_ids?asset_ids[]=" + up.AssetID + "&fields=tags,context",
	} {
		a := adminGet(t, o, path)
		list, _ := a.body["resources"].([]any)
		if a.status != 200 || len(list) == 0 {
			t.Errorf("%s: %d %s", path, a.status, a.raw)
			continue
		}
		for _, e := range list {
			if got := keysOf(e.(map[string]any)); got != want {
				t.Errorf("%s: keys %s, want %s", path, got, want)
			}
		}
	}
	// The entry of f/rich: its folder; and fields decides over the flags.
	a := adminGet(t, o, "resources/image/tags/space?fields=context&tags=true")
	e := a.body["resources"].([]any)[0].(map[string]any)
	if keysOf(e) != "asset_id,context,folder,public_id" || e["folder"] != "f" {
		t.Errorf("fields with tags=true: %s", a.raw)
	}
	a = adminGet(t, o, "resources/image/upload?public_ids=plain&fields=moderation_status,metadata,width")
	e = a.body["resources"].([]any)[0].(map[string]any)
	if keysOf(e) != "asset_id,folder,metadata,moderation_status,public_id,width" || e["folder"] != "" ||
		e["moderation_status"] != "" || e["width"].(float64) != 451 || len(e["metadata"].(map[string]any)) != 0 {
		t.Errorf("empty fields: %s", a.raw)
	}

	// Details too.
	d := adminGet(t, o, "resources/image/upload/plain?fields=tags,context,metadata,bytes,nonesuch")
	if d.status != 200 || keysOf(d.body) != "asset_id,bytes,context,folder,metadata,public_id,tags" ||
		len(d.body["tags"].([]any)) != 0 || len(d.body["context"].(map[string]any)) != 0 || d.body["bytes"].(float64) == 0 {
		t.Errorf("details: %d %s", d.status, d.raw)
	}
	d = adminGet(t, o, "resources/"+up.AssetID+"?fields=tags")
	if keysOf(d.body) != "asset_id,folder,public_id,tags" || d.body["folder"] != "f" {
		t.Errorf("details by asset ID: %s", d.raw)
	}
	// Without fields, nothing changes: no tags unless asked.
	if l := adminGet(t, o, "resources/image"); strings.Contains(l.raw, `"tags"`) || strings.Contains(l.raw, `"folder"`) {
		t.Errorf("plain listing: %s", l.raw)
	}
}
