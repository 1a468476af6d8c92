package origin_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/admin/search"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The Search API's words through the Go SDK, on both metadata stores:
// the expression forms of Cloudinary's documentation (a term without a
// field, "cat AND tags:kitten", "public_id:shoes"), : on words and =
// on whole values, and words that follow uploads, tags, display names
// and renames made through the SDK.
func TestGoSDKSearchWords(t *testing.T) { forEachMetaStore(t, testGoSDKSearchWords) }

func testGoSDKSearchWords(t *testing.T, o *testOrigin) {
	ctx := context.Background()
	res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "chelsea.png"), uploader.UploadParams{
		PublicID: "products/Red_Shoes-2024", DisplayName: "Cat in shoes",
		Tags: api.CldAPIArray{"kitten", "Summer Sale"}, Context: api.CldAPIMap{"alt": "A cat in boots"}})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	res, err = o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{
		PublicID: "shots/rocket", Tags: api.CldAPIArray{"space"}, Context: api.CldAPIMap{"alt": "A rocket"}})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	uploadAs(t, o, "chelsea.png", "shots/cat")
	find := func(expr, want string) {
		t.Helper()
		res, err := o.Cld.Admin.Search(ctx, search.Query{Expression: expr, MaxResults: 100,
			SortBy: []search.SortByField{{"public_id": search.Ascending}}})
		if err != nil || res.Error.Message != "" {
			t.Fatalf("%s: %+v %v", expr, res.Error, err)
		}
		var got []string
		for _, a := range res.Assets {
			got = append(got, a.PublicID)
		}
		if strings.Join(got, " ") != want || res.TotalCount != len(got) {
			t.Errorf("%s: %q (total %d), want %q", expr, got, res.TotalCount, want)
		}
	}
	for _, c := range []struct{ expr, want string }{
		{"cat AND tags:kitten", "products/Red_Shoes-2024"},
		{"cat", "products/Red_Shoes-2024 shots/cat"},
		{"cat -tags:kitten", "shots/cat"},
		{"public_id:shoes", "products/Red_Shoes-2024"},
		{"public_id=shoes", ""},
		{"public_id=products/Red_Shoes-2024", "products/Red_Shoes-2024"},
		{"shoes", "products/Red_Shoes-2024"},
		{"SHOES AND 2024", "products/Red_Shoes-2024"},
		{"sho*", "products/Red_Shoes-2024 shots/cat shots/rocket"},
		{"public_id:shots/*", "shots/cat shots/rocket"},
		{"filename:cat", "shots/cat"},
		{"filename:red*", "products/Red_Shoes-2024"},
		{"display_name:shoes", "products/Red_Shoes-2024"},
		{"tags:summer", "products/Red_Shoes-2024"},
		{"tags=summer", ""},
		{`tags="Summer Sale"`, "products/Red_Shoes-2024"},
		{"tags=kitten", "products/Red_Shoes-2024"},
		{"context.alt:rocket", "shots/rocket"},
		{`"a rocket"`, "shots/rocket"},
		{"boots OR space", "products/Red_Shoes-2024 shots/rocket"},
		{"(rocket OR kitten) AND format:png", "products/Red_Shoes-2024"},
	} {
		find(c.expr, c.want)
	}

	// Writes through the SDK move the words.
	if _, err := o.Cld.Upload.AddTag(ctx, uploader.AddTagParams{Tag: "Launch Day", PublicIDs: []string{"shots/rocket"}}); err != nil {
		t.Fatal(err)
	}
	find("tags:launch", "shots/rocket")
	up, err := o.Cld.Admin.UpdateAsset(ctx, admin.UpdateAssetParams{PublicID: "shots/cat", DisplayName: "Sleepy tabby"})
	if err != nil || up.Error.Message != "" {
		t.Fatalf("update: %+v %v", up, err)
	}
	find("tabby", "shots/cat")
	ren, err := o.Cld.Upload.Rename(ctx, uploader.RenameParams{FromPublicID: "shots/cat", ToPublicID: "pets/tabby_nap"})
	if err != nil || ren.Error != nil || ren.PublicID != "pets/tabby_nap" {
		t.Fatalf("rename: %+v %v", ren, err)
	}
	find("shots", "shots/rocket")
	find("filename:nap", "pets/tabby_nap")
	find("tabby", "pets/tabby_nap")
}
