//go:build !race

package delivery

import "testing"

// typicalURLs are what an edge parses on its hot path.
var typicalURLs = []string{
	"/demo/image/upload/sample.jpg",
	"/demo/image/upload/c_fill,g_auto,h_200,w_300/f_auto/q_auto/v1712345678/folder/photo.jpg?_a=BAMAROfk0",
	"/demo/image/upload/s--KEp_G-AP--/c_fill,w_100/v1/folder/pic.jpg",
	"/demo/images/w_400/v1/folder/sample/hello.webp",
	"/demo/raw/upload/v3/docs/report.pdf",
	"/demo/image/fetch/w_100/http://example.com/a.jpg",
}

func TestParseAllocatesNothing(t *testing.T) {
	for _, uri := range typicalURLs {
		var key [256]byte
		n := testing.AllocsPerRun(200, func() {
			u, err := Parse(uri)
			if err != nil {
				t.Fatal(err)
			}
			_ = u.Class()
			_ = u.AppendCacheKey(key[:0], u.Variant(Hints{Accept: "image/avif,image/webp,*/*", SecCHDPR: "2"}))
		})
		if n != 0 {
			t.Errorf("Parse(%q) + Class + AppendCacheKey: %v allocations, want 0", uri, n)
		}
	}
	for _, uri := range []string{"/image/upload/w_100/sample.jpg", "/demo/image/upload/w_100/sample.jpg"} {
		n := testing.AllocsPerRun(200, func() {
			if _, err := ParseHost("demo", uri); err != nil {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Errorf("ParseHost(%q): %v allocations, want 0", uri, n)
		}
	}
}

func TestVerifySignatureAllocatesNothing(t *testing.T) {
	u, err := Parse("/demo/image/upload/s--KEp_G-AP--/c_fill,w_100/v1/folder/pic.jpg")
	if err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(200, func() {
		if !u.VerifySignature("abcd") {
			t.Fatal("signature")
		}
	})
	if n != 0 {
		t.Errorf("VerifySignature: %v allocations, want 0", n)
	}
}

// Matching a request's Host against private-CDN hosts allocates nothing,
// whatever its case and port.
func TestHostMapAllocatesNothing(t *testing.T) {
	m, err := NewHostMap(map[string]string{"cdn.example": "demo"})
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"cdn.example", "CDN.Example:8080", "127.0.0.1:8080", "Other.example"} {
		n := testing.AllocsPerRun(200, func() {
			if cloud, ok := m.Cloud(host); ok != (cloud == "demo") {
				t.Fatal(host)
			}
		})
		if n != 0 {
			t.Errorf("Cloud(%q): %v allocations, want 0", host, n)
		}
	}
	n := testing.AllocsPerRun(200, func() { _ = DPRHint(" 2.25", "") })
	if n != 0 {
		t.Errorf("DPRHint: %v allocations, want 0", n)
	}
}

// An edge's lookup before parsing allocates nothing: the raw request's
// key, the variant from its headers and the variant's part of the key;
// nor does reading a variant's text.
func TestRequestKeyAllocatesNothing(t *testing.T) {
	var key [256]byte
	for _, c := range []struct{ cloud, uri string }{
		{"", "/demo/image/upload/dpr_auto/f_auto/v1/pic?_a=BAMAROfk0"},
		{"demo", "/image/upload/dpr_auto/f_auto/v1/pic"},
		{"demo", "/demo/image/upload/dpr_auto/f_auto/v1/pic"},
	} {
		n := testing.AllocsPerRun(200, func() {
			v := NegotiateVariant(Depends{Negotiated: true, AutoDPR: true}, Hints{Accept: "image/avif,image/webp,*/*", SecCHDPR: "2.25"})
			_ = AppendVariantKey(AppendRequestKey(key[:0], c.cloud, c.uri), v)
			if back, ok := ParseVariant("avif;dpr=2.3"); !ok || back != v {
				t.Fatalf("ParseVariant: %+v %v, want %+v", back, ok, v)
			}
		})
		if n != 0 {
			t.Errorf("%q on %q: %v allocations, want 0", c.uri, c.cloud, n)
		}
	}
}
