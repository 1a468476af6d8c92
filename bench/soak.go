package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// soakSample is the edge's memory at one moment.
type soakSample struct {
	Seconds  float64 `json:"t"`
	RSSMiB   float64 `json:"rss_mib"`
	CacheMiB float64 `json:"cache_mib"`
	Objects  int64   `json:"objects"`
}

// soakData is the soak scenario's JSON.
type soakData struct {
	Objects      int          `json:"objects"` // asked for
	Done         int64        `json:"done"`
	Errors       int64        `json:"errors"`
	Seconds      float64      `json:"seconds"`
	RPS          float64      `json:"rps"`
	AvgKB        float64      `json:"avg_object_kb"`
	PushedMiB    float64      `json:"pushed_mib"`
	BudgetMiB    float64      `json:"budget_mib"`
	PeakRSSMiB   float64      `json:"peak_rss_mib"` // VmHWM; 0 when not measurable
	EndRSSMiB    float64      `json:"end_rss_mib"`
	PeakCacheMiB float64      `json:"peak_cache_mib"`
	Samples      []soakSample `json:"samples"`
	FirstErr     string       `json:"first_error,omitempty"`
}

// runSoak pushes many distinct objects through one edge with a bounded
// cache, each requested once (every request a miss and a store, so the
// cache must evict), sampling the edge's RSS and cache bytes.
func runSoak(ctx context.Context, e *env) (*Report, error) {
	o := e.o
	c, err := startCluster(ctx, e, clusterSpec{Edges: 1, CacheSize: o.CacheSize})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := newAPIClient(c.OriginURL, o).uploadAll(ctx, e.photos); err != nil {
		return nil, err
	}
	vs := soakVariants()
	var derived []string
	for _, p := range e.photos {
		for _, v := range vs {
			derived = append(derived, deliveryPath(o.Cloud, v, 1, p.ID))
		}
	}
	if err := fetchAll(ctx, c.OriginURL, derived, 2, e.p, "transforms"); err != nil {
		return nil, err
	}
	paths := soakPaths(o.Cloud, e.photos, o.Objects)
	var next atomic.Int64
	spec := loadSpec{Label: "soak", Base: c.EdgeURLs[0], Paths: paths, Conns: o.SoakConns, Duration: o.SoakTime,
		Requests: int64(len(paths)), Pick: func(int) func() int {
			return func() int {
				i := next.Add(1) - 1
				if i >= int64(len(paths)) {
					return -1
				}
				return int(i)
			}
		}}
	pid := 0
	if c.measurable() {
		pid = c.edgePIDs[0]
	}
	stopSampling := sampleMemory(c.EdgeMetrics[0], pid, &next)
	res, err := runLoad(ctx, spec, e.p)
	got := stopSampling()
	if err != nil {
		return nil, err
	}
	d := soakData{Objects: o.Objects, Done: res.Requests, Errors: res.Errors, Seconds: res.Elapsed.Seconds(), RPS: res.RPS(),
		AvgKB: float64(res.Bytes) / float64(max(res.Requests, 1)) / 1000, PushedMiB: float64(res.Bytes) / (1 << 20),
		BudgetMiB: float64(o.CacheSize) / (1 << 20), Samples: got, FirstErr: res.FirstErr}
	for _, s := range got {
		d.PeakCacheMiB = max(d.PeakCacheMiB, s.CacheMiB)
		d.PeakRSSMiB = max(d.PeakRSSMiB, s.RSSMiB)
	}
	if pid > 0 {
		d.PeakRSSMiB = max(d.PeakRSSMiB, peakRSSMiB(pid))
		d.EndRSSMiB = rssMiB(pid)
	}
	return soakReport(o, c, d), nil
}

// soakVariants are three sizes of JPEG (about 12, 40 and 100 KB).
func soakVariants() []variant {
	return []variant{{"c_fill,h_240,w_360,q_80", "jpg"}, {"w_640", "jpg"}, {"w_1280,q_80", "jpg"}}
}

// soakPaths lists n distinct URLs: the photos' variants under versions
// 1, 2, … (new keys for the edge, stored files for the origin).
func soakPaths(cloud string, photos []photo, n int) []string {
	vs := soakVariants()
	out := make([]string, 0, n)
	for ver := int64(1); len(out) < n; ver++ {
		for _, p := range photos {
			for _, v := range vs {
				if len(out) < n {
					out = append(out, deliveryPath(cloud, v, ver, p.ID))
				}
			}
		}
	}
	return out
}

// sampleMemory reads the edge's RSS (when pid is known) and cache bytes
// (from its metrics listener) every 500ms until stopped; stop returns the
// samples.
func sampleMemory(edgeMetrics string, pid int, objects *atomic.Int64) (stop func() []soakSample) {
	var out []soakSample
	done := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	take := func() {
		s := soakSample{Seconds: time.Since(start).Seconds(), Objects: objects.Load()}
		if pid > 0 {
			s.RSSMiB = rssMiB(pid)
		}
		if m, err := scrapeMetrics(edgeMetrics); err == nil {
			s.CacheMiB = m["mediacdn_edge_cache_bytes"] / (1 << 20)
		}
		out = append(out, s)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		take()
		for {
			select {
			case <-done:
				take()
				return
			case <-t.C:
				take()
			}
		}
	}()
	return func() []soakSample {
		close(done)
		wg.Wait()
		return out
	}
}

func soakReport(o *Options, c *cluster, d soakData) *Report {
	limit := d.BudgetMiB + 100
	r := &Report{Title: "soak: many distinct objects through one edge", Data: d,
		Method: fmt.Sprintf("One edge with a %.0f MiB cache budget; the corpus photos in three JPEG sizes are made at the "+
			"origin, then requested under versions 1, 2, … so that each of %d URLs is a distinct object, each requested "+
			"once by %d connections (every request a miss, a fill and a store: the cache must evict). The edge's RSS "+
			"(/proc VmRSS, and VmHWM at the end) and its mediacdn_edge_cache_bytes are sampled every 500 ms.",
			d.BudgetMiB, d.Objects, o.SoakConns),
		Params: []Param{param("servers", c.mode), param("objects", d.Objects), param("budget MiB", d.BudgetMiB), param("connections", o.SoakConns)},
		Tables: []Table{{Title: "Edge memory", Header: []string{"objects", "seconds", "req/s", "avg KB", "pushed MiB",
			"budget MiB", "peak cache MiB", "peak RSS MiB", "end RSS MiB", "errors"},
			Rows: [][]string{{fmt.Sprint(d.Done), f0(d.Seconds), f0(d.RPS), f1(d.AvgKB), f0(d.PushedMiB), f0(d.BudgetMiB),
				f0(d.PeakCacheMiB), orNA(d.PeakRSSMiB, f0), orNA(d.EndRSSMiB, f0), fmt.Sprint(d.Errors)}}}},
		Checks: []Check{check("cache bytes within budget", f0(d.PeakCacheMiB)+" MiB", "≤ "+f0(d.BudgetMiB)+" MiB", d.PeakCacheMiB <= d.BudgetMiB)},
	}
	if d.PeakRSSMiB > 0 {
		r.Checks = append(r.Checks, check(fmt.Sprintf("peak RSS over %d objects", d.Done), f0(d.PeakRSSMiB)+" MiB",
			"< budget + 100 MiB = "+f0(limit)+" MiB", d.PeakRSSMiB < limit))
	}
	if d.Done < int64(d.Objects) {
		r.Checks = append(r.Checks, check("objects pushed through", fmt.Sprint(d.Done), fmt.Sprint(d.Objects), false))
	}
	var rss, cache series
	rss.Name, cache.Name = "edge RSS", "cache bytes"
	for _, s := range d.Samples {
		if s.RSSMiB > 0 {
			rss.Points = append(rss.Points, point{s.Seconds, s.RSSMiB})
		}
		cache.Points = append(cache.Points, point{s.Seconds, s.CacheMiB})
	}
	r.Charts = []Chart{{Name: "memory", Title: "soak: edge memory over time",
		SVG: timeChart(fmt.Sprintf("soak: edge memory, %d objects, %.0f MiB budget", d.Done, d.BudgetMiB), "MiB",
			[]series{rss, cache}, []ref{{d.BudgetMiB, "budget"}, {limit, "budget + 100 MiB"}})}}
	if d.FirstErr != "" {
		r.Notes = append(r.Notes, "first error: "+d.FirstErr)
	}
	return r
}
