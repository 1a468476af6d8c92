package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// scrapeMetrics reads /metrics from a server's metrics listener (base is
// its URL: cluster.EdgeMetrics, cluster.OriginMetrics; the public ports
// answer /metrics 404): the value of every sample without labels, by name.
func scrapeMetrics(base string) (map[string]float64, error) {
	if base == "" {
		return nil, errors.New("no metrics listener known (-origin-metrics, -edge-metrics)")
	}
	hc := &http.Client{Timeout: 5 * time.Second}
	resp, err := hc.Get(base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s/metrics: %s", base, resp.Status)
	}
	return parseMetrics(resp.Body), nil
}

// parseMetrics parses the Prometheus text format's unlabelled samples.
func parseMetrics(r io.Reader) map[string]float64 {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || strings.ContainsRune(line, '{') {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
			out[name] = v
		}
	}
	return out
}
