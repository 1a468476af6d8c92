package bench

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// purgeData is the purge scenario's JSON.
type purgeData struct {
	Edges      int       `json:"edges"`
	Purges     int       `json:"purges"`   // completed
	Timeouts   int       `json:"timeouts"` // purges some edge did not show within purgeWait
	FreshMs    []float64 `json:"fresh_ms"` // per purge: API answer → every edge serves the new bytes
	FirstMs    []float64 `json:"first_ms"` // per purge: API answer → the first edge serves them
	APIMs      []float64 `json:"api_ms"`   // per purge: the overwrite call itself
	EdgeFresh  []float64 `json:"edge_p99_ms"`
	InvStatus  string    `json:"invalidation_status"` // as the first upload answer said
	Object     string    `json:"object"`
	SizesBytes [2]int    `json:"sizes_bytes"`
}

const (
	purgeWait  = 5 * time.Second // for one purge to show everywhere
	purgeBound = 4 * time.Minute // for the whole scenario
	// pollEvery spaces an edge's polls: fine enough for a 10 ms target,
	// and it leaves the two cores to the servers being measured.
	pollEvery = 200 * time.Microsecond
)

// runPurge overwrites one asset over and over with invalidate=true,
// alternating two photos, and times from each upload's answer until every
// edge serves the new bytes (each edge polled on its own connection).
func runPurge(ctx context.Context, e *env) (*Report, error) {
	o := e.o
	c, err := startCluster(ctx, e, clusterSpec{Edges: o.Edges})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	files, err := purgeFiles(e.photos)
	if err != nil {
		return nil, err
	}
	d, err := measurePurges(ctx, e, c, files, o.Purges, pollEvery, "purge")
	if err != nil {
		return nil, err
	}
	return purgeReport(o, c, d), nil
}

// measurePurges overwrites one asset n times with invalidate=true on
// cluster c, alternating files, and times each from the upload's answer
// until every edge serves the new bytes, polling each edge every poll;
// label names the progress line.
func measurePurges(ctx context.Context, e *env, c *cluster, files [2]photo, n int, poll time.Duration, label string) (purgeData, error) {
	o := e.o
	api := newAPIClient(c.OriginURL, o)
	id := "bench/purge"
	path := deliveryPath(o.Cloud, variant{Ext: "jpg"}, 0, id)
	d := purgeData{Edges: len(c.EdgeURLs), Object: path, SizesBytes: [2]int{len(files[0].Data), len(files[1].Data)}}
	clients := make([]*fasthttp.HostClient, len(c.EdgeURLs))
	for i, u := range c.EdgeURLs {
		hc, err := newHostClient(u, 2, purgeWait)
		if err != nil {
			return d, err
		}
		clients[i] = hc
		defer hc.CloseIdleConnections()
	}
	// The first upload (unmeasured) invalidates too, so that edges of an
	// earlier measurement drop what they hold.
	first, err := api.upload(ctx, id, files[0].File, files[0].Data, map[string]string{"invalidate": "true"})
	if err != nil {
		return d, err
	}
	if _, ok := waitFresh(c, clients, path, `"`+first.ETag+`"`, time.Now(), poll); !ok {
		return d, fmt.Errorf("bench: the first upload of %s did not show on every edge within %v", path, purgeWait)
	}
	perEdge := make([][]float64, len(c.EdgeURLs))
	start := time.Now()
	var done, timeouts atomic.Int64
	stop := e.p.watch(func() string {
		k := done.Load()
		return fmt.Sprintf("%-10s %s %5.1fs %5d/%d purges  timeouts %d", label, bar(float64(k)/float64(n)), since(start), k, n, timeouts.Load())
	})
	defer stop()
	for i := 0; i < n && ctx.Err() == nil && time.Since(start) < purgeBound; i++ {
		cur, next := files[i%2], files[(i+1)%2]
		if err := holdOnEdges(c, clients, path, cur.MD5); err != nil {
			return d, fmt.Errorf("purge %d: %w", i, err)
		}
		t0 := time.Now()
		res, err := api.upload(ctx, id, next.File, next.Data, map[string]string{"invalidate": "true"})
		if err != nil {
			return d, err
		}
		answered := time.Now()
		if d.InvStatus == "" && res.Invalidation != nil {
			d.InvStatus = res.Invalidation.Status
		}
		times, ok := waitFresh(c, clients, path, `"`+res.ETag+`"`, answered, poll)
		done.Add(1)
		if !ok {
			d.Timeouts++
			timeouts.Add(1)
			continue
		}
		if err := holdOnEdges(c, clients, path, next.MD5); err != nil {
			return d, fmt.Errorf("purge %d: the new ETag came with other bytes: %w", i, err)
		}
		worst, first := 0.0, times[0]
		for k, t := range times {
			perEdge[k] = append(perEdge[k], t)
			worst, first = max(worst, t), min(first, t)
		}
		d.FreshMs, d.FirstMs, d.APIMs = append(d.FreshMs, worst), append(d.FirstMs, first), append(d.APIMs, ms(answered.Sub(t0)))
	}
	d.Purges = len(d.FreshMs)
	for _, p := range perEdge {
		d.EdgeFresh = append(d.EdgeFresh, quantile(p, 0.99))
	}
	if d.Purges == 0 {
		return d, errors.New("bench: no purge showed on every edge")
	}
	return d, nil
}

// purgeFiles are the two photos the asset alternates between: the two
// smallest JPEGs of the corpus.
func purgeFiles(photos []photo) ([2]photo, error) {
	var out [2]photo
	n := 0
	for _, name := range []string{"rocket.jpg", "Aqua.jpg"} {
		p, err := findPhoto(photos, name)
		if err != nil {
			return out, err
		}
		out[n] = p
		n++
	}
	return out, nil
}

// holdOnEdges makes sure every edge has the bytes with this MD5 cached
// (a hit): before a purge, so that it has something to remove; after,
// to check that the new ETag came with the new bytes.
func holdOnEdges(c *cluster, clients []*fasthttp.HostClient, path string, want [16]byte) error {
	for i, hc := range clients {
		ok := false
		for try := 0; try < 50 && !ok; try++ {
			f, err := get(hc, c.EdgeURLs[i], path)
			if err != nil {
				return err
			}
			ok = f.Status == 200 && md5.Sum(f.Body) == want && isHit([]byte(f.CacheStatus))
		}
		if !ok {
			return fmt.Errorf("%s does not hold %s", c.EdgeURLs[i], path)
		}
	}
	return nil
}

// waitFresh polls every edge at once, every poll, with a one-byte
// range request (the edge fills the whole object and answers from it)
// until each answers with the new ETag, and returns each edge's delay
// after since in ms; false when some edge did not within purgeWait.
func waitFresh(c *cluster, clients []*fasthttp.HostClient, path, etag string, since time.Time, poll time.Duration) ([]float64, bool) {
	out := make([]float64, len(clients))
	var failed atomic.Bool
	var wg sync.WaitGroup
	for i, hc := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(since) < purgeWait {
				f, err := get(hc, c.EdgeURLs[i], path, "Range", "bytes=0-0")
				if err == nil && f.Status/100 == 2 && f.ETag == etag {
					out[i] = ms(time.Since(since))
					return
				}
				time.Sleep(poll)
			}
			failed.Store(true)
		}()
	}
	wg.Wait()
	return out, !failed.Load()
}

// purgeReport renders the distribution and issue 6's target.
func purgeReport(o *Options, c *cluster, d purgeData) *Report {
	p50, p90, p99, p999 := quantile(d.FreshMs, 0.5), quantile(d.FreshMs, 0.9), quantile(d.FreshMs, 0.99), quantile(d.FreshMs, 0.999)
	worst := quantile(d.FreshMs, 1)
	main := Table{Title: fmt.Sprintf("%d purges, %d edges: API answer → every edge serves the new bytes", d.Purges, d.Edges),
		Header: []string{"p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "timeouts", "API call p50 ms", "API call p99 ms"},
		Rows: [][]string{{f2(p50), f2(p90), f2(p99), f2(p999), f2(worst), fmt.Sprint(d.Timeouts),
			f2(quantile(d.APIMs, 0.5)), f2(quantile(d.APIMs, 0.99))}}}
	edges := Table{Title: "Per edge", Detail: true, Header: []string{"edge", "p99 ms"}}
	for i, v := range d.EdgeFresh {
		edges.Rows = append(edges.Rows, []string{fmt.Sprint(i), f2(v)})
	}
	marks := []ref{{p50, "p50 " + f2(p50)}, {p99, "p99 " + f2(p99)}}
	return &Report{Title: "purge: propagation to every edge", Data: d, Tables: []Table{main, edges},
		Method: fmt.Sprintf("An origin and %d edge processes share the embedded NATS server. One asset (%s) is overwritten "+
			"again and again through the Upload API with invalidate=true (no wait), alternating rocket.jpg and Aqua.jpg. "+
			"Before each overwrite every edge is made to hold the current bytes (a cache hit); after the API answers, "+
			"every edge is polled at once, each on its own keep-alive connection every 200 µs, with a one-byte range "+
			"request until it answers with the new upload's ETag (then a full GET checks the body's MD5). The figure "+
			"is the slowest edge's delay after the API's answer: purge delivery through JetStream, rule application, "+
			"and the refill from the origin.", d.Edges, d.Object),
		Params: []Param{param("servers", c.mode), param("edges", d.Edges), param("purges", o.Purges)},
		Checks: []Check{check("p99 API answer → every edge fresh", f2(p99)+" ms", "< 10 ms", p99 < 10 && d.Timeouts == 0)},
		Charts: []Chart{{Name: "propagation", Title: "purge: propagation histogram",
			SVG: histogramChart(fmt.Sprintf("purge: API answer → all %d edges fresh (%d purges)", d.Edges, d.Purges),
				"milliseconds", d.FreshMs, marks)}},
		Notes: []string{"invalidation status in the upload answer: " + orDash(d.InvStatus)},
	}
}
