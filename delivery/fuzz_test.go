package delivery

import (
	"errors"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// FuzzParse checks that no input panics, that every failure is an *Error
// with a sane status, that parse → format → parse round-trips, and that
// the key an edge builds from the raw request is the parsed URL's.
func FuzzParse(f *testing.F) {
	for _, c := range urlCases {
		if c.host == "" {
			f.Add(c.uri)
		}
	}
	for _, c := range errorCases {
		if len(c.uri) < 1024 {
			f.Add(c.uri)
		}
	}
	for _, c := range conditionCases {
		f.Add("/demo/image/upload/" + c.tx + "/sample.jpg")
	}
	for _, s := range autoWidthSeeds {
		f.Add("/demo/image/upload/" + s + "/pic.jpg")
	}
	for _, s := range searchSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		u, err := Parse(uri)
		if err != nil {
			checkParseError(t, uri, err)
			return
		}
		checkAccepted(t, uri, &u)
		checkRequestKey(t, "", uri, &u)
	})
}

// checkRequestKey asserts that the key of a raw request URI (as an edge
// looks it up before parsing) is the key of the URL it parsed to.
func checkRequestKey(t *testing.T, hostCloud, uri string, u *URL) {
	t.Helper()
	if raw, key := AppendRequestKey(nil, hostCloud, uri), u.AppendCacheKey(nil, Variant{}); string(raw) != string(key) {
		t.Fatalf("%q on %q: request key %q, URL's key %q", uri, hostCloud, raw, key)
	}
}

// checkParseError asserts a parse failure is an *Error with a status to
// answer and a message fit for a header.
func checkParseError(t *testing.T, uri string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || (e.Status != 400 && e.Status != 414) || e.Message == "" {
		t.Fatalf("%q: bad error %v", uri, err)
	}
	if Echo(e.Message, 0) != e.Message {
		t.Fatalf("%q: message %q has invalid UTF-8 or characters that do not print", uri, e.Message)
	}
}

// checkAccepted asserts an accepted URL round-trips and its transformation
// parses on its own.
func checkAccepted(t *testing.T, uri string, u *URL) {
	t.Helper()
	checkRoundTrip(t, u)
	if _, err := ParseTransformation(u.Transformation); err != nil {
		t.Fatalf("URL %q accepted, its transformation %q not: %v", uri, u.Transformation, err)
	}
}

// FuzzParseHost checks ParseHost as FuzzParse checks Parse, and what edges
// rely on to key both forms alike: a path that names the host's cloud
// (CloudPrefixed) reads exactly as in path form, any other URL's cache
// key, read as a path-form URL, is the same object, and the raw request's
// key is the URL's.
func FuzzParseHost(f *testing.F) {
	for _, c := range urlCases {
		if c.host != "" {
			f.Add(c.host, c.uri)
		} else {
			f.Add("demo", c.uri) // a path that names the cloud, or not
			if rest, ok := strings.CutPrefix(c.uri, "/demo"); ok {
				f.Add("demo", rest)
			}
		}
	}
	for _, c := range errorCases {
		if len(c.uri) < 1024 {
			f.Add("demo", c.uri)
		}
	}
	for _, uri := range []string{"/demo", "/demo/", "/demo/image", "/demo/image/", "/demo/pic.jpg", "/demo/iu/pic.jpg",
		"/demox/image/upload/pic.jpg", "/other/image/upload/pic.jpg", "/demo/images/v1/a/pic/seo.jpg"} {
		f.Add("demo", uri)
	}
	for _, s := range searchSeeds() {
		f.Add("demo", s)
		f.Add("demo", strings.TrimPrefix(s, "/demo"))
	}
	f.Add("", "/image/upload/pic.jpg")
	f.Add("a/b", "/image/upload/pic.jpg")
	f.Fuzz(func(t *testing.T, cloud, uri string) {
		u, err := ParseHost(cloud, uri)
		if err != nil {
			checkParseError(t, uri, err)
			return
		}
		prefixed := CloudPrefixed(cloud, uri)
		if u.Cloud != cloud || u.HostForm == prefixed {
			t.Fatalf("ParseHost(%q, %q): cloud %q, host form %v, CloudPrefixed %v", cloud, uri, u.Cloud, u.HostForm, prefixed)
		}
		if prefixed {
			p, err := Parse(uri)
			if err != nil || !reflect.DeepEqual(p, u) {
				t.Fatalf("ParseHost(%q, %q) = %+v; Parse: %+v, %v", cloud, uri, u, p, err)
			}
		} else {
			key := string(u.AppendCacheKey(nil, Variant{}))
			p, err := Parser{MaxLength: max(DefaultMaxLength, len(key))}.Parse(key)
			if err != nil || semanticOf(&p) != semanticOf(&u) {
				t.Fatalf("ParseHost(%q, %q) = %+v; its key %q reads as %+v, %v", cloud, uri, semanticOf(&u), key, semanticOf(&p), err)
			}
		}
		checkAccepted(t, uri, &u)
		checkRequestKey(t, cloud, uri, &u)
	})
}

// FuzzAllowHeaders checks the preflight's echo of the requested headers
// against a plain reading of RFC 9110's list of tokens: all or nothing,
// and never a byte that could end the header.
func FuzzAllowHeaders(f *testing.F) {
	for _, s := range []string{"", "x-requested-with", "Range, X-Custom,content-type", " , x-a ,", ",", "bad header",
		"x-a\r\nx-b", "x-a;b", "\tx-a\t", "x-a,\x00", "é", strings.Repeat("x-a,", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, requested string) {
		got := AllowHeaders(requested)
		want := ""
		if wellFormedTokenList(requested) && len(requested) <= maxRequestedHeaders {
			want = requested
		}
		if got != want {
			t.Fatalf("AllowHeaders(%q) = %q, want %q", requested, got, want)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c < 0x20 && c != '\t' || c == 0x7f {
				t.Fatalf("AllowHeaders(%q) echoes control byte %#x", requested, c)
			}
		}
	})
}

// wellFormedTokenList: comma-separated tokens, optional white space around
// them, empty elements allowed, at least one token.
func wellFormedTokenList(s string) bool {
	const tchar = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	names := 0
	for _, item := range strings.Split(s, ",") {
		item = strings.Trim(item, " \t")
		if item == "" {
			continue
		}
		for _, c := range []byte(item) {
			if strings.IndexByte(tchar, c) < 0 {
				return false
			}
		}
		names++
	}
	return names > 0
}

// FuzzHostMap checks host matching against a plain reading of it (the
// name before the last ':' outside brackets, ASCII letters lowered), and
// that a configured host and a request's Host meet exactly when their
// names do.
func FuzzHostMap(f *testing.F) {
	for _, c := range [][2]string{
		{"cdn.example", "CDN.example:8080"}, {"Img.Example:8443", "img.example"}, {"[::1]:80", "[::1]"},
		{"[FE80::1]", "[fe80::1]:443"}, {"cdn.example", "127.0.0.1:8080"}, {":80", ":80"}, {"a:b:c", "A:b"},
		{strings.Repeat("A", 300), strings.Repeat("a", 300) + ":1"}, {"ÉCOLE.example", "École.example"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, configured, host string) {
		name := HostName(host)
		if want := plainHostName(host); name != want {
			t.Fatalf("HostName(%q) = %q, want %q", host, name, want)
		}
		m, err := NewHostMap(map[string]string{configured: "c"})
		if err != nil {
			t.Fatal(err)
		}
		cloud, ok := m.Cloud(host)
		if want := HostName(configured) == name; ok != want || ok && cloud != "c" {
			t.Fatalf("configured %q (%q), Host %q (%q): Cloud = %q, %v", configured, HostName(configured), host, name, cloud, ok)
		}
	})
}

// FuzzDPRHint checks that any pair of hint headers gives a ratio of 1 to 4
// in tenths, and 1 when neither header is a positive number.
func FuzzDPRHint(f *testing.F) {
	for _, c := range [][2]string{{"", ""}, {"2", ""}, {"", "1.75"}, {" 3 ", "x"}, {"NaN", "Inf"}, {"-1", "1e400"}, {"0x1p1", "4.05"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, secCH, dpr string) {
		d := DPRHint(secCH, dpr)
		if d < 1 || d > 4 || math.Abs(d*10-math.Round(d*10)) > 1e-9 {
			t.Fatalf("DPRHint(%q, %q) = %v", secCH, dpr, d)
		}
		positive := func(s string) bool {
			v, err := strconv.ParseFloat(strings.Trim(s, " \t"), 64)
			return err == nil && v > 0
		}
		if !positive(secCH) && !positive(dpr) && d != 1 {
			t.Fatalf("DPRHint(%q, %q) = %v without a positive number", secCH, dpr, d)
		}
	})
}

func plainHostName(host string) string {
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	b := []byte(host)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// FuzzTransformation checks that the canonical form of any accepted
// transformation reads back as the same typed value.
func FuzzTransformation(f *testing.F) {
	for _, c := range typedCases {
		f.Add(c.tx)
	}
	for _, c := range urlCases {
		if c.tx != "" {
			f.Add(c.tx)
		}
	}
	for _, s := range layerSeeds {
		f.Add(s)
	}
	for _, c := range conditionCases {
		f.Add(c.tx)
	}
	for _, c := range conditionErrors {
		f.Add(c.tx)
	}
	for _, s := range cropSeeds {
		f.Add(s)
	}
	for _, s := range autoWidthSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tr, err := ParseTransformation(s)
		if err != nil {
			return
		}
		canon := tr.String()
		again, err := ParseTransformation(canon)
		if err != nil {
			t.Fatalf("%q: canonical %q does not parse: %v", s, canon, err)
		}
		if !reflect.DeepEqual(normalized(again), normalized(tr)) {
			t.Fatalf("%q: canonical %q reads back as\n%+v\nwant\n%+v", s, canon, again, tr)
		}
		if c2 := again.String(); c2 != canon {
			t.Fatalf("%q: canonical form not idempotent: %q then %q", s, canon, c2)
		}
	})
}

// layerSeeds are the layer forms (layers.go) in whole transformations.
var layerSeeds = []string{
	"l_logo,w_200/fl_layer_apply,g_south_east,x_10,y_0.1",
	"u_brand:logo,w_0.5,fl_relative/fl_layer_apply,fl_tiled,o_50",
	"c_scale,l_text:Arial_60:Hello%2C%20world,w_100",
	"l_text:Times_40_bold_italic_underline_letter_spacing_4_center:A%2FB,co_red,b_white,w_300,c_fit",
	"l_private:logo,a_90/l_logo/fl_layer_apply/fl_layer_apply,g_north",
	"l_fetch:aHR0cHM6Ly9leGFtcGxlLmNvbS9sb2dvLnBuZw/fl_layer_apply",
}

// normalized puts each component's verbatim parameters in canonical order
// (if, variables, then by key), the only order the canonical form keeps.
func normalized(t Transformation) Transformation {
	rank := func(p Param) int {
		switch p.Key {
		case KeyIf:
			return 0
		case KeyVariable:
			return 1
		}
		return 2 + int(p.Key)
	}
	out := Transformation{Components: make([]Component, len(t.Components))}
	for i, c := range t.Components {
		c.Other = append([]Param(nil), c.Other...)
		sort.SliceStable(c.Other, func(a, b int) bool { return rank(c.Other[a]) < rank(c.Other[b]) })
		c.Exprs = append([]Param(nil), c.Exprs...)
		sort.SliceStable(c.Exprs, func(a, b int) bool { return c.Exprs[a].Key < c.Exprs[b].Key })
		if len(c.Exprs) == 0 {
			c.Exprs = nil
		}
		out.Components[i] = c
	}
	return out
}
