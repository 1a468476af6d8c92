package purge

import (
	"fmt"
	"testing"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
)

const (
	latest = 1700000000 // the asset's version before the operation
	older  = 1600000000 // some other version
)

// target parses a delivery URL into the Target an edge would build.
func target(t testing.TB, uri string, negative bool) Target {
	t.Helper()
	u, err := delivery.Parse(uri)
	if err != nil {
		t.Fatalf("parse %s: %v", uri, err)
	}
	return TargetOf(&u, negative)
}

// urlFor spells a URL of id with the given parts.
func urlFor(id, version string, signed, derived bool) string {
	u := "/demo/image/upload"
	if signed {
		u += "/s--abcdEFGH--"
	}
	if derived {
		u += "/c_fill,w_100"
	}
	if version != "" {
		u += "/" + version
	}
	return u + "/" + id + ".jpg"
}

// The legacy matrix of design.md: public ID with and without "/" × the
// "invalidate versioned URLs" setting × no version, v1, the latest version,
// another version; each × signed or not × original or derived, for rules of
// scope all and derived only.
func TestLegacyMatrix(t *testing.T) {
	versions := map[string]string{"none": "", "v1": "v1", "latest": fmt.Sprintf("v%d", latest), "other": fmt.Sprintf("v%d", older)}
	tests := []struct {
		id        string
		versioned bool
		want      map[string]bool // by version kind, for unsigned URLs
	}{
		{"sample", false, map[string]bool{"none": true, "v1": false, "latest": false, "other": false}},
		{"sample", true, map[string]bool{"none": false, "v1": false, "latest": true, "other": false}},
		{"folder/sample", false, map[string]bool{"none": false, "v1": true, "latest": false, "other": false}},
		{"folder/sample", true, map[string]bool{"none": false, "v1": false, "latest": true, "other": false}},
	}
	for _, tc := range tests {
		mode := Mode{Invalidation: config.Legacy, VersionedURLs: tc.versioned}
		for _, scope := range []Scope{ScopeAll, ScopeDerived} {
			r := NewAsset("demo", mode, delivery.Image, delivery.Upload, tc.id, latest)
			r.Scope = scope
			for kind, v := range versions {
				for _, signed := range []bool{false, true} {
					for _, derived := range []bool{false, true} {
						uri := urlFor(tc.id, v, signed, derived)
						want := tc.want[kind] && !signed && (scope == ScopeAll || derived)
						tg := target(t, uri, false)
						if got := r.Matches(&tg); got != want {
							t.Errorf("versioned=%v scope=%s %s: Matches = %v, want %v", tc.versioned, scope, uri, got, want)
						}
					}
				}
			}
		}
	}
}

// Global mode covers every URL of the asset, the SEO suffix forms included,
// and nothing of other assets.
func TestGlobalMatches(t *testing.T) {
	for _, id := range []string{"sample", "folder/sample"} {
		r := NewAsset("demo", Mode{}, delivery.Image, delivery.Upload, id, latest)
		for _, v := range []string{"", "v1", "v17", fmt.Sprintf("v%d", latest)} {
			for _, signed := range []bool{false, true} {
				for _, derived := range []bool{false, true} {
					for _, negative := range []bool{false, true} {
						uri := urlFor(id, v, signed, derived)
						tg := target(t, uri, negative)
						if !r.Matches(&tg) {
							t.Errorf("global %s (negative %v): not covered", uri, negative)
						}
					}
				}
			}
		}
	}
	r := NewAsset("demo", Mode{Invalidation: config.Global}, delivery.Image, delivery.Upload, "folder/sample", 0)
	for _, uri := range []string{
		"/demo/images/folder/sample/hello.jpg",
		"/demo/images/v1/folder/sample/hello.webp",
		"/demo/images/c_fill,w_100/v5/folder/sample/hello.jpg",
		"/demo/image/upload/folder/sample.png",
	} {
		tg := target(t, uri, false)
		if !r.Matches(&tg) {
			t.Errorf("global %s: not covered", uri)
		}
	}
	for _, uri := range []string{
		"/demo/image/upload/folder/sample2.jpg",
		"/demo/image/private/folder/sample.jpg",
		"/demo/video/upload/folder/sample.mp4",
		"/other/image/upload/folder/sample.jpg",
		"/demo/image/upload/folder.jpg",
	} {
		tg := target(t, uri, false)
		if r.Matches(&tg) {
			t.Errorf("global %s: covered, want not", uri)
		}
	}
}

func TestTransformationScopeMatchesAnySpelling(t *testing.T) {
	r := NewAsset("demo", Mode{}, delivery.Image, delivery.Upload, "sample", 0)
	r.Scope, r.Transformations = ScopeTransformations, []string{"w_100,c_fill", "e_grayscale"}
	for uri, want := range map[string]bool{
		"/demo/image/upload/c_fill,w_100/sample.jpg":             true,
		"/demo/image/upload/w_100,c_fill/v3/sample.jpg":          true,
		"/demo/image/upload/e_grayscale/sample.jpg":              true,
		"/demo/image/upload/c_fill,w_200/sample.jpg":             false,
		"/demo/image/upload/sample.jpg":                          false,
		"/demo/image/upload/c_fill,w_100/e_grayscale/sample.jpg": false,
	} {
		tg := target(t, uri, false)
		if got := r.Matches(&tg); got != want {
			t.Errorf("%s: Matches = %v, want %v", uri, got, want)
		}
	}
	r.prepare() // the index's path: canonical forms precomputed
	tg := target(t, "/demo/image/upload/w_100,c_fill/sample.jpg", false)
	if !r.Matches(&tg) {
		t.Error("prepared rule: other spelling not covered")
	}
}

func TestNamedPrefixCreatedFlush(t *testing.T) {
	tests := []struct {
		rule *Rule
		uri  string
		neg  bool
		want bool
	}{
		{NewNamed("demo", "thumb"), "/demo/image/upload/t_thumb/a.jpg", false, true},
		{NewNamed("demo", "thumb"), "/demo/image/upload/c_fill,t_big.thumb/v2/b/c.jpg", false, true},
		{NewNamed("demo", "thumb"), "/demo/image/upload/w_10/t_x.thumb.y/a.jpg", false, true},
		{NewNamed("demo", "thumb"), "/demo/image/upload/t_thumbnail/a.jpg", false, false},
		{NewNamed("demo", "thumb"), "/demo/image/upload/thumb.jpg", false, false},
		{NewNamed("demo", "thumb"), "/other/image/upload/t_thumb/a.jpg", false, false},
		{NewPrefix("demo", Mode{}, 0, 0, "shop/"), "/demo/image/upload/v3/shop/shoe.jpg", false, true},
		{NewPrefix("demo", Mode{}, 0, 0, "shop/"), "/demo/video/private/shop/a.mp4", false, true},
		{NewPrefix("demo", Mode{}, delivery.Image, delivery.Upload, "shop/"), "/demo/video/upload/shop/a.mp4", false, false},
		{NewPrefix("demo", Mode{}, 0, 0, "shop/"), "/demo/image/upload/v1/shopping/a.jpg", false, false},
		{NewPrefix("demo", Mode{}, delivery.Image, delivery.Private, ""), "/demo/image/private/any.jpg", false, true},
		{NewPrefix("demo", Mode{}, delivery.Image, delivery.Private, ""), "/demo/image/upload/any.jpg", false, false},
		{NewPrefix("demo", Mode{Invalidation: config.Legacy}, 0, 0, "shop/"), "/demo/image/upload/v1/shop/a.jpg", false, true},
		{NewPrefix("demo", Mode{Invalidation: config.Legacy}, 0, 0, "shop/"), "/demo/image/upload/shop/a.jpg", false, false},
		{NewPrefix("demo", Mode{Invalidation: config.Legacy, VersionedURLs: true}, 0, 0, "shop/"), "/demo/image/upload/v9/shop/a.jpg", false, true},
		{NewCreated("demo", delivery.Image, delivery.Upload, "new"), "/demo/image/upload/w_10/v5/new.jpg", true, true},
		{NewCreated("demo", delivery.Image, delivery.Upload, "new"), "/demo/image/upload/new.jpg", false, false},
		{NewCreated("demo", delivery.Image, delivery.Upload, "new"), "/demo/image/upload/newer.jpg", true, false},
		{NewFlush("demo"), "/demo/raw/upload/a/b.txt", false, true},
		{NewFlush("demo"), "/other/raw/upload/a/b.txt", false, false},
		{NewFlush(""), "/other/raw/upload/a/b.txt", false, true},
	}
	for _, tc := range tests {
		tg := target(t, tc.uri, tc.neg)
		if got := tc.rule.Matches(&tg); got != tc.want {
			t.Errorf("%s %q on %s (negative %v): %v, want %v", tc.rule.Kind, tc.rule.PublicID+tc.rule.Named, tc.uri, tc.neg, got, tc.want)
		}
	}
}

func TestRuleWireRoundTrip(t *testing.T) {
	r := NewAsset("demo", Mode{Invalidation: config.Legacy, VersionedURLs: true}, delivery.Video, delivery.Authenticated, "a/b c", latest)
	r.ID, r.Scope, r.Transformations = "inv-1", ScopeTransformations, []string{"w_100", "c_fill,h_10"}
	b, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeRule(b)
	if err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	if fmt.Sprint(*got) != fmt.Sprint(*r) {
		t.Errorf("round trip:\n got %+v\nwant %+v\nwire %s", *got, *r, b)
	}
	for _, bad := range []string{
		`{"v":2,"id":"x","kind":"flush","cloud":"demo"}`,
		`{"v":1,"id":"x","kind":"melt","cloud":"demo"}`,
		`{"v":1,"id":"x","kind":"asset","cloud":"demo","resource_type":"image","type":"upload"}`,
		`{"v":1,"id":"x","kind":"asset","cloud":"demo","resource_type":"sound","type":"upload","public_id":"a"}`,
		`{"v":1,"kind":"prefix"}`,
		`not json`,
	} {
		if _, err := DecodeRule([]byte(bad)); err == nil {
			t.Errorf("DecodeRule(%s) = nil error", bad)
		}
	}
}

// Every constructor makes a rule that validates and survives the wire.
func TestConstructedRulesValidate(t *testing.T) {
	mode := ModeOf(config.Cloud{})
	for _, r := range []*Rule{
		NewAsset("demo", mode, delivery.Image, delivery.Upload, "a/b", 3),
		NewPrefix("demo", mode, delivery.Image, delivery.Upload, "sunday/"),
		NewPrefix("demo", mode, delivery.ResourceNone, delivery.TypeNone, ""),
		NewNamed("demo", "thumb"),
		NewFlush("demo"),
		NewCreated("demo", delivery.Raw, delivery.Upload, "doc.pdf"),
	} {
		if err := r.Validate(); err != nil {
			t.Errorf("%s rule: %v", r.Kind, err)
			continue
		}
		b, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeRule(b)
		if err != nil || back.Kind != r.Kind || back.PublicID != r.PublicID {
			t.Errorf("%s rule round trip: %+v %v", r.Kind, back, err)
		}
	}
}
