package delivery

import (
	"testing"
)

// semantic is what a canonical URL must keep of a parsed one.
type semantic struct {
	cloud      string
	rt         ResourceType
	typ        DeliveryType
	sig, tx    string
	version    uint64
	hasVersion bool
	id, ext    string
	format     Format
}

func semanticOf(u *URL) semantic {
	s := semantic{u.Cloud, u.Resource, u.Type, u.Signature, u.Transformation, u.Version, u.HasVersion,
		u.PublicID, u.Ext, u.Format}
	if u.Resource == Raw || u.Type == Fetch {
		s.ext = "" // part of the public ID
	}
	return s
}

// checkRoundTrip asserts parse → format → parse is stable: the canonical
// form reads back as the same asset, and formatting it again changes nothing.
func checkRoundTrip(t *testing.T, u *URL) {
	t.Helper()
	canon := u.String()
	again, err := Parse(canon)
	if err != nil {
		t.Fatalf("canonical %q of %q does not parse: %v", canon, u.Path, err)
	}
	if semanticOf(&again) != semanticOf(u) {
		t.Fatalf("canonical %q of %q reads back differently:\n got %+v\nwant %+v", canon, u.Path, semanticOf(&again), semanticOf(u))
	}
	if u.Form == FormSearch {
		if again.Form != FormSearch || again.Search != u.Search || canon != "/"+u.Cloud+u.Search.pathForTest() {
			t.Fatalf("search URL %q written back as %q", u.Path, canon)
		}
		return
	}
	if again.Form != FormStandard || again.Suffix != "" || again.HostForm {
		t.Fatalf("canonical %q is not in the standard form", canon)
	}
	if c2 := again.String(); c2 != canon {
		t.Fatalf("canonical form not idempotent: %q then %q", canon, c2)
	}
}

func TestCanonical(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ uri, host, want string }{
		{"/demo/image/upload/sample.jpg?_a=1", "", "/demo/image/upload/sample.jpg"},
		{"/demo/images/v1/folder/sample/hello.jpg", "", "/demo/image/upload/v1/folder/sample.jpg"},
		{"/demo/iu/w_100/sample.jpg", "", "/demo/image/upload/w_100/sample.jpg"},
		{"/demo/sample.jpg", "", "/demo/image/upload/sample.jpg"},
		{"/image/upload/sample.jpg", "demo", "/demo/image/upload/sample.jpg"},
		{"/demo/files/v1/docs/report/annual.pdf", "", "/demo/raw/upload/v1/docs/report.pdf"},
		{"/demo/image/upload/v1/a(1)!*'.jpg", "", "/demo/image/upload/v1/a%281%29%21%2A%27.jpg"},
		{"/demo/image/upload/v1/a%20b/c%2Bd.jpg", "", "/demo/image/upload/v1/a%20b/c%2Bd.jpg"},
		{"/demo/image/upload/v0001/sample.jpg", "", "/demo/image/upload/v1/sample.jpg"},
		{"/demo/image/fetch/w_100/http://a.com/x%20y.jpg%3Fz%3D1", "", "/demo/image/fetch/w_100/http://a.com/x%20y.jpg%3Fz%3D1"},
		// A remote URL's first segment is escaped like a public ID's.
		{"/demo/image/fetch/a_,/", "", "/demo/image/fetch/%61_%2C/"},
		{"/0/image/fetch/a_,/", "", "/0/image/fetch/%61_%2C/"},
		{"/demo/image/fetch/v1/v2/x", "", "/demo/image/fetch/v1/v2/x"},
		{"/demo/image/fetch/%762/x", "", "/demo/image/fetch/%762/x"},
		// Decoded IDs that would read back as something else get escaped.
		{"/demo/image/upload/%77_100/x.jpg", "", "/demo/image/upload/%77_100/x.jpg"},
		{"/demo/image/upload/w_100%2Fx.jpg", "", "/demo/image/upload/%77_100/x.jpg"},
		{"/demo/image/upload/v1%2Fx.jpg", "", "/demo/image/upload/%761/x.jpg"},
		{"/demo/image/upload/v7/v1%2Fx.jpg", "", "/demo/image/upload/v7/v1/x.jpg"},
		{"/demo/image/upload/my%2Ephoto", "", "/demo/image/upload/my%2Ephoto"},
	} {
		var u URL
		var err error
		if c.host != "" {
			u, err = ParseHost(c.host, c.uri)
		} else {
			u, err = Parse(c.uri)
		}
		if err != nil {
			t.Fatalf("%s: %v", c.uri, err)
		}
		if got := u.String(); got != c.want {
			t.Errorf("%s: String() = %q, want %q", c.uri, got, c.want)
		}
		checkRoundTrip(t, &u)
	}
}

func TestRoundTripTable(t *testing.T) {
	t.Parallel()
	for _, c := range urlCases {
		var u URL
		var err error
		if c.host != "" {
			u, err = ParseHost(c.host, c.uri)
		} else {
			u, err = Parse(c.uri)
		}
		if err != nil {
			t.Fatal(err)
		}
		checkRoundTrip(t, &u)
	}
}

func TestBuildURL(t *testing.T) {
	t.Parallel()
	// What the origin does for an upload response: build, then format.
	u := URL{Cloud: "demo", Resource: Image, Type: Upload, Version: 1712345678, HasVersion: true,
		PublicID: "folder/my pic", Ext: "jpg"}
	if got, want := u.String(), "/demo/image/upload/v1712345678/folder/my%20pic.jpg"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}
