package delivery

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

func TestClientIPWalk(t *testing.T) {
	trusted := []string{"10.0.0.0/8", "127.0.0.1", "2001:db8::/32"}
	long := strings.Repeat("x", 70)
	many := strings.Repeat("10.0.0.1, ", MaxForwardedHops) + "10.0.0.2"
	for _, c := range []struct {
		header string
		peer   string
		lines  []string // as received, first line first
		want   string
	}{
		// Untrusted peers' headers are ignored.
		{"", "198.51.100.1", []string{"203.0.113.7"}, "198.51.100.1"},
		// A trusted peer without the header is the client.
		{"", "10.1.2.3", nil, "10.1.2.3"},
		{"", "10.1.2.3", []string{"203.0.113.7"}, "203.0.113.7"},
		{"", "::ffff:127.0.0.1", []string{"203.0.113.7"}, "203.0.113.7"},
		// Recursive: trusted hops are skipped from the right.
		{"", "127.0.0.1", []string{"203.0.113.7, 10.0.0.5, 10.9.9.9"}, "203.0.113.7"},
		// Spoofing: an address left of the first untrusted hop is never read.
		{"", "127.0.0.1", []string{"192.0.2.99, 203.0.113.7"}, "203.0.113.7"},
		{"", "127.0.0.1", []string{"192.0.2.99", "203.0.113.7"}, "203.0.113.7"},
		{"", "127.0.0.1", []string{"192.0.2.99, 203.0.113.7", "10.0.0.1"}, "203.0.113.7"},
		// Every hop trusted: the left-most one.
		{"", "127.0.0.1", []string{"10.0.0.1, 10.0.0.2"}, "10.0.0.1"},
		// Ports, brackets, IPv6, empty entries.
		{"", "127.0.0.1", []string{"203.0.113.7:4711"}, "203.0.113.7"},
		{"", "127.0.0.1", []string{"[2001:db9::1]:80 ,, "}, "2001:db9::1"},
		{"", "127.0.0.1", []string{"2001:db9::1"}, "2001:db9::1"},
		{"", "127.0.0.1", []string{"2001:db9::1, 2001:db8::5"}, "2001:db9::1"},
		// Malformed entries end the walk at the last trusted address.
		{"", "127.0.0.1", []string{"203.0.113.7, unknown"}, "127.0.0.1"},
		{"", "127.0.0.1", []string{"203.0.113.7, garbage, 10.0.0.3"}, "10.0.0.3"},
		{"", "127.0.0.1", []string{"fe80::1%eth0"}, "127.0.0.1"},
		{"", "127.0.0.1", []string{"1.2.3.4:99999x"}, "127.0.0.1"},
		{"", "127.0.0.1", []string{"[::1"}, "127.0.0.1"},
		{"", "127.0.0.1", []string{"203.0.113.7, " + long}, "127.0.0.1"},
		{"", "127.0.0.1", []string{strings.Repeat("9", 9000)}, "127.0.0.1"},
		// At most MaxForwardedHops entries are read.
		{"", "127.0.0.1", []string{"203.0.113.7, " + many}, "10.0.0.1"},
		// Forwarded (RFC 7239).
		{"Forwarded", "127.0.0.1", []string{`for=192.0.2.99, For="[2001:db9::1]:4711";proto=https;by=10.0.0.1, for=10.0.0.8`}, "2001:db9::1"},
		{"forwarded", "127.0.0.1", []string{`for=203.0.113.7;proto=http`}, "203.0.113.7"},
		{"Forwarded", "127.0.0.1", []string{`for=unknown`}, "127.0.0.1"},
		{"Forwarded", "127.0.0.1", []string{`for=_hidden, for=10.0.0.2`}, "10.0.0.2"},
		{"Forwarded", "127.0.0.1", []string{`proto=https`}, "127.0.0.1"},
		// One-address headers.
		{"X-Real-IP", "127.0.0.1", []string{"203.0.113.7"}, "203.0.113.7"},
		{"cf-connecting-ip", "127.0.0.1", []string{" 2001:db9::1 "}, "2001:db9::1"},
		{"X-Real-IP", "198.51.100.1", []string{"203.0.113.7"}, "198.51.100.1"},
		{"X-Real-IP", "127.0.0.1", []string{"203.0.113.7, 192.0.2.1"}, "127.0.0.1"},
		{"X-Real-IP", "127.0.0.1", []string{"203.0.113.7", "192.0.2.1"}, "127.0.0.1"},
		{"True-Client-IP", "127.0.0.1", []string{"nonsense"}, "127.0.0.1"},
		{"True-Client-IP", "127.0.0.1", []string{"203.0.113.7", "nonsense"}, "127.0.0.1"},
	} {
		ci, err := NewClientIP(trusted, c.header)
		if err != nil {
			t.Fatal(err)
		}
		w := ci.Start(netip.MustParseAddr(c.peer))
		for i := len(c.lines) - 1; i >= 0; i-- {
			w.Line(c.lines[i])
		}
		if got := w.Client(); got != netip.MustParseAddr(c.want) {
			t.Errorf("%s %s %q: client %v, want %s", c.header, c.peer, c.lines, got, c.want)
		}
		r := &http.Request{RemoteAddr: c.peer + ":1234", Header: http.Header{}}
		if strings.Contains(c.peer, ":") {
			r.RemoteAddr = "[" + c.peer + "]:1234"
		}
		for _, l := range c.lines {
			r.Header.Add(ci.Header(), l)
		}
		if got := ci.ClientOf(r); got != netip.MustParseAddr(c.want) {
			t.Errorf("ClientOf %s %s %q: client %v, want %s", c.header, c.peer, c.lines, got, c.want)
		}
	}
}

func TestClientIPWalkAllocatesNothing(t *testing.T) {
	ci, err := NewClientIP([]string{"10.0.0.0/8", "::1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	peer := netip.MustParseAddr("10.0.0.1")
	allocs := testing.AllocsPerRun(100, func() {
		w := ci.Start(peer)
		w.Line("192.0.2.1, [2001:db9::1]:80, 10.2.3.4")
		w.Line("::1")
		if w.Client() != netip.MustParseAddr("2001:db9::1") {
			t.Fatal(w.Client())
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per walk, want 0", allocs)
	}
}

func TestNewClientIP(t *testing.T) {
	if ci, err := NewClientIP(nil, ""); ci != nil || err != nil {
		t.Errorf("no proxies: %v, %v; want nil, nil", ci, err)
	}
	var none *ClientIP
	if none.Trusted(netip.MustParseAddr("127.0.0.1")) {
		t.Error("nil ClientIP trusts")
	}
	r := &http.Request{RemoteAddr: "127.0.0.1:5", Header: http.Header{"X-Forwarded-For": {"203.0.113.7"}}}
	if got := none.ClientOf(r); got != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("nil ClientOf = %v", got)
	}
	ci, err := NewClientIP([]string{" 192.0.2.1 ", "::ffff:10.0.0.0/104", "2001:db8::/32"}, "")
	if err != nil {
		t.Fatal(err)
	}
	for a, want := range map[string]bool{"192.0.2.1": true, "192.0.2.2": false, "10.1.2.3": true, "::ffff:10.1.2.3": true,
		"11.0.0.1": false, "2001:db8:1::1": true, "2001:db9::1": false} {
		if ci.Trusted(netip.MustParseAddr(a)) != want {
			t.Errorf("Trusted(%s) != %v", a, want)
		}
	}
	for _, c := range []struct {
		cidrs  []string
		header string
		want   string
	}{
		{[]string{"10.0.0.0/33"}, "", `"10.0.0.0/33" is not a CIDR`},
		{[]string{"10.0.0.1/8"}, "", `"10.0.0.1/8" has host bits set (did you mean 10.0.0.0/8?)`},
		{[]string{"proxy.internal"}, "", `"proxy.internal" is not a CIDR such as 10.0.0.0/8 or an IP address`},
		{[]string{"fe80::1%eth0"}, "", `"fe80::1%eth0" is not a CIDR`},
		{[]string{"10.0.0.0/8"}, "X-Client-IP", `unsupported header "X-Client-IP" (want one of X-Forwarded-For, Forwarded, X-Real-IP`},
		{nil, "Via", `unsupported header "Via"`},
	} {
		_, err := NewClientIP(c.cidrs, c.header)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q %q: error %v, want %q", c.cidrs, c.header, err, c.want)
		}
	}
}

// Whatever the header, the walk ends with a valid client address, and an
// untrusted peer is always the client.
func FuzzClientIPWalk(f *testing.F) {
	for _, s := range []string{"203.0.113.7, 10.0.0.1", "for=\"[::1]:80\";proto=http, for=10.0.0.2", "a,,b,", "[", "1.2.3.4:", ",,,,"} {
		f.Add(s, true, false)
		f.Add(s, false, true)
	}
	f.Fuzz(func(t *testing.T, v string, trustedPeer, rfc7239 bool) {
		header := ""
		if rfc7239 {
			header = "Forwarded"
		}
		ci, err := NewClientIP([]string{"10.0.0.0/8", "::1", "127.0.0.1"}, header)
		if err != nil {
			t.Fatal(err)
		}
		peer := netip.MustParseAddr("192.0.2.1")
		if trustedPeer {
			peer = netip.MustParseAddr("10.9.9.9")
		}
		w := ci.Start(peer)
		w.Line(v)
		got := w.Client()
		if !trustedPeer && got != peer {
			t.Fatalf("untrusted peer: client %v", got)
		}
		if !got.IsValid() || got != got.Unmap() {
			t.Fatalf("client %v from %q", got, v)
		}
	})
}

// go test ./delivery -run '^$' -bench ClientIP
func BenchmarkClientIPWalk(b *testing.B) {
	ci, err := NewClientIP([]string{"10.0.0.0/8", "192.168.0.0/16"}, "")
	if err != nil {
		b.Fatal(err)
	}
	peer := netip.MustParseAddr("10.0.0.1")
	for b.Loop() {
		w := ci.Start(peer)
		w.Line("203.0.113.7, 10.1.2.3")
		if w.Client() != netip.MustParseAddr("203.0.113.7") {
			b.Fatal(w.Client())
		}
	}
}
