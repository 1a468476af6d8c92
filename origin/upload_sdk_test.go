package origin_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"

	"github.com/mediacdn/mediacdn/delivery"
)

// The official Go SDK drives the Upload API; every field is checked.
func TestGoSDKUpload(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "LadyBird.jpg"), uploader.UploadParams{
		PublicID: "folder/ladybird", Tags: api.CldAPIArray{"insect", "red"},
		Context: api.CldAPIMap{"alt": "A ladybird"},
	})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatalf("upload: %s", msg)
	}
	data := testkit.Read(t, "LadyBird.jpg")
	sig := sha1.Sum([]byte("public_id=folder/ladybird&version=" + strconv.Itoa(res.Version) + apiSecret))
	checks := []struct {
		name string
		ok   bool
	}{
		{"public_id", res.PublicID == "folder/ladybird"},
		{"asset_id", len(res.AssetID) == 32},
		{"version", int64(res.Version) >= before.Unix() && int64(res.Version) <= time.Now().Unix()+1},
		{"version_id", len(res.VersionID) == 32},
		{"signature", res.Signature == hex.EncodeToString(sig[:])},
		{"width", res.Width == 2560},
		{"height", res.Height == 1600},
		{"format", res.Format == "jpg"},
		{"resource_type", res.ResourceType == "image"},
		{"created_at", res.CreatedAt.After(before) && res.CreatedAt.Before(time.Now().Add(time.Second))},
		{"tags", strings.Join(res.Tags, ",") == "insect,red"},
		{"bytes", res.Bytes == len(data)},
		{"type", res.Type == "upload"},
		{"etag", res.Etag == md5hex(data)},
		{"url", res.URL == "http://cdn.test/demo/image/upload/v"+strconv.Itoa(res.Version)+"/folder/ladybird.jpg"},
		{"secure_url", res.SecureURL == "https://cdn.test/demo/image/upload/v"+strconv.Itoa(res.Version)+"/folder/ladybird.jpg"},
		{"original_filename", res.OriginalFilename == "LadyBird"},
		{"overwritten", !res.Overwritten},
		{"context", res.Context["custom"].(map[string]any)["alt"] == "A ladybird"},
		{"access_mode", res.AccessMode == "public"},
		{"pages", res.Pages == 1},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s wrong in %+v", c.name, res)
		}
	}
	ev := o.Events.all()
	if len(ev) != 1 || ev[0].Kind != origin.EventCreated || ev[0].Asset.PublicID != "folder/ladybird" || ev[0].NewVersion != int64(res.Version) {
		t.Errorf("events %+v", ev)
	}
}

func TestGoSDKOverwriteAndExisting(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	first, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "pic"})
	if msg := sdkFailure(err, first); msg != "" {
		t.Fatal(msg)
	}
	second, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "chelsea.png"), uploader.UploadParams{PublicID: "pic",
		Overwrite: api.Bool(true), Invalidate: api.Bool(true)})
	if msg := sdkFailure(err, second); msg != "" {
		t.Fatal(msg)
	}
	if !second.Overwritten || second.Version <= first.Version || second.AssetID != first.AssetID ||
		second.Format != "png" || second.Width != 451 || second.VersionID == first.VersionID {
		t.Fatalf("overwrite: first %+v second %+v", first, second)
	}
	// overwrite=false with an existing ID returns the existing asset unchanged.
	third, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "pic",
		Overwrite: api.Bool(false)})
	if msg := sdkFailure(err, third); msg != "" {
		t.Fatal(msg)
	}
	if third.Version != second.Version || third.Format != "png" || (*third.Response.(*map[string]any))["existing"] != true {
		t.Fatalf("existing: %+v", third)
	}
	if n := countBlobs(t, o); n != 1 {
		t.Fatalf("%d blobs after overwrite and refused overwrite, want 1", n)
	}
	ev := o.Events.all()
	if len(ev) != 2 || ev[1].Kind != origin.EventOverwritten || !ev[1].Invalidate ||
		ev[1].OldVersion != int64(first.Version) || ev[1].NewVersion != int64(second.Version) {
		t.Fatalf("events %+v", ev)
	}
}

func TestGoSDKFilenames(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	unique, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "coffee.png"), uploader.UploadParams{
		UseFilename: api.Bool(true), Folder: "drinks"})
	if msg := sdkFailure(err, unique); msg != "" {
		t.Fatal(msg)
	}
	if !strings.HasPrefix(unique.PublicID, "drinks/coffee_") || len(unique.PublicID) != len("drinks/coffee_")+6 {
		t.Fatalf("unique filename: %q", unique.PublicID)
	}
	plain, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "coffee.png"), uploader.UploadParams{
		UseFilename: api.Bool(true), UniqueFilename: api.Bool(false)})
	if msg := sdkFailure(err, plain); msg != "" {
		t.Fatalf("use_filename without unique: %s", msg)
	}
	if plain.PublicID != "coffee" {
		t.Fatalf("use_filename without unique: %q", plain.PublicID)
	}
	random, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "coffee.png"), uploader.UploadParams{})
	if err != nil || len(random.PublicID) != 20 {
		t.Fatalf("random id: %q %v", random.PublicID, err)
	}
}

func TestGoSDKDestroyRenameExplicit(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	up, _ := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "old/name", Tags: api.CldAPIArray{"x"}})

	ren, err := o.Cld.Upload.Rename(ctx, uploader.RenameParams{FromPublicID: "old/name", ToPublicID: "new/name", Invalidate: api.Bool(true)})
	if err != nil || ren.Error != nil || ren.PublicID != "new/name" || ren.Version != up.Version || ren.Format != "jpg" {
		t.Fatalf("rename: %+v %v", ren, err)
	}
	if _, err := o.Store.Meta.Asset(ctx, meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "old/name"}); err == nil {
		t.Fatal("old public ID still exists")
	}
	missing, err := o.Cld.Upload.Rename(ctx, uploader.RenameParams{FromPublicID: "nope", ToPublicID: "x"})
	if err != nil || missing.Error == nil || !strings.Contains(missing.Error.(map[string]any)["message"].(string), "Resource not found - nope") {
		t.Fatalf("rename missing: %+v %v", missing, err)
	}

	exp, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "new/name", Type: "upload",
		Tags: api.CldAPIArray{"a", "b"}, Context: api.CldAPIMap{"k": "v"}, Invalidate: api.Bool(true)})
	if err != nil || exp.Error.Message != "" || strings.Join(exp.Tags, ",") != "a,b" ||
		exp.Context["custom"].(map[string]any)["k"] != "v" || exp.Version != up.Version {
		t.Fatalf("explicit: %+v %v", exp, err)
	}

	d, err := o.Cld.Upload.Destroy(ctx, uploader.DestroyParams{PublicID: "new/name", Invalidate: api.Bool(true)})
	if err != nil || d.Result != "ok" {
		t.Fatalf("destroy: %+v %v", d, err)
	}
	d, err = o.Cld.Upload.Destroy(ctx, uploader.DestroyParams{PublicID: "new/name"})
	if err != nil || d.Result != "not found" {
		t.Fatalf("destroy again: %+v %v", d, err)
	}
	if n := countBlobs(t, o); n != 0 {
		t.Fatalf("%d blobs after destroy", n)
	}
	kinds := []origin.EventKind{}
	for _, e := range o.Events.all() {
		kinds = append(kinds, e.Kind)
	}
	want := []origin.EventKind{origin.EventCreated, origin.EventRenamed, origin.EventMetadataChanged, origin.EventDestroyed}
	if len(kinds) != len(want) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("events %v, want %v", kinds, want)
		}
	}
}

func TestGoSDKTagsAndContext(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		o.Cld.Upload.Upload(ctx, testkit.Path(t, "chelsea.png"), uploader.UploadParams{PublicID: id, Tags: api.CldAPIArray{"keep"}})
	}
	tags := func(id string) string {
		a, err := o.Store.Meta.Asset(ctx, meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: id})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(a.Tags, ",")
	}
	add, err := o.Cld.Upload.AddTag(ctx, uploader.AddTagParams{Tag: "cat", PublicIDs: []string{"a", "b", "missing"}})
	if err != nil || add.Error.Message != "" || strings.Join(add.PublicIDs, ",") != "a,b" || tags("a") != "keep,cat" {
		t.Fatalf("add tag: %+v %v %q", add, err, tags("a"))
	}
	rm, err := o.Cld.Upload.RemoveTag(ctx, uploader.RemoveTagParams{Tag: "keep", PublicIDs: []string{"a"}})
	if err != nil || rm.Error.Message != "" || tags("a") != "cat" {
		t.Fatalf("remove tag: %+v %v %q", rm, err, tags("a"))
	}
	rep, err := o.Cld.Upload.ReplaceTag(ctx, uploader.ReplaceTagParams{Tag: "dog", PublicIDs: []string{"a", "b"}})
	if err != nil || rep.Error.Message != "" || tags("a") != "dog" || tags("b") != "dog" {
		t.Fatalf("replace tag: %+v %v", rep, err)
	}
	all, err := o.Cld.Upload.RemoveAllTags(ctx, uploader.RemoveAllTagsParams{PublicIDs: []string{"b"}})
	if err != nil || all.Error.Message != "" || tags("b") != "" {
		t.Fatalf("remove all tags: %+v %v", all, err)
	}
	ac, err := o.Cld.Upload.AddContext(ctx, uploader.AddContextParams{Context: api.CldAPIMap{"alt": "hello world"}, PublicIDs: api.CldAPIArray{"a"}})
	if err != nil || ac.Error.Message != "" || strings.Join(ac.PublicIDs, ",") != "a" {
		t.Fatalf("add context: %+v %v", ac, err)
	}
	a, _ := o.Store.Meta.Asset(ctx, meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "a"})
	if a.Context["alt"] != "hello world" {
		t.Fatalf("context %v", a.Context)
	}
	rc, err := o.Cld.Upload.RemoveAllContext(ctx, uploader.RemoveAllContextParams{PublicIDs: api.CldAPIArray{"a"}})
	if err != nil || rc.Error.Message != "" {
		t.Fatalf("remove all context: %+v %v", rc, err)
	}
	a, _ = o.Store.Meta.Asset(ctx, meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "a"})
	if len(a.Context) != 0 {
		t.Fatalf("context after remove_all: %v", a.Context)
	}
}

func TestGoSDKRawAndVideo(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	raw, err := o.Cld.Upload.Upload(ctx, "../README.md", uploader.UploadParams{ResourceType: "raw"})
	if err != nil || raw.Error.Message != "" || raw.ResourceType != "raw" || !strings.HasSuffix(raw.PublicID, ".md") ||
		!strings.Contains(raw.URL, "/demo/raw/upload/v") || raw.Format != "" {
		t.Fatalf("raw: %+v %v", raw, err)
	}
	auto, err := o.Cld.Upload.Upload(ctx, "../go.mod", uploader.UploadParams{})
	if err != nil || auto.ResourceType != "raw" {
		t.Fatalf("auto-detected raw: %+v %v", auto, err)
	}
}
