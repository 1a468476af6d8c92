package origin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"

	"github.com/mediacdn/mediacdn/delivery"
)

// paramNames are the parameters a Go SDK params struct sends: its fields'
// json, form or url names, each once ("-" fields are not parameters: the
// SDK puts them in the path). The Upload and Admin API tests both use it.
func paramNames(v any) []string {
	var out []string
	t := reflect.TypeOf(v)
	for i := 0; i < t.NumField(); i++ {
		for _, tag := range []string{"json", "form", "url"} {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get(tag), ",")
			if name != "" && name != "-" && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// Parameters named outside the Go SDK's structs: the upload parameters of
// cloudinary-compat.md §3 (Cloudinary's Upload API reference), those the
// Node SDK sends that the Go SDK has no field for, and the text method's
// in the Ruby and Node SDKs.
var (
	compatUploadParams = []string{"public_id", "folder", "public_id_prefix", "asset_folder", "display_name",
		"use_filename", "unique_filename", "overwrite", "type", "tags", "context", "metadata", "eager",
		"eager_async", "transformation", "format", "allowed_formats", "invalidate", "return_delete_token",
		"notification_url", "backup", "faces", "colors", "media_metadata"}
	nodeUploadParams = []string{"access_mode", "clear_invalid", "quality_override", "similarity_search", "regions"}
	nodeTextParams   = []string{"line_spacing", "font_hinting", "font_antialiasing"}
	// nodeMultiParams are what the Node SDK's multi and generate_sprite
	// send besides the Go SDK's (and mode on their download URLs).
	nodeMultiParams = []string{"urls", "mode"}
	// sdkOnly are what the SDKs send that is no Cloudinary parameter: the
	// server ignores them, as Cloudinary does.
	sdkOnly = []string{"unsigned"}
)

// uploadMethod is one Upload API method and every parameter the official
// SDKs send for it.
type uploadMethod struct {
	action, path string
	params       []string
}

func uploadMethods() []uploadMethod {
	upload := append(paramNames(uploader.UploadParams{}), "file")
	upload = append(append(upload, compatUploadParams...), nodeUploadParams...)
	var tags, ctx []string
	for _, v := range []any{uploader.AddTagParams{}, uploader.RemoveTagParams{}, uploader.ReplaceTagParams{},
		uploader.RemoveAllTagsParams{}} {
		tags = append(tags, paramNames(v)...)
	}
	for _, v := range []any{uploader.AddContextParams{}, uploader.RemoveAllContextParams{}} {
		ctx = append(ctx, paramNames(v)...)
	}
	return []uploadMethod{
		{"upload", "/image/upload", upload},
		{"explicit", "/image/explicit", append(paramNames(uploader.ExplicitParams{}), nodeUploadParams...)},
		{"rename", "/image/rename", paramNames(uploader.RenameParams{})},
		{"destroy", "/image/destroy", paramNames(uploader.DestroyParams{})},
		{"tags", "/image/tags", append(tags, "command")},
		{"context", "/image/context", append(ctx, "command")},
		{"text", "/image/text", append(paramNames(uploader.TextParams{}), nodeTextParams...)},
		{"delete_by_token", "/delete_by_token", []string{"token"}},
		{"generate_archive", "/image/generate_archive", paramNames(uploader.CreateArchiveParams{})},
		{"explode", "/image/explode", paramNames(uploader.ExplodeParams{})},
		// The Node SDK's update_metadata sends clear_invalid too.
		{"metadata", "/image/metadata", append(paramNames(uploader.UpdateMetadataParams{}), "clear_invalid")},
		{"multi", "/image/multi", append(paramNames(uploader.MultiParams{}), nodeMultiParams...)},
		{"sprite", "/image/sprite", append(paramNames(uploader.GenerateSpriteParams{}), nodeMultiParams...)},
	}
}

// Every parameter the official SDKs send for an Upload API method is
// either implemented or refused by name, never both; what is not
// Cloudinary's is in neither.
func TestUploadParamPolicyCoversTheSDKs(t *testing.T) {
	for _, m := range uploadMethods() {
		impl, refused, ok := origin.UploadMethodParams(m.action)
		if !ok {
			t.Fatalf("%s: no parameter policy", m.action)
		}
		for _, p := range m.params {
			in, out := slices.Contains(impl, p), slices.Contains(refused, p)
			switch {
			case slices.Contains(sdkOnly, p):
				if in || out {
					t.Errorf("%s: %s is no Cloudinary parameter, yet listed", m.action, p)
				}
			case in && out:
				t.Errorf("%s: %s is both implemented and refused", m.action, p)
			case !in && !out:
				t.Errorf("%s: %s is neither implemented nor refused", m.action, p)
			}
		}
		for _, p := range refused {
			if slices.Contains(impl, p) {
				t.Errorf("%s: %s is both implemented and refused", m.action, p)
			}
		}
	}
	if _, _, ok := origin.UploadMethodParams("create_slideshow"); ok {
		t.Error("a policy for a method the server does not route")
	}
}

func refusal(p string) string { return "Parameter " + p + " is not supported by this server" }

// Each refused parameter answers 400 naming it, on every method; each
// implemented one is not refused (it may fail otherwise: the value sent,
// "1", does not suit every parameter).
func TestUploadParamPolicyOnTheWire(t *testing.T) {
	o := startOrigin(t, nil)
	png := testkit.Read(t, "chelsea.png")
	uploadAs(t, o, "rocket.jpg", "target")
	base := map[string][][2]string{
		"upload":           {{"public_id", "new"}},
		"explicit":         {{"public_id", "target"}},
		"rename":           {{"from_public_id", "target"}, {"to_public_id", "target"}},
		"destroy":          {{"public_id", "missing"}},
		"tags":             {{"command", "add"}, {"tag", "t"}, {"public_ids", "target"}},
		"context":          {{"command", "add"}, {"context", "k=v"}, {"public_ids", "target"}},
		"text":             {{"text", "hello"}, {"public_id", "text"}},
		"generate_archive": {{"public_ids", "target"}, {"mode", "download"}},
		"explode":          {{"public_id", "target"}, {"transformation", "pg_all"}},
		"metadata":         {{"public_ids", "target"}},
		"multi":            {{"tag", "none"}},
		"sprite":           {{"tag", "none"}},
	}
	send := func(m uploadMethod, param string) (int, string) {
		fields := append(slices.Clone(base[m.action]), [2]string{param, "1"})
		var file []byte
		if m.action == "upload" {
			file = png
		}
		ct, body := form(t, fields, "c.png", file)
		return post(t, o.URL+"/v1_1/demo"+m.path, ct, body, true)
	}
	for _, m := range uploadMethods() {
		impl, refused, _ := origin.UploadMethodParams(m.action)
		for _, p := range refused {
			status, resp := send(m, p)
			if status != 400 || errorMessage(t, resp) != refusal(p) {
				t.Errorf("%s with %s: %d %s", m.action, p, status, resp)
			}
		}
		for _, p := range impl {
			if status, resp := send(m, p); status == 400 && strings.HasPrefix(errorMessage(t, resp), "Parameter "+p+" is not") {
				t.Errorf("%s: implemented %s refused: %s", m.action, p, resp)
			}
		}
	}
}

// A refused request stores, changes and fetches nothing.
func TestUploadParamRefusedChangesNothing(t *testing.T) {
	var fetches atomic.Int64
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Write(testkit.Read(t, "chelsea.png"))
	}))
	defer remote.Close()
	o := startOrigin(t, func(cfg *origin.Config) { cfg.Fetch.AllowNetworks = []string{"127.0.0.0/8"} })
	ctx := context.Background()
	up := uploadAs(t, o, "rocket.jpg", "target")
	o.Cld.Upload.AddTag(ctx, uploader.AddTagParams{Tag: "orig", PublicIDs: []string{"target"}})
	target := meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "target"}
	before, err := o.Store.Meta.Asset(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	events := len(o.Events.all())
	for _, c := range []struct {
		path   string
		fields [][2]string
		param  string
	}{
		{"/image/upload", [][2]string{{"public_id", "new"}, {"file", remote.URL + "/c.png"}}, "on_success"},
		{"/image/upload", [][2]string{{"public_id", "target"}, {"file", remote.URL + "/c.png"}}, "eval"},
		{"/image/explicit", [][2]string{{"public_id", "target"}, {"tags", "changed"}, {"moderation", "manual"}}, "async"},
		{"/image/explicit", [][2]string{{"public_id", "target"}, {"context", "k=v"}}, "transformation"},
		{"/image/destroy", [][2]string{{"public_id", "target"}}, "callback"},
		{"/image/text", [][2]string{{"text", "hello"}, {"public_id", "new"}}, "text_align"},
	} {
		body := url.Values{}
		for _, f := range append(c.fields, [2]string{c.param, "x"}) {
			body.Set(f[0], f[1])
		}
		status, resp := post(t, o.URL+"/v1_1/demo"+c.path, "application/x-www-form-urlencoded", strings.NewReader(body.Encode()), true)
		if status != 400 || errorMessage(t, resp) != refusal(c.param) {
			t.Errorf("%s with %s: %d %s", c.path, c.param, status, resp)
		}
	}
	if n := fetches.Load(); n != 0 {
		t.Errorf("refused uploads fetched their URL %d times", n)
	}
	after, err := o.Store.Meta.Asset(ctx, target)
	if err != nil {
		t.Fatalf("target gone after refused calls: %v", err)
	}
	if after.Version != before.Version || strings.Join(after.Tags, ",") != "orig" ||
		len(after.Context) != 0 || after.ModerationKind != "" || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("target changed by refused calls: %+v", after)
	}
	if _, err := o.Store.Meta.Asset(ctx, meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "new"}); err == nil {
		t.Error("a refused upload stored its asset")
	}
	if n := countBlobs(t, o); n != 1 {
		t.Errorf("%d blobs after refused calls, want the target's only", n)
	}
	if n := len(o.Events.all()); n != events {
		t.Errorf("refused calls emitted %d events", n-events)
	}
	// The same calls without the refused parameter work (the test's
	// requests were otherwise good).
	body := url.Values{"public_id": {"new"}, "file": {remote.URL + "/c.png"}}
	if status, resp := post(t, o.URL+"/v1_1/demo/image/upload", "application/x-www-form-urlencoded", strings.NewReader(body.Encode()), true); status != 200 || fetches.Load() != 1 {
		t.Fatalf("upload from URL: %d %s", status, resp)
	}
	if after.Version != int64(up.Version) {
		t.Errorf("target version %d, uploaded %d", after.Version, up.Version)
	}
}

// A refusal reaches the Go SDK as res.Error.Message, on upload and on the
// other methods.
func TestUploadParamRefusedThroughGoSDK(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "chelsea.png"), uploader.UploadParams{PublicID: "n",
		Callback: "https://example.com/cors.html"})
	if err != nil || res.Error.Message != refusal("callback") {
		t.Fatalf("upload with callback: %+v %v", res, err)
	}
	uploadAs(t, o, "rocket.jpg", "pic")
	exp, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "pic", Type: "upload",
		Eager: "w_10", Async: api.Bool(true)})
	if err != nil || exp.Error.Message != refusal("async") {
		t.Fatalf("explicit with async: %+v %v", exp, err)
	}
	res, err = o.Cld.Upload.Upload(ctx, testkit.Path(t, "chelsea.png"), uploader.UploadParams{PublicID: "n",
		QualityAnalysis: api.Bool(true)})
	if err != nil || res.Error.Message != refusal("quality_analysis") {
		t.Fatalf("upload with quality_analysis: %+v %v", res, err)
	}
	res, err = o.Cld.Upload.Upload(ctx, testkit.Path(t, "chelsea.png"), uploader.UploadParams{PublicID: "n",
		OCR: "adv_ocr"})
	if err != nil || res.Error.Message != refusal("ocr") {
		t.Fatalf("upload with ocr: %+v %v", res, err)
	}
	// What is not a Cloudinary parameter is ignored, as Cloudinary does:
	// the Go SDK's unsigned flag is one.
	res, err = o.Cld.Upload.Upload(ctx, testkit.Path(t, "chelsea.png"), uploader.UploadParams{PublicID: "n",
		Unsigned: api.Bool(false)})
	if msg := sdkFailure(err, res); msg != "" || res.PublicID != "n" {
		t.Fatalf("upload with unsigned=false: %s %+v", msg, res)
	}
}
