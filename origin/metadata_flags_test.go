package origin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/admin/metadata"
	"github.com/cloudinary/cloudinary-go/v2/api/admin/search"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// flags are a field answer's default_disabled, restrictions and
// allow_dynamic_list_values as text.
func flags(f map[string]any) string {
	return fmt.Sprintf("default_disabled=%v restrictions=%v allow_dynamic_list_values=%v",
		f["default_disabled"], f["restrictions"], f["allow_dynamic_list_values"])
}

// The field flags, on both metadata stores (they are kept in the field's
// definition, meta.MetadataField.Definition): answered on every field of
// every type (their defaults on a field made by the Go SDK, which does not
// know them, and on one stored before they existed), set on create (JSON
// body and form), changed by update (only what is given), listed; each
// bad value refused with a 400 naming the parameter.
func TestMetadataFieldFlags(t *testing.T) { forEachMetaStore(t, testMetadataFieldFlags) }

func testMetadataFieldFlags(t *testing.T, o *testOrigin) {
	setDemoFields(t, o)
	now := time.Now().UTC()
	before := meta.MetadataField{Cloud: "demo", ExternalID: "before", Type: meta.MetadataTypeEnum, Label: "Before",
		Definition: `{"mandatory":false,"datasource":{"values":[{"external_id":"a","value":"A","state":"active"}]}}`,
		CreatedAt:  now, UpdatedAt: now}
	if err := o.Store.Meta.CreateMetadataField(context.Background(), &before, 100); err != nil {
		t.Fatal(err)
	}
	const off = "default_disabled=false restrictions=map[readonly_ui:false] allow_dynamic_list_values=false"
	list := adminGet(t, o, "metadata_fields")
	fields, _ := list.body["metadata_fields"].([]any)
	if len(fields) != 6 {
		t.Fatalf("list: %s", list.raw)
	}
	for _, f := range fields {
		if got := flags(f.(map[string]any)); got != off {
			t.Errorf("%v: %s", f.(map[string]any)["external_id"], got)
		}
	}

	a := adminDo(t, o, http.MethodPost, "metadata_fields", "application/json", `{"type":"set","external_id":"dyn",
		"label":"Dyn","allow_dynamic_list_values":true,"default_disabled":true,"restrictions":{"readonly_ui":true},
		"datasource":{"values":[{"external_id":"a","value":"A"}]}}`)
	const on = "default_disabled=true restrictions=map[readonly_ui:true] allow_dynamic_list_values=true"
	if a.status != http.StatusOK || flags(a.body) != on {
		t.Fatalf("create with flags: %d %s", a.status, a.raw)
	}
	if got := adminGet(t, o, "metadata_fields/dyn"); flags(got.body) != on {
		t.Fatalf("get: %s", got.raw)
	}
	a = adminDo(t, o, http.MethodPost, "metadata_fields", "application/x-www-form-urlencoded", url.Values{
		"type": {"string"}, "external_id": {"formflags"}, "label": {"F"}, "default_disabled": {"1"},
		"restrictions": {`{"readonly_ui":true}`}}.Encode())
	if a.status != http.StatusOK || flags(a.body) != "default_disabled=true restrictions=map[readonly_ui:true] allow_dynamic_list_values=false" {
		t.Fatalf("create with flags in a form: %d %s", a.status, a.raw)
	}

	// Update changes what it is given; the Go SDK's update keeps them.
	a = adminDo(t, o, http.MethodPut, "metadata_fields/dyn", "application/json", `{"restrictions":{}}`)
	if a.status != http.StatusOK || flags(a.body) != "default_disabled=true restrictions=map[readonly_ui:false] allow_dynamic_list_values=true" {
		t.Fatalf("update restrictions: %d %s", a.status, a.raw)
	}
	a = adminDo(t, o, http.MethodPut, "metadata_fields/dyn", "application/json", `{"default_disabled":false,"allow_dynamic_list_values":false}`)
	if a.status != http.StatusOK || flags(a.body) != off {
		t.Fatalf("update flags: %d %s", a.status, a.raw)
	}
	a = adminDo(t, o, http.MethodPut, "metadata_fields/alt", "application/json", `{"restrictions":{"readonly_ui":true},"default_disabled":true}`)
	if a.status != http.StatusOK {
		t.Fatalf("update alt: %d %s", a.status, a.raw)
	}
	up, err := o.Cld.Admin.UpdateMetadataField(context.Background(), admin.UpdateMetadataFieldParams{FieldExternalID: "alt",
		Field: metadata.Field{Type: metadata.StringFieldType, Label: "Alt text"}})
	if err != nil || up.Error.Message != "" || up.Label != "Alt text" {
		t.Fatalf("Go SDK update: %+v %v", up, err)
	}
	if got := adminGet(t, o, "metadata_fields/alt"); flags(got.body) != "default_disabled=true restrictions=map[readonly_ui:true] allow_dynamic_list_values=false" {
		t.Fatalf("flags after the Go SDK's update: %s", got.raw)
	}

	for _, c := range []struct{ body, want string }{
		{`{"default_disabled":"maybe"}`, "Invalid value maybe for parameter default_disabled"},
		{`{"allow_dynamic_list_values":7}`, "Invalid value 7 for parameter allow_dynamic_list_values"},
		{`{"restrictions":true}`, `Invalid restrictions - true (must be an object such as {"readonly_ui":true})`},
		{`{"restrictions":{"hidden":true}}`, "Invalid restrictions - unknown key hidden (must be readonly_ui)"},
		{`{"restrictions":{"readonly_ui":"sometimes"}}`, "Invalid restrictions - readonly_ui must be true or false"},
	} {
		a := adminDo(t, o, http.MethodPut, "metadata_fields/alt", "application/json", c.body)
		if a.status != http.StatusBadRequest || a.errorMessage() != c.want {
			t.Errorf("%s: %d %s, want %q", c.body, a.status, a.raw, c.want)
		}
		b := strings.Replace(c.body, "{", `{"type":"string","external_id":"x","label":"X",`, 1)
		a = adminDo(t, o, http.MethodPost, "metadata_fields", "application/json", b)
		if a.status != http.StatusBadRequest || a.errorMessage() != c.want {
			t.Errorf("create %s: %d %s, want %q", b, a.status, a.raw, c.want)
		}
	}
}

// default_disabled: a new asset does not get the field's default value
// (nor, mandatory, its rule) until a value is given for it; an upload
// that gives one sets it; a field enabled again applies its default.
func TestMetadataDefaultDisabled(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	setDemoFields(t, o) // colors: mandatory, red by default
	addField(t, o, metadata.Field{Type: metadata.StringFieldType, ExternalID: "note", Label: "Note", DefaultValue: "hi"})
	for _, id := range []string{"colors", "note"} {
		if a := adminDo(t, o, http.MethodPut, "metadata_fields/"+id, "application/json", `{"default_disabled":true}`); a.status != http.StatusOK {
			t.Fatalf("disable %s: %d %s", id, a.status, a.raw)
		}
	}
	file := testkit.Path(t, "rocket.jpg")
	if got := uploadAs(t, o, "rocket.jpg", "bare").Metadata; len(got) != 0 {
		t.Fatalf("upload without values: %#v", got)
	}
	if got := details(t, o, "bare"); len(got) != 0 {
		t.Fatalf("details without values: %#v", got)
	}
	res, err := o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: "given", Metadata: api.Metadata{"colors": []string{"blue"}}})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	if !reflect.DeepEqual(res.Metadata, api.Metadata{"colors": []any{"blue"}}) {
		t.Fatalf("upload with a value: %#v", res.Metadata)
	}
	// Activated later on an existing asset by update_metadata.
	um, err := o.Cld.Upload.UpdateMetadata(ctx, uploader.UpdateMetadataParams{PublicIDs: []string{"bare"}, Metadata: api.CldAPIMap{"note": "yo"}})
	if err != nil || um.Error != nil {
		t.Fatalf("update_metadata: %+v %v", um, err)
	}
	if got := details(t, o, "bare"); !reflect.DeepEqual(got, api.Metadata{"note": "yo"}) {
		t.Fatalf("activated: %#v", got)
	}
	if a := adminDo(t, o, http.MethodPut, "metadata_fields/colors", "application/json", `{"default_disabled":false}`); a.status != http.StatusOK {
		t.Fatalf("enable colors: %d %s", a.status, a.raw)
	}
	if got := uploadAs(t, o, "rocket.jpg", "later").Metadata; !reflect.DeepEqual(got, api.Metadata{"colors": []any{"red"}}) {
		t.Fatalf("upload after enabling: %#v", got)
	}
}

// strregex: a pattern RE2 compiles restricts string values (alone or in
// an and); a pattern it cannot compile, one too long, or one on another
// type is refused at create and update.
func TestMetadataStrRegex(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	re := func(p string) map[string]any { return map[string]any{"type": "strregex", "regex": p} }
	f := addField(t, o, metadata.Field{Type: metadata.StringFieldType, ExternalID: "sku", Label: "SKU", Validation: re("^[A-Z]{3}-[0-9]+$")})
	if !reflect.DeepEqual(f.Validation, re("^[A-Z]{3}-[0-9]+$")) {
		t.Fatalf("answer: %#v", f.Validation)
	}
	addField(t, o, metadata.Field{Type: metadata.StringFieldType, ExternalID: "code", Label: "Code",
		Validation: metadata.AndValidation([]any{re("[a-z]{3}"), metadata.StringLengthValidation(1, 5)})})
	// The separators of the parameters' readers (| = \ and quotes) stay
	// the pattern's, in a JSON body and in a form.
	odd := `^(a|b)=\d"$`
	if f := addField(t, o, metadata.Field{Type: metadata.StringFieldType, ExternalID: "odd", Label: "Odd", Validation: re(odd)}); !reflect.DeepEqual(f.Validation, re(odd)) {
		t.Fatalf("a pattern with separators: %#v", f.Validation)
	}
	a := adminDo(t, o, http.MethodPost, "metadata_fields", "application/x-www-form-urlencoded", url.Values{
		"type": {"string"}, "external_id": {"oddform"}, "label": {"Odd"}, "validation": {`{"type":"strregex","regex":"^(a|b)=\\d\"$"}`}}.Encode())
	if a.status != http.StatusOK || fmt.Sprint(a.body["validation"]) != "map[regex:"+odd+" type:strregex]" {
		t.Fatalf("a pattern with separators in a form: %d %s", a.status, a.raw)
	}
	file := testkit.Path(t, "rocket.jpg")
	res, err := o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: "ok", Metadata: api.Metadata{"sku": "ABC-42", "code": "xabc", "odd": `b=7"`}})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	for _, c := range []struct {
		md   api.Metadata
		want string
	}{
		{api.Metadata{"sku": "abc-42"}, "Invalid metadata value for field sku - does not match ^[A-Z]{3}-[0-9]+$"},
		{api.Metadata{"sku": "ABC-42\nx"}, "Invalid metadata value for field sku - does not match ^[A-Z]{3}-[0-9]+$"},
		{api.Metadata{"code": "ab1"}, "Invalid metadata value for field code - does not match [a-z]{3}"},
		{api.Metadata{"code": "abcdef"}, "Invalid metadata value for field code - longer than 5 characters"},
		{api.Metadata{"odd": `c=7"`}, "Invalid metadata value for field odd - does not match " + odd},
	} {
		res, err := o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: "bad", Metadata: c.md})
		if err != nil || res.Error.Message != c.want {
			t.Errorf("%v: %q %v, want %q", c.md, res.Error.Message, err, c.want)
		}
	}

	for _, c := range []struct {
		typ  metadata.FieldType
		v    any
		want string
	}{
		{metadata.StringFieldType, re(`^(?=a)\w+$`), "Invalid validation - strregex regex is not supported - invalid or unsupported Perl syntax: (?="},
		{metadata.StringFieldType, re(`(a)\1`), "Invalid validation - strregex regex is not supported - invalid escape sequence: \\1"},
		{metadata.StringFieldType, re(`[a-`), "Invalid validation - strregex regex is not supported - missing closing ]: [a-"},
		{metadata.StringFieldType, re(strings.Repeat("a", 1001)), "Invalid validation - strregex regex is longer than 1000 bytes"},
		{metadata.StringFieldType, re(""), "Invalid validation - strregex needs a regex"},
		{metadata.IntegerFieldType, re("1"), "Invalid validation - strregex applies to string fields"},
		{metadata.StringFieldType, metadata.AndValidation([]any{re(`(?<=x)y`)}), "Invalid validation - strregex regex is not supported - invalid named capture: (?<=x)y"},
	} {
		res, err := o.Cld.Admin.AddMetadataField(ctx, metadata.Field{Type: c.typ, ExternalID: "r", Label: "R", Validation: c.v})
		if err != nil || res.Error.Message != c.want {
			t.Errorf("create %v: %q %v, want %q", c.v, res.Error.Message, err, c.want)
		}
	}
	up, err := o.Cld.Admin.UpdateMetadataField(ctx, admin.UpdateMetadataFieldParams{FieldExternalID: "sku",
		Field: metadata.Field{Type: metadata.StringFieldType, Label: "SKU", Validation: re(`\p{Nope}`)}})
	if err != nil || !strings.HasPrefix(up.Error.Message, "Invalid validation - strregex regex is not supported - invalid character class range") {
		t.Errorf("update with a bad pattern: %q %v", up.Error.Message, err)
	}
	// The field kept its pattern.
	res, err = o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: "bad", Metadata: api.Metadata{"sku": "nope"}})
	if err != nil || res.Error.Message != "Invalid metadata value for field sku - does not match ^[A-Z]{3}-[0-9]+$" {
		t.Errorf("after a refused update: %q %v", res.Error.Message, err)
	}
}

// datasource/search: the active entries of every enum and set field
// whose value holds the term, ignoring case, in the fields' order;
// max_results bounds them; a field named datasource keeps its routes.
func TestMetadataDatasourceSearch(t *testing.T) {
	o := startOrigin(t, nil)
	addField(t, o, metadata.Field{Type: metadata.EnumFieldType, ExternalID: "color_id", Label: "Color",
		DataSource: entries("color1=Red", "color2=Dark red", "color3=Blue")})
	addField(t, o, metadata.Field{Type: metadata.SetFieldType, ExternalID: "datasource", Label: "Named datasource",
		DataSource: entries("w1=Wine RED", "w2=White", "w3=Redwood")})
	addField(t, o, metadata.Field{Type: metadata.StringFieldType, ExternalID: "red", Label: "Red", DefaultValue: "red"})
	a := adminDo(t, o, http.MethodDelete, "metadata_fields/datasource/datasource", "application/json", `{"external_ids":["w3"]}`)
	if a.status != http.StatusOK {
		t.Fatalf("delete an entry of the field named datasource: %d %s", a.status, a.raw)
	}
	search := func(body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, o.URL+"/v1_1/demo/metadata_fields/datasource/search", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(apiKey, apiSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(v)
		return resp.StatusCode, string(b)
	}
	for _, c := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"term":"rEd"}`, 200, `[{"field_id":"color_id","id":"color1","value":"Red"},{"field_id":"color_id","id":"color2","value":"Dark red"},{"field_id":"datasource","id":"w1","value":"Wine RED"}]`},
		{`{"term":"red","max_results":2}`, 200, `[{"field_id":"color_id","id":"color1","value":"Red"},{"field_id":"color_id","id":"color2","value":"Dark red"}]`},
		{`{"term":"wood"}`, 200, `[]`},
		{`{"term":"e b"}`, 200, `[]`},
		{`{"term":"k r"}`, 200, `[{"field_id":"color_id","id":"color2","value":"Dark red"}]`},
		{`{}`, 400, `{"error":{"message":"Missing required parameter - term"}}`},
		{`{"term":"` + strings.Repeat("x", 256) + `"}`, 400, `{"error":{"message":"Invalid term - longer than 255 characters"}}`},
		{`{"term":"red","max_results":-1}`, 400, `{"error":{"message":"Invalid value -1 for parameter max_results - must be between 1 and 100"}}`},
	} {
		if status, got := search(c.body); status != c.status || got != c.want {
			t.Errorf("%.60s: %d %s, want %d %s", c.body, status, got, c.status, c.want)
		}
	}
	if a := adminGet(t, o, "metadata_fields/datasource"); a.status != http.StatusOK || a.body["label"] != "Named datasource" {
		t.Errorf("get the field named datasource: %d %s", a.status, a.raw)
	}
	if a := adminDo(t, o, http.MethodGet, "metadata_fields/datasource/search", "", ""); a.status != http.StatusMethodNotAllowed && a.status != http.StatusNotFound {
		t.Errorf("GET search: %d %s", a.status, a.raw)
	}
}

// clear_invalid, on both metadata stores: a value that no longer passes
// its field's validation (changed after it was set) fails the call that
// touches the asset's metadata with the field's message; with
// clear_invalid the value is removed (from the search index too) and the
// call succeeds. Calls that leave metadata alone are not checked.
func TestMetadataClearInvalid(t *testing.T) { forEachMetaStore(t, testMetadataClearInvalid) }

func testMetadataClearInvalid(t *testing.T, o *testOrigin) {
	ctx := context.Background()
	setDemoFields(t, o)
	for _, id := range []string{"a1", "a2"} {
		res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: id,
			Metadata: api.Metadata{"alt": "abcdef", "size": 50, "mood": "wild"}})
		if msg := sdkFailure(err, res); msg != "" {
			t.Fatal(msg)
		}
	}
	// alt now takes 2 to 4 characters; wild becomes inactive (it stays valid).
	if _, err := o.Cld.Admin.UpdateMetadataField(ctx, admin.UpdateMetadataFieldParams{FieldExternalID: "alt",
		Field: metadata.Field{Type: metadata.StringFieldType, Label: "Alt", Validation: metadata.StringLengthValidation(2, 4)}}); err != nil {
		t.Fatal(err)
	}
	if a := adminDo(t, o, http.MethodDelete, "metadata_fields/mood/datasource", "application/json", `{"external_ids":["wild"]}`); a.status != http.StatusOK {
		t.Fatalf("delete wild: %d %s", a.status, a.raw)
	}
	const why = "Invalid metadata value for field alt - longer than 4 characters"

	um, err := o.Cld.Upload.UpdateMetadata(ctx, uploader.UpdateMetadataParams{PublicIDs: []string{"a1"}, Metadata: api.CldAPIMap{"size": "60"}})
	if err != nil || !strings.Contains(fmt.Sprint(um.Error), why) {
		t.Errorf("update_metadata: %+v %v", um, err)
	}
	a := adminDo(t, o, http.MethodPost, "resources/image/upload/a1", "application/json", `{"metadata":{"size":60}}`)
	if a.status != http.StatusBadRequest || a.errorMessage() != why {
		t.Errorf("update: %d %s", a.status, a.raw)
	}
	want := api.Metadata{"alt": "abcdef", "size": 50.0, "mood": "wild", "colors": []any{"red"}}
	if got := details(t, o, "a1"); !reflect.DeepEqual(got, want) {
		t.Fatalf("a refused call changed the values: %#v", got)
	}
	// Tags alone do not touch metadata.
	if ua, err := o.Cld.Admin.UpdateAsset(ctx, admin.UpdateAssetParams{PublicID: "a1", Tags: []string{"t"}}); err != nil || ua.Error.Message != "" {
		t.Errorf("update tags: %+v %v", ua.Error, err)
	}

	// Over several assets, one whose value no longer passes fails the
	// call before any is written (each asset is its own transaction).
	res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "a0",
		Metadata: api.Metadata{"alt": "abc", "size": 50}})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	a = adminDo(t, o, http.MethodPost, "image/metadata", "application/x-www-form-urlencoded",
		url.Values{"public_ids[]": {"a0", "a1"}, "metadata": {"size=70"}}.Encode())
	if a.status != http.StatusBadRequest || a.errorMessage() != why {
		t.Errorf("update_metadata of a0 and a1: %d %s", a.status, a.raw)
	}
	if got := details(t, o, "a0"); got["size"] != 50.0 {
		t.Fatalf("a refused call over several assets changed the first: %#v", got)
	}

	a = adminDo(t, o, http.MethodPost, "image/metadata", "application/x-www-form-urlencoded",
		url.Values{"public_ids[]": {"a1"}, "metadata": {"size=60"}, "clear_invalid": {"true"}}.Encode())
	if a.status != http.StatusOK || fmt.Sprint(a.body["public_ids"]) != "[a1]" {
		t.Fatalf("update_metadata with clear_invalid: %d %s", a.status, a.raw)
	}
	if got := details(t, o, "a1"); !reflect.DeepEqual(got, api.Metadata{"size": 60.0, "mood": "wild", "colors": []any{"red"}}) {
		t.Fatalf("after update_metadata with clear_invalid: %#v", got)
	}
	found, err := o.Cld.Admin.Search(ctx, search.Query{Expression: "metadata.alt=abcdef"})
	if err != nil || found.TotalCount != 1 || found.Assets[0].PublicID != "a2" {
		t.Fatalf("search after clear_invalid: %+v %v", found, err)
	}
	a = adminDo(t, o, http.MethodPost, "resources/image/upload/a2", "application/x-www-form-urlencoded",
		url.Values{"clear_invalid": {"1"}}.Encode())
	if a.status != http.StatusOK || fmt.Sprint(a.body["metadata"]) != "map[colors:[red] mood:wild size:50]" {
		t.Fatalf("update with clear_invalid alone: %d %s", a.status, a.raw)
	}
	a = adminDo(t, o, http.MethodPost, "resources/image/upload/a2", "application/x-www-form-urlencoded",
		url.Values{"clear_invalid": {"maybe"}}.Encode())
	if a.status != http.StatusBadRequest || a.errorMessage() != "Invalid value maybe for parameter clear_invalid" {
		t.Errorf("clear_invalid maybe: %d %s", a.status, a.raw)
	}
	// Explicit and upload still refuse it.
	a = adminDo(t, o, http.MethodPost, "image/explicit", "application/x-www-form-urlencoded",
		url.Values{"public_id": {"a2"}, "type": {"upload"}, "clear_invalid": {"true"}}.Encode())
	if a.status != http.StatusBadRequest || a.errorMessage() != "Parameter clear_invalid is not supported by this server" {
		t.Errorf("explicit clear_invalid: %d %s", a.status, a.raw)
	}
}

// A strregex pattern is compiled when a value is first checked against
// it, not each time the fields are read (every call that shows metadata
// reads them, and a pattern can take milliseconds and hundreds of KB to
// compile): a stored pattern this build's regexp refuses (as a newer Go
// may refuse one an older accepted) leaves the fields and the assets'
// metadata readable, and a value checked against it refused, in words.
func TestMetadataStrRegexCompiledWhenUsed(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	addField(t, o, metadata.Field{Type: metadata.StringFieldType, ExternalID: "sku", Label: "SKU",
		Validation: map[string]any{"type": "strregex", "regex": "^[A-Z]+$"}})
	addField(t, o, metadata.Field{Type: metadata.StringFieldType, ExternalID: "note", Label: "Note"})
	res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "pic",
		Metadata: api.Metadata{"sku": "ABC", "note": "hello"}})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	_, err = o.Store.Meta.UpdateMetadataField(ctx, cloudName, "sku", func(f *meta.MetadataField) error {
		f.Definition = strings.Replace(f.Definition, `"regex":"^[A-Z]+$"`, `"regex":"^(?=A)[A-Z]+$"`, 1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if a := adminDo(t, o, http.MethodGet, "metadata_fields", "", ""); a.status != http.StatusOK || !strings.Contains(string(a.raw), `(?=A)`) {
		t.Fatalf("fields: %d %s", a.status, a.raw)
	}
	if a := adminDo(t, o, http.MethodGet, "resources/image/upload/pic", "", ""); a.status != http.StatusOK ||
		fmt.Sprint(a.body["metadata"]) != "map[note:hello sku:ABC]" {
		t.Fatalf("details: %d %s", a.status, a.raw)
	}
	a := adminDo(t, o, http.MethodPost, "resources/image/upload/pic", "application/x-www-form-urlencoded", "metadata=sku%3DXYZ")
	if a.status != http.StatusBadRequest || a.errorMessage() != "Invalid metadata value for field sku - cannot be checked: its strregex regex is not supported - invalid or unsupported Perl syntax: (?=" {
		t.Fatalf("the field's value: %d %s", a.status, a.raw)
	}
}
