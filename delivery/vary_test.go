package delivery

import "testing"

// Vary names the request headers a URL's bytes depend on.
func TestVary(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ uri, vary string }{
		{"/demo/image/upload/w_100/pic.jpg", ""},
		{"/demo/image/upload/f_auto/pic", "Accept"},
		{"/demo/image/upload/q_auto/pic.jpg", "Accept"},
		{"/demo/image/upload/dpr_auto,w_100/pic.jpg", "Sec-CH-DPR, DPR"},
		{"/demo/image/upload/dpr_2.0,w_100/pic.jpg", ""},
		{"/demo/image/upload/dpr_auto/f_auto,q_auto/pic", "Accept, Sec-CH-DPR, DPR"},
	} {
		u, err := Parse(c.uri)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Vary(); got != c.vary || u.Varies() != (c.vary != "") {
			t.Errorf("%s: Vary %q Varies %v, want %q", c.uri, got, u.Varies(), c.vary)
		}
	}
}

// The DPR hint: Sec-CH-DPR before DPR, rounded to a tenth, bounded to 1-4,
// 1 without a positive number in either.
func TestDPRHint(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		secCH, dpr string
		want       float64
	}{
		{"", "", 1},
		{"2", "", 2},
		{"", "3", 3},
		{"2", "3", 2},
		{" 1.75 ", "", 1.8},
		{"1.04", "", 1},
		{"0.5", "", 1},
		{"9", "", 4},
		{"Inf", "", 4},
		{"NaN", "2", 2},
		{"0", "2.5", 2.5},
		{"-2", "", 1},
		{"two", "1.5", 1.5},
		{"1e400", "2", 2}, // out of range: not a number
	} {
		if got := DPRHint(c.secCH, c.dpr); got != c.want {
			t.Errorf("DPRHint(%q, %q) = %v, want %v", c.secCH, c.dpr, got, c.want)
		}
	}
}
