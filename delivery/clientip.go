package delivery

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// The client address behind trusted proxies (docs/access-control.md,
// "ip"): what a token's ip= is checked against, and what access logs
// name. A request's peer is the client unless it is one of the trusted
// proxies (CIDRs): then the client is read from the header the proxies
// set, as nginx's real_ip_from + real_ip_header with real_ip_recursive:
//
//   - X-Forwarded-For (the default) and Forwarded (RFC 7239, its for=)
//     are lists every proxy appends its own peer to. They are walked from
//     the right, the last line first: each entry was written by the hop to
//     its right, a trusted one, and the client is the first entry that is
//     not itself trusted. A malformed entry ("unknown", an obfuscated
//     identifier, garbage, a zone), more than MaxForwardedHops entries or
//     an entry longer than maxForwardedEntry ends the walk: the client is
//     then the last trusted address reached, never an address a client
//     could have written. Whatever lies left of where the walk stops is
//     never read.
//   - X-Real-IP, CF-Connecting-IP, True-Client-IP and Fastly-Client-IP
//     hold one address, the client as the trusted proxy saw it; when the
//     header is missing, repeated or malformed the client is the peer.
//
// A peer that is not trusted is the client whatever its headers say.

// DefaultClientIPHeader is the header read when none is configured.
const DefaultClientIPHeader = "X-Forwarded-For"

// clientIPHeaders are the headers a ClientIP may read.
func clientIPHeaders() []string {
	return []string{"X-Forwarded-For", "Forwarded", "X-Real-IP", "CF-Connecting-IP", "True-Client-IP", "Fastly-Client-IP"}
}

// MaxForwardedHops bounds the entries of a list header the walk reads.
const MaxForwardedHops = 16

// maxForwardedEntry bounds one entry of a list header, in bytes: room for
// for="[IPv6]:port" and spaces around it.
const maxForwardedEntry = 64

// ClientIP finds a request's client address; a nil *ClientIP trusts no
// proxy (the peer is the client).
type ClientIP struct {
	trusted []netip.Prefix
	header  string // as documented
	list    bool   // X-Forwarded-For or Forwarded
	rfc7239 bool   // Forwarded
}

// NewClientIP parses the trusted proxies (CIDRs such as 10.0.0.0/8 or
// 2001:db8::/32; a bare address is a /32 or /128) and the header to read
// ("" for X-Forwarded-For). It returns nil, nil when cidrs is empty: the
// peer is the client, at no cost per request.
func NewClientIP(cidrs []string, header string) (*ClientIP, error) {
	if header == "" {
		header = DefaultClientIPHeader
	}
	canon := ""
	for _, h := range clientIPHeaders() {
		if strings.EqualFold(h, header) {
			canon = h
		}
	}
	if canon == "" {
		return nil, fmt.Errorf("unsupported header %q (want one of %s)", header, strings.Join(clientIPHeaders(), ", "))
	}
	if len(cidrs) == 0 {
		return nil, nil
	}
	c := &ClientIP{header: canon, list: canon == "X-Forwarded-For" || canon == "Forwarded", rfc7239: canon == "Forwarded"}
	for _, s := range cidrs {
		p, err := parsePrefix(s)
		if err != nil {
			return nil, err
		}
		c.trusted = append(c.trusted, p)
	}
	return c, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	t := strings.TrimSpace(s)
	if !strings.Contains(t, "/") {
		a, err := netip.ParseAddr(t)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or an IP address", s)
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(t)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or 2001:db8::/32", s)
	}
	if p != p.Masked() {
		return netip.Prefix{}, fmt.Errorf("%q has host bits set (did you mean %s?)", s, p.Masked())
	}
	if p.Addr().Is4In6() { // ::ffff:10.0.0.0/104 is 10.0.0.0/8
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p, nil
}

// Header is the name of the header read, as documented.
func (c *ClientIP) Header() string { return c.header }

// Trusted reports whether a is one of the trusted proxies.
func (c *ClientIP) Trusted(a netip.Addr) bool {
	if c == nil {
		return false
	}
	a = a.Unmap()
	for _, p := range c.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Walk finds the client of one request: Start with the peer, Line with
// each line of the header, the LAST line first, then Client. It allocates
// nothing.
type Walk struct {
	c     *ClientIP
	addr  netip.Addr
	peer  netip.Addr
	lines int
	hops  int
	done  bool
}

// Start begins the walk of a request from peer.
func (c *ClientIP) Start(peer netip.Addr) Walk {
	peer = peer.Unmap()
	return Walk{c: c, addr: peer, peer: peer, done: !c.Trusted(peer)}
}

// Line reads one line of the header; lines come last first.
func (w *Walk) Line(v string) {
	if w.done {
		return
	}
	w.lines++
	if !w.c.list {
		// One address: the first line is the client, a second one makes
		// the header ambiguous and the peer stays the client.
		if w.lines > 1 {
			w.addr, w.done = w.peer, true
			return
		}
		if a, ok := parseForwardedAddr(strings.TrimSpace(v)); ok {
			w.addr = a
		}
		return
	}
	for !w.done {
		// Only the entry's bytes are looked at, however long the line.
		i := strings.LastIndexByte(v[max(0, len(v)-maxForwardedEntry-1):], ',')
		if i < 0 {
			w.entry(v)
			return
		}
		i += max(0, len(v)-maxForwardedEntry-1)
		w.entry(v[i+1:])
		v = v[:i]
	}
}

// entry reads one entry of a list header, right of the ones read so far.
func (w *Walk) entry(e string) {
	if len(e) > maxForwardedEntry {
		w.done = true
		return
	}
	e = strings.TrimSpace(e)
	if e == "" {
		return // "a,,b" or a trailing comma: no hop
	}
	w.hops++
	if w.hops > MaxForwardedHops {
		w.done = true
		return
	}
	if w.c.rfc7239 {
		var ok bool
		if e, ok = forwardedFor(e); !ok {
			w.done = true
			return
		}
	}
	a, ok := parseForwardedAddr(e)
	if !ok {
		w.done = true
		return
	}
	w.addr = a
	w.done = !w.c.Trusted(a)
}

// Client is the client address the walk found.
func (w *Walk) Client() netip.Addr { return w.addr }

// forwardedFor is the value of the for= parameter of one element of a
// Forwarded header, unquoted.
func forwardedFor(elem string) (string, bool) {
	for elem != "" {
		pair := elem
		if i := strings.IndexByte(elem, ';'); i >= 0 {
			pair, elem = elem[:i], elem[i+1:]
		} else {
			elem = ""
		}
		pair = strings.TrimSpace(pair)
		if len(pair) > 4 && strings.EqualFold(pair[:4], "for=") {
			v := pair[4:]
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v, true
		}
	}
	return "", false
}

// parseForwardedAddr parses an address as proxies write them: 192.0.2.1,
// 192.0.2.1:4711, 2001:db8::1, [2001:db8::1] or [2001:db8::1]:4711. A
// zone is refused (it names nothing on this machine).
func parseForwardedAddr(s string) (netip.Addr, bool) {
	if s == "" || strings.IndexByte(s, '%') >= 0 {
		return netip.Addr{}, false
	}
	switch {
	case s[0] == '[':
		end := strings.IndexByte(s, ']')
		if end < 0 || (end+1 < len(s) && !validPort(s[end+1:])) {
			return netip.Addr{}, false
		}
		s = s[1:end]
	case strings.Count(s, ":") == 1:
		i := strings.IndexByte(s, ':')
		if !validPort(s[i:]) {
			return netip.Addr{}, false
		}
		s = s[:i]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// validPort reports whether s is ":" and 1 to 5 digits.
func validPort(s string) bool {
	if len(s) < 2 || len(s) > 6 || s[0] != ':' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ClientOf is the client of a net/http request behind c: r.RemoteAddr's
// address, or what the trusted proxies it came through say.
func (c *ClientIP) ClientOf(r *http.Request) netip.Addr {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	var a netip.Addr
	if err == nil {
		a = peer.Addr()
	} else if a, err = netip.ParseAddr(r.RemoteAddr); err != nil {
		return netip.Addr{}
	}
	if c == nil {
		return a.Unmap()
	}
	w := c.Start(a)
	vals := r.Header.Values(c.header)
	for i := len(vals) - 1; i >= 0; i-- {
		w.Line(vals[i])
	}
	return w.Client()
}
