package bench

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"time"
)

// purgeMeasures are the values of -scale-purge-measure.
var purgeMeasures = []string{"applied", "poll", "both"}

// scalePurgeRow is the purge part's figures at one edge count, measured
// one way.
type scalePurgeRow struct {
	// Measure is "applied" (API answer → each edge applied the rule, by
	// its own clock; nothing polled) or "poll" (API answer → each edge,
	// polled, served the new bytes: the refill included).
	Measure  string  `json:"measure"`
	Edges    int     `json:"edges"`
	Purges   int     `json:"purges"`
	Timeouts int     `json:"timeouts"`
	PollUs   float64 `json:"poll_us"` // each edge polled this often
	P50Ms    float64 `json:"p50_ms"`
	P99Ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
	// FirstP50Ms is the median delay until the first edge served the new
	// bytes (applied: applied the rule): the gap to P50Ms is how far the
	// edges spread.
	FirstP50Ms float64 `json:"first_edge_p50_ms"`
	// StoredP50Ms and StoredP99Ms (applied only): the stream stored the
	// rule → the last edge applied it, the delivery path alone.
	StoredP50Ms float64 `json:"stored_p50_ms,omitempty"`
	StoredP99Ms float64 `json:"stored_p99_ms,omitempty"`
	// EdgeP99Ms is each edge's own p99, in the order they started.
	EdgeP99Ms []float64 `json:"edge_p99_ms"`
	APIP50Ms  float64   `json:"api_p50_ms"`
	// ServerCores and BenchCores are the CPU time the servers (origin
	// and edges) and the bench process used over the measurement's wall
	// time: 2 is both cores of this machine busy all along.
	ServerCores float64   `json:"server_cores"`
	BenchCores  float64   `json:"bench_cores"`
	EdgeRSSMiB  float64   `json:"edge_rss_mib"` // mean over the edges, after the run
	FreshMs     []float64 `json:"fresh_ms"`
}

const (
	// scaleEdgeCache is each edge's cache budget in the purge part: many
	// edge processes on one machine, each small.
	scaleEdgeCache = 16 << 20
	// scaleEdgeProcs is each edge's edge.procs (GOMAXPROCS) in the purge
	// part, unless -edge-procs says otherwise: many small edges share the
	// machine's cores, and one thread running Go code per edge halves the
	// thread hand-offs (context switches) a purge costs each of them.
	scaleEdgeProcs = 1
	// scaleWarmPurges run unmeasured after edges join.
	scaleWarmPurges = 5
	// pollBudget bounds the polls per second over all edges while a purge
	// propagates: each edge is polled every pollEvery, or less often when
	// there are so many edges that they would take more.
	pollBudget = 40000
)

// scalePoll is how often each of edges is polled while a purge
// propagates: pollEvery, stretched so that all of them together are
// polled at most pollBudget times a second.
func scalePoll(edges int) time.Duration {
	return max(pollEvery, time.Duration(edges)*time.Second/pollBudget)
}

// runScalePurge starts one origin and the first count of edges, measures
// the purge propagation, adds edges up to the next count, and so on: the
// same origin and NATS server throughout, every edge a process with a
// small cache.
func runScalePurge(ctx context.Context, e *env, d *scaleData) error {
	counts := e.o.ScaleEdges
	files, err := purgeFiles(e.photos)
	if err != nil {
		return err
	}
	c, err := startCluster(ctx, e, clusterSpec{Edges: counts[0], CacheSize: scaleEdgeCache, EdgeProcs: scaleEdgeProcs})
	if err != nil {
		return err
	}
	defer c.Close()
	d.PurgePoll = fmt.Sprintf("each edge every max(%v, edges × %v)", pollEvery, time.Second/pollBudget)
	d.PurgeMeasure = e.o.ScalePurgeMeasure
	d.PurgeProcs = "1 (one thread running Go code each)"
	if e.o.EdgeProcs >= 0 {
		d.PurgeProcs = fmt.Sprintf("%d (-edge-procs; 0: one per CPU)", e.o.EdgeProcs)
	}
	var hb *heartbeatWatch
	if e.o.ScalePurgeMeasure != "poll" {
		if hb, err = watchHeartbeats(c.natsPort); err != nil {
			return err
		}
		defer hb.close()
	}
	for _, n := range counts {
		if n > len(c.EdgeURLs) {
			e.p.logf("scale purge: starting edges %d to %d", len(c.EdgeURLs), n-1)
			if err := c.addEdges(ctx, e, n-len(c.EdgeURLs)); err != nil {
				return err
			}
		}
		if hb != nil {
			if err := measureApplied(ctx, e, c, hb, files, n, d); err != nil {
				return err
			}
		}
		if e.o.ScalePurgeMeasure != "applied" {
			if err := measurePolled(ctx, e, c, files, n, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// measureApplied adds the "applied" row of n edges.
func measureApplied(ctx context.Context, e *env, c *cluster, hb *heartbeatWatch, files [2]photo, n int, d *scaleData) error {
	pd, server, bench, err := timedPurges(e, c, n, func(purges int, label string) (appliedData, error) {
		return measurePurgesApplied(ctx, e, c, hb, files, purges, label)
	})
	if err != nil {
		return err
	}
	row := scalePurgeRow{Measure: "applied", Edges: n, Purges: pd.Purges, Timeouts: pd.Timeouts,
		P50Ms: quantile(pd.AppliedMs, 0.5), P99Ms: quantile(pd.AppliedMs, 0.99), MaxMs: quantile(pd.AppliedMs, 1),
		APIP50Ms: quantile(pd.APIMs, 0.5), FirstP50Ms: quantile(pd.FirstMs, 0.5),
		StoredP50Ms: quantile(pd.StoredMs, 0.5), StoredP99Ms: quantile(pd.StoredMs, 0.99),
		ServerCores: server, BenchCores: bench, FreshMs: pd.AppliedMs}
	for _, ms := range pd.EdgeMs {
		row.EdgeP99Ms = append(row.EdgeP99Ms, quantile(ms, 0.99))
	}
	addPurgeRow(e, c, d, row)
	return nil
}

// measurePolled adds the "poll" row of n edges.
func measurePolled(ctx context.Context, e *env, c *cluster, files [2]photo, n int, d *scaleData) error {
	poll := scalePoll(n)
	pd, server, bench, err := timedPurges(e, c, n, func(purges int, label string) (purgeData, error) {
		return measurePurges(ctx, e, c, files, purges, poll, label)
	})
	if err != nil {
		return err
	}
	row := scalePurgeRow{Measure: "poll", Edges: n, Purges: pd.Purges, Timeouts: pd.Timeouts, PollUs: float64(poll) / float64(time.Microsecond),
		P50Ms: quantile(pd.FreshMs, 0.5), P99Ms: quantile(pd.FreshMs, 0.99), MaxMs: quantile(pd.FreshMs, 1),
		APIP50Ms: quantile(pd.APIMs, 0.5), FirstP50Ms: quantile(pd.FirstMs, 0.5), EdgeP99Ms: pd.EdgeFresh,
		ServerCores: server, BenchCores: bench, FreshMs: pd.FreshMs}
	addPurgeRow(e, c, d, row)
	return nil
}

// timedPurges runs one measure at n edges: scaleWarmPurges unmeasured,
// then -scale-purges measured, with the cores the servers and the bench
// used meanwhile.
func timedPurges[T any](e *env, c *cluster, n int, run func(purges int, label string) (T, error)) (d T, server, bench float64, err error) {
	if _, err := run(scaleWarmPurges, fmt.Sprintf("warm %d", n)); err != nil {
		return d, 0, 0, fmt.Errorf("%d edges, warming up: %w", n, err)
	}
	pids := append([]int{c.originPID}, c.edgePIDs...)
	cpu0, bench0, t0 := treeCPU(pids), procCPU(os.Getpid()), time.Now()
	d, err = run(e.o.ScalePurges, fmt.Sprintf("%d edges", n))
	wall := time.Since(t0).Seconds()
	if err != nil {
		return d, 0, 0, fmt.Errorf("%d edges: %w", n, err)
	}
	return d, (treeCPU(pids) - cpu0).Seconds() / wall, (procCPU(os.Getpid()) - bench0).Seconds() / wall, nil
}

// addPurgeRow adds row, with the edges' mean RSS, and logs it.
func addPurgeRow(e *env, c *cluster, d *scaleData, row scalePurgeRow) {
	for _, pid := range c.edgePIDs {
		row.EdgeRSSMiB += rssMiB(pid) / float64(len(c.edgePIDs))
	}
	d.Purge = append(d.Purge, row)
	e.p.logf("scale purge (%s): %d edges: p50 %s ms, p99 %s ms, max %s ms; servers %s cores, bench %s", row.Measure, row.Edges,
		f2(row.P50Ms), f2(row.P99Ms), f2(row.MaxMs), f2(row.ServerCores), f2(row.BenchCores))
}

// scalePurgeRatio is the p99 at the largest edge count over the p99 at
// the smallest, and those counts; 0 without two rows.
func scalePurgeRatio(rows []scalePurgeRow) (ratio float64, lo, hi scalePurgeRow) {
	if len(rows) < 2 {
		return 0, lo, hi
	}
	lo, hi = rows[0], rows[len(rows)-1]
	if lo.P99Ms == 0 {
		return 0, lo, hi
	}
	return hi.P99Ms / lo.P99Ms, lo, hi
}

// scalePurgeReport adds the purge part's tables, chart and the issue's
// target: p99 at 32 edges within 2× of 1 edge, checked on the "applied"
// measure when it ran (the poll measure's ratio is then a note).
func scalePurgeReport(o *Options, d *scaleData, r *Report, section string) {
	if len(d.Purge) == 0 {
		return
	}
	byMeasure := map[string][]scalePurgeRow{}
	for _, row := range d.Purge {
		m := cmp.Or(row.Measure, "poll")
		byMeasure[m] = append(byMeasure[m], row)
	}
	var counts []float64
	var lines []series
	var refs []ref
	checked := false
	for _, m := range []string{"applied", "poll"} {
		rows := byMeasure[m]
		if len(rows) == 0 {
			continue
		}
		t := purgeTable(m, rows)
		t.Section = section
		r.Tables = append(r.Tables, t)
		p50, p99, top := series{Name: m + " p50"}, series{Name: m + " p99"}, series{Name: m + " max"}
		counts = counts[:0]
		for _, row := range rows {
			x := float64(row.Edges)
			counts = append(counts, x)
			p50.Points = append(p50.Points, point{x, row.P50Ms})
			p99.Points = append(p99.Points, point{x, row.P99Ms})
			top.Points = append(top.Points, point{x, row.MaxMs})
		}
		lines = append(lines, p50, p99, top)
		ratio, lo, hi := scalePurgeRatio(rows)
		if ratio == 0 {
			continue
		}
		label := fmt.Sprintf("purge p99 at %d edges ÷ p99 at %d (%s)", hi.Edges, lo.Edges, m)
		measured := fmt.Sprintf("%s ms ÷ %s ms = %s", f2(hi.P99Ms), f2(lo.P99Ms), x(ratio))
		if checked {
			r.Notes = append(r.Notes, label+": "+measured+" (not the checked measure)")
			continue
		}
		checked = true
		refs = append(refs, ref{2 * lo.P99Ms, fmt.Sprintf("2 × %s p99 at %d edge(s)", m, lo.Edges)})
		r.Checks = append(r.Checks, check(label, measured, "≤ 2×", ratio <= 2 && hi.Timeouts == 0))
	}
	r.Charts = append(r.Charts, Chart{Section: section, Name: "purge-edges", Title: "purge propagation against edge processes",
		SVG: scalingChart("purge: API answer → every edge", "edge processes (log scale)", "milliseconds", counts,
			lines, refs)})
	r.Notes = append(r.Notes, "purge part: one origin with the embedded NATS server; each edge a `mediacdn edge` process "+
		fmt.Sprintf("with a %d MiB cache and edge.procs %s; the edges of a count stay for the next (edges are added, never restarted); %d unmeasured "+
			"purges after edges join, for each measure. ", scaleEdgeCache>>20, d.PurgeProcs, scaleWarmPurges)+
		"Measure \"applied\": after each overwrite (invalidate=true) the bench waits for every edge's heartbeat saying it applied the "+
		"invalidation's sequence (edges send one right after applying; the bench subscribes like the origin), then reads once from each "+
		"edge's metrics listener (GET /purge/applies) when it applied that rule, by its own clock: the moment its cache stopped "+
		"serving the old bytes; the figure is that time minus the API answer's (0 when the edge applied it before the answer came "+
		"back); nothing polls the edges meanwhile. Then one GET per edge must bring the new bytes (a refill), never the old. "+
		"\"stored → applied\" is the stream's storage time of the rule to the last edge's apply: the delivery path alone. "+
		"Measure \"poll\": every edge polled while the purge propagates ("+d.PurgePoll+") until it serves the new bytes, "+
		"the refill included; the polls compete with the edges for the CPU. Otherwise runPurge's method (the purge scenario).")
}

// purgeTable is the table of one measure's rows.
func purgeTable(measure string, rows []scalePurgeRow) Table {
	if measure == "applied" {
		t := Table{Title: "API answer → every edge applied the purge (each edge's own apply time; nothing polled), by number of edge processes",
			Header: []string{"edges", "purges", "p50 ms", "p99 ms", "max ms", "first edge applied p50 ms", "each edge's own p99 ms: median / slowest",
				"stored → last edge applied p50 / p99 ms", "timeouts", "API call p50 ms", "servers' CPU (cores)", "bench CPU (cores)", "edge RSS MiB"}}
		for _, row := range rows {
			t.Rows = append(t.Rows, []string{fmt.Sprint(row.Edges), fmt.Sprint(row.Purges), f2(row.P50Ms), f2(row.P99Ms), f2(row.MaxMs),
				f2(row.FirstP50Ms), f2(median(row.EdgeP99Ms)) + " / " + f2(quantile(row.EdgeP99Ms, 1)),
				f2(row.StoredP50Ms) + " / " + f2(row.StoredP99Ms), fmt.Sprint(row.Timeouts), f2(row.APIP50Ms),
				f2(row.ServerCores), f2(row.BenchCores), f0(row.EdgeRSSMiB)})
		}
		return t
	}
	t := Table{Title: "API answer → every edge serves the new bytes (edges polled), by number of edge processes",
		Header: []string{"edges", "purges", "p50 ms", "p99 ms", "max ms", "first edge fresh p50 ms", "each edge's own p99 ms: median / slowest", "timeouts", "API call p50 ms", "poll every µs",
			"servers' CPU (cores)", "bench CPU (cores)", "edge RSS MiB"}}
	for _, row := range rows {
		t.Rows = append(t.Rows, []string{fmt.Sprint(row.Edges), fmt.Sprint(row.Purges), f2(row.P50Ms), f2(row.P99Ms), f2(row.MaxMs),
			f2(row.FirstP50Ms), f2(median(row.EdgeP99Ms)) + " / " + f2(quantile(row.EdgeP99Ms, 1)), fmt.Sprint(row.Timeouts), f2(row.APIP50Ms), f0(row.PollUs), f2(row.ServerCores), f2(row.BenchCores), f0(row.EdgeRSSMiB)})
	}
	return t
}
