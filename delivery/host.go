package delivery

import (
	"fmt"
	"strings"
)

// A cloud's private-CDN hosts deliver it in host form (ParseHost). Edges
// and origins match a request's Host header against them the same way,
// through a HostMap: by name, ignoring case (DNS names have none) and any
// port, the request's or the configured one's.

// maxHostName bounds the names Cloud lowers without allocating: DNS names
// have at most 253 bytes.
const maxHostName = 256

// HostName is the name a host is matched by: in lower case (ASCII: host
// names are), without a port ("Img.Example:8080" is "img.example",
// "[::1]:8080" is "[::1]"). It allocates only for a name with upper case.
func HostName(host string) string {
	name, upper := splitHost(host)
	if !upper {
		return name
	}
	b := make([]byte, len(name))
	lowerASCII(b, name)
	return string(b)
}

// splitHost drops a host's port (after the last ':' that is not inside an
// IPv6 literal's brackets) and reports whether the rest has upper case.
func splitHost(host string) (name string, upper bool) {
	name = host
	if i := strings.LastIndexByte(host, ':'); i > 0 && strings.IndexByte(host[i:], ']') < 0 {
		name = host[:i]
	}
	for i := 0; i < len(name); i++ {
		if name[i]-'A' < 26 {
			return name, true
		}
	}
	return name, false
}

// HostMap maps private-CDN host names to their clouds. The zero value maps
// none.
type HostMap struct {
	clouds map[string]string // HostName → cloud
}

// NewHostMap maps hosts, as configured (any case, optionally with a port),
// to their clouds. Two hosts with one name (HostName) for two clouds are
// an error.
func NewHostMap(hosts map[string]string) (HostMap, error) {
	m := HostMap{clouds: make(map[string]string, len(hosts))}
	for h, cloud := range hosts {
		name := HostName(h)
		if other, dup := m.clouds[name]; dup && other != cloud {
			a, b := min(cloud, other), max(cloud, other)
			return HostMap{}, fmt.Errorf("host %q is used by clouds %q and %q", name, a, b)
		}
		m.clouds[name] = cloud
	}
	return m, nil
}

// Len is the number of host names mapped.
func (m HostMap) Len() int { return len(m.clouds) }

// Cloud is the cloud whose private-CDN host a request's Host header names,
// whatever its case and port. It reads the header once, looks up once and
// does not allocate (unless the name is longer than any DNS name and has
// upper case).
func (m HostMap) Cloud(host string) (string, bool) {
	if len(m.clouds) == 0 {
		return "", false
	}
	name, upper := splitHost(host)
	if !upper {
		cloud, ok := m.clouds[name]
		return cloud, ok
	}
	if len(name) > maxHostName {
		cloud, ok := m.clouds[HostName(name)]
		return cloud, ok
	}
	var buf [maxHostName]byte
	b := buf[:len(name)]
	lowerASCII(b, name)
	cloud, ok := m.clouds[string(b)]
	return cloud, ok
}

// lowerASCII writes s to dst (as long) with ASCII letters in lower case.
func lowerASCII(dst []byte, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst[i] = c
	}
}
