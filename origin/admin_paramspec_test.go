package origin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/admin/search"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
)

// sdkMethod is an Admin API method of the Go SDK: its params struct, and
// the HTTP method and path (after /v1_1/<cloud>/) it calls with it.
type sdkMethod struct {
	params any
	method string
	path   string
}

// adminSDKMethods are the Go SDK's Admin API methods this server serves
// ($ID is an asset's public ID, $ASSET its asset ID).
var adminSDKMethods = []sdkMethod{
	{admin.AssetsParams{}, http.MethodGet, "resources/image/upload"},
	{admin.AssetsByIDsParams{}, http.MethodGet, "resources/image/upload"},
	{admin.AssetsByTagParams{}, http.MethodGet, "resources/image/tags/t"},
	{admin.AssetsByContextParams{}, http.MethodGet, "resources/image/context"},
	{admin.AssetsByModerationParams{}, http.MethodGet, "resources/image/moderations/manual/pending"},
	{admin.AssetsByAssetFolderParams{}, http.MethodGet, "resources/by_asset_folder"},
	{admin.AssetParams{}, http.MethodGet, "resources/image/upload/$ID"},
	{admin.AssetByAssetIDParams{}, http.MethodGet, "resources/$ASSET"},
	{admin.UpdateAssetParams{}, http.MethodPost, "resources/image/upload/$ID"},
	{admin.RestoreAssetsParams{}, http.MethodPost, "resources/image/upload/restore"},
	{admin.DeleteAssetsParams{}, http.MethodDelete, "resources/image/upload"},
	{admin.DeleteAssetsByPrefixParams{}, http.MethodDelete, "resources/image/upload"},
	{admin.DeleteAllAssetsParams{}, http.MethodDelete, "resources/image/upload"},
	{admin.DeleteDerivedAssetsByTransformationParams{}, http.MethodDelete, "resources/image/upload"},
	{admin.DeleteAssetsByTagParams{}, http.MethodDelete, "resources/image/tags/t"},
	{admin.DeleteDerivedAssetsParams{}, http.MethodDelete, "derived_resources"},
	{admin.AddRelatedAssetsParams{}, http.MethodPost, "resources/related_assets/image/upload/$ID"},
	{admin.AddRelatedAssetsByAssetIDsParams{}, http.MethodPost, "resources/related_assets/$ASSET"},
	{admin.DeleteRelatedAssetsParams{}, http.MethodDelete, "resources/related_assets/image/upload/$ID"},
	{admin.DeleteRelatedAssetsByAssetIDsParams{}, http.MethodDelete, "resources/related_assets/$ASSET"},
	{admin.TagsParams{}, http.MethodGet, "tags/image"},
	{admin.UsageParams{}, http.MethodGet, "usage"},
	{admin.GetConfigParams{}, http.MethodGet, "config"},
	{admin.RootFoldersParams{}, http.MethodGet, "folders"},
	{admin.SubFoldersParams{}, http.MethodGet, "folders/f"},
	{admin.CreateFolderParams{}, http.MethodPost, "folders/f"},
	{admin.RenameFolderParams{}, http.MethodPut, "folders/f"},
	{admin.DeleteFolderParams{}, http.MethodDelete, "folders/f"},
	{admin.ListTransformationsParams{}, http.MethodGet, "transformations"},
	{admin.GetTransformationParams{}, http.MethodGet, "transformations"},
	{admin.CreateTransformationParams{}, http.MethodPost, "transformations"},
	{admin.UpdateTransformationParams{}, http.MethodPut, "transformations"},
	{admin.DeleteTransformationParams{}, http.MethodDelete, "transformations"},
	{admin.ListUploadMappingsParams{}, http.MethodGet, "upload_mappings"},
	{admin.GetUploadMappingParams{}, http.MethodGet, "upload_mappings"},
	{admin.CreateUploadMappingParams{}, http.MethodPost, "upload_mappings"},
	{admin.UpdateUploadMappingParams{}, http.MethodPut, "upload_mappings"},
	{admin.DeleteUploadMappingParams{}, http.MethodDelete, "upload_mappings"},
	{admin.ListUploadPresetsParams{}, http.MethodGet, "upload_presets"},
	{admin.GetUploadPresetParams{}, http.MethodGet, "upload_presets/p"},
	{admin.CreateUploadPresetParams{}, http.MethodPost, "upload_presets"},
	{admin.UpdateUploadPresetParams{}, http.MethodPut, "upload_presets/p"},
	{admin.DeleteUploadPresetParams{}, http.MethodDelete, "upload_presets/p"},
	{admin.ListTriggersParams{}, http.MethodGet, "triggers"},
	{admin.CreateTriggerParams{}, http.MethodPost, "triggers"},
	{admin.UpdateTriggerParams{}, http.MethodPut, "triggers/t"},
	{admin.DeleteTriggerParams{}, http.MethodDelete, "triggers/t"},
	{search.Query{}, http.MethodPost, "resources/search"},
}

// nodeSDKParams are the parameters the Node SDK's api.js sends for the
// methods the Go SDK has no field for (its pickOnlyExistingValues lists and
// updateable_resource_params).
var nodeSDKParams = []struct {
	method, path string
	names        []string
}{
	{http.MethodGet, "resources/image/upload", []string{"next_cursor", "max_results", "prefix", "tags", "context",
		"direction", "moderations", "start_at", "metadata", "fields", "public_ids"}},
	{http.MethodGet, "resources/image/tags/t", []string{"next_cursor", "max_results", "tags", "context", "direction",
		"moderations", "metadata", "fields"}},
	{http.MethodGet, "resources/image/upload/$ID", []string{"exif", "cinemagraph_analysis", "colors",
		"derived_next_cursor", "faces", "image_metadata", "media_metadata", "pages", "phash", "coordinates",
		"max_results", "versions", "accessibility_analysis", "related", "related_next_cursor"}},
	{http.MethodPost, "resources/image/upload/$ID", []string{"access_control", "auto_tagging", "background_removal",
		"categorization", "context", "metadata", "custom_coordinates", "detection", "face_coordinates", "headers",
		"notification_url", "ocr", "raw_convert", "similarity_search", "tags", "quality_override", "asset_folder",
		"display_name", "unique_display_name", "visual_search", "regions", "auto_transcription", "moderation_status",
		"clear_invalid"}},
	{http.MethodPost, "resources/image/upload/update_access_mode", []string{"access_mode", "prefix", "tag", "public_ids"}},
	{http.MethodPost, "resources/image/publish_resources", []string{"public_ids", "prefix", "tag", "type", "invalidate",
		"overwrite"}},
	{http.MethodDelete, "resources/backup/$ASSET", []string{"version_ids"}},
	{http.MethodPost, "resources/restore", []string{"asset_ids", "versions"}},
	{http.MethodDelete, "resources", []string{"asset_ids", "keep_original", "invalidate", "next_cursor", "transformations"}},
	{http.MethodGet, "resources/by_asset_ids", []string{"asset_ids", "tags", "context", "moderations", "fields"}},
	{http.MethodPost, "resources/search", []string{"expression", "sort_by", "aggregate", "with_field", "fields",
		"max_results", "next_cursor"}},
}

// fill gives v a value that is not empty, as a caller setting the field
// would.
func fill(v reflect.Value, depth int) {
	if depth > 4 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), depth+1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(0.5)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Interface:
		v.Set(reflect.ValueOf("x"))
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Now()))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	}
}

// sdkRequest builds the request the Go SDK sends for params with only the
// field named name set: GET parameters in the query, a JSON body otherwise.
func sdkRequest(t *testing.T, o *testOrigin, m sdkMethod, path, name string) *http.Request {
	t.Helper()
	v := reflect.New(reflect.TypeOf(m.params)).Elem()
	for i := 0; i < v.NumField(); i++ {
		if n, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ","); n == name {
			fill(v.Field(i), 0)
		}
	}
	var body []byte
	query := ""
	if m.method == http.MethodGet {
		q, err := api.StructToParams(v.Interface())
		if err != nil {
			t.Fatal(err)
		}
		query = "?" + q.Encode()
	} else {
		var err error
		if body, err = json.Marshal(v.Interface()); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(m.method, o.URL+"/v1_1/demo/"+path+query, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	req.SetBasicAuth(apiKey, apiSecret)
	return req
}

// Every parameter of every Go SDK admin params struct (and every one the
// Node SDK sends) is implemented or refused by the method it maps to; a
// refused one, sent as the SDK sends it, answers 400 naming it and changes
// nothing. Parameters that are no Cloudinary parameter are ignored.
func TestAdminParamsImplementedOrRefused(t *testing.T) {
	o := startOriginWith(t, nil, nil, config.Cloud{APIKey: apiKey, APISecret: apiSecret,
		Admin: config.AdminAPI{RateLimit: 1_000_000}})
	ctx := context.Background()
	up, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "sample",
		Tags: api.CldAPIArray{"t"}, Context: api.CldAPIMap{"k": "v"}, Eager: "w_30"})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	if a := adminDo(t, o, http.MethodPost, "transformations", "application/json", `{"name":"small","transformation":"w_20"}`); a.status != 200 {
		t.Fatalf("named transformation: %s", a.raw)
	}
	expand := func(path string) string {
		return strings.NewReplacer("$ID", "sample", "$ASSET", up.AssetID).Replace(path)
	}
	state := func() string {
		var b strings.Builder
		for _, p := range []string{"resources/image?tags=true&context=true&metadata=true&moderations=true",
			"resources/image/upload/sample?coordinates=true&related=true&versions=true", "transformations"} {
			b.WriteString(adminGet(t, o, p).raw)
		}
		return b.String()
	}
	before := state()

	// classify says whether the method at path implements or refuses name.
	classify := func(method, path, name string) (refusedName bool, ok bool) {
		t.Helper()
		impl, refused, err := origin.AdminParams(method, path)
		switch {
		case err != nil:
			t.Errorf("%s %s: not served: %v", method, path, err)
		case slices.Contains(impl, name) && slices.Contains(refused, name):
			t.Errorf("%s %s: %s is both implemented and refused", method, path, name)
		case slices.Contains(impl, name):
			return false, true
		case slices.Contains(refused, name):
			return true, true
		default:
			t.Errorf("%s %s: %s is neither implemented nor refused", method, path, name)
		}
		return false, false
	}
	refusedSeen := 0
	for _, m := range adminSDKMethods {
		path := expand(m.path)
		for _, name := range paramNames(m.params) {
			refused, ok := classify(m.method, path, name)
			if !ok || !refused {
				continue
			}
			refusedSeen++
			a := send(t, sdkRequest(t, o, m, path, name))
			if want := "Parameter " + name + " is not supported by this server"; a.status != 400 || a.errorMessage() != want {
				t.Errorf("%T with %s: %d %s", m.params, name, a.status, a.raw)
			}
			if now := state(); now != before {
				t.Errorf("%T with %s changed something:\n%s\n%s", m.params, name, before, now)
				before = now
			}
		}
	}
	t.Logf("%d refused parameters sent", refusedSeen)
	if refusedSeen < 20 {
		t.Errorf("only %d refused parameters sent", refusedSeen)
	}
	for _, n := range nodeSDKParams {
		for _, name := range n.names {
			classify(n.method, expand(n.path), name)
		}
	}
	// Parameters that are not Cloudinary's are ignored, as Cloudinary does
	// (the SDKs send extras).
	a := adminGet(t, o, "resources/image/upload/sample?unheard_of=1&_a=BAMAABAA")
	if a.status != 200 || a.body["public_id"] != "sample" {
		t.Errorf("unknown parameter: %d %s", a.status, a.raw)
	}
}
