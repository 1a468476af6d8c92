package origin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The Admin API's upload_presets through the Go SDK: create (with a name
// and without), list with a cursor, get, update, delete, and the errors.
func TestUploadPresetsSDK(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	adm := o.Cld.Admin

	cr, err := adm.CreateUploadPreset(ctx, admin.CreateUploadPresetParams{Name: "widget", Unsigned: api.Bool(true),
		DisallowPublicID: api.Bool(true), Live: api.Bool(true), UploadParams: uploader.UploadParams{Folder: "from_widget",
			Tags: api.CldAPIArray{"t1", "t2"}, AllowedFormats: api.CldAPIArray{"jpg", "png"},
			UniqueFilename: api.Bool(false)}})
	if msg := sdkFailure(err, cr); msg != "" || cr.Message != "created" || cr.Name != "widget" {
		t.Fatalf("create: %+v %s", cr, msg)
	}
	anon, err := adm.CreateUploadPreset(ctx, admin.CreateUploadPresetParams{UploadParams: uploader.UploadParams{Eager: "w_10"}})
	if msg := sdkFailure(err, anon); msg != "" || anon.Name == "" {
		t.Fatalf("create without a name: %+v %s", anon, msg)
	}
	again, err := adm.CreateUploadPreset(ctx, admin.CreateUploadPresetParams{Name: "widget"})
	if err != nil || !strings.Contains(again.Error.Message, "already exists") {
		t.Fatalf("create twice: %+v %v", again, err)
	}

	got, err := adm.GetUploadPreset(ctx, admin.GetUploadPresetParams{Name: "widget"})
	if msg := sdkFailure(err, got); msg != "" || got.Name != "widget" || !got.Unsigned {
		t.Fatalf("get: %+v %s", got, msg)
	}
	want := map[string]any{"folder": "from_widget", "tags": "t1,t2", "allowed_formats": "jpg,png",
		"unique_filename": false, "disallow_public_id": true, "live": true}
	settings, _ := got.Settings.(map[string]any)
	for k, v := range want {
		if settings[k] != v {
			t.Errorf("settings[%s] = %#v, want %#v (all: %v)", k, settings[k], v, settings)
		}
	}

	up, err := adm.UpdateUploadPreset(ctx, admin.UpdateUploadPresetParams{Name: "widget", Unsigned: api.Bool(false),
		Live: api.Bool(false), UploadParams: uploader.UploadParams{Tags: api.CldAPIArray{"t3"}}})
	if msg := sdkFailure(err, up); msg != "" || up.Message != "updated" {
		t.Fatalf("update: %+v %s", up, msg)
	}
	got, _ = adm.GetUploadPreset(ctx, admin.GetUploadPresetParams{Name: "widget"})
	settings, _ = got.Settings.(map[string]any)
	if got.Unsigned || settings["tags"] != "t3" || settings["folder"] != "from_widget" || settings["live"] != nil ||
		settings["disallow_public_id"] != true {
		t.Fatalf("after update: %+v", got)
	}

	for _, name := range []string{"c", "d", "e"} {
		if r, err := adm.CreateUploadPreset(ctx, admin.CreateUploadPresetParams{Name: name}); sdkFailure(err, r) != "" {
			t.Fatalf("create %s: %s", name, sdkFailure(err, r))
		}
	}
	all, err := adm.ListUploadPresets(ctx, admin.ListUploadPresetsParams{})
	if msg := sdkFailure(err, all); msg != "" || len(all.Presets) != 5 {
		t.Fatalf("list: %+v %s", all, msg)
	}
	// The SDK's result has no next_cursor: pages are read from the wire.
	var names []string
	cursor := ""
	for range 10 {
		page := adminGet(t, o, "upload_presets?max_results=2&next_cursor="+cursor)
		list, _ := page.body["presets"].([]any)
		if page.status != 200 || len(list) > 2 {
			t.Fatalf("list: %s", page.raw)
		}
		for _, p := range list {
			names = append(names, p.(map[string]any)["name"].(string))
		}
		if cursor, _ = page.body["next_cursor"].(string); cursor == "" {
			break
		}
	}
	if len(names) != 5 || !slices.IsSorted(names) || !slices.Contains(names, anon.Name) ||
		!slices.Contains(names, "widget") {
		t.Fatalf("listed %v", names)
	}

	del, err := adm.DeleteUploadPreset(ctx, admin.DeleteUploadPresetParams{Name: "c"})
	if msg := sdkFailure(err, del); msg != "" || del.Message != "deleted" {
		t.Fatalf("delete: %+v %s", del, msg)
	}
	gone, err := adm.GetUploadPreset(ctx, admin.GetUploadPresetParams{Name: "c"})
	if err != nil || gone.Error.Message != "Upload preset c not found" {
		t.Fatalf("get deleted: %+v %v", gone, err)
	}

	// A setting this server refuses is named; a bad value is refused.
	bad, err := adm.CreateUploadPreset(ctx, admin.CreateUploadPresetParams{Name: "n",
		UploadParams: uploader.UploadParams{QualityAnalysis: api.Bool(true)}})
	if err != nil || bad.Error.Message != "Parameter quality_analysis is not supported by this server" {
		t.Fatalf("refused setting: %+v %v", bad, err)
	}
	bad, err = adm.CreateUploadPreset(ctx, admin.CreateUploadPresetParams{Name: "n",
		UploadParams: uploader.UploadParams{Type: "nonsense"}})
	if err != nil || !strings.HasPrefix(bad.Error.Message, "Invalid type") {
		t.Fatalf("bad setting: %+v %v", bad, err)
	}
	if a := adminGet(t, o, "upload_presets/n"); a.status != http.StatusNotFound {
		t.Fatalf("a refused preset was stored: %s", a.raw)
	}
}

// unsignedPost uploads file with fields as a browser would: a multipart
// POST with no credentials at all.
func unsignedPost(t testing.TB, o *testOrigin, file []byte, fields ...string) (int, map[string]any, http.Header) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	fw, _ := mw.CreateFormFile("file", "photo.jpg")
	fw.Write(file)
	mw.Close()
	resp, err := http.Post(o.URL+"/v1_1/demo/image/upload", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("not JSON (%d): %v", resp.StatusCode, err)
	}
	return resp.StatusCode, out, resp.Header
}

func errMessage(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

// Uploads through presets: unsigned from plain HTTP and the Go SDK's
// UnsignedUpload, with the preset's settings applied and the caller's
// allowed ones on top; Cloudinary's refusals; a signed upload naming a
// signed preset, its explicit parameters winning.
func TestUnsignedUpload(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	adm := o.Cld.Admin
	for _, p := range []admin.CreateUploadPresetParams{
		{Name: "open", Unsigned: api.Bool(true), UploadParams: uploader.UploadParams{Folder: "web",
			Tags: api.CldAPIArray{"from_web"}, AllowedFormats: api.CldAPIArray{"png"}, Transformation: "w_40"}},
		{Name: "open_jpg", Unsigned: api.Bool(true), DisallowPublicID: api.Bool(true),
			UploadParams: uploader.UploadParams{Folder: "web", Context: api.CldAPIMap{"src": "widget"}}},
		{Name: "signed_only", UploadParams: uploader.UploadParams{Folder: "server", Tags: api.CldAPIArray{"srv"}}},
	} {
		if r, err := adm.CreateUploadPreset(ctx, p); sdkFailure(err, r) != "" {
			t.Fatalf("create %s: %s", p.Name, sdkFailure(err, r))
		}
	}
	jpg, png := testkit.Read(t, "rocket.jpg"), testkit.Read(t, "logo.png")

	// No credentials: the preset's folder, tags and incoming transformation.
	status, res, _ := unsignedPost(t, o, png, "upload_preset", "open", "public_id", "mine", "tags", "mine")
	if status != 200 || res["public_id"] != "web/mine" || res["width"] != float64(40) {
		t.Fatalf("unsigned upload: %d %v", status, res)
	}
	if tags, _ := res["tags"].([]any); len(tags) != 1 || tags[0] != "mine" {
		t.Fatalf("the caller's tags win: %v", res["tags"])
	}
	// The preset's allowed_formats hold.
	status, res, _ = unsignedPost(t, o, jpg, "upload_preset", "open")
	if status != 400 || !strings.Contains(errMessage(res), "format") {
		t.Fatalf("allowed_formats: %d %v", status, res)
	}
	// Unsigned uploads do not overwrite unless the preset says so.
	status, res, _ = unsignedPost(t, o, png, "upload_preset", "open", "public_id", "mine")
	if status != 200 || res["existing"] != true {
		t.Fatalf("unsigned overwrite: %d %v", status, res)
	}

	// Coordinates are the caller's to give.
	status, res, _ = unsignedPost(t, o, png, "upload_preset", "open", "face_coordinates", "1,2,3,4")
	if status != 200 {
		t.Fatalf("unsigned upload with face_coordinates: %d %v", status, res)
	}

	// The Go SDK's UnsignedUpload.
	sdk, err := o.Cld.Upload.UnsignedUpload(ctx, testkit.Path(t, "rocket.jpg"), "open_jpg",
		uploader.UploadParams{Tags: api.CldAPIArray{"sdk"}})
	if msg := sdkFailure(err, sdk); msg != "" || !strings.HasPrefix(sdk.PublicID, "web/") ||
		len(sdk.Tags) != 1 || sdk.Tags[0] != "sdk" {
		t.Fatalf("UnsignedUpload: %+v %s", sdk, msg)
	}
	if det := adminGet(t, o, "resources/image/upload/"+sdk.PublicID); !strings.Contains(det.raw, `"src":"widget"`) {
		t.Fatalf("the preset's context: %s", det.raw)
	}

	refusals := []struct {
		fields []string
		want   string
	}{
		{[]string{"upload_preset", "missing"}, "Upload preset not found"},
		{[]string{"upload_preset", "signed_only"}, "Upload preset must be whitelisted for unsigned uploads"},
		{[]string{"upload_preset", "open", "transformation", "w_10"},
			"Transformation parameter is not allowed when using unsigned upload. Only upload_preset,public_id,folder,asset_folder,tags,context,metadata,face_coordinates,custom_coordinates,filename_override,public_id_prefix upload parameters are allowed."},
		{[]string{"upload_preset", "open", "overwrite", "true"}, "Overwrite parameter is not allowed when using unsigned upload."},
		{[]string{"upload_preset", "open_jpg", "public_id", "x"}, "Public_id parameter is not allowed when using unsigned upload."},
		{[]string{"upload_preset", "open", "notification_url", "http://example.com"}, "Notification_url parameter is not allowed when using unsigned upload."},
		{[]string{"upload_preset", "open", "eager_async", "true"}, "Eager_async parameter is not allowed when using unsigned upload."},
		{[]string{"upload_preset", "open", "ocr", "adv_ocr"}, "Parameter ocr is not supported by this server"},
		{[]string{"public_id", "x"}, "Must supply api_key"},
	}
	for _, r := range refusals {
		status, res, _ := unsignedPost(t, o, jpg, r.fields...)
		if status/100 != 4 || !strings.HasPrefix(errMessage(res), r.want) {
			t.Errorf("%v: %d %q, want %q", r.fields, status, errMessage(res), r.want)
		}
	}

	// Signed uploads may name any preset; what they send wins.
	signed, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{
		UploadPreset: "signed_only", Tags: api.CldAPIArray{"mine"}, PublicID: "s1"})
	if msg := sdkFailure(err, signed); msg != "" || signed.PublicID != "server/s1" || len(signed.Tags) != 1 || signed.Tags[0] != "mine" {
		t.Fatalf("signed upload with a preset: %+v %s", signed, msg)
	}
	signed, err = o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{
		UploadPreset: "open", Folder: "mine", Transformation: "w_20", AllowedFormats: api.CldAPIArray{"jpg"}})
	if msg := sdkFailure(err, signed); msg != "" || !strings.HasPrefix(signed.PublicID, "mine/") || signed.Width != 20 {
		t.Fatalf("signed upload overriding a preset: %+v %s", signed, msg)
	}
	missing, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{UploadPreset: "missing"})
	if err != nil || missing.Error.Message != "Upload preset not found" {
		t.Fatalf("signed upload, missing preset: %+v %v", missing, err)
	}
}

// Explicit with upload_preset takes the preset's settings explicit acts
// on (tags, context, eager) under its own parameters, and leaves those
// that only name and store an upload's file (folder, use_filename).
func TestExplicitWithUploadPreset(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	if r, err := o.Cld.Admin.CreateUploadPreset(ctx, admin.CreateUploadPresetParams{Name: "retag",
		UploadParams: uploader.UploadParams{Folder: "elsewhere", UseFilename: api.Bool(true),
			Tags: api.CldAPIArray{"from_preset"}, Context: api.CldAPIMap{"by": "preset"}, Eager: "w_30"}}); sdkFailure(err, r) != "" {
		t.Fatalf("create: %s", sdkFailure(err, r))
	}
	up, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "ex"})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	ex, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "ex", Type: "upload", UploadPreset: "retag",
		Context: api.CldAPIMap{"by": "caller"}})
	if msg := sdkFailure(err, ex); msg != "" || ex.PublicID != "ex" {
		t.Fatalf("explicit with a preset: %+v %s", ex, msg)
	}
	if len(ex.Tags) != 1 || ex.Tags[0] != "from_preset" || len(ex.Eager) != 1 || ex.Eager[0].Width != 30 {
		t.Fatalf("the preset's tags and eager: %+v", ex)
	}
	det := adminGet(t, o, "resources/image/upload/ex?context=true")
	if !strings.Contains(det.raw, `"by":"caller"`) {
		t.Fatalf("the caller's context wins: %s", det.raw)
	}
	missing, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "ex", Type: "upload", UploadPreset: "missing"})
	if err != nil || missing.Error.Message != "Upload preset not found" {
		t.Fatalf("explicit, missing preset: %+v %v", missing, err)
	}
}
