package origin_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin/metadata"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// An upload to a cloud of 100 string fields, each with 10 strregex rules
// and a default, compiles no pattern per upload: the defaults are not
// checked again, and the values given are checked with patterns compiled
// once per origin.
func TestMetadataStrRegexCompiledOnce(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	rules := make([]any, 10)
	for j := range rules {
		rules[j] = map[string]any{"type": "strregex", "regex": fmt.Sprintf(`^[\p{L}\p{N} ._-]{1,%d}$`, 5+j)}
	}
	for i := range 100 {
		addField(t, o, metadata.Field{Type: metadata.StringFieldType, ExternalID: fmt.Sprintf("f%d", i), Label: fmt.Sprintf("F%d", i),
			DefaultValue: "dflt", Validation: metadata.AndValidation(rules)})
	}
	base := o.Server.RegexCompiles()
	file := testkit.Path(t, "rocket.jpg")
	for i := range 3 {
		res, err := o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: fmt.Sprintf("d%d", i)})
		if msg := sdkFailure(err, res); msg != "" {
			t.Fatal(msg)
		}
		if len(res.Metadata) != 100 || res.Metadata["f7"] != "dflt" {
			t.Fatalf("defaults: %v", res.Metadata)
		}
	}
	if n := o.Server.RegexCompiles() - base; n != 0 {
		t.Fatalf("uploads with the defaults compiled %d patterns", n)
	}
	md := api.Metadata{}
	for i := range 100 {
		md[fmt.Sprintf("f%d", i)] = "okay"
	}
	for i := range 3 {
		res, err := o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: fmt.Sprintf("v%d", i), Metadata: md})
		if msg := sdkFailure(err, res); msg != "" {
			t.Fatal(msg)
		}
	}
	if n := o.Server.RegexCompiles() - base; n != 10 {
		t.Fatalf("3 uploads giving 100 values compiled %d patterns, want the 10 distinct ones once", n)
	}
	// A value that fails still fails, with the pattern in the message.
	md["f3"] = "too long"
	res, err := o.Cld.Upload.Upload(ctx, file, uploader.UploadParams{PublicID: "bad", Metadata: md})
	if err != nil || res.Error.Message != `Invalid metadata value for field f3 - does not match ^[\p{L}\p{N} ._-]{1,5}$` {
		t.Fatalf("%q %v", res.Error.Message, err)
	}
}

// A pattern compiling to too large a program is refused when a field is
// created, naming strregex and the bound; the failure message of a long
// pattern is clipped.
func TestMetadataStrRegexBounded(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	re := func(p string) map[string]any { return map[string]any{"type": "strregex", "regex": p} }
	for p, want := range map[string]string{
		`^[\p{L}\p{N} ._-]{1,255}$`:                "Invalid validation - strregex regex is too complex - its character classes hold more than 20000 ranges",
		`^[a-z]{1,1000}[a-z]{1,1000}[a-z]{1,500}$`: "Invalid validation - strregex regex is too complex - it compiles to more than 5000 instructions",
	} {
		res, err := o.Cld.Admin.AddMetadataField(ctx, metadata.Field{Type: metadata.StringFieldType, ExternalID: "r", Label: "R", Validation: re(p)})
		if err != nil || res.Error.Message != want {
			t.Errorf("%s: %q %v, want %q", p, res.Error.Message, err, want)
		}
	}
	long := "^(" + strings.Repeat("abcdefghij|", 80) + "z)$"
	addField(t, o, metadata.Field{Type: metadata.StringFieldType, ExternalID: "long", Label: "Long", Validation: re(long)})
	res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "bad", Metadata: api.Metadata{"long": "nope"}})
	if err != nil || !strings.HasPrefix(res.Error.Message, "Invalid metadata value for field long - does not match ^(abcdefghij|") ||
		len(res.Error.Message) > 300 || !strings.HasSuffix(res.Error.Message, "...") {
		t.Fatalf("%q %v", res.Error.Message, err)
	}
}
