package app

import (
	"net/http"
	"strings"
	"testing"
)

// The counters are on the metrics listeners, never on the public ports: an
// edge's delivery port and the origin's API port answer /metrics 404, and
// each part's metrics listener serves its own counters, which count what
// the public ports served.
func TestMetricsListeners(t *testing.T) {
	c := startCluster(t, ClusterOptions{})
	if c.EdgeMetricsURLs[0] == "" || c.OriginMetricsURL == "" {
		t.Fatalf("metrics listeners: edge %q, origin %q", c.EdgeMetricsURLs[0], c.OriginMetricsURL)
	}
	request(t, http.MethodGet, c.EdgeURLs[0]+"/demo/image/upload/nothing.jpg")
	for _, base := range []string{c.EdgeURLs[0], c.OriginURL} {
		a := request(t, http.MethodGet, base+"/metrics")
		if a.status != http.StatusNotFound || strings.Contains(string(a.body), "mediacdn_") {
			t.Errorf("%s/metrics: %d %q", base, a.status, a.body)
		}
	}
	for base, want := range map[string]string{
		c.EdgeMetricsURLs[0]: "mediacdn_edge_requests_total 2", // the miss and the 404 for /metrics
		c.OriginMetricsURL:   `mediacdn_origin_requests_total{kind="delivery"} 1`,
	} {
		a := request(t, http.MethodGet, base+"/metrics")
		if a.status != http.StatusOK || !strings.Contains(string(a.body), want) {
			t.Errorf("%s/metrics: %d, want %q in:\n%s", base, a.status, want, a.body)
		}
	}
}

// `mediacdn dev` serves metrics on loopback by default: its built-in
// configuration sets both listeners (the test gives them free ports, as it
// does the others), and the banner names them.
func TestDevMetrics(t *testing.T) {
	f, err := ParseFile(devYAML(t))
	if err != nil {
		t.Fatal(err)
	}
	if f.Edge.MetricsListen != "127.0.0.1:8090" || f.Origin.MetricsListen != "127.0.0.1:8091" {
		t.Errorf("dev metrics listeners: edge %q, origin %q", f.Edge.MetricsListen, f.Origin.MetricsListen)
	}
	d := startDev(t)
	d.waitBanner(t, nil)
	for _, base := range []string{d.edgeMetrics, d.apiMetrics} {
		if a := request(t, http.MethodGet, "http://"+base+"/metrics"); a.status != http.StatusOK || !strings.Contains(string(a.body), "_requests_total") {
			t.Errorf("%s/metrics: %d", base, a.status)
		}
	}
	for _, base := range []string{d.edge, d.api} {
		if a := request(t, http.MethodGet, "http://"+base+"/metrics"); a.status != http.StatusNotFound {
			t.Errorf("%s/metrics: %d", base, a.status)
		}
	}
}
