package delivery

import (
	"strings"
	"testing"
)

var layerCases = []struct {
	v    string
	want Layer
}{
	{"logo", Layer{Kind: LayerImage, Type: Upload, PublicID: "logo"}},
	{"brand:logos:red", Layer{Kind: LayerImage, Type: Upload, PublicID: "brand/logos/red"}},
	{"private:logo", Layer{Kind: LayerImage, Type: Private, PublicID: "logo"}},
	{"authenticated:folder:logo", Layer{Kind: LayerImage, Type: Authenticated, PublicID: "folder/logo"}},
	{"image:private:logo", Layer{Kind: LayerImage, Type: Private, PublicID: "logo"}},
	{"text:Arial_60:Hello%2C%20world%2F%F0%9F%98%80", Layer{Kind: LayerText, Style: "Arial_60", Text: "Hello, world/😀"}},
	{"text:Arial_20_bold:a:b", Layer{Kind: LayerText, Style: "Arial_20_bold", Text: "a:b"}},
	// As the Node SDK writes "Sale, 50% off/now" (",", "/" escaped twice).
	{"text:Arial_20:Sale%252C%2050%25%20off%252Fnow", Layer{Kind: LayerText, Style: "Arial_20", Text: "Sale, 50% off/now"}},
	{"fetch:aHR0cHM6Ly9leGFtcGxlLmNvbS9sb2dvLnBuZw", Layer{Kind: LayerFetch, URL: "https://example.com/logo.png"}},
	{"fetch:aHR0cHM6Ly9leGFtcGxlLmNvbS9sb2dvLnBuZw==", Layer{Kind: LayerFetch, URL: "https://example.com/logo.png"}},
}

func TestParseLayer(t *testing.T) {
	for _, c := range layerCases {
		got, err := ParseLayer(c.v)
		if err != nil || got != c.want {
			t.Errorf("ParseLayer(%q) = %+v, %v; want %+v", c.v, got, err, c.want)
		}
	}
}

func TestParseLayerRefuses(t *testing.T) {
	for _, c := range []struct{ v, msg string }{
		{"", "Invalid layer in transformation"},
		{"folder:", "Invalid layer in transformation"},
		{"a::b", "Invalid layer in transformation"},
		{"text:Arial_20", "Invalid text layer in transformation"},
		{"text:Arial_20:%zz", "Invalid text layer in transformation"},
		{"text:Arial_20:" + strings.Repeat("a", MaxLayerText+1), "Text layer is too long"},
		{"fetch:***", "Invalid fetch layer in transformation"},
		{"video:dog", "Unsupported layer type - video"},
		{"image:fetch:x", "Unsupported layer type - fetch"},
	} {
		_, err := ParseLayer(c.v)
		if err == nil || !strings.HasPrefix(err.(*Error).Message, c.msg) || err.(*Error).Status != 400 {
			t.Errorf("ParseLayer(%q) = %v; want 400 %q", c.v, err, c.msg)
		}
	}
}

// FuzzParseLayer checks that ParseLayer never panics and that an image
// layer's public ID has no empty folder.
func FuzzParseLayer(f *testing.F) {
	for _, c := range layerCases {
		f.Add(c.v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		l, err := ParseLayer(v)
		if err == nil && l.Kind == LayerImage && (l.PublicID == "" || strings.Contains(l.PublicID, "//")) {
			t.Fatalf("%q: public ID %q", v, l.PublicID)
		}
	})
}
