package config

import (
	"strings"
	"testing"
)

func TestFetchDomains(t *testing.T) {
	c := Cloud{FetchDomains: []string{"example.com", "Images.Example.ORG."}}
	for host, want := range map[string]bool{
		"example.com": true, "cdn.example.com": true, "badexample.com": false,
		"images.example.org": true, "a.images.example.org": true, "example.org": false, "": false,
	} {
		if got := c.FetchAllowed(host); got != want {
			t.Errorf("FetchAllowed(%q) = %v, want %v", host, got, want)
		}
	}
	if !(Cloud{FetchDomains: []string{"*"}}).FetchAllowed("anything.test") || (Cloud{}).FetchAllowed("example.com") {
		t.Error(`"*" must allow any host and no domains none`)
	}
	for _, bad := range []string{"", "*.example.com", "http://example.com", "example.com:8080", "a b"} {
		cl := Clouds{"demo": {APIKey: "k", APISecret: "s", FetchDomains: []string{bad}}}
		if err := cl.Validate(true); err == nil || !strings.Contains(err.Error(), "clouds.demo.fetch_domains") {
			t.Errorf("fetch_domains %q: %v", bad, err)
		}
	}
}
