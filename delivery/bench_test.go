package delivery

import "testing"

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct{ name, uri string }{
		{"original", "/demo/image/upload/sample.jpg"},
		{"derived", "/demo/image/upload/c_fill,g_auto,h_200,w_300/f_auto/q_auto/v1712345678/folder/photo.jpg?_a=BAMAROfk0"},
		{"signed", "/demo/image/upload/s--KEp_G-AP--/c_fill,w_100/v1/folder/pic.jpg"},
		{"escaped", "/demo/image/upload/v1/a%20b/c%2Bd.jpg"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.uri)))
			for b.Loop() {
				if _, err := Parse(bc.uri); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseParallel(b *testing.B) {
	uri := "/demo/image/upload/c_fill,g_auto,h_200,w_300/f_auto/q_auto/v1712345678/folder/photo.jpg"
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := Parse(uri); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkCacheKey(b *testing.B) {
	u, err := Parse("/demo/image/upload/f_auto,q_auto/v1/folder/photo.jpg?_a=BAMAROfk0")
	if err != nil {
		b.Fatal(err)
	}
	var buf [256]byte
	b.ReportAllocs()
	for b.Loop() {
		_ = u.AppendCacheKey(buf[:0], u.Variant(Hints{Accept: "image/avif,image/webp,image/apng,*/*;q=0.8"}))
	}
}

func BenchmarkVerifySignature(b *testing.B) {
	u, err := Parse("/demo/image/upload/s--KEp_G-AP--/c_fill,w_100/v1/folder/pic.jpg")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !u.VerifySignature("abcd") {
			b.Fatal("signature")
		}
	}
}

func BenchmarkParseTransformation(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseTransformation("c_fill,g_auto,h_200,w_300/e_sharpen:80/f_auto/q_auto:good"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHostMap matches the Host of a request against a cloud's
// private-CDN hosts, as an edge does on every hit once some are
// configured: a Host that is not one of them (path-form traffic on an
// address), one that is, and one in other case with a port.
func BenchmarkHostMap(b *testing.B) {
	m, err := NewHostMap(map[string]string{"img.example": "demo"})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name, host string
		ok         bool
	}{
		{"other", "127.0.0.1:8080", false},
		{"exact", "img.example", true},
		{"case-and-port", "IMG.example:8443", true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := m.Cloud(bc.host); ok != bc.ok {
					b.Fatal(bc.host)
				}
			}
		})
	}
}
