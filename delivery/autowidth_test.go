package delivery

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// autoWidthSeeds are the w_auto forms, for the fuzzers and the round trip.
var autoWidthSeeds = []string{
	"w_auto", "w_auto:50", "w_auto:100:400", "c_limit,w_auto", "c_fill,ar_16:9,w_auto:100:800",
	"dpr_auto,w_auto:100", "w_auto:breakpoints", "w_auto:breakpoints_100_1000_20_10:400", "w_auto:breakpoints:json",
	"w_auto:0", "w_auto:050", "w_auto:100:", "w_auto::400", "w_auto:-100", "w_auto:8193", "w_auto:100:400:5",
	"w_auto:1:1048577", "w_auto/w_auto:50",
}

// w_auto's grammar: a step and a fallback in whole pixels, written
// canonically; the breakpoints forms kept verbatim; the rest refused in
// Cloudinary's wording.
func TestAutoWidthGrammar(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		tx   string
		want AutoWidth
		ok   bool // AutoWidth reads it
	}{
		{"w_auto", AutoWidth{Step: 100}, true},
		{"w_auto:50", AutoWidth{Step: 50}, true},
		{"w_auto:100:400", AutoWidth{Step: 100, Fallback: 400}, true},
		{"w_auto:1:1048576", AutoWidth{Step: 1, Fallback: 1 << 20}, true},
		{"w_auto:8192", AutoWidth{Step: 8192}, true},
		{"w_auto:breakpoints", AutoWidth{}, false},
		{"w_auto:breakpoints_100_1000_20_10:400", AutoWidth{}, false},
		{"w_auto:breakpoints:json", AutoWidth{}, false},
	} {
		tr, err := ParseTransformation(c.tx)
		if err != nil {
			t.Errorf("%s: %v", c.tx, err)
			continue
		}
		if got := tr.String(); got != c.tx {
			t.Errorf("%s: canonical %q", c.tx, got)
		}
		a, ok := tr.Components[0].Width.AutoWidth()
		if a != c.want || ok != c.ok {
			t.Errorf("%s: AutoWidth() = %+v, %v; want %+v, %v", c.tx, a, ok, c.want, c.ok)
		}
	}
	for _, tx := range []string{"w_auto:0", "w_auto:050", "w_auto:100:", "w_auto::400", "w_auto:-100", "w_auto:8193",
		"w_auto:100:400:5", "w_auto:1:1048577", "w_auto:100:0", "w_auto:1.5", "w_auto:big", "w_auto:"} {
		_, err := ParseTransformation(tx)
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 || e.Message != "Invalid width in transformation: "+tx[2:] {
			t.Errorf("%s: %v, want 400 Invalid width in transformation: %s", tx, err, tx[2:])
		}
	}
}

// A URL records its w_auto rounding; two w_auto that round differently
// cannot share the URL's one width.
func TestURLAutoWidth(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		uri  string
		want AutoWidth
	}{
		{"/demo/image/upload/w_100/pic.jpg", AutoWidth{}},
		{"/demo/image/upload/c_limit,w_auto/pic.jpg", AutoWidth{Step: 100}},
		{"/demo/image/upload/w_auto:50:300/e_grayscale/w_auto:50:300/pic.jpg", AutoWidth{Step: 50, Fallback: 300}},
		{"/demo/image/upload/w_auto:breakpoints/pic.jpg", AutoWidth{}},
	} {
		u, err := Parse(c.uri)
		if err != nil {
			t.Fatalf("%s: %v", c.uri, err)
		}
		if u.AutoWidth() != c.want || u.Varies() != c.want.Has() {
			t.Errorf("%s: AutoWidth %+v varies %v, want %+v", c.uri, u.AutoWidth(), u.Varies(), c.want)
		}
	}
	_, err := Parse("/demo/image/upload/w_auto/w_auto:50/pic.jpg")
	var e *Error
	if !errors.As(err, &e) || e.Status != 400 || !strings.HasPrefix(e.Message, "Invalid width in transformation: auto:50") {
		t.Errorf("two roundings: %v", err)
	}
}

// The width comes from Sec-CH-Width, else Width, else the viewport's
// width times the DPR; rounded up to the step, bounded; the fallback
// without a hint.
func TestAutoWidthHints(t *testing.T) {
	t.Parallel()
	def, fb := AutoWidth{Step: 100}, AutoWidth{Step: 100, Fallback: 400}
	for _, c := range []struct {
		a                       AutoWidth
		sec, width, svw, vw, dp string
		want                    int
	}{
		{def, "333", "", "", "", "", 400},
		{def, "401", "", "", "", "", 500},
		{def, "400", "", "", "", "", 400},
		{def, "1", "", "", "", "", 100},
		{def, " 333 ", "", "", "", "", 400},
		{def, "333.2", "", "", "", "", 400},
		{AutoWidth{Step: 50}, "333", "", "", "", "", 350},
		{AutoWidth{Step: 1}, "333.2", "", "", "", "", 334},
		{def, "333", "901", "1200", "1200", "3", 400}, // Sec-CH-Width first: device pixels, no DPR
		{def, "", "901", "1200", "", "3", 1000},       // then Width
		{def, "", "", "300", "1200", "2", 600},        // then the viewport × DPR
		{def, "", "", "", "301", "", 400},             // Viewport-Width, DPR 1
		{def, "", "", "", "301", "1.5", 500},          // 451.5 → 452 → 500
		{def, "", "", "", "", "2", 0},                 // no width hint, no fallback: the image's own
		{fb, "", "", "", "", "", 400},
		{fb, "abc", "-5", "0", "1e3", "", 400}, // no hint reads
		{fb, "999999999999", "", "", "", "", MaxAutoWidth},
		{def, "8150", "", "", "", "", MaxAutoWidth},
		{AutoWidth{Step: 3000}, "8000", "", "", "", "", MaxAutoWidth},
		{def, "", "", "", "5000", "4", MaxAutoWidth},
	} {
		got := c.a.Width(c.sec, c.width, c.svw, c.vw, DPRHint(c.dp, ""))
		if got != c.want {
			t.Errorf("%+v %q %q %q %q dpr %q: %d, want %d", c.a, c.sec, c.width, c.svw, c.vw, c.dp, got, c.want)
		}
		if !c.a.Fits(got) {
			t.Errorf("%+v: %d does not fit", c.a, got)
		}
	}
}

// However many distinct hints arrive, a w_auto URL has at most
// ceil(range/step) variants, each one the variant header may name.
func TestAutoWidthVariantsBounded(t *testing.T) {
	t.Parallel()
	u, err := Parse("/demo/image/upload/c_limit,w_auto:100:400/pic.jpg")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for w := 1; w <= 1000; w++ {
		v := u.Variant(Hints{SecCHWidth: strconv.Itoa(w)})
		key := string(u.AppendCacheKey(nil, v))
		seen[key] = true
		if !u.VariantFits(v) {
			t.Fatalf("%d: %+v does not fit", w, v)
		}
	}
	if len(seen) != 10 {
		t.Errorf("1000 hints gave %d keys, want 10", len(seen))
	}
	for _, c := range []struct {
		text string
		fits bool
	}{
		{";w=400", true}, {";w=8192", true}, {";w=401", false}, {";w=0", false}, {";w=8200", false},
		{"", false}, {";dpr=2;w=400", false}, {"std;w=400", false},
	} {
		v, ok := ParseVariant(c.text)
		if ok && u.VariantFits(v) != c.fits || !ok && c.fits {
			t.Errorf("%q: parsed %v fits %v, want %v", c.text, ok, u.VariantFits(v), c.fits)
		}
	}
	// Without a fallback, 0 (the image's own width) is the variant of
	// requests without hints.
	u, err = Parse("/demo/image/upload/dpr_auto,w_auto/f_auto/pic.jpg")
	if err != nil {
		t.Fatal(err)
	}
	v := u.Variant(Hints{Accept: "image/webp"})
	if want := (Variant{Negotiated: true, Format: WebP, DPR: 1, AutoWidth: true}); v != want || v.String() != "webp;dpr=1;w=0" ||
		!u.VariantFits(v) {
		t.Errorf("no hints: %+v %q, want %+v", v, v.String(), want)
	}
	v = u.Variant(Hints{Accept: "image/avif", SecCHDPR: "1.5", SecCHWidth: "640"})
	if v.String() != "avif;dpr=1.5;w=700" {
		t.Errorf("hints: %q", v.String())
	}
	if back, ok := ParseVariant(v.String()); !ok || back != v {
		t.Errorf("ParseVariant(%q) = %+v, %v", v.String(), back, ok)
	}
	// A fallback past MaxAutoWidth is a variant the origin reads back; no
	// other width past MaxAutoWidth fits.
	u, err = Parse("/demo/image/upload/w_auto:100:10000/pic.jpg")
	if err != nil {
		t.Fatal(err)
	}
	v = u.Variant(Hints{})
	if back, ok := ParseVariant(v.String()); v.Width != 10000 || !ok || back != v || !u.VariantFits(back) {
		t.Errorf("fallback 10000: %+v %q reads back as %+v, %v", v, v.String(), back, ok)
	}
	if v, ok := ParseVariant(";w=8193"); !ok || u.VariantFits(v) {
		t.Errorf(";w=8193: parsed %v, fits %v", ok, u.VariantFits(v))
	}
}

// Only the canonical text of a width variant parses.
func TestParseVariantWidthRefuses(t *testing.T) {
	t.Parallel()
	for _, s := range []string{";w=", ";w=-1", ";w=01", ";w=1048577", ";w=1.5", ";w=400;dpr=2", ";w=400;", "avif;w=400;w=400",
		";W=400", ";width=400", "w=400", ";w= 400"} {
		if v, ok := ParseVariant(s); ok {
			t.Errorf("ParseVariant(%q) = %+v, want refused", s, v)
		}
	}
}

// The Vary header names every hint a URL's width may come from.
func TestVaryAutoWidth(t *testing.T) {
	t.Parallel()
	const hints = "Sec-CH-Width, Width, Sec-CH-Viewport-Width, Viewport-Width, Sec-CH-DPR, DPR"
	for _, c := range []struct{ uri, want string }{
		{"/demo/image/upload/w_auto/pic.jpg", hints},
		{"/demo/image/upload/dpr_auto,w_auto/pic.jpg", hints},
		{"/demo/image/upload/f_auto,w_auto:50/pic", "Accept, " + hints},
		{"/demo/image/upload/f_auto,dpr_auto/pic", "Accept, Sec-CH-DPR, DPR"},
		{"/demo/image/upload/dpr_auto/pic.jpg", "Sec-CH-DPR, DPR"},
		{"/demo/image/upload/w_auto:breakpoints/pic.jpg", ""},
	} {
		u, err := Parse(c.uri)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Vary(); got != c.want {
			t.Errorf("%s: Vary %q, want %q", c.uri, got, c.want)
		}
	}
}
