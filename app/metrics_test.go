package app

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/purge"
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

// Each edge's metrics listener says when it applied the newest purge
// rules (GET /purge/applies: the moment its cache stopped serving what a
// rule covers, and when the stream stored it), and /metrics has the
// stored → applied histogram: what `mediacdn bench scale` measures purge
// propagation with.
func TestPurgeAppliesOnMetricsListener(t *testing.T) {
	c := startCaughtUp(t, ClusterOptions{})
	var out, errOut bytes.Buffer
	before := time.Now()
	err := Purge(context.Background(), []string{"-api", c.OriginURL, "-wait", "5s", "cloud"},
		&IO{Stdout: &out, Stderr: &errOut, DevConfig: devYAML(t)})
	if err != nil {
		t.Fatalf("purge: %v (%s)", err, errOut.String())
	}
	var inv struct {
		Sequence uint64 `json:"sequence"`
		Status   string `json:"status"`
	}
	if err := json.Unmarshal(out.Bytes(), &inv); err != nil || inv.Sequence == 0 || inv.Status != "applied" {
		t.Fatalf("purge answer %q: %v", out.String(), err)
	}
	base := c.EdgeMetricsURLs[0]
	a := testkit.Get(t, base+"/purge/applies?after="+strconv.FormatUint(inv.Sequence-1, 10))
	var got struct {
		Applied uint64        `json:"applied"`
		Applies []purge.Apply `json:"applies"`
	}
	if err := json.Unmarshal(a.Body, &got); a.Status != http.StatusOK || err != nil {
		t.Fatalf("/purge/applies: %d %q: %v", a.Status, a.Body, err)
	}
	if got.Applied < inv.Sequence || len(got.Applies) == 0 || got.Applies[0].Seq != inv.Sequence {
		t.Fatalf("/purge/applies after %d: %+v", inv.Sequence-1, got)
	}
	ap := got.Applies[0]
	if ap.Stored.Before(before.Add(-time.Second)) || ap.Applied.Before(ap.Stored) || ap.Applied.After(time.Now()) {
		t.Errorf("rule %d stored %v, applied %v; the purge was sent at %v", ap.Seq, ap.Stored, ap.Applied, before)
	}
	if a := testkit.Get(t, base+"/purge/applies?after="+strconv.FormatUint(got.Applied, 10)); a.Status != http.StatusOK ||
		!strings.Contains(string(a.Body), `"applies":[]`) {
		t.Errorf("nothing applied after the last: %d %q", a.Status, a.Body)
	}
	if a := testkit.Get(t, base+"/purge/applies?after=x"); a.Status != http.StatusBadRequest {
		t.Errorf("?after=x: %d %q", a.Status, a.Body)
	}
	if a := testkit.Get(t, c.EdgeURLs[0]+"/purge/applies"); a.Status != http.StatusNotFound {
		t.Errorf("/purge/applies on the delivery port: %d", a.Status)
	}
	m := testkit.Get(t, base+"/metrics")
	if !strings.Contains(string(m.Body), "mediacdn_edge_purge_apply_delay_seconds_count ") ||
		strings.Contains(string(m.Body), "mediacdn_edge_purge_apply_delay_seconds_count 0\n") {
		t.Errorf("no apply delay observed in /metrics:\n%s", m.Body)
	}
}
