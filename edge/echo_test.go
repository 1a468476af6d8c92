package edge

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// checkSafeText fails unless s is text delivery.Echo leaves as it is:
// valid UTF-8 with only characters that print.
func checkSafeText(t testing.TB, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) || delivery.Echo(s, 0) != s {
		t.Errorf("%s %q: invalid UTF-8 or characters that do not print", what, s)
	}
}

// The edge's own error answers quote the URL escaped and bounded, in
// X-Cld-Error and in the body, whether its bytes came percent-escaped or
// raw in the request line. Before, raw bytes above 0x7e became "?".
func TestEdgeErrorEscapesRequestText(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	for _, c := range []struct {
		target, want string
	}{
		{"/demo/image/upload/w_\xff\xfe/pic.jpg", "Invalid width in transformation: %FF%FE"},
		{"/demo/image/upload/w_caf\xc3\xa9/pic.jpg", "Invalid width in transformation: café"},
		{"/demo/image/upload/w_%c0%ae/pic.jpg", "Invalid width in transformation: %c0%ae"},
		{"/demo/image/upload/a%0d%0aX-Injected:%201.jpg", "Invalid public ID - a%0d%0aX-Injected:%201"},
		{"/demo/image/upload/w_" + strings.Repeat("\xff", 2000) + "/pic.jpg",
			"Invalid width in transformation: " + strings.Repeat("%FF", 40) + "..."},
	} {
		a := testkit.RawExchange(t, e.Addr(), "GET "+c.target+" HTTP/1.1\r\nHost: x\r\n\r\n")
		if a.Code() != http.StatusBadRequest || a.Header("X-Cld-Error") != c.want || a.Body != c.want+"\n" {
			t.Errorf("%.60q: %q, X-Cld-Error %.80q, body %.80q; want %.80q", c.target, a.StatusLine, a.Header("X-Cld-Error"), a.Body, c.want)
		}
		if a.Header("X-Injected") != "" {
			t.Errorf("%q: a header was injected", c.target)
		}
		for _, h := range a.Lines {
			checkSafeText(t, "header", h)
		}
		checkSafeText(t, "body", strings.TrimSuffix(a.Body, "\n"))
	}
	if o.count.Load() != 0 {
		t.Errorf("bad URLs reached the origin %d times", o.count.Load())
	}
}

// An origin's X-Cld-Error is passed on escaped too: an origin that echoes
// raw bytes (an older version) cannot make the edge send them, from the
// miss or from the cached answer.
func TestEdgeEscapesOriginError(t *testing.T) {
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Cld-Error", "Resource not found - \xc0\xae")
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Cache-Control", "public, max-age=60")
		w.WriteHeader(http.StatusNotFound)
	})
	e := startEdge(t, nil, o.URL)
	for range 2 {
		a := testkit.RawExchange(t, e.Addr(), "GET /demo/image/upload/%c0%ae.jpg HTTP/1.1\r\nHost: x\r\n\r\n")
		if a.Code() != http.StatusNotFound || a.Header("X-Cld-Error") != "Resource not found - %C0%AE" {
			t.Errorf("%q, X-Cld-Error %q", a.StatusLine, a.Header("X-Cld-Error"))
		}
	}
	if n := o.count.Load(); n != 1 {
		t.Errorf("%d origin requests, want 1 (the 404 cached)", n)
	}
}
