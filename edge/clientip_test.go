package edge

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/config"
	mconfig "github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// getWith GETs url through a real HTTP client, each header line of lines
// (name, value pairs) sent as its own line, repeated names included.
func getWith(t *testing.T, url string, lines ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(lines); i += 2 {
		req.Header.Add(lines[i], lines[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Cld-Error")
}

// startProxiedEdge starts an edge in front of a token origin that trusts
// proxies, reading header ("" for the default).
func startProxiedEdge(t *testing.T, proxies []string, header string) *testEdge {
	var a atomic.Value
	a.Store("token")
	o := startTestOrigin(t, tokenOrigin(t, &a))
	return startEdge(t, func(c *Config) {
		c.AuthTokenKeys = map[string]string{"demo": edgeTokenKey}
		c.TrustedProxies, c.ClientIPHeader = proxies, header
	}, o.URL)
}

// Behind a trusted proxy (the loopback peer) a token bound to the client's
// address is checked against the address the proxy reports in
// X-Forwarded-For, walked from the right; addresses a client wrote left of
// an untrusted hop, malformed entries and over-long headers never make it
// the client.
func TestTrustedProxyTokenIP(t *testing.T) {
	e := startProxiedEdge(t, []string{"10.0.0.0/8", "127.0.0.1"}, "")
	u := e.URL + "/demo/image/authenticated/v1/pic.jpg?" +
		sdkToken(config.AuthToken{ACL: "/image/authenticated/*", IP: "203.0.113.7", Expiration: e.Clock.now().Unix() + 60})
	xff := "X-Forwarded-For"
	for i, c := range []struct {
		lines  []string
		status int
	}{
		{[]string{xff, "203.0.113.7"}, 200},
		{[]string{xff, "203.0.113.7, 10.1.2.3"}, 200},
		{[]string{xff, "192.0.2.1, 203.0.113.7:51234,127.0.0.1"}, 200},
		{[]string{xff, "203.0.113.7", xff, "10.1.2.3"}, 200},
		{[]string{"x-forwarded-for", "203.0.113.7"}, 200},
		{nil, 401}, // the client is the proxy itself
		{[]string{xff, "198.51.100.9"}, 401},
		// Spoofing: the token's address left of a real untrusted hop.
		{[]string{xff, "203.0.113.7, 198.51.100.9"}, 401},
		{[]string{xff, "203.0.113.7", xff, "198.51.100.9"}, 401},
		{[]string{xff, "203.0.113.7, 198.51.100.9, 10.0.0.1"}, 401},
		// Malformed entries end the walk at the proxy.
		{[]string{xff, "203.0.113.7, unknown"}, 401},
		{[]string{xff, "203.0.113.7, 203.0.113.7%eth0"}, 401},
		{[]string{xff, "203.0.113.7 garbage"}, 401},
		{[]string{xff, "203.0.113.7, " + strings.Repeat("1", 3000)}, 401},
		{[]string{xff, "203.0.113.7" + strings.Repeat(", 10.0.0.1", 20)}, 401},
		// Another header is not read.
		{[]string{"X-Real-IP", "203.0.113.7"}, 401},
	} {
		status, reason := getWith(t, u, c.lines...)
		if status != c.status {
			t.Errorf("%d: %q: %d %q, want %d", i, c.lines, status, reason, c.status)
		}
		if status == 401 && !strings.Contains(reason, "ip") {
			t.Errorf("%d: %q: refused for %q, want the ip", i, c.lines, reason)
		}
	}
}

// An edge whose trusted proxies do not include the peer ignores the
// header: the peer is the client.
func TestUntrustedPeerHeaderIgnored(t *testing.T) {
	for _, proxies := range [][]string{nil, {"10.0.0.0/8", "::1"}} {
		e := startProxiedEdge(t, proxies, "")
		now := e.Clock.now().Unix()
		path := e.URL + "/demo/image/authenticated/v1/pic.jpg?"
		spoofed := path + sdkToken(config.AuthToken{ACL: "/image/authenticated/*", IP: "203.0.113.7", Expiration: now + 60})
		if status, _ := getWith(t, spoofed, "X-Forwarded-For", "203.0.113.7"); status != 401 {
			t.Errorf("%q: spoofed X-Forwarded-For from an untrusted peer: %d, want 401", proxies, status)
		}
		peer := path + sdkToken(config.AuthToken{ACL: "/image/authenticated/*", IP: "127.0.0.1", Expiration: now + 60})
		if status, _ := getWith(t, peer, "X-Forwarded-For", "203.0.113.7"); status != 200 {
			t.Errorf("%q: token for the peer: %d, want 200", proxies, status)
		}
	}
}

// The other headers: Forwarded's for= walked from the right, and
// one-address headers such as CF-Connecting-IP.
func TestTrustedProxyHeaders(t *testing.T) {
	for _, c := range []struct {
		header string
		lines  []string
		status int
	}{
		{"Forwarded", []string{"Forwarded", `for=203.0.113.7;proto=https, for="127.0.0.1:80"`}, 200},
		{"Forwarded", []string{"Forwarded", `for="[2001:db8::1]:4711"`}, 401},
		{"Forwarded", []string{"Forwarded", `for=203.0.113.7, for=198.51.100.9`}, 401},
		{"Forwarded", []string{"Forwarded", `for=unknown`}, 401},
		{"Forwarded", []string{"X-Forwarded-For", "203.0.113.7"}, 401},
		{"CF-Connecting-IP", []string{"CF-Connecting-IP", "203.0.113.7"}, 200},
		{"CF-Connecting-IP", []string{"CF-Connecting-IP", "203.0.113.7, 127.0.0.1"}, 401},
		{"CF-Connecting-IP", []string{"CF-Connecting-IP", "203.0.113.7", "CF-Connecting-IP", "203.0.113.7"}, 401},
		{"X-Real-IP", []string{"X-Real-IP", "[203.0.113.7]"}, 200},
	} {
		e := startProxiedEdge(t, []string{"127.0.0.0/8"}, c.header)
		u := e.URL + "/demo/image/authenticated/v1/pic.jpg?" +
			sdkToken(config.AuthToken{ACL: "/image/authenticated/*", IP: "203.0.113.7", Expiration: e.Clock.now().Unix() + 60})
		if status, reason := getWith(t, u, c.lines...); status != c.status {
			t.Errorf("%s %q: %d %q, want %d", c.header, c.lines, status, reason, c.status)
		}
	}
}

// The access log names the client behind a trusted proxy.
func TestAccessLogClientBehindProxy(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	var buf syncBuffer
	e := startEdge(t, func(c *Config) { c.AccessLogSample, c.TrustedProxies = 1, []string{"127.0.0.1"} }, o.URL)
	e.log = slog.New(slog.NewTextHandler(&buf, nil))
	testkit.Get(t, e.URL+"/demo/image/upload/logged.jpg", "X-Forwarded-For", "192.0.2.1, 203.0.113.7")
	if out := buf.String(); !strings.Contains(out, "remote=203.0.113.7") {
		t.Fatalf("access log lacks the client: %s", out)
	}
}

// trusted_proxies and client_ip_header are checked at load, with errors
// naming the field and the entry.
func TestClientIPConfig(t *testing.T) {
	var c Config
	if err := mconfig.Decode(strings.NewReader("trusted_proxies: [10.0.0.0/8, \"2001:db8::/32\", 192.0.2.1]\nclient_ip_header: cf-connecting-ip\n"), &c); err != nil {
		t.Fatal(err)
	}
	c.ApplyDefaults()
	if err := c.Validate(); err != nil || len(c.TrustedProxies) != 3 {
		t.Fatalf("valid settings: %v %q", err, c.TrustedProxies)
	}
	var d Config
	d.ApplyDefaults()
	if d.ClientIPHeader != "X-Forwarded-For" || len(d.TrustedProxies) != 0 {
		t.Errorf("defaults: %q %q", d.ClientIPHeader, d.TrustedProxies)
	}
	for _, b := range []struct {
		proxies []string
		header  string
		want    string
	}{
		{[]string{"10.0.0.0/8", "10.0.0.0/40"}, "", `trusted_proxies: "10.0.0.0/40" is not a CIDR such as 10.0.0.0/8 or 2001:db8::/32`},
		{[]string{"10.0.0.1/8"}, "", `trusted_proxies: "10.0.0.1/8" has host bits set (did you mean 10.0.0.0/8?)`},
		{[]string{"lb.internal"}, "", `trusted_proxies: "lb.internal" is not a CIDR`},
		{nil, "X-Client-IP", `client_ip_header: unsupported header "X-Client-IP" (want one of X-Forwarded-For, Forwarded, X-Real-IP, CF-Connecting-IP, True-Client-IP, Fastly-Client-IP)`},
	} {
		c := Config{TrustedProxies: b.proxies, ClientIPHeader: b.header}
		c.ApplyDefaults()
		if err := c.Validate(); err == nil || err.Error() != b.want && !strings.HasPrefix(err.Error(), b.want) {
			t.Errorf("%q %q: %v, want %s", b.proxies, b.header, err, b.want)
		}
		if _, err := New(c, Deps{}); err == nil {
			t.Errorf("%q %q: New accepted it", b.proxies, b.header)
		}
	}
}

// A trailer after a chunked body is never read as the proxy's header
// line, announced or not (fasthttp refuses X-Forwarded-For and X-Real-IP
// trailers itself, not the others): the client is then the proxy.
func TestTrustedProxyTrailersIgnored(t *testing.T) {
	for _, c := range []struct{ header, head, trailer string }{
		{"X-Forwarded-For", "198.51.100.9", "203.0.113.7"},
		{"Forwarded", "for=198.51.100.9", "for=203.0.113.7"},
		{"CF-Connecting-IP", "198.51.100.9", "203.0.113.7"},
		{"True-Client-IP", "", "203.0.113.7"},
	} {
		e := startProxiedEdge(t, []string{"127.0.0.1"}, c.header)
		path := "/demo/image/authenticated/v1/pic.jpg?" +
			sdkToken(config.AuthToken{ACL: "/image/authenticated/*", IP: "203.0.113.7", Expiration: e.Clock.now().Unix() + 60})
		head := ""
		if c.head != "" {
			head = c.header + ": " + c.head + "\r\n"
		}
		for _, announce := range []string{"", "Trailer: " + c.header + "\r\n"} {
			a := testkit.RawExchange(t, e.Addr(), "GET "+path+" HTTP/1.1\r\nHost: x\r\n"+head+announce+
				"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n1\r\na\r\n0\r\n"+c.header+": "+c.trailer+"\r\n\r\n")
			if strings.Contains(a.StatusLine, " 200 ") {
				t.Errorf("%s trailer, %q: %s, want a refusal", c.header, announce, a.StatusLine)
			}
		}
		a := testkit.RawExchange(t, e.Addr(), "GET "+path+" HTTP/1.1\r\nHost: x\r\n"+c.header+": "+c.trailer+"\r\nConnection: close\r\n\r\n")
		if !strings.Contains(a.StatusLine, " 200 ") {
			t.Errorf("%s in the head: %s, want 200", c.header, a.StatusLine)
		}
	}
}
