package delivery

import (
	"fmt"
	"testing"
)

// The vectors of cloudinary-compat.md §1 (secret "abcd" unless noted).
func TestSignVectors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		tx, id, secret string
		alg            SignatureAlgorithm
		long           bool
		want           string
	}{
		{"c_scale,w_100", "sample.jpg", "abcd", SHA1, false, "s--__qjBcC6--"},
		{"c_scale,w_100", "folder/sample.jpg", "abcd", SHA1, false, "s--uPEN0EnT--"},
		{"w_100", "sample.jpg", "abcd", SHA1, true, "s--9-reiBi3nl2ItSk4wfNx-HJT5N11i8SY--"},
		{"w_100", "sample.jpg", "abcd", SHA256, true, "s--9-reiBi3nl2ItSk4wfNx-HJT5N11i8SY--"},
		{"c_fill,w_100", "folder/pic.jpg", "abcd", SHA1, false, "s--KEp_G-AP--"},
		// Node signs the escaped ID, Go the decoded one.
		{"", "a%20b/c%2Bd.jpg", "s", SHA1, false, "s--cOvueyA5--"},
		{"", "a b/c+d.jpg", "s", SHA1, false, "s--8VPNbz7c--"},
	} {
		if got := Sign(c.tx, c.id, c.secret, c.alg, c.long); got != c.want {
			t.Errorf("Sign(%q, %q) = %s, want %s", c.tx, c.id, got, c.want)
		}
	}
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	good := []struct{ uri, secret string }{
		{"/demo/image/upload/s--__qjBcC6--/c_scale,w_100/sample.jpg", "abcd"},
		// The version is not signed: v1 and v17 carry the same signature.
		{"/demo/image/upload/s--uPEN0EnT--/c_scale,w_100/v1/folder/sample.jpg", "abcd"},
		{"/demo/image/upload/s--uPEN0EnT--/c_scale,w_100/v17/folder/sample.jpg", "abcd"},
		{"/demo/image/upload/s--9-reiBi3nl2ItSk4wfNx-HJT5N11i8SY--/w_100/sample.jpg", "abcd"},
		{"/demo/image/upload/s--KEp_G-AP--/c_fill,w_100/v1/folder/pic.jpg", "abcd"},
		{"/demo/image/upload/s--KEp_G-AP--/c_fill,w_100/v1/folder/pic.jpg?_a=BAMAROfk0", "abcd"},
		// Both escapings of the same URL.
		{"/demo/image/upload/s--cOvueyA5--/v1/a%20b/c%2Bd.jpg", "s"},
		{"/demo/image/upload/s--8VPNbz7c--/v1/a%20b/c%2Bd.jpg", "s"},
		// The SEO suffix is not signed, and forms do not matter.
		{"/demo/images/s--uPEN0EnT--/c_scale,w_100/v1/folder/sample/any-name.jpg", "abcd"},
		{"/image/upload/s--__qjBcC6--/c_scale,w_100/sample.jpg", "abcd"},
	}
	for _, c := range good {
		u := mustParseAny(t, c.uri)
		if !u.VerifySignature(c.secret) {
			t.Errorf("VerifySignature(%s) = false", c.uri)
		}
	}
	bad := []struct{ uri, secret string }{
		{"/demo/image/upload/s--__qjBcC6--/c_scale,w_101/sample.jpg", "abcd"},
		{"/demo/image/upload/s--__qjBcC6--/c_scale,w_100/sample.png", "abcd"},
		{"/demo/image/upload/s--__qjBcC6--/c_scale,w_100/sample.jpg", "abce"},
		{"/demo/image/upload/s--__qjBcC7--/c_scale,w_100/sample.jpg", "abcd"},
		{"/demo/image/upload/c_scale,w_100/sample.jpg", "abcd"},
		{"/demo/image/upload/s--__qjBcC6--/c_scale,w_100/sample.jpg", ""},
		// A short SHA-1 prefix does not pass as a long signature.
		{"/demo/image/upload/s--9-reiBi3nl2ItSk4wfNx-HJT5N11i8SZ--/w_100/sample.jpg", "abcd"},
	}
	for _, c := range bad {
		u := mustParseAny(t, c.uri)
		if u.VerifySignature(c.secret) {
			t.Errorf("VerifySignature(%s, %q) = true", c.uri, c.secret)
		}
	}
}

func TestSignRawAndFetch(t *testing.T) {
	t.Parallel()
	// Raw files sign their extension as part of the ID; fetch signs the
	// remote URL as it appears in the URL.
	for _, c := range []struct{ tx, id, uriFmt string }{
		{"", "docs/report.pdf", "/demo/raw/upload/%s/v3/docs/report.pdf"},
		{"", "docs/report.pdf", "/demo/files/%s/docs/report/annual.pdf"},
		{"w_100", "http://example.com/a%20b.jpg", "/demo/image/fetch/%s/w_100/http://example.com/a%%20b.jpg"},
		{"w_100", "http://example.com/a b.jpg", "/demo/image/fetch/%s/w_100/http://example.com/a%%20b.jpg"},
	} {
		sig := Sign(c.tx, c.id, "secret", SHA1, false)
		uri := fmt.Sprintf(c.uriFmt, sig)
		u := mustParseAny(t, uri)
		if !u.VerifySignature("secret") {
			t.Errorf("%s: signature over %q not accepted", uri, c.id)
		}
		if got := u.Sign("secret", SHA1, false); c.id == u.PublicID && got != sig {
			t.Errorf("%s: URL.Sign = %s, want %s", uri, got, sig)
		}
	}
}

func TestURLSignRoundTrip(t *testing.T) {
	t.Parallel()
	u := mustParseAny(t, "/demo/image/upload/c_fill,w_100/v1/folder/pic.jpg")
	if got := u.Sign("abcd", SHA1, false); got != "s--KEp_G-AP--" {
		t.Fatalf("Sign = %s", got)
	}
	u.Signature = "KEp_G-AP"
	if !u.VerifySignature("abcd") {
		t.Fatal("signed URL does not verify")
	}
}

func mustParseAny(t *testing.T, uri string) URL {
	t.Helper()
	var u URL
	var err error
	if len(uri) > 7 && uri[:7] == "/image/" {
		u, err = ParseHost("demo", uri)
	} else {
		u, err = Parse(uri)
	}
	if err != nil {
		t.Fatalf("Parse(%q): %v", uri, err)
	}
	return u
}
