package delivery

import (
	"strings"
	"testing"
)

// A host is matched by its name in lower case, without a port.
func TestHostName(t *testing.T) {
	t.Parallel()
	for _, c := range [][2]string{
		{"img.example", "img.example"},
		{"Img.EXAMPLE", "img.example"},
		{"img.example:8080", "img.example"},
		{"IMG.example:8080", "img.example"},
		{"127.0.0.1:8080", "127.0.0.1"},
		{"[::1]", "[::1]"},
		{"[::1]:8080", "[::1]"},
		{"[FE80::1]:80", "[fe80::1]"},
		{":8080", ":8080"},
		{"", ""},
		{"ÉCOLE.example", "École.example"}, // ASCII only: host names are
	} {
		if got := HostName(c[0]); got != c[1] {
			t.Errorf("HostName(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

// Configured hosts and request Hosts meet by name: either may have upper
// case or a port.
func TestHostMap(t *testing.T) {
	t.Parallel()
	m, err := NewHostMap(map[string]string{"Img.Example": "demo", "cdn.test:8443": "other", "[::1]:80": "v6"})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("A", 300) + ".example"
	m2, err := NewHostMap(map[string]string{long: "long"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		m           HostMap
		host, cloud string
	}{
		{m, "img.example", "demo"},
		{m, "IMG.EXAMPLE", "demo"},
		{m, "img.example:8080", "demo"},
		{m, "Img.Example:443", "demo"},
		{m, "cdn.test", "other"},
		{m, "CDN.test:9000", "other"},
		{m, "[::1]", "v6"},
		{m, "[::1]:8080", "v6"},
		{m, "img.example.com", ""},
		{m, "127.0.0.1:8080", ""},
		{m, "", ""},
		{m2, strings.ToLower(long) + ":80", "long"},
		{m2, long, "long"},
		{HostMap{}, "img.example", ""},
	} {
		cloud, ok := c.m.Cloud(c.host)
		if cloud != c.cloud || ok != (c.cloud != "") {
			t.Errorf("Cloud(%q) = %q, %v; want %q", c.host, cloud, ok, c.cloud)
		}
	}
	if m.Len() != 3 || (HostMap{}).Len() != 0 {
		t.Errorf("Len %d", m.Len())
	}
}

// One name for two clouds is an error; the same name twice for one cloud
// is not.
func TestNewHostMapConflict(t *testing.T) {
	t.Parallel()
	_, err := NewHostMap(map[string]string{"cdn.example": "a", "CDN.example:8080": "b"})
	if err == nil || err.Error() != `host "cdn.example" is used by clouds "a" and "b"` {
		t.Errorf("conflict: %v", err)
	}
	m, err := NewHostMap(map[string]string{"cdn.example": "a", "CDN.example:8080": "a"})
	if err != nil || m.Len() != 1 {
		t.Errorf("one cloud's name twice: %v, %d names", err, m.Len())
	}
}
