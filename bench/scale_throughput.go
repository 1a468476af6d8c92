package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// scaleThroughputRow is one setup's uploads and misses per second.
type scaleThroughputRow struct {
	Setup   string `json:"setup"`
	Origins int    `json:"origins"`
	Stores  string `json:"stores"`
	// OriginProcs is each origin's GOMAXPROCS (0: Go's default, one per
	// CPU).
	OriginProcs int       `json:"origin_procs"`
	Uploads     scaleLoad `json:"uploads"`
	Misses      scaleLoad `json:"misses"`
}

// scaleLoad is one load's figures.
type scaleLoad struct {
	Done    int64   `json:"done"` // answered 200
	Errors  int64   `json:"errors"`
	Shed    int64   `json:"shed,omitempty"` // 503s (an origin's transform queue full), each asked again
	PerSec  float64 `json:"per_second"`     // answered 200, per second
	P50Ms   float64 `json:"p50_ms"`
	P99Ms   float64 `json:"p99_ms"`
	Seconds float64 `json:"seconds"`
	// Cores is the CPU time each group of processes used over the wall
	// time: origins, edges, postgres, versitygw, the bench. Waiting is
	// the time their threads were runnable but waited for a core, over
	// the wall time (cores' worth of waiting).
	Cores   map[string]float64 `json:"cores"`
	Waiting map[string]float64 `json:"waiting"`
	// Pressure is the share of the time some task of the machine waited
	// for a core (/proc/pressure/cpu; -1 without it); Load the 1-minute
	// load average at the start.
	Pressure float64 `json:"cpu_pressure"`
	Load     float64 `json:"load_average"`
	FirstErr string  `json:"first_error,omitempty"`
}

const (
	scaleUploadClients = 8 // concurrent uploads
	scaleMissClients   = 8 // concurrent requests for new transformations
	// A miss answered 503 (the origins shedding load) is asked again
	// after scaleShedWait, up to scaleShedTries times.
	scaleShedTries = 50
	scaleShedWait  = 20 * time.Millisecond
	scaleEdges     = 2 // edges of the throughput and failover parts
	// scaleMissSource is the photo every transformation is made from.
	scaleMissSource = "rocket.jpg"
)

// setups of the throughput part, in order.
var scaleSetups = []struct {
	name    string
	origins int
	shared  bool // PostgreSQL and S3; else SQLite and files
}{
	{"1 origin, SQLite + files", 1, false},
	{"1 origin, PostgreSQL + S3", 1, true},
	{"2 origins, PostgreSQL + S3", 2, true},
}

// runScaleThroughput measures, for each setup on fresh servers and
// stores, uploads per second straight to the origins (clients spread
// over them) and then distinct new transformations per second through
// the edges (every one a miss the origins must make).
func runScaleThroughput(ctx context.Context, e *env, d *scaleData) error {
	src, err := findPhoto(e.photos, scaleMissSource)
	if err != nil {
		return err
	}
	for _, setup := range scaleSetups {
		row := scaleThroughputRow{Setup: setup.name, Origins: setup.origins, Stores: "SQLite + files"}
		if setup.shared {
			row.Stores = "PostgreSQL + S3"
		}
		e.p.logf("scale throughput: %s", setup.name)
		if err := func() error {
			spec := fleetSpec{Origins: setup.origins, Edges: scaleEdges}
			if setup.shared {
				st, err := startSharedStores(ctx, e.dir)
				if err != nil {
					return err
				}
				defer st.close()
				spec.Stores = st
			}
			f, err := startFleet(ctx, e, spec)
			if err != nil {
				return err
			}
			defer f.Close()
			row.OriginProcs = f.procs
			row.Uploads, err = scaleUploads(ctx, e, f, src, "scale/up/")
			if err != nil {
				return err
			}
			row.Misses, err = scaleMisses(ctx, e, f, src, "scale/src", nil)
			return err
		}(); err != nil {
			return fmt.Errorf("%s: %w", setup.name, err)
		}
		d.Throughput = append(d.Throughput, row)
		e.p.logf("scale throughput: %s: %s uploads/s, %s misses/s", setup.name, f1(row.Uploads.PerSec), f1(row.Misses.PerSec))
	}
	return nil
}

// cpuGroups samples the CPU time of the fleet's groups of processes, the
// time their threads waited for a core, and the machine's CPU pressure.
type cpuGroups struct {
	f        *fleet
	cpu      map[string]map[int]time.Duration
	sched    map[string]map[int]schedTimes
	pressure time.Duration
	load     float64
	at       time.Time
}

// groups are the fleet's processes by what they are: origins, edges,
// PostgreSQL (with its backends), versitygw and the bench.
func (f *fleet) groups() map[string][]int {
	g := map[string][]int{"origins": f.originPIDs(), "edges": f.edgePIDs, "bench": {os.Getpid()}}
	if f.stores != nil {
		g["postgres"], g["versitygw"] = f.stores.groupPIDs()
	}
	return g
}

func startCPU(f *fleet) *cpuGroups {
	c := &cpuGroups{f: f, cpu: map[string]map[int]time.Duration{}, sched: map[string]map[int]schedTimes{}, load: loadAverage()}
	for name, pids := range f.groups() {
		c.cpu[name], c.sched[name] = map[int]time.Duration{}, map[int]schedTimes{}
		for _, p := range pids {
			c.cpu[name][p], c.sched[name][p] = procCPU(p), procSched(p)
		}
	}
	c.pressure, _ = cpuPressure()
	c.at = time.Now()
	return c
}

// cpuUse is what a load cost in CPU: per group, the cores it kept busy
// and the cores' worth of time its threads waited for one; the share of
// the time some task of the machine waited for a core; the load average
// at the start.
type cpuUse struct {
	Cores    map[string]float64
	Waiting  map[string]float64
	Pressure float64
	Load     float64
}

// use is each group's CPU time and wait for a core since the start over
// the wall time; a process that appeared since counts whole.
func (c *cpuGroups) use() cpuUse {
	wall := time.Since(c.at).Seconds()
	u := cpuUse{Cores: map[string]float64{}, Waiting: map[string]float64{}, Load: c.load, Pressure: -1}
	for name, pids := range c.f.groups() {
		var t time.Duration
		var st schedTimes
		for _, p := range pids {
			t += procCPU(p) - c.cpu[name][p]
			st = st.plus(procSched(p).minus(c.sched[name][p]))
		}
		u.Cores[name], u.Waiting[name] = t.Seconds()/wall, max(0, st.wait.Seconds())/wall
	}
	if p, ok := cpuPressure(); ok {
		u.Pressure = min(1, (p-c.pressure).Seconds()/wall) // read a little after the wall time ends
	}
	return u
}

// newScaleLoad fills a load's figures from the ops' stats and what they cost.
func newScaleLoad(st *opStats, u cpuUse) scaleLoad {
	l := scaleLoad{Done: st.Done - st.Errors, Errors: st.Errors, Seconds: st.Elapsed.Seconds(), Cores: u.Cores,
		Waiting: u.Waiting, Pressure: u.Pressure, Load: u.Load,
		P50Ms: ms(st.Latency.Quantile(0.5)), P99Ms: ms(st.Latency.Quantile(0.99)), FirstErr: st.FirstErr}
	l.PerSec = float64(l.Done) / l.Seconds
	return l
}

// scaleUploads uploads distinct public IDs (prefix + n) of src for
// -scale-time, upload i to origin i mod the number of origins.
func scaleUploads(ctx context.Context, e *env, f *fleet, src photo, prefix string) (scaleLoad, error) {
	apis := make([]*apiClient, len(f.origins))
	for i, og := range f.origins {
		apis[i] = newAPIClient(og.URL, e.o)
	}
	var done atomic.Int64
	start := time.Now()
	stop := e.p.watch(func() string {
		return fmt.Sprintf("%-10s %5.1fs %6d uploads", "uploads", since(start), done.Load())
	})
	cpu := startCPU(f)
	st := runOps(ctx, 1<<30, scaleUploadClients, start.Add(e.o.ScaleTime), &done, func(i int) error {
		_, err := apis[i%len(apis)].upload(ctx, prefix+fmt.Sprint(i), src.File, src.Data, nil)
		return err
	})
	stop()
	return newScaleLoad(st, cpu.use()), ctx.Err()
}

// scaleMisses uploads src as id, then asks the edges (request i from
// edge i mod the number of edges) for distinct new transformations of it
// for -scale-time: every request a miss at the edge and a new derived
// image at an origin. at, when set, sees each request's start, end and
// outcome.
func scaleMisses(ctx context.Context, e *env, f *fleet, src photo, id string, at func(t0, t1 time.Time, status int, err error)) (scaleLoad, error) {
	if _, err := newAPIClient(f.OriginURL, e.o).upload(ctx, id, src.File, src.Data, nil); err != nil {
		return scaleLoad{}, err
	}
	clients := make([]*fastClient, len(f.EdgeURLs))
	for i, u := range f.EdgeURLs {
		hc, err := newHostClient(u, scaleMissClients, 30*time.Second)
		if err != nil {
			return scaleLoad{}, err
		}
		defer hc.CloseIdleConnections()
		clients[i] = &fastClient{hc, u}
	}
	var done, shed atomic.Int64
	start := time.Now()
	stop := e.p.watch(func() string {
		return fmt.Sprintf("%-10s %5.1fs %6d misses", "misses", since(start), done.Load())
	})
	cpu := startCPU(f)
	st := runOps(ctx, 1<<30, scaleMissClients, start.Add(e.o.ScaleTime), &done, func(i int) error {
		c := clients[i%len(clients)]
		for try := 0; ; try++ {
			t0 := time.Now()
			r, err := get(c.hc, c.base, missPath(e.o.Cloud, id, i))
			if at != nil {
				at(t0, time.Now(), r.Status, err)
			}
			switch {
			case err != nil:
				return err
			case r.Status == 503 && try < scaleShedTries && ctx.Err() == nil:
				shed.Add(1) // the origins are full: the same URL again, a little later
				time.Sleep(scaleShedWait)
				continue
			case r.Status != 200:
				return fmt.Errorf("%d %s", r.Status, r.Error)
			}
			return nil
		}
	})
	stop()
	l := newScaleLoad(st, cpu.use())
	l.Shed = shed.Load()
	return l, ctx.Err()
}

// fastClient is a keep-alive client and the base URL it reaches.
type fastClient struct {
	hc   *fasthttp.HostClient
	base string
}

// missPath is the i-th distinct transformation of id: a fill crop to a
// size no other i asks for.
func missPath(cloud, id string, i int) string {
	w, h := 40+i%500, 40+i/500
	return deliveryPath(cloud, variant{Tr: fmt.Sprintf("c_fill,h_%d,w_%d", h, w), Ext: "jpg"}, 0, id)
}

// scaleThroughputReport adds the throughput table and chart.
func scaleThroughputReport(o *Options, d *scaleData, r *Report, section string) {
	if len(d.Throughput) == 0 {
		return
	}
	t := Table{Section: section, Title: fmt.Sprintf("Uploads straight to the origins (%d clients) and distinct new transformations "+
		"through %d edges (%d clients), %v each", scaleUploadClients, scaleEdges, scaleMissClients, o.ScaleTime),
		Header: []string{"setup", "GOMAXPROCS per origin", "uploads/s", "upload p50 ms", "upload p99 ms", "upload errors", "misses/s",
			"miss p50 ms", "miss p99 ms", "miss errors", "503s (asked again)"}}
	cpu := Table{Section: section, Title: "What each load cost in CPU: per group of processes, cores used / cores' worth of time " +
		"waited for a core (runnable, not running), over the wall time",
		Header: []string{"setup", "load", "load average at start", "CPU pressure", "origins", "postgres", "versitygw", "edges", "bench"}}
	var groups []string
	var values [][]float64
	for _, row := range d.Throughput {
		u, m := row.Uploads, row.Misses
		t.Rows = append(t.Rows, []string{row.Setup, procsText(row.OriginProcs), f1(u.PerSec), f1(u.P50Ms), f1(u.P99Ms), fmt.Sprint(u.Errors),
			f1(m.PerSec), f1(m.P50Ms), f1(m.P99Ms), fmt.Sprint(m.Errors), fmt.Sprint(m.Shed)})
		for _, l := range []struct {
			name string
			l    scaleLoad
		}{{"uploads", u}, {"misses", m}} {
			line := []string{row.Setup, l.name, f1(l.l.Load), pressureText(l.l.Pressure)}
			for _, g := range []string{"origins", "postgres", "versitygw", "edges", "bench"} {
				line = append(line, runWaitText(l.l, g))
			}
			cpu.Rows = append(cpu.Rows, line)
		}
		groups = append(groups, row.Setup)
		values = append(values, []float64{u.PerSec, m.PerSec})
	}
	r.Tables = append(r.Tables, t, cpu)
	for _, row := range d.Throughput {
		for _, l := range []struct {
			name string
			l    scaleLoad
		}{{"uploads", row.Uploads}, {"misses", row.Misses}} {
			if run, wait := l.l.Cores["origins"], l.l.Waiting["origins"]; run > 0 && wait > run {
				r.Notes = append(r.Notes, fmt.Sprintf("%s, %s: CPU-bound, the origins' threads waited %s cores' worth for a core "+
					"while they used %s (%.1f× as long as they ran; CPU pressure %s, load average %s)", row.Setup, l.name,
					f2(wait), f2(run), wait/run, pressureText(l.l.Pressure), f1(l.l.Load)))
			}
		}
	}
	base := d.Throughput[0]
	ratios := Table{Section: section, Title: "Against 1 origin on SQLite + files", Header: []string{"setup", "uploads/s", "misses/s"}}
	for _, row := range d.Throughput[1:] {
		ratios.Rows = append(ratios.Rows, []string{row.Setup, x(ratio(row.Uploads.PerSec, base.Uploads.PerSec)),
			x(ratio(row.Misses.PerSec, base.Misses.PerSec))})
	}
	r.Tables = append(r.Tables, ratios)
	r.Charts = append(r.Charts, Chart{Section: section, Name: "throughput", Title: "uploads and misses per second by setup",
		SVG: groupedBarChart("uploads and misses per second", "per second", groups, []string{"uploads/s", "misses/s"}, values)})
	r.Notes = append(r.Notes, fmt.Sprintf("throughput part: SQLite + files is one origin's own data directory, so it can only have one "+
		"origin; the PostgreSQL + S3 setups share one PostgreSQL server and one versitygw bucket (internal/localsrv, fsync off), "+
		"each setup on fresh servers. Uploads are distinct public IDs of %s, upload i sent to origin i mod the origins. Misses are "+
		"distinct c_fill sizes of it asked of the edges in turn (each edge lists every origin); a 503 (an origin shedding load) "+
		"is asked again 20 ms later and counted in the 503s column; the latency includes those waits. "+
		"All on one machine: two origins share its cores with the stores, the edges and the bench. "+
		"Each origin runs with the GOMAXPROCS its column says (-scale-origin-procs; by default max(1, CPUs / origins)). "+
		"The CPU table reads /proc/<pid>/stat (cores used), /proc/<pid>/task/*/schedstat (time runnable but waiting for a core; "+
		"threads that ended during the load are not counted) and /proc/pressure/cpu (the share of the time some task of the "+
		"machine waited for a core).", scaleMissSource))
}

// procsText is a GOMAXPROCS setting: 0 is Go's default.
func procsText(n int) string {
	if n == 0 {
		return "one per CPU"
	}
	return strconv.Itoa(n)
}

// pressureText is a CPU pressure share as a percentage ("n/a" without).
func pressureText(p float64) string {
	if p < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", 100*p)
}

// runWaitText is a group's cores used / cores' worth waited ("" when the
// setup has no such group).
func runWaitText(l scaleLoad, group string) string {
	run, ok := l.Cores[group]
	if !ok {
		return ""
	}
	return f2(run) + " / " + f2(l.Waiting[group])
}
