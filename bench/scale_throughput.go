package bench

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// scaleThroughputRow is one setup's uploads and misses per second.
type scaleThroughputRow struct {
	Setup   string    `json:"setup"`
	Origins int       `json:"origins"`
	Stores  string    `json:"stores"`
	Uploads scaleLoad `json:"uploads"`
	Misses  scaleLoad `json:"misses"`
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
	// time: origins, edges, stores (PostgreSQL and S3), the bench.
	Cores    map[string]float64 `json:"cores"`
	FirstErr string             `json:"first_error,omitempty"`
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

// cpuGroups samples the CPU time of the fleet's groups of processes.
type cpuGroups struct {
	f     *fleet
	start map[string]map[int]time.Duration
	at    time.Time
}

func (f *fleet) groups() map[string][]int {
	g := map[string][]int{"origins": f.originPIDs(), "edges": f.edgePIDs, "bench": {os.Getpid()}}
	if f.stores != nil {
		g["stores"] = f.stores.pids()
	}
	return g
}

func startCPU(f *fleet) *cpuGroups {
	c := &cpuGroups{f: f, start: map[string]map[int]time.Duration{}, at: time.Now()}
	for name, pids := range f.groups() {
		c.start[name] = map[int]time.Duration{}
		for _, p := range pids {
			c.start[name][p] = procCPU(p)
		}
	}
	return c
}

// cores is each group's CPU time since the start over the wall time; a
// process that appeared since counts whole.
func (c *cpuGroups) cores() map[string]float64 {
	wall := time.Since(c.at).Seconds()
	out := map[string]float64{}
	for name, pids := range c.f.groups() {
		var t time.Duration
		for _, p := range pids {
			t += procCPU(p) - c.start[name][p]
		}
		out[name] = t.Seconds() / wall
	}
	return out
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
	l := scaleLoad{Done: st.Done - st.Errors, Errors: st.Errors, Seconds: st.Elapsed.Seconds(), Cores: cpu.cores(),
		P50Ms: ms(st.Latency.Quantile(0.5)), P99Ms: ms(st.Latency.Quantile(0.99)), FirstErr: st.FirstErr}
	l.PerSec = float64(l.Done) / l.Seconds
	return l, ctx.Err()
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
	l := scaleLoad{Done: st.Done - st.Errors, Errors: st.Errors, Shed: shed.Load(), Seconds: st.Elapsed.Seconds(),
		Cores: cpu.cores(), P50Ms: ms(st.Latency.Quantile(0.5)), P99Ms: ms(st.Latency.Quantile(0.99)), FirstErr: st.FirstErr}
	l.PerSec = float64(l.Done) / l.Seconds
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
		Header: []string{"setup", "uploads/s", "upload p50 ms", "upload p99 ms", "upload errors", "misses/s", "miss p50 ms", "miss p99 ms",
			"miss errors", "503s (asked again)", "CPU (cores) uploads: origins / stores", "misses: origins / stores / edges"}}
	var groups []string
	var values [][]float64
	for _, row := range d.Throughput {
		u, m := row.Uploads, row.Misses
		t.Rows = append(t.Rows, []string{row.Setup, f1(u.PerSec), f1(u.P50Ms), f1(u.P99Ms), fmt.Sprint(u.Errors), f1(m.PerSec), f1(m.P50Ms),
			f1(m.P99Ms), fmt.Sprint(m.Errors), fmt.Sprint(m.Shed), f2(u.Cores["origins"]) + " / " + f2(u.Cores["stores"]),
			f2(m.Cores["origins"]) + " / " + f2(m.Cores["stores"]) + " / " + f2(m.Cores["edges"])})
		groups = append(groups, row.Setup)
		values = append(values, []float64{u.PerSec, m.PerSec})
	}
	r.Tables = append(r.Tables, t)
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
		"All on one machine: two origins share its cores with the stores, the edges and the bench.", scaleMissSource))
}
