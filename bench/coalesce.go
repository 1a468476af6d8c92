package bench

import (
	"context"
	"crypto/md5"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// coalesceData is the coalesce scenario's JSON.
type coalesceData struct {
	URLs        int          `json:"urls"`
	PerURL      int          `json:"requests_per_url"`
	Requests    int          `json:"requests"`
	OK          int          `json:"ok"`           // 200 answers
	Mismatched  int          `json:"mismatched"`   // URLs whose answers differed
	OriginTotal int          `json:"origin_total"` // origin requests for the storm's URLs
	OriginMin   int          `json:"origin_min_per_url"`
	OriginMax   int          `json:"origin_max_per_url"`
	Counted     string       `json:"counted_by"` // proxy or edge metrics
	Coalesced   int64        `json:"edge_coalesced"`
	StormMs     float64      `json:"storm_ms"`
	Latency     []Percentile `json:"latency"`
	FirstErr    string       `json:"first_error,omitempty"`
}

const stormWait = time.Minute

// runCoalesce releases a storm of concurrent requests for cold URLs at one
// edge: each URL is a new transform at the origin, so fills are slow and
// many requests wait on each. Origin requests are counted by a proxy
// between the edge and the origin.
func runCoalesce(ctx context.Context, e *env) (*Report, error) {
	o := e.o
	var proxy *countingProxy
	spec := clusterSpec{Edges: 1, TransformQueue: 4 * o.StormURLs, Interpose: func(origin string) (string, func(), error) {
		p, err := startCountingProxy(origin)
		if err != nil {
			return "", nil, err
		}
		proxy = p
		return p.url(), p.close, nil
	}}
	c, err := startCluster(ctx, e, spec)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	lady, err := findPhoto(e.photos, "LadyBird.jpg")
	if err != nil {
		return nil, err
	}
	if _, err := newAPIClient(c.OriginURL, o).upload(ctx, lady.ID, lady.File, lady.Data, nil); err != nil {
		return nil, err
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	paths := make([]string, o.StormURLs)
	for k := range paths {
		paths[k] = deliveryPath(o.Cloud, variant{"c_fill,h_200,w_300,q_80,d_c" + run + "x" + strconv.Itoa(k), "jpg"}, 1, lady.ID)
	}
	m0, _ := scrapeMetrics(c.EdgeMetrics[0])
	e.p.logf("  storm: %d URLs × %d concurrent requests", o.StormURLs, o.StormClients)
	d, err := storm(ctx, c.EdgeURLs[0], paths, o.StormClients)
	if err != nil {
		return nil, err
	}
	m1, _ := scrapeMetrics(c.EdgeMetrics[0])
	d.Coalesced = int64(m1["mediacdn_edge_coalesced_total"] - m0["mediacdn_edge_coalesced_total"])
	countOrigin(&d, proxy, paths, m1["mediacdn_edge_origin_requests_total"]-m0["mediacdn_edge_origin_requests_total"])
	return coalesceReport(c, d), nil
}

// storm sends perURL requests for every path at once (all goroutines
// wait on one signal) and checks that each URL's answers are identical.
func storm(ctx context.Context, base string, paths []string, perURL int) (coalesceData, error) {
	d := coalesceData{URLs: len(paths), PerURL: perURL, Requests: len(paths) * perURL}
	hc, err := newHostClient(base, d.Requests, stormWait)
	if err != nil {
		return d, err
	}
	defer hc.CloseIdleConnections()
	type answer struct {
		status int
		sum    [16]byte
		took   time.Duration
		err    error
	}
	answers := make([]answer, d.Requests)
	release := make(chan struct{})
	var ready, wg sync.WaitGroup
	for i := range answers {
		ready.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ready.Done()
			<-release
			t0 := time.Now()
			f, err := get(hc, base, paths[i%len(paths)])
			answers[i] = answer{status: f.Status, sum: md5.Sum(f.Body), took: time.Since(t0), err: err}
		}()
	}
	ready.Wait()
	start := time.Now()
	close(release)
	wg.Wait()
	d.StormMs = ms(time.Since(start))
	h := &Histogram{}
	first := map[int][16]byte{}
	bad := map[int]bool{}
	for i, a := range answers {
		h.Record(a.took)
		switch {
		case a.err != nil:
			d.FirstErr = a.err.Error()
			continue
		case a.status != 200:
			d.FirstErr = fmt.Sprintf("%s: %d", paths[i%len(paths)], a.status)
			continue
		}
		d.OK++
		k := i % len(paths)
		if s, ok := first[k]; ok && s != a.sum {
			bad[k] = true
		}
		first[k] = a.sum
	}
	d.Mismatched, d.Latency = len(bad), h.Percentiles()
	return d, ctx.Err()
}

// countOrigin fills the origin request counts: per URL from the proxy,
// or from the edge's counter when the servers were not started here.
func countOrigin(d *coalesceData, proxy *countingProxy, paths []string, edgeCounter float64) {
	if proxy == nil {
		d.Counted = "edge metric mediacdn_edge_origin_requests_total (no proxy: servers not spawned here)"
		d.OriginTotal = int(edgeCounter)
		d.OriginMin, d.OriginMax = -1, -1 // unknown per URL
		if d.OriginTotal == len(paths) && d.OK == d.Requests {
			d.OriginMin, d.OriginMax = 1, 1 // every cold URL needed one; the total leaves room for no more
		}
		return
	}
	d.Counted = "a counting proxy between the edge and the origin"
	d.OriginMin = int(^uint(0) >> 1)
	for _, p := range paths {
		n := proxy.count(p)
		d.OriginTotal += n
		d.OriginMin, d.OriginMax = min(d.OriginMin, n), max(d.OriginMax, n)
	}
}

func coalesceReport(c *cluster, d coalesceData) *Report {
	pass := d.OriginMin == 1 && d.OriginMax == 1 && d.OK == d.Requests && d.Mismatched == 0
	r := &Report{Title: "coalesce: a storm on cold URLs", Data: d,
		Method: fmt.Sprintf("One edge fills from the origin through %s. %d distinct cold URLs (each a new transform at the "+
			"origin: a unique, inert d_ parameter) get %d concurrent requests each, all released at once on their own "+
			"connections. Every answer must be 200 with the same bytes per URL, and each URL must cause exactly one "+
			"origin request.", d.Counted, d.URLs, d.PerURL),
		Params: []Param{param("servers", c.mode), param("URLs", d.URLs), param("requests per URL", d.PerURL)},
		Tables: []Table{{Title: "Storm", Header: []string{"URLs", "requests", "200s", "origin requests", "per URL min", "per URL max",
			"coalesced (edge)", "storm ms", "p50 ms", "p99 ms"},
			Rows: [][]string{{fmt.Sprint(d.URLs), fmt.Sprint(d.Requests), fmt.Sprint(d.OK), fmt.Sprint(d.OriginTotal),
				perURL(d.OriginMin), perURL(d.OriginMax), fmt.Sprint(d.Coalesced), f0(d.StormMs),
				f2(quantileOf(d.Latency, 0.5)), f2(quantileOf(d.Latency, 0.99))}}}},
		Checks: []Check{check("origin requests per distinct URL",
			fmt.Sprintf("min %s, max %s (%d for %d URLs)", perURL(d.OriginMin), perURL(d.OriginMax), d.OriginTotal, d.URLs), "exactly 1", pass)},
		Charts: []Chart{{Name: "latency", Title: "coalesce: latency CDF of the storm",
			SVG: cdfChart(fmt.Sprintf("coalesce: %d requests on %d cold URLs", d.Requests, d.URLs), map[string][]Percentile{"edge": d.Latency}, []string{"edge"})}},
	}
	if d.FirstErr != "" {
		r.Notes = append(r.Notes, "an error: "+d.FirstErr+" (a 503 means the origin's transform queue, "+
			"origin.imaging.queue, was full: started here, the bench gives it room for the storm)")
	}
	return r
}

// perURL formats a per-URL count, "n/a" when unknown.
func perURL(n int) string {
	if n < 0 {
		return "n/a"
	}
	return fmt.Sprint(n)
}
