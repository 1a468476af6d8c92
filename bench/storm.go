package bench

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// stormData is the storm scenario's JSON.
type stormData struct {
	Conns      int     `json:"conns"`
	Transforms int     `json:"distinct_transformations"`
	Seconds    float64 `json:"seconds"`
	// Storm is the transformation requests' outcome; Originals and
	// Derived the probes' sent meanwhile.
	Storm     stormTally `json:"storm"`
	Originals stormTally `json:"originals"`
	Derived   stormTally `json:"stored_derived"`
	// Made is how many of the distinct transformations were answered 200
	// at least once; OriginTransforms the origin's transform attempts
	// (mediacdn_origin_transforms_total: admitted, or shed with 503).
	Made             int                `json:"made"`
	OriginTransforms float64            `json:"origin_transforms"`
	Edge             map[string]float64 `json:"edge_metrics"` // counter deltas over the run
	PerSecond        []stormSecond      `json:"per_second"`
}

// stormTally counts one kind of request's answers.
type stormTally struct {
	Requests int64            `json:"requests"`
	Statuses map[string]int64 `json:"statuses"` // "200", "503", ..., "error" for transport failures
	// Shed503 are 503s with Retry-After; Bad answers neither 200 nor
	// those.
	Shed503  int64        `json:"shed_503"`
	Bad      int64        `json:"bad"`
	Latency  []Percentile `json:"latency"`
	FirstBad string       `json:"first_bad,omitempty"`
}

// share is the fraction of answers with this status.
func (t *stormTally) share(status string) float64 {
	return ratio(float64(t.Statuses[status]), float64(t.Requests))
}

// stormSecond is one second of the storm's answers.
type stormSecond struct {
	T    int   `json:"t"`
	OK   int64 `json:"ok"`
	Shed int64 `json:"shed_503"`
	Bad  int64 `json:"bad"`
}

// tally gathers a tally's answers from many goroutines.
type tally struct {
	mu       sync.Mutex
	t        stormTally
	hist     Histogram
	perSec   map[int]*stormSecond
	start    time.Time
	byStatus map[int]int64
}

func newTally(start time.Time, perSecond bool) *tally {
	tl := &tally{start: start, byStatus: map[int]int64{}}
	if perSecond {
		tl.perSec = map[int]*stormSecond{}
	}
	return tl
}

// add records one answer (status 0: a transport error).
func (tl *tally) add(path string, status int, retryAfter []byte, took time.Duration, err error) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.t.Requests++
	tl.byStatus[status]++
	tl.hist.Record(took)
	ok, shed := status == http.StatusOK, status == http.StatusServiceUnavailable && len(retryAfter) > 0
	switch {
	case shed:
		tl.t.Shed503++
	case !ok:
		tl.t.Bad++
		if tl.t.FirstBad == "" {
			tl.t.FirstBad = fmt.Sprintf("%s: %d %v", path, status, err)
		}
	}
	if tl.perSec != nil {
		sec := int(time.Since(tl.start) / time.Second)
		s := tl.perSec[sec]
		if s == nil {
			s = &stormSecond{T: sec}
			tl.perSec[sec] = s
		}
		switch {
		case ok:
			s.OK++
		case shed:
			s.Shed++
		default:
			s.Bad++
		}
	}
}

// result is the tally as reported.
func (tl *tally) result() (stormTally, []stormSecond) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	t := tl.t
	t.Statuses = map[string]int64{}
	for st, n := range tl.byStatus {
		name := strconv.Itoa(st)
		if st == 0 {
			name = "error"
		}
		t.Statuses[name] = n
	}
	t.Latency = tl.hist.Percentiles()
	var secs []stormSecond
	for _, s := range tl.perSec {
		secs = append(secs, *s)
	}
	sort.Slice(secs, func(i, j int) bool { return secs[i].T < secs[j].T })
	return t, secs
}

// stormProbeConns are the connections that ask for originals, and as many
// for stored derived images, during the storm.
const stormProbeConns = 4

// stormTimeout bounds one request: past the origin's transform deadline
// and the edge's origin_timeout (30s each by default).
const stormTimeout = time.Minute

// runStorm loads one edge, with its default configuration, with
// StormConns connections asking for StormTransforms distinct new
// transformations of a large photo, round robin, for StormTime. Meanwhile
// a few connections ask for originals (each under a version of its own,
// so that every one is an edge miss and an origin fill) and for a derived
// image made before the storm (likewise). Every answer must be 200 or 503
// with Retry-After, and every original 200.
func runStorm(ctx context.Context, e *env) (*Report, error) {
	c, err := startCluster(ctx, e, clusterSpec{Edges: 1})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	d, err := stormOn(ctx, e, c)
	if err != nil {
		return nil, err
	}
	return stormReport(c, d), ctx.Err()
}

// stormOn runs the storm through c's first edge (runStorm).
func stormOn(ctx context.Context, e *env, c *cluster) (stormData, error) {
	o := e.o
	lady, err := findPhoto(e.photos, "LadyBird.jpg")
	if err != nil {
		return stormData{}, err
	}
	rocket, err := findPhoto(e.photos, "rocket.jpg")
	if err != nil {
		return stormData{}, err
	}
	api := newAPIClient(c.OriginURL, o)
	for _, p := range []photo{lady, rocket} {
		if _, err := api.upload(ctx, p.ID, p.File, p.Data, nil); err != nil {
			return stormData{}, err
		}
	}
	edge := c.EdgeURLs[0]
	// A run-unique, inert d_ parameter makes every transformation new to
	// an origin that has served earlier runs.
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	paths := make([]string, o.StormTransforms)
	for i := range paths {
		paths[i] = deliveryPath(o.Cloud, variant{"w_" + strconv.Itoa(1000+i) + ",q_80,d_s" + run, "jpg"}, 0, lady.ID)
	}
	derived := variant{"c_fill,h_200,w_300,q_80,d_s" + run, "jpg"}
	ohc, err := newHostClient(c.OriginURL, 1, stormTimeout)
	if err != nil {
		return stormData{}, err
	}
	if f, err := getRetrying(ctx, ohc, c.OriginURL, deliveryPath(o.Cloud, derived, 0, rocket.ID)); err != nil || f.Status != 200 {
		return stormData{}, fmt.Errorf("bench: storm: making the derived image before the storm: %d %v", f.Status, err)
	}

	m0, _ := scrapeMetrics(c.EdgeMetrics[0])
	om0, _ := scrapeMetrics(c.OriginMetrics)
	e.p.logf("  storm: %d connections over %d distinct transformations for %v; originals and a stored derived image meanwhile",
		o.StormConns, o.StormTransforms, o.StormTime)
	start := time.Now()
	deadline := start.Add(o.StormTime)
	storm, originals, der := newTally(start, true), newTally(start, false), newTally(start, false)
	var made sync.Map
	var next, version atomic.Int64
	var sent atomic.Int64
	stop := e.p.watch(func() string {
		n := sent.Load()
		return fmt.Sprintf("storm %s %5.1fs %8d req %7.0f req/s", bar(since(start)/o.StormTime.Seconds()), since(start), n, float64(n)/since(start))
	})
	var wg sync.WaitGroup
	loop := func(hc *fasthttp.HostClient, tl *tally, path func() string, onOK func(string)) {
		defer wg.Done()
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		for ctx.Err() == nil && time.Now().Before(deadline) {
			p := path()
			req.Reset()
			req.SetRequestURI(p)
			req.SetHost(hc.Addr)
			t0 := time.Now()
			err := hc.DoTimeout(req, resp, stormTimeout)
			took := time.Since(t0)
			sent.Add(1)
			status := 0
			if err == nil {
				status = resp.StatusCode()
			}
			tl.add(p, status, resp.Header.Peek("Retry-After"), took, err)
			if status == http.StatusOK && onOK != nil {
				onOK(p)
			}
		}
	}
	shc, err := newHostClient(edge, o.StormConns, stormTimeout)
	if err != nil {
		return stormData{}, err
	}
	defer shc.CloseIdleConnections()
	phc, err := newHostClient(edge, 2*stormProbeConns, stormTimeout)
	if err != nil {
		return stormData{}, err
	}
	defer phc.CloseIdleConnections()
	for range o.StormConns {
		wg.Add(1)
		go loop(shc, storm, func() string { return paths[(next.Add(1)-1)%int64(len(paths))] },
			func(p string) { made.Store(p, true) })
	}
	for range stormProbeConns {
		wg.Add(2)
		go loop(phc, originals, func() string {
			return deliveryPath(o.Cloud, variant{"", "jpg"}, version.Add(1), rocket.ID)
		}, nil)
		go loop(phc, der, func() string { return deliveryPath(o.Cloud, derived, version.Add(1), rocket.ID) }, nil)
	}
	wg.Wait()
	stop()
	d := stormData{Conns: o.StormConns, Transforms: o.StormTransforms, Seconds: time.Since(start).Seconds(),
		Edge: map[string]float64{}}
	d.Storm, d.PerSecond = storm.result()
	d.Originals, _ = originals.result()
	d.Derived, _ = der.result()
	made.Range(func(any, any) bool { d.Made++; return true })
	if m1, err := scrapeMetrics(c.EdgeMetrics[0]); err == nil {
		for _, name := range []string{"requests_total", "cache_hits_total", "cache_misses_total", "cache_stale_total",
			"origin_requests_total", "origin_errors_total", "origin_shed_total", "origin_busy_total", "server_errors_total"} {
			name = "mediacdn_edge_" + name
			d.Edge[name] = m1[name] - m0[name]
		}
	}
	if om1, err := scrapeMetrics(c.OriginMetrics); err == nil {
		d.OriginTransforms = om1["mediacdn_origin_transforms_total"] - om0["mediacdn_origin_transforms_total"]
	}
	return d, nil
}

func stormReport(c *cluster, d stormData) *Report {
	row := func(name string, t stormTally) []string {
		return []string{name, fmt.Sprint(t.Requests), pct(t.share("200")), pct(ratio(float64(t.Shed503), float64(t.Requests))),
			pct(t.share("502")), fmt.Sprint(t.Bad), f1(quantileOf(t.Latency, 0.5)), f1(quantileOf(t.Latency, 0.99))}
	}
	var statuses []string
	for st := range d.Storm.Statuses {
		statuses = append(statuses, st)
	}
	sort.Strings(statuses)
	var counts []string
	for _, st := range statuses {
		counts = append(counts, fmt.Sprintf("%s: %d", st, d.Storm.Statuses[st]))
	}
	edgeRow := []string{}
	edgeHeader := []string{}
	for _, name := range []string{"origin_requests_total", "origin_shed_total", "origin_busy_total", "origin_errors_total",
		"cache_stale_total"} {
		edgeHeader = append(edgeHeader, name)
		edgeRow = append(edgeRow, f0(d.Edge["mediacdn_edge_"+name]))
	}
	r := &Report{Title: "storm: new transformations shed with 503, originals unaffected", Data: d,
		Method: fmt.Sprintf("One edge and one origin, both with their default configuration. %d connections ask the edge "+
			"for %d distinct new transformations of a 2560×1600 JPEG (w_1000 to w_%d, each new to the origin), round "+
			"robin, for %.0f s: far more than the origin's transform workers and queue hold, so the origin sheds with "+
			"503. Meanwhile %d connections ask for an original (a 112 KB JPEG) and %d for a derived image made before "+
			"the storm, each request under a version of its own so that every one is an edge miss and an origin fill. "+
			"Every answer must be 200 or 503 with Retry-After (no 502), and every original 200.",
			d.Conns, d.Transforms, 1000+d.Transforms-1, d.Seconds, stormProbeConns, stormProbeConns),
		Params: []Param{param("servers", c.mode), param("connections", d.Conns), param("distinct transformations", d.Transforms),
			param("seconds", f0(d.Seconds))},
		Tables: []Table{
			{Title: "Answers", Header: []string{"requests", "count", "200", "503 + Retry-After", "502", "other", "p50 ms", "p99 ms"},
				Rows: [][]string{row("storm (new transformations)", d.Storm), row("originals", d.Originals),
					row("stored derived image", d.Derived)}},
			{Title: "Edge counters over the run", Header: edgeHeader, Rows: [][]string{edgeRow}, Detail: true},
			{Title: "Storm", Header: []string{"statuses", "transformations made (answered 200)", "origin transform attempts (admitted or shed)"},
				Rows: [][]string{{fmt.Sprint(counts), fmt.Sprintf("%d of %d", d.Made, d.Transforms), f0(d.OriginTransforms)}}, Detail: true},
		},
		Checks: []Check{
			check("storm answers 200 or 503 with Retry-After", fmt.Sprintf("%d other of %d", d.Storm.Bad, d.Storm.Requests), "0",
				d.Storm.Bad == 0 && d.Storm.Requests > 0),
			check("originals during the storm answer 200", pct(d.Originals.share("200")), "100%",
				d.Originals.Requests > 0 && d.Originals.Statuses["200"] == d.Originals.Requests),
			check("stored derived image answers 200 or 503 with Retry-After", fmt.Sprintf("%d other of %d", d.Derived.Bad, d.Derived.Requests),
				"0", d.Derived.Bad == 0 && d.Derived.Requests > 0),
			check("the storm overloaded the origin", fmt.Sprintf("%d 503s", d.Storm.Statuses["503"]), "> 0", d.Storm.Statuses["503"] > 0),
		},
	}
	var ok, shed, bad series
	ok.Name, shed.Name, bad.Name = "200", "503 + Retry-After", "other"
	for _, s := range d.PerSecond {
		ok.Points = append(ok.Points, point{float64(s.T), float64(s.OK)})
		shed.Points = append(shed.Points, point{float64(s.T), float64(s.Shed)})
		bad.Points = append(bad.Points, point{float64(s.T), float64(s.Bad)})
	}
	r.Charts = []Chart{
		{Name: "answers", Title: "storm: answers per second",
			SVG: timeChart(fmt.Sprintf("storm: %d connections, %d distinct transformations", d.Conns, d.Transforms),
				"answers per second", []series{ok, shed, bad}, nil)},
		{Name: "latency", Title: "storm: latency CDF",
			SVG: cdfChart("storm: latency", map[string][]Percentile{"storm": d.Storm.Latency, "originals": d.Originals.Latency,
				"stored derived": d.Derived.Latency}, []string{"storm", "originals", "stored derived"})},
	}
	for name, t := range map[string]stormTally{"storm": d.Storm, "originals": d.Originals, "stored derived": d.Derived} {
		if t.FirstBad != "" {
			r.Notes = append(r.Notes, name+": first answer neither 200 nor 503 with Retry-After: "+t.FirstBad)
		}
	}
	sort.Strings(r.Notes)
	return r
}
