package bench

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// compareTarget is one object (or mix) loaded on every server.
type compareTarget struct {
	Name  string   `json:"name"`
	Desc  string   `json:"desc"`
	Paths []string `json:"-"`
	Bytes int      `json:"bytes"` // body size of a single object; 0 for the mix
}

// server is a cache under test in the comparison.
type server struct {
	name string
	url  string
	pids func() []int // processes whose CPU counts; nil when unknown
}

// compareRun is one wrk run of one server on one target.
type compareRun struct {
	Round       int          `json:"round"`
	Target      string       `json:"target"`
	Server      string       `json:"server"`
	RPS         float64      `json:"rps"`
	CPUus       float64      `json:"cpu_us_per_req"`
	Errors      int64        `json:"errors"`
	MBps        float64      `json:"mb_per_sec"`
	Percentiles []Percentile `json:"latency"`
}

// compareData is the compare scenario's JSON.
type compareData struct {
	Targets []compareTarget `json:"targets"`
	Runs    []compareRun    `json:"runs"`
	Medians []compareRun    `json:"medians"` // per target and server; latency from the median-rps run
}

// runCompare loads the edge, nginx proxy_cache and Varnish, all in front
// of the same origin and warmed identically, with wrk in interleaved
// rounds, and measures each server's CPU time from /proc.
func runCompare(ctx context.Context, e *env) (*Report, error) {
	o := e.o
	if err := ensureRivals(ctx, e.p, o.Install); err != nil {
		return nil, err
	}
	c, err := startCluster(ctx, e, clusterSpec{Edges: 1, CacheSize: o.CacheSize, Wrk: true})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := newAPIClient(c.OriginURL, o).uploadAll(ctx, e.photos); err != nil {
		return nil, err
	}
	targets, err := compareTargets(e)
	if err != nil {
		return nil, err
	}
	ng, err := startNginx(ctx, e.dir, c.OriginURL)
	if err != nil {
		return nil, err
	}
	defer ng.stop()
	va, err := startVarnish(ctx, e.dir, c.OriginURL, o.CacheSize)
	if err != nil {
		return nil, err
	}
	defer va.stop()
	edgePID := c.edgePIDs[0]
	servers := []server{{name: "edge", url: c.EdgeURLs[0]}, {name: "nginx", url: ng.url, pids: ng.pids},
		{name: "varnish", url: va.url, pids: va.pids}}
	if c.measurable() && edgePID > 0 {
		servers[0].pids = func() []int { return []int{edgePID} }
	}
	if err := warmCompare(ctx, e, c.OriginURL, servers, targets); err != nil {
		return nil, err
	}
	runs, err := compareRounds(ctx, e, servers, targets)
	if err != nil {
		return nil, err
	}
	d := compareData{Targets: targets, Runs: runs, Medians: compareMedians(runs, targets, servers)}
	return compareReport(o, c, d), nil
}

// compareTargets are the 12 KB and 150 KB JPEGs of issue 5 and the hit
// mix; the mix's derived images are made at the origin first. The sweep
// is one target per size, from 64 KB to 333 KB, to show how the cost of a
// hit depends on the object's size on loopback (sweepWidths).
func compareTargets(e *env) ([]compareTarget, error) {
	lady, err := findPhoto(e.photos, "LadyBird.jpg")
	if err != nil {
		return nil, err
	}
	single := func(name, tr, about string) compareTarget {
		v := variant{tr, "jpg"}
		return compareTarget{Name: name, Desc: "LadyBird " + v.Tr + about, Paths: []string{deliveryPath(e.o.Cloud, v, 1, lady.ID)}}
	}
	var out []compareTarget
	for _, name := range e.o.Targets {
		switch name {
		case "small":
			out = append(out, single(name, "c_fill,h_240,w_360,q_80", " (about 12 KB)"))
		case "large":
			out = append(out, single(name, "w_1880,q_80", " (about 150 KB)"))
		case "sweep":
			for _, w := range sweepWidths {
				out = append(out, single(fmt.Sprintf("sweep-w%d", w), fmt.Sprintf("w_%d,q_80", w), ""))
			}
		case "mix":
			paths := mixPaths(e.o.Cloud, e.photos, e.o.MixURLs)
			out = append(out, compareTarget{Name: name, Paths: paths,
				Desc: fmt.Sprintf("Zipf mix (exponent %.2f) over %d URLs, replayed by wrk's Lua", e.o.Zipf, len(paths))})
		}
	}
	return out, nil
}

// sweepWidths are LadyBird widths (q_80) of about 64, 111, 150, 157, 162,
// 169, 201 and 333 KB: dense around 150 KB, where on loopback a response
// written in one call costs more between about 155 and 165 KB (the edge,
// a bare fasthttp loop alike), and nginx's 32 KB writes do not.
var sweepWidths = []int{1200, 1600, 1880, 1920, 1960, 2000, 2200, 2560}

// warmCompare makes the mix's images at the origin, then has every server
// fetch every target path twice (the second answer must come from its
// cache) and checks that single objects have the same bytes everywhere.
func warmCompare(ctx context.Context, e *env, origin string, servers []server, targets []compareTarget) error {
	for _, t := range targets {
		if t.Name == "mix" {
			if err := warmOrigin(ctx, e, origin); err != nil {
				return err
			}
		}
	}
	for ti := range targets {
		t := &targets[ti]
		var sum [16]byte
		for si, s := range servers {
			for range 2 {
				if err := fetchAll(ctx, s.url, t.Paths, 8, e.p, "warm "+s.name); err != nil {
					return err
				}
			}
			if len(t.Paths) > 1 {
				continue
			}
			body, err := fetchBody(s.url, t.Paths[0])
			if err != nil {
				return err
			}
			if h := md5.Sum(body); si == 0 {
				sum, t.Bytes = h, len(body)
			} else if !bytes.Equal(h[:], sum[:]) {
				return fmt.Errorf("bench: %s serves different bytes for %s than the edge", s.name, t.Paths[0])
			}
		}
	}
	return nil
}

// fetchBody GETs one path and returns the body of a 200.
func fetchBody(base, path string) ([]byte, error) {
	hc, err := newHostClient(base, 1, 30*time.Second)
	if err != nil {
		return nil, err
	}
	defer hc.CloseIdleConnections()
	f, err := get(hc, base, path)
	if err != nil {
		return nil, err
	}
	if f.Status != 200 {
		return nil, fmt.Errorf("GET %s%s: %d", base, path, f.Status)
	}
	return f.Body, nil
}

// compareRounds runs wrk on every target and server, round after round;
// each round starts with a different server so none always goes first.
func compareRounds(ctx context.Context, e *env, servers []server, targets []compareTarget) ([]compareRun, error) {
	o := e.o
	pathsFile, err := writeMixSequence(e, targets)
	if err != nil {
		return nil, err
	}
	total := o.Rounds * len(targets) * len(servers)
	var runs []compareRun
	start := time.Now()
	for r := 1; r <= o.Rounds; r++ {
		for _, t := range targets {
			for k := range servers {
				s := servers[(k+r-1)%len(servers)]
				run, err := compareOnce(ctx, e, s, t, r, pathsFile)
				if err != nil {
					return nil, err
				}
				runs = append(runs, *run)
				e.p.logf("  %s round %d/%d %-5s %-7s %8.0f req/s %6.1f µs CPU/req  p99 %6.2f ms  errors %d   (%d/%d, %.0fs)",
					bar(float64(len(runs))/float64(total)), r, o.Rounds, t.Name, s.name, run.RPS, run.CPUus,
					quantileOf(run.Percentiles, 0.99), run.Errors, len(runs), total, time.Since(start).Seconds())
			}
		}
	}
	return runs, nil
}

// compareOnce is one wrk run with the server's CPU time read around it.
func compareOnce(ctx context.Context, e *env, s server, t compareTarget, round int, pathsFile string) (*compareRun, error) {
	spec := wrkSpec{URL: s.url + t.Paths[0], Conns: e.o.Conns, Threads: e.o.WrkThreads, Duration: e.o.RoundTime, Dir: e.dir}
	if t.Name == "mix" {
		spec.PathsFile = pathsFile
	}
	var pids []int
	if s.pids != nil {
		pids = s.pids()
	}
	cpu0 := treeCPU(pids)
	w, err := runWrk(ctx, spec)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", s.name, t.Name, err)
	}
	cpu := treeCPU(pids) - cpu0
	run := &compareRun{Round: round, Target: t.Name, Server: s.name, RPS: w.RPS(), Errors: w.Errors,
		MBps: float64(w.Bytes) / w.Seconds / 1e6, Percentiles: w.Percentiles}
	if pids != nil {
		run.CPUus = float64(cpu.Microseconds()) / float64(w.Requests)
	}
	return run, nil
}

// writeMixSequence writes the mix's request order for wrk: 100,000 Zipf
// draws over its paths.
func writeMixSequence(e *env, targets []compareTarget) (string, error) {
	for _, t := range targets {
		if t.Name != "mix" {
			continue
		}
		m, err := newZipfMix(len(t.Paths), e.o.Zipf, 1)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, i := range m.sequence(100000, 300) {
			b.WriteString(t.Paths[i] + "\n")
		}
		f := filepath.Join(e.dir, "mix-paths.txt")
		return f, os.WriteFile(f, []byte(b.String()), 0o644)
	}
	return "", nil
}

// compareMedians takes each target and server's median req/s and CPU per
// request over the rounds, and the latency distribution of the run whose
// req/s is the median.
func compareMedians(runs []compareRun, targets []compareTarget, servers []server) []compareRun {
	var out []compareRun
	for _, t := range targets {
		for _, s := range servers {
			var rps, cpu []float64
			var mine []compareRun
			for _, r := range runs {
				if r.Target == t.Name && r.Server == s.name {
					rps, cpu, mine = append(rps, r.RPS), append(cpu, r.CPUus), append(mine, r)
				}
			}
			if len(mine) == 0 {
				continue
			}
			m := compareRun{Target: t.Name, Server: s.name, RPS: median(rps), CPUus: median(cpu)}
			for _, r := range mine {
				m.Errors += r.Errors
				if r.RPS == m.RPS {
					m.Percentiles, m.MBps = r.Percentiles, r.MBps
				}
			}
			out = append(out, m)
		}
	}
	return out
}
