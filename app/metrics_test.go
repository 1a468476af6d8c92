package app

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
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
	testkit.Get(t, c.EdgeURLs[0]+"/demo/image/upload/nothing.jpg")
	for _, base := range []string{c.EdgeURLs[0], c.OriginURL} {
		a := testkit.Get(t, base+"/metrics")
		if a.Status != http.StatusNotFound || strings.Contains(string(a.Body), "mediacdn_") {
			t.Errorf("%s/metrics: %d %q", base, a.Status, a.Body)
		}
	}
	for base, want := range map[string]string{
		c.EdgeMetricsURLs[0]: "mediacdn_edge_requests_total 2", // the miss and the 404 for /metrics
		c.OriginMetricsURL:   `mediacdn_origin_requests_total{kind="delivery"} 1`,
	} {
		a := testkit.Get(t, base+"/metrics")
		if a.Status != http.StatusOK || !strings.Contains(string(a.Body), want) {
			t.Errorf("%s/metrics: %d, want %q in:\n%s", base, a.Status, want, a.Body)
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
		if a := testkit.Get(t, "http://"+base+"/metrics"); a.Status != http.StatusOK || !strings.Contains(string(a.Body), "_requests_total") {
			t.Errorf("%s/metrics: %d", base, a.Status)
		}
	}
	for _, base := range []string{d.edge, d.api} {
		if a := testkit.Get(t, "http://"+base+"/metrics"); a.Status != http.StatusNotFound {
			t.Errorf("%s/metrics: %d", base, a.Status)
		}
	}
}
