package origin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/admin/metadata"
	"github.com/cloudinary/cloudinary-go/v2/api/admin/search"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The words of string metadata values through the Go SDK's search, on
// both metadata stores: metadata.<external_id>: on a string field matches
// a word of the value (= the whole value), a term without a field matches
// them too, an enum's or a set's entries have no words; the words follow
// upload (a default value included), explicit, the Admin API's update,
// update_metadata, clear_invalid and a field's deletion.
func TestGoSDKSearchMetadataWords(t *testing.T) { forEachMetaStore(t, testGoSDKSearchMetadataWords) }

func testGoSDKSearchMetadataWords(t *testing.T, o *testOrigin) {
	ctx := context.Background()
	addField(t, o, metadata.Field{Type: metadata.StringFieldType, ExternalID: "caption", Label: "Caption"})
	addField(t, o, metadata.Field{Type: metadata.StringFieldType, ExternalID: "credit", Label: "Credit", Mandatory: true,
		DefaultValue: "Photo Desk"})
	addField(t, o, metadata.Field{Type: metadata.EnumFieldType, ExternalID: "mood", Label: "Mood",
		DataSource: entries("calm=Calm", "wild=Wild")})
	addField(t, o, metadata.Field{Type: metadata.SetFieldType, ExternalID: "colors", Label: "Colors",
		DataSource: entries("red=Red", "blue=Blue")})
	file := testkit.Path(t, "rocket.jpg")
	up, err := o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: "w/one",
		Metadata: api.Metadata{"caption": "Blue Whale at dawn", "mood": "calm", "colors": []string{"red"}}})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	up, err = o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: "w/two"})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	find := func(expr, want string) {
		t.Helper()
		res, err := o.Cld.Admin.Search(ctx, search.Query{Expression: expr, SortBy: []search.SortByField{{"public_id": search.Descending}}})
		if err != nil || res.Error.Message != "" {
			t.Fatalf("%s: %+v %v", expr, res.Error, err)
		}
		var got []string
		for _, a := range res.Assets {
			got = append(got, a.PublicID)
		}
		if strings.Join(got, " ") != want || res.TotalCount != len(got) {
			t.Errorf("%s = %q (total_count %d), want %q", expr, got, res.TotalCount, want)
		}
	}
	find("metadata.caption:whale", "w/one")
	find("metadata.caption:WHA*", "w/one")
	find(`metadata.caption:"dawn whale"`, "w/one")
	find("metadata.caption=whale", "")
	find(`metadata.caption="Blue Whale at dawn"`, "w/one")
	find("whale AND folder:w", "w/one")
	find("metadata.credit:desk", "w/two w/one") // the default value
	find(`"photo desk"`, "w/two w/one")
	find("calm OR red", "") // entries of a fixed list: no words
	find("metadata.mood:calm AND metadata.colors:red", "w/one")

	// explicit
	ex, err := o.Cld.Upload.Explicit(ctx, uploader.ExplicitParams{PublicID: "w/two", Type: "upload",
		Metadata: api.Metadata{"caption": "Grey seal"}})
	if msg := sdkFailure(err, ex); msg != "" {
		t.Fatal(msg)
	}
	find("seal", "w/two")
	// the Admin API's update
	a := adminDo(t, o, http.MethodPost, "resources/image/upload/w/one", "application/json",
		`{"metadata":{"caption":"Harbour porpoise"}}`)
	if a.status != http.StatusOK {
		t.Fatalf("update: %d %s", a.status, a.raw)
	}
	find("whale", "")
	find("metadata.caption:porpoise", "w/one")
	// update_metadata
	um, err := o.Cld.Upload.UpdateMetadata(ctx, uploader.UpdateMetadataParams{PublicIDs: []string{"w/one", "w/two"},
		Metadata: api.CldAPIMap{"credit": "Anna Lee"}})
	if err != nil || um.Error != nil {
		t.Fatalf("update_metadata: %+v %v", um, err)
	}
	find("desk", "")
	find("metadata.credit:anna AND metadata.credit:lee", "w/two w/one")
	// clear_invalid: a caption longer than the field now takes goes
	if res, err := o.Cld.Admin.UpdateMetadataField(ctx, admin.UpdateMetadataFieldParams{FieldExternalID: "caption",
		Field: metadata.Field{Type: metadata.StringFieldType, Label: "Caption", Validation: metadata.StringLengthValidation(1, 10)}}); err != nil || res.Error.Message != "" {
		t.Fatalf("caption validation: %+v %v", res, err)
	}
	a = adminDo(t, o, http.MethodPost, "image/metadata", "application/x-www-form-urlencoded",
		url.Values{"public_ids[]": {"w/one", "w/two"}, "metadata": {"credit=Bo"}, "clear_invalid": {"true"}}.Encode())
	if a.status != http.StatusOK {
		t.Fatalf("update_metadata with clear_invalid: %d %s", a.status, a.raw)
	}
	find("porpoise", "")
	find("seal", "w/two") // 9 characters: valid
	find("metadata.credit:bo", "w/two w/one")

	// A field's deletion: its words go.
	del, err := o.Cld.Admin.DeleteMetadataField(ctx, admin.DeleteMetadataFieldParams{FieldExternalID: "credit"})
	if err != nil || del.Error.Message != "" {
		t.Fatalf("delete credit: %+v %v", del, err)
	}
	find("bo", "")
	find("seal", "w/two")
}
