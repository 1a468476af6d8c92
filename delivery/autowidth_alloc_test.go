//go:build !race

package delivery

import "testing"

// A w_auto URL's variant and key cost an edge nothing: its rounding is
// read once at parse time, and the hints are read in place.
func TestAutoWidthAllocatesNothing(t *testing.T) {
	const uri = "/demo/image/upload/c_limit,dpr_auto,w_auto:100:400/f_auto/v1/pic.jpg"
	var key [256]byte
	n := testing.AllocsPerRun(200, func() {
		u, err := Parse(uri)
		if err != nil {
			t.Fatal(err)
		}
		v := u.Variant(Hints{Accept: "image/avif", SecCHDPR: "2", SecCHWidth: " 333", ViewportWidth: "800"})
		_ = u.AppendCacheKey(key[:0], v)
		_ = u.Vary()
		if back, ok := ParseVariant("avif;dpr=2;w=400"); !ok || back != v {
			t.Fatalf("ParseVariant: %+v %v, want %+v", back, ok, v)
		}
	})
	if n != 0 {
		t.Errorf("%v allocations, want 0", n)
	}
}
