package bench

import (
	"context"
	"fmt"
)

// hitData is the hit scenario's JSON.
type hitData struct {
	URLs          int          `json:"urls"`
	Requests      int64        `json:"requests"`
	Errors        int64        `json:"errors"`
	RPS           float64      `json:"rps"`
	HitRatio      float64      `json:"hit_ratio"`
	BytesPerSec   float64      `json:"bytes_per_sec"`
	EdgeCPUus     float64      `json:"edge_cpu_us_per_req"` // 0 when not measurable
	OriginReqs    int64        `json:"origin_requests"`
	EdgeRSSMiB    float64      `json:"edge_rss_mib"`
	Latency       []Percentile `json:"latency"`
	WarmupHitRate float64      `json:"warmup_hit_ratio"`
}

// runHit loads one edge with a Zipf mix over many URLs: every corpus photo
// in five sizes as JPEG and WebP, repeated under many versions. The origin
// makes each derived image once first, so that the run measures the edge
// (fills from the origin's stored files on misses).
func runHit(ctx context.Context, e *env) (*Report, error) {
	o := e.o
	c, err := startCluster(ctx, e, clusterSpec{Edges: 1})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := newAPIClient(c.OriginURL, o).uploadAll(ctx, e.photos); err != nil {
		return nil, err
	}
	paths := mixPaths(o.Cloud, e.photos, o.URLs)
	if err := warmOrigin(ctx, e, c.OriginURL); err != nil {
		return nil, err
	}
	mix, err := newZipfMix(len(paths), o.Zipf, 1)
	if err != nil {
		return nil, err
	}
	// Bounded by time, and by requests at a million a second.
	spec := loadSpec{Label: "warm-up", Base: c.EdgeURLs[0], Paths: paths, Conns: o.Conns, Duration: o.Warmup,
		Requests: int64(o.Warmup.Seconds() * 1e6), Pick: zipfPicker(mix, 100)}
	warm, err := runLoad(ctx, spec, e.p)
	if err != nil {
		return nil, err
	}
	m0, _ := scrapeMetrics(c.EdgeMetrics[0])
	cpu0 := treeCPU([]int{c.edgePIDs[0]})
	spec.Label, spec.Duration, spec.Requests, spec.Pick = "hit", o.Duration, int64(o.Duration.Seconds()*1e6), zipfPicker(mix, 200)
	res, err := runLoad(ctx, spec, e.p)
	if err != nil {
		return nil, err
	}
	cpu := treeCPU([]int{c.edgePIDs[0]}) - cpu0
	m1, _ := scrapeMetrics(c.EdgeMetrics[0])
	d := hitData{URLs: len(paths), Requests: res.Requests, Errors: res.Errors, RPS: res.RPS(), HitRatio: res.HitRatio(),
		BytesPerSec: float64(res.Bytes) / res.Elapsed.Seconds(), Latency: res.Latency.Percentiles(),
		OriginReqs:    int64(m1["mediacdn_edge_origin_requests_total"] - m0["mediacdn_edge_origin_requests_total"]),
		WarmupHitRate: warm.HitRatio()}
	if c.measurable() && c.edgePIDs[0] > 0 {
		d.EdgeCPUus = float64(cpu.Microseconds()) / float64(res.Requests)
		d.EdgeRSSMiB = rssMiB(c.edgePIDs[0])
	}
	return hitReport(o, c, d, res), nil
}

// zipfPicker gives each worker its own Zipf stream.
func zipfPicker(m *zipfMix, seed uint64) func(int) func() int {
	return func(w int) func() int {
		s := m.sampler(seed + uint64(w)*7919)
		return s.next
	}
}

// warmOrigin makes every derived image of the mix once, at the origin,
// two at a time.
func warmOrigin(ctx context.Context, e *env, origin string) error {
	var paths []string
	for _, p := range e.photos {
		for _, v := range mixVariants() {
			paths = append(paths, deliveryPath(e.o.Cloud, v, 1, p.ID))
		}
	}
	return fetchAll(ctx, origin, paths, 2, e.p, "transforms")
}

func hitReport(o *Options, c *cluster, d hitData, res *loadResult) *Report {
	r := &Report{
		Title: "hit: an edge under a Zipf mix",
		Method: fmt.Sprintf("Every corpus photo is uploaded and made at the origin in %d variants (five sizes, JPEG and WebP); "+
			"the mix repeats them under versions 1, 2, … to make %d distinct URLs (a new key at the edge, no new transform). "+
			"After a %v warm-up, %d keep-alive connections of the built-in generator (fasthttp, closed loop like wrk) "+
			"request URLs drawn from a Zipf law (exponent %.2f, ranks shuffled) for %v. "+
			"Hits are answers whose Cache-Status says hit; edge CPU is utime+stime of the edge process from /proc; "+
			"the generator shares the machine, so req/s is bounded by it too.",
			len(mixVariants()), d.URLs, o.Warmup, o.Conns, o.Zipf, o.Duration),
		Params: []Param{param("servers", c.mode), param("connections", o.Conns), param("duration", o.Duration),
			param("URLs", d.URLs), param("zipf", o.Zipf)},
		Tables: []Table{{Title: "Edge hit path, Zipf mix", Header: []string{"req/s", "p50 ms", "p99 ms", "p99.9 ms",
			"hit ratio", "MB/s", "edge CPU µs/req", "origin requests", "errors"},
			Rows: [][]string{{f0(d.RPS), f2(quantileOf(d.Latency, 0.5)), f2(quantileOf(d.Latency, 0.99)),
				f2(quantileOf(d.Latency, 0.999)), pct(d.HitRatio), f0(d.BytesPerSec / 1e6), orNA(d.EdgeCPUus, f1),
				fmt.Sprint(d.OriginReqs), fmt.Sprint(d.Errors)}}}},
		Charts: []Chart{{Name: "latency", Title: "hit: latency CDF (edge, Zipf mix)",
			SVG: cdfChart("hit: latency CDF, Zipf mix over "+fmt.Sprint(d.URLs)+" URLs", map[string][]Percentile{"edge": d.Latency}, []string{"edge"})}},
		Data: d,
	}
	if res.FirstErr != "" {
		r.Notes = append(r.Notes, "first error: "+res.FirstErr)
	}
	note := fmt.Sprintf("warm-up hit ratio %s; edge RSS at the end %.0f MiB", pct(d.WarmupHitRate), d.EdgeRSSMiB)
	if c.mode == ServersSpawn {
		note += "; edge.procs " + procsLabel(o.edgeProcs(false))
	}
	r.Notes = append(r.Notes, note)
	return r
}
