package edge

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// checkRefused fails unless a is status with the edge's error text, and
// the edge closes the connection after it when close is set.
func checkRefused(t *testing.T, what string, a testkit.RawAnswer, status int, msg string, close bool) {
	t.Helper()
	if a.Code() != status || a.Header("X-Cld-Error") != msg {
		t.Errorf("%s: %q, X-Cld-Error %q; want %d %q", what, a.StatusLine, a.Header("X-Cld-Error"), status, msg)
	}
	if close && !strings.EqualFold(a.Header("Connection"), "close") {
		t.Errorf("%s: the connection is kept (Connection %q)", what, a.Header("Connection"))
	}
}

// HTTP/1.x only (RFC 9110 §2.5, RFC 9112 §2.3): another major version
// gets 505 and the connection is closed; a higher minor version is served
// as HTTP/1.1. Before, HTTP/9.9 was served.
func TestHTTPVersions(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	for _, v := range []string{"HTTP/9.9", "HTTP/2.0", "HTTP/0.9", "HTTP/3.1"} {
		for _, path := range []string{"/healthz", "/demo/image/upload/pic.jpg"} {
			a := testkit.RawExchange(t, e.Addr(), "GET "+path+" "+v+"\r\nHost: x\r\n\r\n")
			checkRefused(t, v+" "+path, a, http.StatusHTTPVersionNotSupported, "HTTP version not supported", true)
		}
	}
	for _, v := range []string{"HTTP/1.1", "HTTP/1.0", "HTTP/1.2"} {
		a := testkit.RawExchange(t, e.Addr(), "GET /demo/image/upload/pic.jpg "+v+"\r\nHost: x\r\n\r\n")
		if a.Code() != http.StatusOK {
			t.Errorf("%s: %q", v, a.StatusLine)
		}
	}
	if n := o.hits("/demo/image/upload/pic.jpg"); n != 1 {
		t.Errorf("the origin was asked %d times, want once (for the HTTP/1.x requests)", n)
	}
}

// Obsolete line folding (RFC 9112 §5.2) is refused with 400, as is a
// request carrying both Transfer-Encoding and Content-Length (§6.3, a
// smuggling attempt): the edge cannot know how a server behind a proxy in
// front of it framed that request, so it answers and closes. Before, both
// were served.
func TestFramingAmbiguitiesRefused(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	const get = "GET /demo/image/upload/pic.jpg HTTP/1.1\r\nHost: x\r\n"
	for _, c := range []struct {
		name, req, msg string
	}{
		{"fold with a space", get + "X-A: a\r\n b\r\n\r\n", "Obsolete line folding in request headers"},
		{"fold with a tab", get + "Accept: image/webp,\r\n\t*/*\r\n\r\n", "Obsolete line folding in request headers"},
		{"fold after the last header", get + "X-A: a\r\n  \r\n\r\n", "Obsolete line folding in request headers"},
		{"Content-Length then chunked", get + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			"Transfer-Encoding and Content-Length in one request"},
		{"chunked then Content-Length", get + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
			"Transfer-Encoding and Content-Length in one request"},
		{"other case", get + "transfer-encoding: chunked\r\ncontent-length: 0\r\n\r\n0\r\n\r\n",
			"Transfer-Encoding and Content-Length in one request"},
		{"identity", get + "Content-Length: 0\r\nTransfer-Encoding: identity\r\n\r\n",
			"Transfer-Encoding and Content-Length in one request"},
	} {
		a := testkit.RawExchange(t, e.Addr(), c.req)
		checkRefused(t, c.name, a, http.StatusBadRequest, c.msg, true)
	}
	if n := o.count.Load(); n != 0 {
		t.Errorf("refused requests reached the origin %d times", n)
	}
	// What is allowed stays allowed: one framing header, a folded-looking
	// value that is not a fold, a chunked GET.
	for _, req := range []string{
		get + "Content-Length: 0\r\n\r\n",
		get + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		get + "X-A: a b\r\nX-B:\tc\r\n\r\n",
	} {
		if a := testkit.RawExchange(t, e.Addr(), req); a.Code() != http.StatusOK {
			t.Errorf("%q: %q", req, a.StatusLine)
		}
	}
}

// A URL over max_url_length answers 414 URI Too Long, as documented,
// whatever the headers that come with it, as long as the head fits in
// max_url_length + max_header_bytes; headers over max_header_bytes answer
// 431. Before, a URL over 8 KiB got 431 (it did not fit in the header
// buffer), and a URL just under the limit with a long Referer got 431
// too.
func TestRequestLimits(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL) // max_url_length 8192, max_header_bytes 8KiB
	url := func(n int) string {
		p := "/demo/image/upload/"
		return p + strings.Repeat("a", n-len(p)-len(".jpg")) + ".jpg"
	}
	referer := "Referer: https://example.com/" + strings.Repeat("r", 6000) + "\r\n"
	for _, c := range []struct {
		name, req string
		status    int
		msg       string
	}{
		{"URL one byte over", "GET " + url(8193) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "URL too long"},
		{"URL well over", "GET " + url(15000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "URL too long"},
		{"URL over, on /healthz", "GET /healthz?" + strings.Repeat("q", 8200) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "URL too long"},
		{"URL at the limit, long Referer", "GET " + url(8192) + " HTTP/1.1\r\nHost: x\r\n" + referer + "\r\n", 400,
			"Invalid public ID - " + strings.Repeat("a", 120) + "..."},
		{"headers over", "GET /demo/image/upload/pic.jpg HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", 8200) + "\r\n\r\n",
			431, "Request header fields too large"},
	} {
		a := testkit.RawExchange(t, e.Addr(), c.req)
		checkRefused(t, c.name, a, c.status, c.msg, false)
	}
	if n := o.count.Load(); n != 0 {
		t.Errorf("refused requests reached the origin %d times", n)
	}
	// A head longer than both limits together cannot be read: 431.
	a := testkit.RawExchange(t, e.Addr(), "GET "+url(20000)+" HTTP/1.1\r\nHost: x\r\n\r\n")
	checkRefused(t, "a 20 KB URL", a, http.StatusRequestHeaderFieldsTooLarge, "Request header fields too large", true)
	if r := testkit.Get(t, e.URL+"/demo/image/upload/pic.jpg"); r.Status != 200 {
		t.Fatalf("the edge stopped serving: %d", r.Status)
	}
}

// max_url_length cannot go past the origins' own bound on delivery URLs:
// the edge would accept URLs its origin refuses.
func TestMaxURLLengthBound(t *testing.T) {
	for _, n := range []int{255, 8193} {
		c := Config{MaxURLLength: n}
		c.ApplyDefaults()
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "max_url_length") {
			t.Errorf("max_url_length %d: %v", n, err)
		}
	}
	c := Config{MaxURLLength: 8192}
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}

// Requests fasthttp cannot read at all are answered as the edge answers
// its own errors, with X-Cld-Error, and the connection closed: before,
// fasthttp's bare text ("Error when parsing request") without it.
func TestUnreadableRequests(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	for _, c := range []struct {
		name, req string
		status    int
		msg       string
	}{
		{"garbage", "\x00\x01\x02\r\n\r\n", http.StatusBadRequest, "Malformed request"},
		{"no Host", "GET /demo/image/upload/pic.jpg HTTP/1.1\r\n\r\n", http.StatusBadRequest, "Malformed request"},
		{"body over 4 KiB", "POST /demo/image/upload/pic.jpg HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n" +
			strings.Repeat("b", 10000), http.StatusRequestEntityTooLarge, "Request body too large"},
	} {
		checkRefused(t, c.name, testkit.RawExchange(t, e.Addr(), c.req), c.status, c.msg, true)
	}
	if r := testkit.Get(t, e.URL+"/demo/image/upload/pic.jpg"); r.Status != 200 {
		t.Fatalf("the edge stopped serving: %d", r.Status)
	}
}
