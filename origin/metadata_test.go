package origin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/admin/metadata"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// addField creates a metadata field with the Go SDK and fails the test
// when it is refused.
func addField(t *testing.T, o *testOrigin, f metadata.Field) *admin.AddMetadataFieldResult {
	t.Helper()
	res, err := o.Cld.Admin.AddMetadataField(context.Background(), f)
	if err != nil || res.Error.Message != "" {
		t.Fatalf("add field %s: %+v %v", f.ExternalID, res.Error, err)
	}
	return res
}

// entries is a datasource of entries id=value.
func entries(pairs ...string) metadata.DataSource {
	var ds metadata.DataSource
	for _, p := range pairs {
		id, v, _ := strings.Cut(p, "=")
		ds.Values = append(ds.Values, metadata.DataSourceValue{ExternalID: id, Value: v})
	}
	return ds
}

func entryList(ds metadata.DataSource) string {
	var out []string
	for _, e := range ds.Values {
		out = append(out, e.ExternalID+"="+e.Value+":"+e.State)
	}
	return strings.Join(out, ",")
}

// The Go SDK's metadata_fields calls: each type created with its
// validations and defaults, listed in order, got, updated, its datasource
// updated, deleted (inactive), restored and ordered; the fields ordered;
// a field deleted for good; every refusal with its message.
func TestGoSDKMetadataFields(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	adm := o.Cld.Admin

	str := addField(t, o, metadata.Field{Type: metadata.StringFieldType, ExternalID: "alt", Label: "Alt text",
		DefaultValue: "none", Validation: metadata.StringLengthValidation(2, 6)})
	if str.ExternalID != "alt" || str.Label != "Alt text" || str.DefaultValue != "none" ||
		!reflect.DeepEqual(str.Validation, map[string]any{"type": "strlen", "min": 2.0, "max": 6.0}) {
		t.Fatalf("string field: %+v", str.Field)
	}
	num := addField(t, o, metadata.Field{Type: metadata.IntegerFieldType, ExternalID: "size", Label: "Size",
		Validation: metadata.AndValidation([]any{metadata.GreaterThanValidation(10, false),
			metadata.LessThanValidation(100, true)})})
	wantAnd := map[string]any{"type": "and", "rules": []any{
		map[string]any{"type": "greater_than", "value": 10.0, "equals": false},
		map[string]any{"type": "less_than", "value": 100.0, "equals": true}}}
	if !reflect.DeepEqual(num.Validation, wantAnd) || num.DefaultValue != nil {
		t.Fatalf("integer field: %+v", num.Field)
	}
	addField(t, o, metadata.Field{Type: metadata.DateFieldType, ExternalID: "shot", Label: "Shot on",
		Validation: metadata.LessThanValidation("2030-01-01", false)})
	enum := addField(t, o, metadata.Field{Type: metadata.EnumFieldType, ExternalID: "mood", Label: "Mood",
		DataSource: entries("calm=Calm", "wild=Wild")})
	if entryList(enum.DataSource) != "calm=Calm:active,wild=Wild:active" {
		t.Fatalf("enum field: %+v", enum.Field)
	}
	set := addField(t, o, metadata.Field{Type: metadata.SetFieldType, ExternalID: "colors", Label: "Colors",
		Mandatory: true, DefaultValue: []string{"red"}, DataSource: entries("red=Red", "green=Green", "=Blue")})
	if len(set.DataSource.Values) != 3 || set.DataSource.Values[2].ExternalID == "" ||
		!reflect.DeepEqual(set.DefaultValue, []any{"red"}) || !set.Mandatory {
		t.Fatalf("set field: %+v", set.Field)
	}
	made := addField(t, o, metadata.Field{Type: metadata.StringFieldType, Label: "No ID given"})
	if len(made.ExternalID) != 32 {
		t.Fatalf("made-up external ID: %q", made.ExternalID)
	}

	list, err := adm.ListMetadataFields(ctx)
	if err != nil || len(list.MetadataFields) != 6 {
		t.Fatalf("list: %+v %v", list, err)
	}
	var order []string
	for _, f := range list.MetadataFields {
		order = append(order, f.ExternalID)
	}
	if strings.Join(order[:5], ",") != "alt,size,shot,mood,colors" {
		t.Fatalf("list order: %v", order)
	}
	got, err := adm.MetadataFieldByFieldID(ctx, admin.MetadataFieldByFieldIDParams{FieldExternalID: "mood"})
	if err != nil || got.Type != metadata.EnumFieldType || got.Label != "Mood" || len(got.DataSource.Values) != 2 {
		t.Fatalf("get: %+v %v", got, err)
	}

	// Update: partial, the datasource merged by external ID.
	up, err := adm.UpdateMetadataField(ctx, admin.UpdateMetadataFieldParams{FieldExternalID: "mood",
		Field: metadata.Field{Type: metadata.EnumFieldType, Label: "Feeling", Mandatory: true, DefaultValue: "wild",
			DataSource: entries("wild=Wild!", "odd=Odd")}})
	if err != nil || up.Error.Message != "" || up.Label != "Feeling" || !up.Mandatory || up.DefaultValue != "wild" ||
		entryList(up.DataSource) != "calm=Calm:active,wild=Wild!:active,odd=Odd:active" {
		t.Fatalf("update: %+v %v", up, err)
	}
	ds, err := adm.UpdateMetadataFieldDataSource(ctx, admin.UpdateMetadataFieldDataSourceParams{FieldExternalID: "mood",
		DataSource: entries("odd=Strange", "sad=Sad")})
	if err != nil || entryList(ds.DataSource) != "calm=Calm:active,wild=Wild!:active,odd=Strange:active,sad=Sad:active" {
		t.Fatalf("datasource update: %+v %v", ds, err)
	}
	del, err := adm.DeleteDataSourceEntries(ctx, admin.DeleteDataSourceEntriesParams{FieldExternalID: "mood",
		EntriesExternalIDs: []string{"odd", "sad"}})
	if err != nil || entryList(del.DataSource) != "calm=Calm:active,wild=Wild!:active" {
		t.Fatalf("datasource delete: %+v %v", del, err)
	}
	res, err := adm.RestoreDatasourceEntries(ctx, admin.RestoreDatasourceEntriesParams{FieldExternalID: "mood",
		EntriesExternalIDs: []string{"sad"}})
	if err != nil || entryList(res.DataSource) != "calm=Calm:active,wild=Wild!:active,odd=Strange:inactive,sad=Sad:active" {
		t.Fatalf("datasource restore: %+v %v", res, err)
	}
	ord, err := adm.ReorderMetadataFieldDatasource(ctx, admin.ReorderMetadataFieldDatasourceParams{FieldExternalID: "mood",
		FieldOrderBy: admin.OrderFieldValue, FieldDirection: admin.Descending})
	if err != nil || entryList(ord.DataSource) != "wild=Wild!:active,odd=Strange:inactive,sad=Sad:active,calm=Calm:active" {
		t.Fatalf("datasource order: %+v %v", ord, err)
	}
	fo, err := adm.ReorderMetadataFields(ctx, admin.ReorderMetadataFieldsParams{FieldOrderBy: admin.OrderFieldLabel,
		FieldDirection: admin.Ascending})
	if err != nil || len(fo.MetadataFields) != 6 || fo.MetadataFields[0].Label != "Alt text" || fo.MetadataFields[5].Label != "Size" {
		t.Fatalf("fields order: %+v %v", fo, err)
	}
	list, _ = adm.ListMetadataFields(ctx)
	if list.MetadataFields[1].ExternalID != "colors" || list.MetadataFields[2].ExternalID != "mood" {
		t.Fatalf("the list does not follow the new order: %+v", list.MetadataFields)
	}
	fo, err = adm.ReorderMetadataFields(ctx, admin.ReorderMetadataFieldsParams{FieldOrderBy: admin.OrderFieldExternalID,
		FieldDirection: admin.Descending})
	if err != nil || fo.MetadataFields[0].ExternalID != "size" {
		t.Fatalf("fields order by external_id: %+v %v", fo, err)
	}

	dr, err := adm.DeleteMetadataField(ctx, admin.DeleteMetadataFieldParams{FieldExternalID: made.ExternalID})
	if err != nil || dr.Message != "ok" {
		t.Fatalf("delete: %+v %v", dr, err)
	}
	if list, _ := adm.ListMetadataFields(ctx); len(list.MetadataFields) != 5 {
		t.Fatalf("after delete: %d fields", len(list.MetadataFields))
	}

	// Refusals, each with its message.
	for _, c := range []struct {
		f    metadata.Field
		want string
	}{
		{metadata.Field{Type: metadata.StringFieldType, ExternalID: "alt", Label: "Again"}, "external id alt already exists"},
		{metadata.Field{Type: metadata.StringFieldType, ExternalID: made.ExternalID, Label: "Back"},
			"external id " + made.ExternalID + " already exists"},
		{metadata.Field{Type: "bool", ExternalID: "b", Label: "B"}, "Invalid type - bool (must be string, integer, date, enum or set)"},
		{metadata.Field{Type: metadata.StringFieldType, ExternalID: "m", Label: "M", Mandatory: true},
			"A mandatory field must have a default_value"},
		{metadata.Field{Type: metadata.StringFieldType, ExternalID: "bad id", Label: "B"},
			"Invalid external_id - bad id (1 to 255 letters, digits, _ or -)"},
		{metadata.Field{Type: metadata.StringFieldType, ExternalID: "nolabel"}, "Missing required parameter - label"},
		{metadata.Field{Type: metadata.IntegerFieldType, ExternalID: "n", Label: "N", Validation: metadata.StringLengthValidation(1, 2)},
			"Invalid validation - strlen applies to string fields"},
		{metadata.Field{Type: metadata.StringFieldType, ExternalID: "s", Label: "S", Validation: metadata.GreaterThanValidation(1, false)},
			"Invalid validation - greater_than applies to integer and date fields"},
		{metadata.Field{Type: metadata.DateFieldType, ExternalID: "d", Label: "D", Validation: metadata.GreaterThanValidation("soon", false)},
			"Invalid validation - greater_than of a date field needs a date value (YYYY-MM-DD)"},
		{metadata.Field{Type: metadata.StringFieldType, ExternalID: "s", Label: "S", DefaultValue: "x",
			Validation: metadata.StringLengthValidation(2, 3)}, "default_value is invalid - shorter than 2 characters"},
		{metadata.Field{Type: metadata.EnumFieldType, ExternalID: "e", Label: "E"},
			"Missing required parameter - datasource (an enum field needs values)"},
		{metadata.Field{Type: metadata.SetFieldType, ExternalID: "e", Label: "E", DataSource: entries("a=A"), DefaultValue: []string{"b"}},
			"default_value is invalid - b is not an active value of its datasource"},
		{metadata.Field{Type: metadata.EnumFieldType, ExternalID: "e", Label: "E", DataSource: entries("a=A", "b=A")},
			"Invalid datasource - value A appears twice"},
	} {
		res, err := adm.AddMetadataField(ctx, c.f)
		if err != nil || res.Error.Message != c.want {
			t.Errorf("add %+v: %q %v, want %q", c.f, res.Error.Message, err, c.want)
		}
	}
	upd, err := adm.UpdateMetadataField(ctx, admin.UpdateMetadataFieldParams{FieldExternalID: "size",
		Field: metadata.Field{Type: metadata.StringFieldType, Label: "Size"}})
	if err != nil || upd.Error.Message != "Invalid type - string (a field's type cannot change from integer)" {
		t.Errorf("type change: %+v %v", upd.Error, err)
	}
	nf, err := adm.MetadataFieldByFieldID(ctx, admin.MetadataFieldByFieldIDParams{FieldExternalID: "nope"})
	if err != nil || nf.Error.Message != "Metadata field nope does not exist" {
		t.Errorf("get missing: %+v %v", nf.Error, err)
	}
	a := adminGet(t, o, "metadata_fields/nope")
	if a.status != http.StatusNotFound {
		t.Errorf("get missing: status %d", a.status)
	}
	a = adminDo(t, o, http.MethodDelete, "metadata_fields/nope", "", "")
	if a.status != http.StatusNotFound || a.errorMessage() != "Metadata field nope does not exist" {
		t.Errorf("delete missing: %d %s", a.status, a.raw)
	}
	a = adminDo(t, o, http.MethodDelete, "metadata_fields/mood/datasource", "application/json", `{"external_ids":["zzz"]}`)
	if a.status != http.StatusBadRequest || a.errorMessage() != "Datasource entry zzz does not exist in metadata field mood" {
		t.Errorf("delete a missing entry: %d %s", a.status, a.raw)
	}
	a = adminDo(t, o, http.MethodDelete, "metadata_fields/mood/datasource", "application/json", `{"external_ids":["wild"]}`)
	if a.status != http.StatusBadRequest || a.errorMessage() != "The default_value of metadata field mood must stay an active entry" {
		t.Errorf("delete the default's entry: %d %s", a.status, a.raw)
	}
	a = adminDo(t, o, http.MethodPut, "metadata_fields/size/datasource", "application/json", `{"values":[{"value":"x"}]}`)
	if a.status != http.StatusBadRequest || a.errorMessage() != "Metadata field size has no datasource (only enum and set fields have one)" {
		t.Errorf("datasource of an integer: %d %s", a.status, a.raw)
	}
	a = adminDo(t, o, http.MethodPut, "metadata_fields/order", "application/json", `{"order_by":"size"}`)
	if a.status != http.StatusBadRequest || a.errorMessage() != "Invalid order_by - size (must be label or external_id or created_at)" {
		t.Errorf("order by size: %d %s", a.status, a.raw)
	}

	many := make([]string, 3001)
	for i := range many {
		many[i] = fmt.Sprintf(`{"value":"v%d"}`, i)
	}
	a = adminDo(t, o, http.MethodPut, "metadata_fields/mood/datasource", "application/json",
		`{"values":[`+strings.Join(many[:3000], ",")+`]}`)
	if a.status != http.StatusBadRequest || a.errorMessage() != "Invalid datasource - more than 3000 values" {
		t.Errorf("datasource past 3000 entries (with the field's 4): %d %.200s", a.status, a.raw)
	}
	a = adminDo(t, o, http.MethodPost, "metadata_fields", "application/json",
		`{"type":"enum","external_id":"big","label":"Big","datasource":{"values":[`+strings.Join(many, ",")+`]}}`)
	if a.status != http.StatusBadRequest || a.errorMessage() != "Invalid datasource - more than 3000 values" {
		t.Errorf("a datasource of 3001 entries: %d %.200s", a.status, a.raw)
	}

	// A form's objects and lists are JSON text.
	a = adminDo(t, o, http.MethodPost, "metadata_fields", "application/x-www-form-urlencoded", url.Values{
		"type": {"set"}, "external_id": {"formset"}, "label": {"Form set"}, "mandatory": {"true"},
		"default_value": {`["x","y"]`}, "datasource": {`{"values":[{"external_id":"x","value":"X"},{"external_id":"y","value":"Y"}]}`},
	}.Encode())
	if a.status != http.StatusOK || fmt.Sprint(a.body["default_value"]) != "[x y]" ||
		fmt.Sprint(a.body["datasource"]) != "map[values:[map[external_id:x state:active value:X] map[external_id:y state:active value:Y]]]" {
		t.Errorf("form set: %d %s", a.status, a.raw)
	}
	a = adminDo(t, o, http.MethodPost, "metadata_fields", "application/x-www-form-urlencoded", url.Values{
		"type": {"integer"}, "external_id": {"formint"}, "label": {"Form integer"},
		"validation": {`{"type":"and","rules":[{"type":"less_than","value":5}]}`}, "default_value": {"4"},
	}.Encode())
	if a.status != http.StatusOK || a.body["default_value"] != 4.0 ||
		fmt.Sprint(a.body["validation"]) != "map[rules:[map[equals:false type:less_than value:5]] type:and]" {
		t.Errorf("form integer: %d %s", a.status, a.raw)
	}
}

// setDemoFields creates the fields the value tests use: alt (string of 2
// to 6 characters), size (integer above 10), shot (date before 2030),
// mood (enum calm, wild) and colors (set red, green, blue; mandatory,
// red by default).
func setDemoFields(t *testing.T, o *testOrigin) {
	t.Helper()
	addField(t, o, metadata.Field{Type: metadata.StringFieldType, ExternalID: "alt", Label: "Alt",
		Validation: metadata.StringLengthValidation(2, 6)})
	addField(t, o, metadata.Field{Type: metadata.IntegerFieldType, ExternalID: "size", Label: "Size",
		Validation: metadata.GreaterThanValidation(10, false)})
	addField(t, o, metadata.Field{Type: metadata.DateFieldType, ExternalID: "shot", Label: "Shot",
		Validation: metadata.LessThanValidation("2030-01-01", false)})
	addField(t, o, metadata.Field{Type: metadata.EnumFieldType, ExternalID: "mood", Label: "Mood",
		DataSource: entries("calm=Calm", "wild=Wild")})
	addField(t, o, metadata.Field{Type: metadata.SetFieldType, ExternalID: "colors", Label: "Colors", Mandatory: true,
		DefaultValue: []string{"red"}, DataSource: entries("red=Red", "green=Green", "blue=Blue")})
}

// details reads an asset's metadata with the Go SDK.
func details(t *testing.T, o *testOrigin, id string) api.Metadata {
	t.Helper()
	res, err := o.Cld.Admin.Asset(context.Background(), admin.AssetParams{PublicID: id})
	if err != nil || res.Error.Message != "" {
		t.Fatalf("details of %s: %+v %v", id, res.Error, err)
	}
	return res.Metadata
}

// Metadata values with the Go SDK: set on upload (each type, defaults
// applied), checked against the fields with each refusal's message (and
// nothing stored), merged by update_metadata over several public IDs, by
// explicit and by the Admin API's update; shown in details and listings
// with metadata=true; an inactive entry stays readable but cannot be set;
// a deleted field disappears from the assets.
func TestGoSDKMetadataValues(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	setDemoFields(t, o)
	file := testkit.Path(t, "rocket.jpg")

	up, err := o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: "full", Metadata: api.Metadata{
		"alt": "A cat", "size": 12, "shot": "2024-02-29", "mood": "calm", "colors": []string{"green", "blue", "green"}}})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	want := api.Metadata{"alt": "A cat", "size": 12.0, "shot": "2024-02-29", "mood": "calm", "colors": []any{"green", "blue"}}
	if !reflect.DeepEqual(up.Metadata, want) {
		t.Fatalf("upload answer: %#v", up.Metadata)
	}
	if got := details(t, o, "full"); !reflect.DeepEqual(got, want) {
		t.Fatalf("details: %#v", got)
	}
	plain := uploadAs(t, o, "chelsea.png", "plain").PublicID
	if got := details(t, o, plain); !reflect.DeepEqual(got, api.Metadata{"colors": []any{"red"}}) {
		t.Fatalf("defaults on upload: %#v", got)
	}

	for _, c := range []struct {
		md   api.Metadata
		want string
	}{
		{api.Metadata{"nope": "x"}, "Metadata field nope does not exist"},
		{api.Metadata{"alt": "A long text"}, "Invalid metadata value for field alt - longer than 6 characters"},
		{api.Metadata{"alt": "A"}, "Invalid metadata value for field alt - shorter than 2 characters"},
		{api.Metadata{"alt": strings.Repeat("x", 1025)}, "Invalid metadata value for field alt - longer than 1024 bytes"},
		{api.Metadata{"size": 10}, "Invalid metadata value for field size - must be greater than 10"},
		{api.Metadata{"size": "ten"}, "Invalid metadata value for field size - ten is not an integer"},
		{api.Metadata{"shot": "29/02/2024"}, "Invalid metadata value for field shot - 29/02/2024 is not a date (YYYY-MM-DD)"},
		{api.Metadata{"shot": "2030-01-01"}, "Invalid metadata value for field shot - must be less than 2030-01-01"},
		{api.Metadata{"mood": "sad"}, "Invalid metadata value for field mood - sad is not an active value of its datasource"},
		{api.Metadata{"mood": []string{"calm", "wild"}}, "Invalid metadata value for field mood - an enum field takes one value"},
		{api.Metadata{"colors": []string{"red", "pink"}}, "Invalid metadata value for field colors - pink is not an active value of its datasource"},
		{api.Metadata{"colors": ""}, "Metadata field colors is mandatory and cannot be cleared"},
	} {
		res, err := o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: "refused", Metadata: c.md})
		if err != nil || res.Error.Message != c.want {
			t.Errorf("upload with %v: %q %v, want %q", c.md, res.Error.Message, err, c.want)
		}
	}
	if a := adminGet(t, o, "resources/image/upload/refused"); a.status != http.StatusNotFound {
		t.Fatalf("a refused upload stored its asset: %d", a.status)
	}

	// An upload preset's metadata; the call's own replaces it.
	if a := adminDo(t, o, http.MethodPost, "upload_presets", "application/x-www-form-urlencoded",
		url.Values{"name": {"tagged"}, "metadata": {"alt=preset|size=20"}}.Encode()); a.status != http.StatusOK {
		t.Fatalf("preset: %d %s", a.status, a.raw)
	}
	pre, err := o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: "preset", UploadPreset: "tagged"})
	if msg := sdkFailure(err, pre); msg != "" {
		t.Fatal(msg)
	}
	if !reflect.DeepEqual(pre.Metadata, api.Metadata{"alt": "preset", "size": 20.0, "colors": []any{"red"}}) {
		t.Fatalf("upload through a preset: %#v", pre.Metadata)
	}
	pre, err = o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: "preset", UploadPreset: "tagged",
		Metadata: api.Metadata{"size": 30}})
	if msg := sdkFailure(err, pre); msg != "" {
		t.Fatal(msg)
	}
	if !reflect.DeepEqual(pre.Metadata, api.Metadata{"size": 30.0, "colors": []any{"red"}}) {
		t.Fatalf("upload through a preset with metadata: %#v", pre.Metadata)
	}

	// update_metadata over several public IDs, one missing: merged.
	um, err := o.Cld.Upload.UpdateMetadata(ctx, uploader.UpdateMetadataParams{PublicIDs: []string{"full", "missing", plain},
		Metadata: api.CldAPIMap{"size": "50", "mood": "wild"}})
	if err != nil || fmt.Sprint(um.PublicIDs) != "[full "+plain+"]" {
		t.Fatalf("update_metadata: %+v %v", um, err)
	}
	want["size"], want["mood"] = 50.0, "wild"
	if got := details(t, o, "full"); !reflect.DeepEqual(got, want) {
		t.Fatalf("after update_metadata: %#v", got)
	}
	if got := details(t, o, plain); !reflect.DeepEqual(got, api.Metadata{"colors": []any{"red"}, "size": 50.0, "mood": "wild"}) {
		t.Fatalf("after update_metadata: %#v", got)
	}
	um, err = o.Cld.Upload.UpdateMetadata(ctx, uploader.UpdateMetadataParams{PublicIDs: []string{"full"},
		Metadata: api.CldAPIMap{"size": "5"}})
	if err != nil || um.Error == nil || !strings.Contains(fmt.Sprint(um.Error), "must be greater than 10") {
		t.Fatalf("update_metadata with a bad value: %+v %v", um, err)
	}

	// explicit: merged; an empty value clears.
	ex, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "full", Type: "upload",
		Metadata: api.Metadata{"alt": "", "shot": "2025-12-31"}})
	if msg := sdkFailure(err, ex); msg != "" {
		t.Fatal(msg)
	}
	delete(want, "alt")
	want["shot"] = "2025-12-31"
	if got := details(t, o, "full"); !reflect.DeepEqual(got, want) || !reflect.DeepEqual(ex.Metadata, want) {
		t.Fatalf("after explicit: %#v (answer %#v)", got, ex.Metadata)
	}

	// The Admin API's update, as the Node SDK sends it (k=v|k2=[...]).
	a := adminDo(t, o, http.MethodPost, "resources/image/upload/full", "application/x-www-form-urlencoded",
		url.Values{"metadata": {`colors=["red","blue"]|alt=a\|b\=c`}}.Encode())
	want["colors"], want["alt"] = []any{"red", "blue"}, "a|b=c"
	if a.status != http.StatusOK || !reflect.DeepEqual(api.Metadata(a.body["metadata"].(map[string]any)), want) {
		t.Fatalf("admin update: %d %s", a.status, a.raw)
	}
	// A JSON body's object.
	a = adminDo(t, o, http.MethodPost, "resources/image/upload/full", "application/json",
		`{"metadata":{"size":77,"colors":["green"]}}`)
	want["size"], want["colors"] = 77.0, []any{"green"}
	if a.status != http.StatusOK || !reflect.DeepEqual(api.Metadata(a.body["metadata"].(map[string]any)), want) {
		t.Fatalf("admin update (JSON): %d %s", a.status, a.raw)
	}

	// Listings show metadata with metadata=true only.
	l := adminGet(t, o, "resources/image?metadata=true&prefix=full")
	res := l.body["resources"].([]any)
	if len(res) != 1 || !reflect.DeepEqual(api.Metadata(res[0].(map[string]any)["metadata"].(map[string]any)), want) {
		t.Fatalf("listing with metadata: %s", l.raw)
	}
	l = adminGet(t, o, "resources/image?prefix=full")
	if _, ok := l.body["resources"].([]any)[0].(map[string]any)["metadata"]; ok {
		t.Fatalf("listing without metadata shows it: %s", l.raw)
	}

	// An entry made inactive stays on the assets that have it, but cannot
	// be set again.
	if _, err := o.Cld.Admin.DeleteDataSourceEntries(ctx, admin.DeleteDataSourceEntriesParams{FieldExternalID: "mood",
		EntriesExternalIDs: []string{"wild"}}); err != nil {
		t.Fatal(err)
	}
	if got := details(t, o, "full"); got["mood"] != "wild" {
		t.Fatalf("an inactive entry's value: %#v", got)
	}
	um, _ = o.Cld.Upload.UpdateMetadata(ctx, uploader.UpdateMetadataParams{PublicIDs: []string{plain},
		Metadata: api.CldAPIMap{"mood": "wild"}})
	if !strings.Contains(fmt.Sprint(um.Error), "wild is not an active value of its datasource") {
		t.Fatalf("an inactive entry set: %+v", um)
	}

	// A deleted field disappears from the assets.
	if _, err := o.Cld.Admin.DeleteMetadataField(ctx, admin.DeleteMetadataFieldParams{FieldExternalID: "size"}); err != nil {
		t.Fatal(err)
	}
	delete(want, "size")
	if got := details(t, o, "full"); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the field's delete: %#v", got)
	}
	l = adminGet(t, o, "resources/image?metadata=true&prefix=full")
	if md := l.body["resources"].([]any)[0].(map[string]any)["metadata"].(map[string]any); md["size"] != nil {
		t.Fatalf("listing after the field's delete: %s", l.raw)
	}
	um, _ = o.Cld.Upload.UpdateMetadata(ctx, uploader.UpdateMetadataParams{PublicIDs: []string{plain},
		Metadata: api.CldAPIMap{"size": "50"}})
	if !strings.Contains(fmt.Sprint(um.Error), "Metadata field size does not exist") {
		t.Fatalf("a deleted field set: %+v", um)
	}
}

// The official Node SDK's metadata field calls (JSON bodies, which its
// Admin API suite needs before it starts) and metadata values on upload,
// update_metadata and update (test/node/metadata.js).
func TestNodeSDKMetadata(t *testing.T) {
	o := startOrigin(t, nil)
	runNode(t, "metadata.js", o.URL, testkit.Dir(t))
}

// A cloud has at most 100 fields; a deleted one does not count.
func TestMetadataFieldsBound(t *testing.T) {
	o := startOrigin(t, nil)
	create := func(i int) adminAnswer {
		return adminDo(t, o, http.MethodPost, "metadata_fields", "application/json",
			fmt.Sprintf(`{"type":"string","external_id":"f%d","label":"F %d"}`, i, i))
	}
	for i := range 100 {
		if a := create(i); a.status != http.StatusOK {
			t.Fatalf("field %d: %d %s", i, a.status, a.raw)
		}
	}
	if a := create(100); a.status != http.StatusBadRequest || a.errorMessage() != "Too many metadata fields - at most 100" {
		t.Fatalf("field 101: %d %s", a.status, a.raw)
	}
	if a := adminDo(t, o, http.MethodDelete, "metadata_fields/f7", "", ""); a.status != http.StatusOK {
		t.Fatalf("delete: %d %s", a.status, a.raw)
	}
	if a := create(100); a.status != http.StatusOK {
		t.Fatalf("field 101 after a delete: %d %s", a.status, a.raw)
	}
}
