package config

import (
	"strings"
	"testing"
)

// Hosts match by name, whatever the case and port, so one name may serve
// one cloud only.
func TestHostsOneCloudPerName(t *testing.T) {
	cl := Clouds{
		"a": {APIKey: "k", APISecret: "s", Hosts: []string{"cdn.example", "CDN.example:8080"}},
		"b": {APIKey: "k", APISecret: "s", Hosts: []string{"img.example"}},
	}
	if err := cl.Validate(true); err != nil {
		t.Errorf("one cloud naming its host twice: %v", err)
	}
	cl["b"] = Cloud{APIKey: "k", APISecret: "s", Hosts: []string{"Cdn.Example:8443"}}
	err := cl.Validate(true)
	if err == nil || !strings.Contains(err.Error(), "clouds.b.hosts") || !strings.Contains(err.Error(), `already used by cloud "a"`) {
		t.Errorf("two clouds on one name: %v", err)
	}
}
