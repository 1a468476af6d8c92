package delivery

import (
	"strconv"
	"testing"
)

// A varying URL's variant comes from the headers it depends on, and only
// from those; its text form is the one cache keys and the variant header
// carry.
func TestVariant(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		uri, accept, secCH, dpr string
		want                    Variant
		text                    string
	}{
		{"/demo/image/upload/w_100/pic.jpg", "image/avif", "2", "", Variant{}, ""},
		{"/demo/image/upload/f_auto/pic", "image/avif,image/webp,*/*", "2", "", Variant{Negotiated: true, Format: AVIF}, "avif"},
		{"/demo/image/upload/q_auto/pic.jpg", "image/webp", "", "", Variant{Negotiated: true, Format: WebP}, "webp"},
		{"/demo/image/upload/f_auto/pic", "text/html,*/*", "", "", Variant{Negotiated: true}, "std"},
		{"/demo/image/upload/f_auto/pic", "", "", "", Variant{Negotiated: true}, "std"},
		{"/demo/image/upload/dpr_auto,w_100/pic.jpg", "image/avif", "", "", Variant{DPR: 1}, ";dpr=1"},
		{"/demo/image/upload/dpr_auto,w_100/pic.jpg", "", "2.25", "3", Variant{DPR: 2.3}, ";dpr=2.3"},
		{"/demo/image/upload/dpr_auto/f_auto,q_auto/pic", "image/webp", "", "1.5", Variant{Negotiated: true, Format: WebP, DPR: 1.5},
			"webp;dpr=1.5"},
		{"/demo/image/upload/dpr_auto/f_auto/pic", "", "9", "", Variant{Negotiated: true, DPR: 4}, "std;dpr=4"},
	} {
		u, err := Parse(c.uri)
		if err != nil {
			t.Fatal(err)
		}
		v := u.Variant(Hints{Accept: c.accept, SecCHDPR: c.secCH, DPR: c.dpr})
		if v != c.want || v.String() != c.text || !u.VariantFits(v) {
			t.Errorf("%s (%q, %q, %q): %+v %q fits %v, want %+v %q", c.uri, c.accept, c.secCH, c.dpr, v, v.String(),
				u.VariantFits(v), c.want, c.text)
		}
		if back, ok := ParseVariant(c.text); !ok || back != c.want {
			t.Errorf("ParseVariant(%q) = %+v, %v; want %+v", c.text, back, ok, c.want)
		}
	}
}

// Every ratio DPRHint gives has a text that reads back as the same number.
func TestVariantRatios(t *testing.T) {
	t.Parallel()
	for tenths := 10; tenths <= 40; tenths++ {
		d := DPRHint(strconv.FormatFloat(float64(tenths)/10, 'f', 1, 64), "")
		v := Variant{DPR: d}
		back, ok := ParseVariant(v.String())
		if !ok || back != v {
			t.Errorf("%v: %q reads back as %+v, %v", d, v.String(), back, ok)
		}
	}
}

// Only the canonical text of a variant parses.
func TestParseVariantRefuses(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"jpg", "AVIF", "avif;", "avif;dpr", "avif;dpr=", ";dpr=0", ";dpr=0.5", ";dpr=4.1", ";dpr=5",
		";dpr=2.0", ";dpr=02", ";dpr=1.25", ";dpr=1.", ";DPR=2", ";dpr=2;dpr=2", "avif;dpr=2;", "std ", " std", "webp,avif",
		"avif;q=1", "auto", "dpr=2", ";dpr=+2", ";dpr=2e0"} {
		if v, ok := ParseVariant(s); ok {
			t.Errorf("ParseVariant(%q) = %+v, want refused", s, v)
		}
	}
}

// A variant fits a URL when it has exactly the parts the URL varies on.
func TestVariantFits(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		uri, variant string
		fits         bool
	}{
		{"/demo/image/upload/f_auto/pic", "avif", true},
		{"/demo/image/upload/f_auto/pic", "std", true},
		{"/demo/image/upload/f_auto/pic", "", false},
		{"/demo/image/upload/f_auto/pic", "avif;dpr=2", false},
		{"/demo/image/upload/dpr_auto/pic.jpg", ";dpr=2", true},
		{"/demo/image/upload/dpr_auto/pic.jpg", "webp;dpr=2", false},
		{"/demo/image/upload/dpr_auto/pic.jpg", "", false},
		{"/demo/image/upload/dpr_auto/f_auto/pic", "std;dpr=1.5", true},
		{"/demo/image/upload/dpr_auto/f_auto/pic", "std", false},
		{"/demo/image/upload/w_100/pic.jpg", "", true},
		{"/demo/image/upload/w_100/pic.jpg", "avif", false},
	} {
		u, err := Parse(c.uri)
		if err != nil {
			t.Fatal(err)
		}
		v, ok := ParseVariant(c.variant)
		if !ok {
			t.Fatalf("ParseVariant(%q) refused", c.variant)
		}
		if got := u.VariantFits(v); got != c.fits {
			t.Errorf("%s: VariantFits(%q) = %v, want %v", c.uri, c.variant, got, c.fits)
		}
	}
	u, err := Parse("/demo/image/upload/w_100/pic.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if u.VariantFits(Variant{Format: AVIF}) {
		t.Error("a format without negotiation fits")
	}
}

// FuzzVariant checks the text form both ways: any text ParseVariant
// accepts is the text of what it read, and any variant negotiated from any
// headers reads back from its text as itself.
func FuzzVariant(f *testing.F) {
	for _, s := range []string{"", "avif", "webp", "std", ";dpr=2", "std;dpr=1.5", "avif;dpr=4", ";dpr=2.0", "x;dpr=1",
		";w=400", "webp;dpr=1.5;w=8192", "std;w=0", ";w=08", ";dpr=2;w=1"} {
		f.Add(s, true, true, "image/avif", "2")
	}
	f.Add("", false, true, "", "1.75")
	f.Add("", true, false, "image/webp;q=0", "")
	f.Fuzz(func(t *testing.T, s string, negotiated, autoDPR bool, accept, hint string) {
		if v, ok := ParseVariant(s); ok {
			if v.String() != s {
				t.Fatalf("ParseVariant(%q) = %+v, whose text is %q", s, v, v.String())
			}
			if v.Format != FormatNone && !v.Negotiated || v.DPR != 0 && (v.DPR < 1 || v.DPR > 4) {
				t.Fatalf("ParseVariant(%q) = %+v", s, v)
			}
		}
		v := NegotiateVariant(Depends{Negotiated: negotiated, AutoDPR: autoDPR}, Hints{Accept: accept, SecCHDPR: hint, DPR: hint})
		back, ok := ParseVariant(v.String())
		if !ok || back != v {
			t.Fatalf("NegotiateVariant(%v, %v, %q, %q) = %+v, text %q reads back as %+v, %v", negotiated, autoDPR,
				accept, hint, v, v.String(), back, ok)
		}
		// w_auto's width from the same hints, read as every width header.
		d := Depends{Negotiated: negotiated, AutoDPR: autoDPR, AutoWidth: AutoWidth{Step: 50, Fallback: 300}}
		w := NegotiateVariant(d, Hints{Accept: accept, SecCHDPR: hint, SecCHWidth: hint, Width: hint, ViewportWidth: hint})
		if back, ok := ParseVariant(w.String()); !ok || back != w || !d.AutoWidth.Fits(w.Width) {
			t.Fatalf("%+v: text %q reads back as %+v, %v", w, w.String(), back, ok)
		}
		if (v == Variant{}) != (v.String() == "") {
			t.Fatalf("%+v: text %q", v, v.String())
		}
	})
}
