package bench

import (
	"fmt"
	"runtime"
	"strconv"
)

// compareReport renders the comparison: medians per server, the edge's
// ratios, every round, the issue 5 targets and a latency CDF per target.
func compareReport(o *Options, c *cluster, d compareData) *Report {
	find := func(target, srv string) compareRun {
		for _, m := range d.Medians {
			if m.Target == target && m.Server == srv {
				return m
			}
		}
		return compareRun{}
	}
	med := Table{Title: fmt.Sprintf("Medians of %d interleaved rounds (wrk, %d connections, %d thread, %v per run)",
		o.Rounds, o.Conns, o.WrkThreads, o.RoundTime),
		Header: []string{"object", "server", "req/s", "CPU µs/req", "p50 ms", "p99 ms", "p99.9 ms", "MB/s", "errors"}}
	ratios := Table{Title: "Edge ÷ rival (req/s: higher is better; CPU/req and p99: lower is better)",
		Header: []string{"object", "req/s vs nginx", "req/s vs Varnish", "CPU/req vs nginx", "CPU/req vs Varnish", "p99 vs nginx", "p99 vs Varnish"}}
	rounds := Table{Title: "Every run", Detail: true,
		Header: []string{"round", "object", "server", "req/s", "CPU µs/req", "p99 ms", "errors"}}
	r := &Report{Title: "compare: edge vs nginx proxy_cache vs Varnish", Data: d,
		Method: "The edge, nginx proxy_cache and Varnish front the same origin on loopback (nginx: one worker per core, " +
			"proxy_cache on disk, cache everything 1h; Varnish: malloc store of the edge's budget, ttl 1h, Vary dropped). " +
			"Every object is fetched twice from each server before measuring and single " +
			"objects are checked to be byte-identical everywhere. Then wrk loads each server in turn, round after round, " +
			"the starting server rotating; CPU per request is the utime+stime of the server's processes (the edge process; " +
			"nginx master and workers; the Varnish manager and cache process) from /proc around each run, divided by the " +
			"requests wrk completed. The tables give medians over the rounds; latency is from the median run.",
		Params: []Param{param("servers", c.mode), param("connections", o.Conns), param("wrk threads", o.WrkThreads),
			param("rounds", o.Rounds), param("run", o.RoundTime), param("cache budget MiB", o.CacheSize>>20)},
	}
	for _, t := range d.Targets {
		e, n, v := find(t.Name, "edge"), find(t.Name, "nginx"), find(t.Name, "varnish")
		label := t.Name
		if t.Bytes > 0 {
			label = fmt.Sprintf("%s (%.1f KB)", t.Name, float64(t.Bytes)/1000)
		}
		for _, m := range []compareRun{e, n, v} {
			med.Rows = append(med.Rows, []string{label, m.Server, f0(m.RPS), orNA(m.CPUus, f1),
				f2(quantileOf(m.Percentiles, 0.5)), f2(quantileOf(m.Percentiles, 0.99)), f2(quantileOf(m.Percentiles, 0.999)),
				f0(m.MBps), fmt.Sprint(m.Errors)})
		}
		ep99, np99, vp99 := quantileOf(e.Percentiles, 0.99), quantileOf(n.Percentiles, 0.99), quantileOf(v.Percentiles, 0.99)
		ratios.Rows = append(ratios.Rows, []string{label, x(ratio(e.RPS, n.RPS)), x(ratio(e.RPS, v.RPS)),
			ratioOrNA(e.CPUus, n.CPUus), ratioOrNA(e.CPUus, v.CPUus), x(ratio(ep99, np99)), x(ratio(ep99, vp99))})
		if t.Name == "small" || t.Name == "large" {
			r.Checks = append(r.Checks, compareChecks(label, e, n, v)...)
		}
		dists := map[string][]Percentile{"edge": e.Percentiles, "nginx": n.Percentiles, "varnish": v.Percentiles}
		r.Charts = append(r.Charts, Chart{Name: "latency-" + t.Name, Title: "compare: latency CDF, " + label,
			SVG: cdfChart("compare: latency CDF, "+label+", "+fmt.Sprint(o.Conns)+" connections", dists, []string{"edge", "nginx", "varnish"})})
	}
	for _, run := range d.Runs {
		rounds.Rows = append(rounds.Rows, []string{fmt.Sprint(run.Round), run.Target, run.Server, f0(run.RPS),
			orNA(run.CPUus, f1), f2(quantileOf(run.Percentiles, 0.99)), fmt.Sprint(run.Errors)})
	}
	r.Tables = []Table{med, ratios, rounds}
	for _, t := range d.Targets {
		r.Notes = append(r.Notes, t.Name+": "+t.Desc)
	}
	r.Notes = append(r.Notes, "wrk and the servers share the machine's cores; req/s is what one wrk thread could drive, "+
		"CPU per request is each server's own cost.")
	edgeSetup := "the edge as it was started"
	if c.mode == ServersSpawn {
		edgeSetup = "the edge with edge.procs " + procsLabel(o.edgeProcs(true)) + " (-edge-procs)"
	}
	r.Notes = append(r.Notes, fmt.Sprintf("servers as set up: %s, nginx with worker_processes %d (one per CPU; "+
		"one worker was slower), Varnish with its default thread pools.", edgeSetup, runtime.NumCPU()))
	return r
}

// compareChecks are issue 5's targets for one object.
func compareChecks(label string, e, n, v compareRun) []Check {
	ep99, np99 := quantileOf(e.Percentiles, 0.99), quantileOf(n.Percentiles, 0.99)
	cpu := ratio(e.CPUus, n.CPUus)
	return []Check{
		check(label+": req/s vs nginx", x(ratio(e.RPS, n.RPS)), "≥ 1.10×", ratio(e.RPS, n.RPS) >= 1.1),
		check(label+": req/s vs Varnish", x(ratio(e.RPS, v.RPS)), "≥ 1.30×", ratio(e.RPS, v.RPS) >= 1.3),
		check(label+": CPU/req vs nginx", ratioOrNA(e.CPUus, n.CPUus), "≤ 0.75×", cpu > 0 && cpu <= 0.75),
		check(label+": p99 vs nginx", fmt.Sprintf("%.2f ms vs %.2f ms", ep99, np99), "no worse", ep99 <= np99),
	}
}

// ratioOrNA is a/b as a ratio, n/a when either was not measured.
func ratioOrNA(a, b float64) string {
	if a <= 0 || b <= 0 {
		return "n/a"
	}
	return x(a / b)
}

// procsLabel names an edge.procs value.
func procsLabel(n int) string {
	if n == 0 {
		return "0 (one per CPU)"
	}
	return strconv.Itoa(n)
}
