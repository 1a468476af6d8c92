package bench

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// scaleFailoverData is the failover part's figures.
type scaleFailoverData struct {
	// KillAtS is when the origin was killed, in seconds from the start of
	// the load; LoadS how long the load ran.
	KillAtS float64 `json:"kill_at_s"`
	LoadS   float64 `json:"load_s"`
	// InFlight is how many requests the edges had sent the killed origin
	// and not had answered when it died.
	InFlight int64 `json:"in_flight_at_kill"`
	// Requests, Errors and Shed are the miss load's requests, those that
	// failed (no answer, or a status other than 200 and 503), and 503s;
	// ErrorsAfter counts the errors of requests that ended after the
	// kill.
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	ErrorsAfter int64   `json:"errors_after_kill"`
	Shed        int64   `json:"shed"`
	FirstErr    string  `json:"first_error,omitempty"`
	MissesPerS  float64 `json:"misses_per_second"`
	// FillsAfter are the requests other than health probes that reached
	// the dead origin's address after the kill, LastFillMs the last one's
	// delay after the kill (how long until the edges stopped trying it),
	// ProbesAfter the health probes.
	FillsAfter  int     `json:"fills_after_kill"`
	LastFillMs  float64 `json:"last_fill_after_kill_ms"`
	ProbesAfter int     `json:"probes_after_kill"`
	// Uploads: acknowledged before the kill, after it (by the live
	// origin), failed; then those acknowledged before the kill found
	// listed and delivering their bytes through the edges.
	AckedBefore   int      `json:"acknowledged_before_kill"`
	AckedAfter    int      `json:"acknowledged_after_kill"`
	UploadsFailed int      `json:"uploads_failed"`
	Listed        int      `json:"acknowledged_before_listed"`
	Intact        int      `json:"acknowledged_before_intact"`
	Lost          []string `json:"lost,omitempty"`
	// OK and Failed are the miss load's answers per timeline bucket
	// (per second), by when each request ended.
	BucketMs float64   `json:"bucket_ms"`
	OK       []float64 `json:"ok_per_s"`
	Failed   []float64 `json:"failed_per_s"`
}

const (
	scaleUploaders = 2                      // concurrent uploads during the failover load
	scaleBucket    = 250 * time.Millisecond // failover timeline resolution
	// scaleKilled is the origin killed: not the first, which runs the
	// embedded NATS server (a NATS server dying is the NATS cluster's
	// test, not this one).
	scaleKilled = 1
)

// missEvent is one request of the miss load.
type missEvent struct {
	t0, t1 time.Time
	ok     bool // 200
	shed   bool // 503
}

// runScaleFailover runs a miss-heavy load through two edges over two
// origins on PostgreSQL and S3, with uploads alongside, and SIGKILLs the
// second origin a third of the way in. Each origin is behind a gate
// (scale_gate.go) that sees what the edges send the killed one.
func runScaleFailover(ctx context.Context, e *env, d *scaleData) error {
	src, err := findPhoto(e.photos, scaleMissSource)
	if err != nil {
		return err
	}
	st, err := startSharedStores(ctx, e.dir)
	if err != nil {
		return err
	}
	defer st.close()
	var gates []*gate
	f, err := startFleet(ctx, e, fleetSpec{Origins: 2, Edges: scaleEdges, Stores: st,
		Gate: func(i int, origin string) (string, func(), error) {
			g, err := startGate(origin)
			if err != nil {
				return "", nil, err
			}
			gates = append(gates, g)
			return g.url(), g.close, nil
		}})
	if err != nil {
		return err
	}
	defer f.Close()
	fd := &scaleFailoverData{BucketMs: ms(scaleBucket)}
	d.Failover = fd

	var (
		mu       sync.Mutex
		events   []missEvent
		acks     []ack
		ackAt    []time.Time
		failed   atomic.Int64
		killedAt atomic.Int64 // UnixNano
		stopUp   = make(chan struct{})
		wg       sync.WaitGroup
	)
	apis := []*apiClient{newAPIClient(f.origins[0].URL, e.o), newAPIClient(f.origins[1].URL, e.o)}
	for w := range scaleUploaders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ; i += scaleUploaders {
				select {
				case <-stopUp:
					return
				default:
				}
				r, err := apis[i%2].upload(ctx, fmt.Sprintf("scale/failover/%d", i), src.File, src.Data, nil)
				if err != nil {
					failed.Add(1)
					continue
				}
				mu.Lock()
				acks, ackAt = append(acks, ack{r.PublicID, r.Version, r.ETag}), append(ackAt, time.Now())
				mu.Unlock()
			}
		}()
	}
	start := time.Now()
	killDone := make(chan error, 1)
	go func() {
		select {
		case <-ctx.Done():
			killDone <- ctx.Err()
			return
		case <-time.After(e.o.ScaleTime / 3):
		}
		fd.InFlight = gates[scaleKilled].die()
		killedAt.Store(time.Now().UnixNano())
		err := f.kill(scaleKilled)
		gates[scaleKilled].closeConns()
		e.p.logf("scale failover: origin %d SIGKILLed with %d requests in flight to it", scaleKilled, fd.InFlight)
		killDone <- err
	}()
	load, err := scaleMisses(ctx, e, f, src, "scale/failover-src", func(t0, t1 time.Time, status int, err error) {
		mu.Lock()
		events = append(events, missEvent{t0: t0, t1: t1, ok: err == nil && status == 200, shed: err == nil && status == 503})
		mu.Unlock()
	})
	close(stopUp)
	wg.Wait()
	if kerr := <-killDone; kerr != nil {
		return kerr
	}
	if err != nil {
		return err
	}
	killed := time.Unix(0, killedAt.Load())
	fd.KillAtS, fd.LoadS = killed.Sub(start).Seconds(), load.Seconds
	fd.Requests, fd.Shed, fd.FirstErr, fd.MissesPerS = load.Done+load.Errors+load.Shed, load.Shed, load.FirstErr, load.PerSec
	for _, ev := range events {
		if !ev.ok && !ev.shed {
			fd.Errors++
			if ev.t1.After(killed) {
				fd.ErrorsAfter++
			}
		}
	}
	fd.OK, fd.Failed = timeline(events, start, scaleBucket)
	for _, h := range gates[scaleKilled].hits() {
		if h.Probe {
			fd.ProbesAfter++
			continue
		}
		fd.FillsAfter++
		fd.LastFillMs = max(fd.LastFillMs, ms(h.At.Sub(killed)))
	}
	var before []ack
	for i, a := range acks {
		if ackAt[i].Before(killed) {
			before = append(before, a)
		} else {
			fd.AckedAfter++
		}
	}
	fd.AckedBefore, fd.UploadsFailed = len(before), int(failed.Load())
	e.p.logf("scale failover: %d misses, %d errors (%d after the kill); %d uploads acknowledged before the kill; checking them",
		fd.Requests, fd.Errors, fd.ErrorsAfter, fd.AckedBefore)
	return checkSurvivors(ctx, e, f, apis[0], src, before, fd)
}

// checkSurvivors lists the uploads acknowledged before the kill through
// the live origin and fetches each through the edges (in turn): listed
// with the version acknowledged, and the bytes those uploaded.
func checkSurvivors(ctx context.Context, e *env, f *fleet, api *apiClient, src photo, acks []ack, fd *scaleFailoverData) error {
	listed, err := api.list(ctx, "scale/failover/")
	if err != nil {
		return fmt.Errorf("listing after the kill: %w", err)
	}
	versions := map[string]int64{}
	for _, a := range listed {
		versions[a.PublicID] = a.Version
	}
	clients := make([]*fastClient, len(f.EdgeURLs))
	for i, u := range f.EdgeURLs {
		hc, err := newHostClient(u, 2, 30*time.Second)
		if err != nil {
			return err
		}
		defer hc.CloseIdleConnections()
		clients[i] = &fastClient{hc, u}
	}
	for i, a := range acks {
		v, ok := versions[a.id]
		if !ok || v != a.version {
			fd.Lost = append(fd.Lost, fmt.Sprintf("%s: listed %v, version %d, acknowledged %d", a.id, ok, v, a.version))
			continue
		}
		fd.Listed++
		c := clients[i%len(clients)]
		r, err := getRetrying(ctx, c.hc, c.base, deliveryPath(e.o.Cloud, variant{Ext: "jpg"}, a.version, a.id))
		switch {
		case err != nil:
			fd.Lost = append(fd.Lost, a.id+": "+err.Error())
		case r.Status != 200:
			fd.Lost = append(fd.Lost, fmt.Sprintf("%s: %d %s", a.id, r.Status, r.Error))
		case md5.Sum(r.Body) != src.MD5 || md5hex(r.Body) != a.etag:
			fd.Lost = append(fd.Lost, fmt.Sprintf("%s: %d bytes with MD5 %s, acknowledged etag %s", a.id, len(r.Body), md5hex(r.Body), a.etag))
		default:
			fd.Intact++
		}
	}
	if len(acks) == 0 {
		return errors.New("bench: no upload was acknowledged before the kill")
	}
	return nil
}

// timeline counts events by when they ended, in buckets of width from
// start: per second, those that succeeded and those that failed (a 503
// counts as neither).
func timeline(events []missEvent, start time.Time, width time.Duration) (ok, failed []float64) {
	perSec := float64(time.Second) / float64(width)
	for _, ev := range events {
		if ev.t1.Before(start) {
			continue
		}
		i := int(ev.t1.Sub(start) / width)
		for len(ok) <= i {
			ok, failed = append(ok, 0), append(failed, 0)
		}
		switch {
		case ev.ok:
			ok[i] += perSec
		case !ev.shed:
			failed[i] += perSec
		}
	}
	return ok, failed
}

// scaleFailoverReport adds the failover table, checks and timeline.
func scaleFailoverReport(o *Options, d *scaleData, r *Report, section string) {
	fd := d.Failover
	if fd == nil || fd.LoadS == 0 {
		return
	}
	stopped := "still trying at the end"
	if fd.FillsAfter == 0 {
		stopped = "none came"
	} else if fd.LastFillMs < (fd.LoadS-fd.KillAtS)*1000-1000 {
		stopped = f1(fd.LastFillMs) + " ms"
	}
	r.Tables = append(r.Tables, Table{Section: section, Title: fmt.Sprintf("Miss-heavy load through %d edges over 2 origins "+
		"(PostgreSQL + S3), origin %d SIGKILLed at %.1f s of %.1f s", scaleEdges, scaleKilled, fd.KillAtS, fd.LoadS),
		Header: []string{"requests", "misses/s", "in flight to it at the kill", "client errors", "of them after the kill", "503s",
			"fills sent to it after the kill", "last fill after the kill", "health probes after", "uploads acknowledged before the kill",
			"listed", "identical bytes through the edges"},
		Rows: [][]string{{fmt.Sprint(fd.Requests), f1(fd.MissesPerS), fmt.Sprint(fd.InFlight), fmt.Sprint(fd.Errors),
			fmt.Sprint(fd.ErrorsAfter), fmt.Sprint(fd.Shed), fmt.Sprint(fd.FillsAfter), stopped, fmt.Sprint(fd.ProbesAfter),
			fmt.Sprint(fd.AckedBefore), fmt.Sprint(fd.Listed), fmt.Sprint(fd.Intact)}}})
	r.Checks = append(r.Checks,
		check("failover: client errors ≤ requests in flight to the killed origin", fmt.Sprintf("%d errors, %d in flight", fd.Errors, fd.InFlight),
			"errors ≤ in flight", fd.Errors <= fd.InFlight),
		check("failover: edges stop sending fills to the killed origin", stopped, "before the load ends", stopped != "still trying at the end"),
		check("failover: uploads acknowledged before the kill listed, identical bytes through the edges",
			fmt.Sprintf("%d of %d%s", fd.Intact, fd.AckedBefore, firstOf(fd.Lost)), "all", fd.AckedBefore > 0 && fd.Intact == fd.AckedBefore))
	var okS, failS series
	okS.Name, failS.Name = "200 per second", "client errors per second"
	for i := range fd.OK {
		t := (float64(i) + 0.5) * fd.BucketMs / 1000
		okS.Points = append(okS.Points, point{t, fd.OK[i]})
		failS.Points = append(failS.Points, point{t, fd.Failed[i]})
	}
	refs := []ref{{fd.KillAtS, "SIGKILL"}}
	if fd.FillsAfter > 0 {
		refs = append(refs, ref{fd.KillAtS + fd.LastFillMs/1000, "last fill to it"})
	}
	r.Charts = append(r.Charts, Chart{Section: section, Name: "failover", Title: "failover timeline",
		SVG: failoverChart(fmt.Sprintf("misses through the edges, origin %d SIGKILLed", scaleKilled), []series{okS, failS}, refs)})
	r.Notes = append(r.Notes, fmt.Sprintf("failover part: %d clients ask the edges for distinct new transformations (every one a miss) "+
		"while %d clients upload distinct public IDs to the two origins in turn; origin %d (not the one running the embedded NATS "+
		"server) is SIGKILLed a third of the way in. The edges reach each origin through a gate in the bench that counts requests "+
		"in flight and, after the kill, drops connections and closes every new one unanswered, noting whether it was a fill or a "+
		"/healthz probe. Client errors are answers other than 200 and 503 (503s are origins shedding load) or no answer. Uploads "+
		"to the killed origin fail after the kill by design (a client retries elsewhere); every upload acknowledged before the kill "+
		"is then listed through the live origin and fetched through the edges at its version.", scaleMissClients, scaleUploaders, scaleKilled))
}

// failoverChart is a time chart with vertical reference lines.
func failoverChart(title string, lines []series, refs []ref) []byte {
	xhi, yhi := 1.0, 1.0
	for _, s := range lines {
		for _, pt := range s.Points {
			xhi, yhi = max(xhi, pt.X), max(yhi, pt.Y)
		}
	}
	p := &plot{Title: title, X: linearAxis("time (s)", 0, xhi), Y: linearAxis("requests per second", 0, yhi), Lines: lines, VRefs: refs}
	return p.svg()
}
