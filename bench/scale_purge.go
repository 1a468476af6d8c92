package bench

import (
	"context"
	"fmt"
	"os"
	"time"
)

// scalePurgeRow is the purge part's figures at one edge count.
type scalePurgeRow struct {
	Edges    int     `json:"edges"`
	Purges   int     `json:"purges"`
	Timeouts int     `json:"timeouts"`
	PollUs   float64 `json:"poll_us"` // each edge polled this often
	P50Ms    float64 `json:"p50_ms"`
	P99Ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
	// FirstP50Ms is the median delay until the first edge served the new
	// bytes: the gap to P50Ms is how far the edges spread.
	FirstP50Ms float64 `json:"first_edge_p50_ms"`
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
	c, err := startCluster(ctx, e, clusterSpec{Edges: counts[0], CacheSize: scaleEdgeCache})
	if err != nil {
		return err
	}
	defer c.Close()
	d.PurgePoll = fmt.Sprintf("each edge every max(%v, edges × %v)", pollEvery, time.Second/pollBudget)
	for _, n := range counts {
		if n > len(c.EdgeURLs) {
			e.p.logf("scale purge: starting edges %d to %d", len(c.EdgeURLs), n-1)
			if err := c.addEdges(ctx, e, n-len(c.EdgeURLs)); err != nil {
				return err
			}
		}
		poll := scalePoll(n)
		if _, err := measurePurges(ctx, e, c, files, scaleWarmPurges, poll, fmt.Sprintf("warm %d", n)); err != nil {
			return fmt.Errorf("%d edges, warming up: %w", n, err)
		}
		pids := append([]int{c.originPID}, c.edgePIDs...)
		cpu0, bench0, t0 := treeCPU(pids), procCPU(os.Getpid()), time.Now()
		pd, err := measurePurges(ctx, e, c, files, e.o.ScalePurges, poll, fmt.Sprintf("%d edges", n))
		wall := time.Since(t0).Seconds()
		if err != nil {
			return fmt.Errorf("%d edges: %w", n, err)
		}
		row := scalePurgeRow{Edges: n, Purges: pd.Purges, Timeouts: pd.Timeouts, PollUs: float64(poll) / float64(time.Microsecond),
			P50Ms: quantile(pd.FreshMs, 0.5), P99Ms: quantile(pd.FreshMs, 0.99), MaxMs: quantile(pd.FreshMs, 1),
			APIP50Ms: quantile(pd.APIMs, 0.5), FirstP50Ms: quantile(pd.FirstMs, 0.5), EdgeP99Ms: pd.EdgeFresh,
			ServerCores: (treeCPU(pids) - cpu0).Seconds() / wall, BenchCores: (procCPU(os.Getpid()) - bench0).Seconds() / wall,
			FreshMs: pd.FreshMs}
		for _, pid := range c.edgePIDs {
			row.EdgeRSSMiB += rssMiB(pid) / float64(len(c.edgePIDs))
		}
		d.Purge = append(d.Purge, row)
		e.p.logf("scale purge: %d edges: p50 %s ms, p99 %s ms, max %s ms; servers %s cores, bench %s", n,
			f2(row.P50Ms), f2(row.P99Ms), f2(row.MaxMs), f2(row.ServerCores), f2(row.BenchCores))
	}
	return nil
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

// scalePurgeReport adds the purge part's table, chart and the issue's
// target: p99 at 32 edges within 2× of 1 edge.
func scalePurgeReport(o *Options, d *scaleData, r *Report, section string) {
	if len(d.Purge) == 0 {
		return
	}
	t := Table{Section: section, Title: "API answer → every edge serves the new bytes, by number of edge processes",
		Header: []string{"edges", "purges", "p50 ms", "p99 ms", "max ms", "first edge fresh p50 ms", "each edge's own p99 ms: median / slowest", "timeouts", "API call p50 ms", "poll every µs",
			"servers' CPU (cores)", "bench CPU (cores)", "edge RSS MiB"}}
	var p50, p99, top series
	p50.Name, p99.Name, top.Name = "p50", "p99", "max"
	var counts []float64
	for _, row := range d.Purge {
		t.Rows = append(t.Rows, []string{fmt.Sprint(row.Edges), fmt.Sprint(row.Purges), f2(row.P50Ms), f2(row.P99Ms), f2(row.MaxMs),
			f2(row.FirstP50Ms), f2(median(row.EdgeP99Ms)) + " / " + f2(quantile(row.EdgeP99Ms, 1)), fmt.Sprint(row.Timeouts), f2(row.APIP50Ms), f0(row.PollUs), f2(row.ServerCores), f2(row.BenchCores), f0(row.EdgeRSSMiB)})
		x := float64(row.Edges)
		counts = append(counts, x)
		p50.Points = append(p50.Points, point{x, row.P50Ms})
		p99.Points = append(p99.Points, point{x, row.P99Ms})
		top.Points = append(top.Points, point{x, row.MaxMs})
	}
	r.Tables = append(r.Tables, t)
	var refs []ref
	ratio, lo, hi := scalePurgeRatio(d.Purge)
	if ratio > 0 {
		refs = append(refs, ref{2 * lo.P99Ms, fmt.Sprintf("2 × p99 at %d edge(s)", lo.Edges)})
		r.Checks = append(r.Checks, check(fmt.Sprintf("purge p99 at %d edges ÷ p99 at %d", hi.Edges, lo.Edges),
			fmt.Sprintf("%s ms ÷ %s ms = %s", f2(hi.P99Ms), f2(lo.P99Ms), x(ratio)), "≤ 2×", ratio <= 2 && hi.Timeouts == 0))
	}
	r.Charts = append(r.Charts, Chart{Section: section, Name: "purge-edges", Title: "purge propagation against edge processes",
		SVG: scalingChart("purge: API answer → every edge fresh", "edge processes (log scale)", "milliseconds", counts,
			[]series{p50, p99, top}, refs)})
	r.Notes = append(r.Notes, "purge part: one origin with the embedded NATS server; each edge a `mediacdn edge` process "+
		fmt.Sprintf("with a %d MiB cache; the edges of a count stay for the next (edges are added, never restarted); %d unmeasured "+
			"purges after edges join; polling: %s. Otherwise runPurge's method (the purge scenario).", scaleEdgeCache>>20, scaleWarmPurges, d.PurgePoll))
}
