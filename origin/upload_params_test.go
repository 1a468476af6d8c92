package origin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// rawResult is an SDK result's whole answer as JSON decoded it.
func rawResult(t testing.TB, res *uploader.UploadResult) map[string]any {
	t.Helper()
	m, ok := res.Response.(*map[string]any)
	if !ok || m == nil {
		t.Fatalf("no raw answer in %+v", res)
	}
	return *m
}

// An incoming transformation makes the stored original: a 2560-pixel
// photo uploaded with c_limit,w_500 is stored, reported and delivered
// 500 pixels wide.
func TestUploadIncomingTransformation(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "LadyBird.jpg"), uploader.UploadParams{PublicID: "limited",
		Transformation: "c_limit,w_500"})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	orig := testkit.Get(t, o.URL+"/demo/image/upload/limited.jpg")
	info := probe(t, orig.Body)
	if res.Width != 500 || res.Height != 313 || res.Format != "jpg" || info.Width != 500 || info.Height != 313 ||
		res.Bytes != len(orig.Body) || res.Etag != md5hex(orig.Body) || len(orig.Body) >= len(testkit.Read(t, "LadyBird.jpg")) {
		t.Fatalf("stored %+v, delivered %+v (%d bytes)", res, info, len(orig.Body))
	}
	a, err := o.Store.Meta.Asset(ctx, meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "limited"})
	if err != nil || a.Width != 500 || a.Bytes != int64(len(orig.Body)) {
		t.Fatalf("asset %+v %v", a, err)
	}
	// f_ in the transformation, or the format parameter, sets the stored
	// format; a named transformation expands as in URLs.
	res, err = o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "small",
		Transformation: "w_100,f_png"})
	if msg := sdkFailure(err, res); msg != "" || res.Format != "png" || res.Width != 100 {
		t.Fatalf("w_100,f_png: %s %+v", msg, res)
	}
	if info := probe(t, testkit.Get(t, o.URL+"/demo/image/upload/small.png").Body); info.Format != delivery.PNG || info.Width != 100 {
		t.Fatalf("stored w_100,f_png: %+v", info)
	}
	res, err = o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "webp",
		Transformation: "c_scale,w_64", Format: "webp"})
	if msg := sdkFailure(err, res); msg != "" || res.Format != "webp" || res.Width != 64 {
		t.Fatalf("with format: %s %+v", msg, res)
	}
	// format is applied after the transformation: it wins over its f_,
	// even when it is the file's own format.
	for _, format := range []string{"webp", "jpg"} {
		res, err = o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "last",
			Transformation: "w_100,f_png", Format: format})
		if msg := sdkFailure(err, res); msg != "" || res.Format != format || res.Width != 100 {
			t.Fatalf("w_100,f_png with format %s: %s %+v", format, msg, res)
		}
		if info := probe(t, testkit.Get(t, o.URL+"/demo/image/upload/last."+format).Body); info.Format.String() != format {
			t.Fatalf("w_100,f_png with format %s stored as %v", format, info.Format)
		}
	}
	for _, c := range []struct {
		params uploader.UploadParams
		file   string
		msg    string
	}{
		{uploader.UploadParams{PublicID: "bad", Transformation: "w_abc"}, "rocket.jpg", "Invalid transformation w_abc - Invalid width in transformation: abc"},
		{uploader.UploadParams{PublicID: "bad", Transformation: "t_nope"}, "rocket.jpg", "Unknown transformation nope"},
		{uploader.UploadParams{PublicID: "bad", Transformation: "w_10", ResourceType: "raw"}, "rocket.jpg", "Parameter transformation is not supported by this server for raw files"},
		{uploader.UploadParams{PublicID: "bad", Format: "png", ResourceType: "raw"}, "rocket.jpg", "Parameter format is not supported by this server for raw files"},
		{uploader.UploadParams{PublicID: "bad", Eager: "w_10", ResourceType: "raw"}, "rocket.jpg", "Parameter eager is not supported by this server for raw files"},
	} {
		res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, c.file), c.params)
		if err != nil || res.Error.Message != c.msg {
			t.Errorf("%+v: %+v %v", c.params, res, err)
		}
	}
	assertNothingStoredAs(t, o, "bad")
}

// assertNothingStoredAs checks that no asset of any resource type has id.
func assertNothingStoredAs(t *testing.T, o *testOrigin, id string) {
	t.Helper()
	for _, rt := range []delivery.ResourceType{delivery.Image, delivery.Video, delivery.Raw} {
		if _, err := o.Store.Meta.Asset(context.Background(), meta.Key{Cloud: "demo", ResourceType: rt, Type: delivery.Upload, PublicID: id}); err == nil {
			t.Errorf("%s/%s was stored", rt, id)
		}
	}
}

// format with allowed_formats converts only files whose format is not
// allowed; files already in an allowed format are stored as they are.
func TestUploadFormatWithAllowedFormats(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	jpg := testkit.Read(t, "rocket.jpg")
	conv, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "conv",
		AllowedFormats: api.CldAPIArray{"png", "webp"}, Format: "png"})
	if msg := sdkFailure(err, conv); msg != "" || conv.Format != "png" || conv.Width != 640 {
		t.Fatalf("not allowed, converted: %s %+v", msg, conv)
	}
	if info := probe(t, testkit.Get(t, o.URL+"/demo/image/upload/conv.png").Body); info.Format != delivery.PNG {
		t.Fatalf("stored as %v", info.Format)
	}
	kept, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "kept",
		AllowedFormats: api.CldAPIArray{"jpg", "png"}, Format: "webp"})
	if msg := sdkFailure(err, kept); msg != "" || kept.Format != "jpg" || kept.Etag != md5hex(jpg) {
		t.Fatalf("allowed, kept: %s %+v", msg, kept)
	}
	refused, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "refused",
		AllowedFormats: api.CldAPIArray{"png"}})
	if err != nil || refused.Error.Message != "Image format jpg not allowed - allowed formats are png" {
		t.Fatalf("not allowed, no format: %+v %v", refused, err)
	}
	// Without allowed_formats, format always converts.
	always, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "always", Format: "png"})
	if msg := sdkFailure(err, always); msg != "" || always.Format != "png" {
		t.Fatalf("format alone: %s %+v", msg, always)
	}
	// A file already in the format asked for, whatever its spelling, is
	// stored as it is, with or without allowed_formats.
	for _, format := range []string{"jpg", "jpeg", "JPG", "JPEG"} {
		for _, allowed := range []api.CldAPIArray{nil, {"JPEG"}, {"png"}} {
			res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "same",
				Format: format, AllowedFormats: allowed})
			if msg := sdkFailure(err, res); msg != "" || res.Format != "jpg" || res.Etag != md5hex(jpg) {
				t.Errorf("format %s, allowed %v: %s %+v", format, allowed, msg, res)
			}
		}
	}
}

// filename_override names the file; use_filename, discard_original_filename,
// use_filename_as_display_name and use_asset_folder_as_public_id_prefix act
// as Cloudinary's do.
func TestUploadNamingParams(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	up := func(p uploader.UploadParams) *uploader.UploadResult {
		t.Helper()
		res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "coffee.png"), p)
		if msg := sdkFailure(err, res); msg != "" {
			t.Fatalf("%+v: %s", p, msg)
		}
		return res
	}
	if r := up(uploader.UploadParams{FilenameOverride: "holiday snap.png", UseFilename: api.Bool(true),
		UniqueFilename: api.Bool(false)}); r.PublicID != "holiday_snap" || r.OriginalFilename != "holiday_snap" {
		t.Errorf("filename_override with use_filename: %q %q", r.PublicID, r.OriginalFilename)
	}
	if r := up(uploader.UploadParams{FilenameOverride: "beach.png"}); r.OriginalFilename != "beach" || len(r.PublicID) != 20 {
		t.Errorf("filename_override: %q %q", r.PublicID, r.OriginalFilename)
	}
	if r := up(uploader.UploadParams{PublicID: "nameless", DiscardOriginalFilename: api.Bool(true)}); r.OriginalFilename != "" ||
		rawResult(t, r)["original_filename"] != nil {
		t.Errorf("discard_original_filename: %q", r.OriginalFilename)
	}
	if r := up(uploader.UploadParams{PublicID: "shown", UseFilenameAsDisplayName: api.Bool(true)}); r.DisplayName != "coffee" {
		t.Errorf("use_filename_as_display_name: %q", r.DisplayName)
	}
	if r := up(uploader.UploadParams{PublicID: "cup", AssetFolder: "shop/cups",
		UseAssetFolderAsPublicIDPrefix: api.Bool(true)}); r.PublicID != "shop/cups/cup" || r.AssetFolder != "shop/cups" {
		t.Errorf("use_asset_folder_as_public_id_prefix: %q %q", r.PublicID, r.AssetFolder)
	}
	if r := up(uploader.UploadParams{PublicID: "plain", AssetFolder: "shop/cups"}); r.PublicID != "plain" || r.AssetFolder != "shop/cups" {
		t.Errorf("asset_folder alone: %q %q", r.PublicID, r.AssetFolder)
	}
	// explicit renames for display and moves between asset folders.
	exp, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "plain", Type: "upload",
		DisplayName: "Plain cup", AssetFolder: "shop/mugs"})
	if err != nil || exp.Error.Message != "" || exp.DisplayName != "Plain cup" || exp.AssetFolder != "shop/mugs" {
		t.Fatalf("explicit display_name, asset_folder: %+v %v", exp, err)
	}
	if d := adminGet(t, o, "resources/image/upload/plain"); d.body["display_name"] != "Plain cup" || d.body["asset_folder"] != "shop/mugs" {
		t.Errorf("details after explicit: %s", d.raw)
	}
}

// An asset_folder no folder path could be is refused by upload and
// explicit as folder is, and makes no folder.
func TestUploadAssetFolderChecked(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	for _, bad := range []string{"shop/../cups", "shop//cups", "v12/cups", "shop/cu?ps", strings.Repeat("x", 256)} {
		res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "coffee.png"), uploader.UploadParams{PublicID: "cup",
			AssetFolder: bad})
		if want := "server answered: Invalid folder - " + delivery.Echo(bad, delivery.EchoLimit); sdkFailure(err, res) != want {
			t.Errorf("upload, asset_folder %q: %q, want %q", bad, sdkFailure(err, res), want)
		}
	}
	if res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "coffee.png"), uploader.UploadParams{PublicID: "cup",
		AssetFolder: "/shop/cups/"}); sdkFailure(err, res) != "" || res.AssetFolder != "shop/cups" {
		t.Fatalf("upload, asset_folder /shop/cups/: %s %+v", sdkFailure(err, res), res)
	}
	exp, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "cup", Type: "upload",
		AssetFolder: "shop/../mugs"})
	if sdkFailure(err, exp) != "server answered: Invalid folder - shop/../mugs" {
		t.Errorf("explicit, asset_folder shop/../mugs: %q", sdkFailure(err, exp))
	}
	if d := adminGet(t, o, "folders/shop"); d.status != 200 || d.body["total_count"] != 1.0 {
		t.Errorf("folders under shop: %d %s, want cups alone", d.status, d.raw)
	}
	if d := adminGet(t, o, "folders"); d.status != 200 || d.body["total_count"] != 1.0 {
		t.Errorf("root folders: %d %s, want shop alone", d.status, d.raw)
	}
}

// colors, phash, image_metadata (and media_metadata) and exif on upload and
// explicit answer what the Admin API's details answer for the same asset.
func TestUploadAnalysisParams(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "Storm.jpg"), uploader.UploadParams{PublicID: "storm",
		Colors: api.Bool(true), Phash: api.Bool(true), MediaMetadata: api.Bool(true), Exif: api.Bool(true)})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	up := rawResult(t, res)
	details := adminGet(t, o, "resources/image/upload/storm?colors=true&phash=true&image_metadata=true&exif=true")
	for _, k := range []string{"colors", "predominant", "grayscale", "semi_transparent", "phash", "image_metadata", "exif"} {
		if up[k] == nil || !reflect.DeepEqual(up[k], details.body[k]) {
			t.Errorf("upload's %s %v, details' %v", k, up[k], details.body[k])
		}
	}
	if len(res.Phash) != 16 || up["image_metadata"].(map[string]any)["Make"] != "Canon" {
		t.Errorf("phash %q, image_metadata %v", res.Phash, up["image_metadata"])
	}
	if n := o.Server.Analyses(); n != 1 {
		t.Errorf("%d analyses, want one, stored with the version", n)
	}
	plain := rawResult(t, uploadAs(t, o, "rocket.jpg", "plain"))
	for _, k := range []string{"colors", "phash", "image_metadata", "exif", "predominant"} {
		if plain[k] != nil {
			t.Errorf("%s without asking", k)
		}
	}
	exp, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "plain", Type: "upload",
		Colors: api.Bool(true), ImageMetadata: api.Bool(true)})
	if err != nil || exp.Error.Message != "" {
		t.Fatalf("explicit: %+v %v", exp, err)
	}
	ex := *exp.Response.(*map[string]any)
	pd := adminGet(t, o, "resources/image/upload/plain?colors=true&image_metadata=true")
	if ex["colors"] == nil || !reflect.DeepEqual(ex["colors"], pd.body["colors"]) || ex["image_metadata"] == nil || ex["phash"] != nil {
		t.Errorf("explicit colors %v image_metadata %v phash %v", ex["colors"], ex["image_metadata"], ex["phash"])
	}
}

// backup=true keeps a version as a backup on a cloud that does not back
// up; backup=false keeps none on a cloud that does.
func TestUploadBackupParam(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		cloudBackup, param bool
	}{{false, true}, {true, false}} {
		o := startOriginWith(t, nil, nil, config.Cloud{APIKey: apiKey, APISecret: apiSecret, Backup: c.cloudBackup})
		v1, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "pic",
			Backup: api.Bool(c.param)})
		if msg := sdkFailure(err, v1); msg != "" {
			t.Fatal(msg)
		}
		// The details say whether this version will be kept (its own
		// setting, not the cloud's).
		if got, _ := adminGet(t, o, "resources/image/upload/pic").body["backup"].(bool); got != c.param {
			t.Errorf("details backup %v, want %v (cloud %v)", got, c.param, c.cloudBackup)
		}
		uploadAs(t, o, "chelsea.png", "pic") // v1 stops being current
		versions, _ := adminGet(t, o, "resources/image/upload/pic?versions=true").body["versions"].([]any)
		restored, err := o.Cld.Admin.RestoreAssets(ctx, admin.RestoreAssetsParams{AssetType: api.Image,
			DeliveryType: api.Upload, PublicIDs: api.CldAPIArray{"pic"}, Versions: api.CldAPIArray{v1.VersionID}})
		if err != nil {
			t.Fatal(err)
		}
		got := (*restored)["pic"]
		if c.param {
			if len(versions) != 2 || got.Format != "jpg" || got.Width != 640 {
				t.Errorf("backup=true on a cloud without backup: versions %v, restore %+v", versions, got)
			}
			if r := testkit.Get(t, o.URL+"/demo/image/upload/pic"); !bytes.Equal(r.Body, testkit.Read(t, "rocket.jpg")) {
				t.Error("restored content differs")
			}
		} else if len(versions) != 1 || got.Error == "" {
			t.Errorf("backup=false on a cloud with backup: versions %v, restore %+v", versions, got)
		}
	}
}

// moderation=manual on upload and on explicit puts the asset in the manual
// queue, pending, and the answer says so.
func TestUploadAndExplicitModeration(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "chelsea.png"), uploader.UploadParams{PublicID: "moderated",
		Moderation: "manual"})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	if len(res.Moderation) != 1 || res.Moderation[0].Kind != "manual" || res.Moderation[0].Status != "pending" {
		t.Fatalf("upload moderation %+v", res.Moderation)
	}
	if raw, _ := json.Marshal(rawResult(t, res)["moderation"]); string(raw) != `[{"kind":"manual","status":"pending"}]` {
		t.Fatalf("upload moderation on the wire: %s", raw)
	}
	uploadAs(t, o, "rocket.jpg", "later")
	exp, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "later", Type: "upload", Moderation: "manual"})
	if err != nil || exp.Error.Message != "" || len(exp.Moderation) != 1 || exp.Moderation[0].Status != "pending" {
		t.Fatalf("explicit moderation: %+v %v", exp, err)
	}
	q := adminGet(t, o, "resources/image/moderations/manual/pending")
	if q.status != 200 || !strings.Contains(q.raw, `"public_id":"moderated"`) || !strings.Contains(q.raw, `"public_id":"later"`) {
		t.Fatalf("moderation queue: %d %s", q.status, q.raw)
	}
	if plain := rawResult(t, uploadAs(t, o, "rocket.jpg", "plain")); plain["moderation"] != nil {
		t.Errorf("moderation without asking: %v", plain["moderation"])
	}
}

// An empty file answers Empty file, however it is sent, and the Go SDK
// reads it as res.Error.Message.
func TestUploadEmptyFile(t *testing.T) {
	o := startOrigin(t, nil)
	ct, body := form(t, [][2]string{{"public_id", "empty"}}, "empty.png", []byte{})
	if status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true); status != 400 || errorMessage(t, resp) != "Empty file" {
		t.Errorf("multipart: %d %s", status, resp)
	}
	for _, file := range []string{"data:image/png;base64,", "data:,", "data:text/plain;base64,===="} {
		body := url.Values{"file": {file}, "public_id": {"empty"}}.Encode()
		status, resp := post(t, o.URL+"/v1_1/demo/auto/upload", "application/x-www-form-urlencoded", strings.NewReader(body), true)
		if status != 400 || errorMessage(t, resp) != "Empty file" {
			t.Errorf("%s: %d %s", file, status, resp)
		}
	}
	ctx := context.Background()
	res, err := o.Cld.Upload.Upload(ctx, "data:image/png;base64,", uploader.UploadParams{PublicID: "empty"})
	if err != nil || res.Error.Message != "Empty file" {
		t.Errorf("Go SDK, data URI: %+v %v", res, err)
	}
	res, err = o.Cld.Upload.Upload(ctx, writeTemp(t, "empty.jpg", nil), uploader.UploadParams{PublicID: "empty"})
	if err != nil || res.Error.Message != "Empty file" {
		t.Errorf("Go SDK, empty file: %+v %v", res, err)
	}
	assertNothingStored(t, o, "empty")
}

// set_exclusive gives the tag to the assets named and takes it from every
// other asset of the resource type, whatever its delivery type.
func TestTagsSetExclusive(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		uploadAs(t, o, "chelsea.png", id)
	}
	uploadAs(t, o, "chelsea.png", "p", "type", "private")
	if _, err := o.Cld.Upload.AddTag(ctx, uploader.AddTagParams{Tag: "hero,keep", PublicIDs: []string{"a", "b"}}); err != nil {
		t.Fatal(err)
	}
	o.Cld.Upload.AddTag(ctx, uploader.AddTagParams{Tag: "hero", PublicIDs: []string{"p"}, Type: "private"})
	raw := func(id string) {
		t.Helper()
		ct, body := form(t, [][2]string{{"command", "set_exclusive"}, {"tag", "hero"}, {"public_ids", id}}, "", nil)
		status, resp := post(t, o.URL+"/v1_1/demo/image/tags", ct, body, true)
		if status != 200 || resp != `{"public_ids":["`+id+`"]}` {
			t.Fatalf("set_exclusive: %d %s", status, resp)
		}
	}
	raw("c")
	tags := func(id string, typ delivery.DeliveryType) string {
		a, err := o.Store.Meta.Asset(ctx, meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: typ, PublicID: id})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(a.Tags, ",")
	}
	if tags("a", delivery.Upload) != "keep" || tags("b", delivery.Upload) != "keep" || tags("c", delivery.Upload) != "hero" || tags("p", delivery.Private) != "" {
		t.Fatalf("after set_exclusive: a=%q b=%q c=%q p=%q", tags("a", delivery.Upload), tags("b", delivery.Upload), tags("c", delivery.Upload), tags("p", delivery.Private))
	}
	listed := adminGet(t, o, "resources/image/tags/hero")
	if n := len(listed.body["resources"].([]any)); n != 1 {
		t.Fatalf("assets tagged hero: %s", listed.raw)
	}
	ct, body := form(t, [][2]string{{"command", "set_exclusive"}, {"public_ids", "c"}}, "", nil)
	if status, resp := post(t, o.URL+"/v1_1/demo/image/tags", ct, body, true); status != 400 || errorMessage(t, resp) != "Missing required parameter - tag" {
		t.Fatalf("without a tag: %d %s", status, resp)
	}
}

// set_exclusive is all or nothing: when one of the assets named cannot
// take the tag (it has 1,000 already), no asset gains it and none loses
// it, and no event is emitted.
func TestTagsSetExclusiveAllOrNothing(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	for _, id := range []string{"a", "full", "other"} {
		uploadAs(t, o, "chelsea.png", id)
	}
	full := make([]string, 1000)
	for i := range full {
		full[i] = "t" + strconv.Itoa(i)
	}
	key := func(id string) meta.Key {
		return meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: id}
	}
	if _, err := o.Store.Meta.Update(ctx, key("full"), func(a *meta.Asset) error { a.Tags = full; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Cld.Upload.AddTag(ctx, uploader.AddTagParams{Tag: "hero", PublicIDs: []string{"other"}}); err != nil {
		t.Fatal(err)
	}
	events := len(o.Events.all())
	ct, body := form(t, [][2]string{{"command", "set_exclusive"}, {"tag", "hero"}, {"public_ids", "a,full"}}, "", nil)
	if status, resp := post(t, o.URL+"/v1_1/demo/image/tags", ct, body, true); status != 400 ||
		errorMessage(t, resp) != "Too many tags - an asset can have at most 1000 tags" {
		t.Fatalf("set_exclusive past an asset's tag limit: %d %s", status, resp)
	}
	for id, want := range map[string]int{"a": 0, "full": 1000, "other": 1} {
		a, err := o.Store.Meta.Asset(ctx, key(id))
		if err != nil || len(a.Tags) != want || (id == "other" && a.Tags[0] != "hero") {
			t.Errorf("%s after a refused set_exclusive: %v %v", id, a.Tags, err)
		}
	}
	if n := len(o.Events.all()); n != events {
		t.Errorf("%d events for a refused set_exclusive", n-events)
	}
}

// A tags call's operations (public IDs times tags) are counted on the IDs
// it changes, whichever parameter names them.
func TestTagOperationsLimit(t *testing.T) {
	o := startOrigin(t, nil)
	tags := make([]string, 600)
	for i := range tags {
		tags[i] = "t" + strconv.Itoa(i)
	}
	for _, cmd := range []string{"add", "set_exclusive"} {
		for _, param := range []string{"public_ids", "public_id"} {
			ct, body := form(t, [][2]string{{"command", cmd}, {"tag", strings.Join(tags, ",")}, {param, "a,b"}}, "", nil)
			if status, resp := post(t, o.URL+"/v1_1/demo/image/tags", ct, body, true); status != 400 ||
				errorMessage(t, resp) != "Too many tag operations - public_ids times tags is 1200, at most 1000" {
				t.Errorf("%s with %s: %d %s", cmd, param, status, resp)
			}
		}
	}
}

// fl_attachment without a name names the download after the uploaded
// file, as Cloudinary does; with discard_original_filename, after the
// public ID's last segment.
func TestAttachmentNameIsTheOriginalFilename(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	for _, c := range []struct {
		params uploader.UploadParams
		want   string
	}{
		{uploader.UploadParams{PublicID: "folder/kept"}, `attachment; filename="rocket.png"`},
		{uploader.UploadParams{PublicID: "folder/override", FilenameOverride: "launch.jpg"}, `attachment; filename="launch.png"`},
		{uploader.UploadParams{PublicID: "folder/discarded", DiscardOriginalFilename: api.Bool(true)},
			`attachment; filename="discarded.png"`},
	} {
		res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), c.params)
		if msg := sdkFailure(err, res); msg != "" {
			t.Fatal(msg)
		}
		r := testkit.Get(t, o.URL+"/demo/image/upload/fl_attachment,w_40/"+c.params.PublicID+".png")
		if got := r.Header.Get("Content-Disposition"); r.Status != 200 || got != c.want {
			t.Errorf("%s: %d %q, want %q", c.params.PublicID, r.Status, got, c.want)
		}
	}
}
