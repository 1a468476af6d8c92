package bench

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// chaosCase is one row of the chaos table: a hostile case, what the
// system must do, and what it did.
type chaosCase struct {
	Case        string `json:"case"`
	Expectation string `json:"expectation"`
	Result      string `json:"result"`
	Pass        bool   `json:"pass"`
	// Skipped cases could not run against these servers (a running
	// installation the bench may not kill); they neither pass nor fail.
	Skipped bool `json:"skipped,omitempty"`
}

// chaosData is the chaos scenario's JSON: the table and each case's
// figures.
type chaosData struct {
	Cases   []chaosCase       `json:"cases"`
	Blur    *blurData         `json:"blur_chain,omitempty"`
	Flood   *floodData        `json:"upload_flood,omitempty"`
	Storm   *stormData        `json:"storm,omitempty"`
	Crash   *crashData        `json:"sigkill_during_uploads,omitempty"`
	Freezes []freezeData      `json:"frozen_edge,omitempty"`
	Servers string            `json:"servers"`
	Errors  map[string]string `json:"errors,omitempty"`
}

// add appends a row.
func (d *chaosData) add(name, expectation, result string, pass bool) {
	d.Cases = append(d.Cases, chaosCase{Case: name, Expectation: expectation, Result: result, Pass: pass})
}

// skip appends a row for a case that cannot run here.
func (d *chaosData) skip(name, expectation, why string) {
	d.Cases = append(d.Cases, chaosCase{Case: name, Expectation: expectation, Result: "skipped: " + why, Skipped: true})
}

// failed lists the rows that did not pass.
func (d *chaosData) failed() []string {
	var out []string
	for _, c := range d.Cases {
		if !c.Pass && !c.Skipped {
			out = append(out, c.Case)
		}
	}
	return out
}

// chaosStep is one of the hostile cases; it adds its rows to d.
type chaosStep struct {
	name string
	run  func(ctx context.Context, e *env, d *chaosData) error
}

// errNeedsSpawn is a case's answer when it must kill or freeze servers
// the bench did not start.
var errNeedsSpawn = errors.New("it kills or freezes servers, so it runs only on servers the bench starts (not -origin/-edge)")

// runChaos runs the hostile cases of issue 15 one after the other, each
// on servers of its own (spawned with the settings it needs) or on the
// running servers given by URL, and reports one table: case, expectation,
// result. A case that cannot be set up is a failed row, not the end of
// the run; Run fails when any row failed (scenario.strict).
func runChaos(ctx context.Context, e *env) (*Report, error) {
	if e.o.OriginURL == "" && e.o.Servers == ServersInProcess {
		return nil, errors.New("bench: chaos needs its servers as processes (-servers spawn, or -origin/-edge)")
	}
	d := &chaosData{Servers: ServersSpawn, Errors: map[string]string{}}
	if e.o.OriginURL != "" {
		d.Servers = "url"
	}
	steps := []chaosStep{
		{"blur chain", chaosBlur},
		{"upload flood", chaosFlood},
		{"transform storm", chaosStorm},
		{"SIGKILL during uploads", chaosCrash},
		{"frozen edge", chaosFreeze},
	}
	for _, s := range steps {
		if ctx.Err() != nil {
			break
		}
		e.p.logf("  chaos: %s", s.name)
		if err := s.run(ctx, e, d); err != nil {
			d.Errors[s.name] = err.Error()
			d.add(s.name, "runs", "error: "+tail(err.Error(), 300), false)
			e.p.logf("  chaos: %s: %v", s.name, err)
		}
	}
	if len(d.Errors) == 0 {
		d.Errors = nil
	}
	return chaosReport(e.o, d), ctx.Err()
}

// chaosStorm is the transform storm (runStorm's) through an edge with its
// default configuration.
func chaosStorm(ctx context.Context, e *env, d *chaosData) error {
	c, err := startCluster(ctx, e, clusterSpec{Edges: 1})
	if err != nil {
		return err
	}
	defer c.Close()
	s, err := stormOn(ctx, e, c)
	if err != nil {
		return err
	}
	d.Storm = &s
	name := fmt.Sprintf("storm: %d connections, %d new transformations, %.0f s", s.Conns, s.Transforms, s.Seconds)
	d.add(name, "every answer 200, or 503 with Retry-After; some 503s (the origin was overloaded)",
		fmt.Sprintf("%d answers: %s 200, %s 503 + Retry-After, %d other%s", s.Storm.Requests, pct(s.Storm.share("200")),
			pct(ratio(float64(s.Storm.Shed503), float64(s.Storm.Requests))), s.Storm.Bad, firstBad(s.Storm)),
		s.Storm.Requests > 0 && s.Storm.Bad == 0 && s.Storm.Statuses["503"] > 0)
	d.add("storm: originals meanwhile", "every one 200",
		fmt.Sprintf("%d of %d 200, p99 %s ms%s", s.Originals.Statuses["200"], s.Originals.Requests,
			f1(quantileOf(s.Originals.Latency, 0.99)), firstBad(s.Originals)),
		s.Originals.Requests > 0 && s.Originals.Statuses["200"] == s.Originals.Requests)
	d.add("storm: a stored derived image meanwhile", "200, or 503 with Retry-After",
		fmt.Sprintf("%d of %d 200, %d other%s", s.Derived.Statuses["200"], s.Derived.Requests, s.Derived.Bad, firstBad(s.Derived)),
		s.Derived.Requests > 0 && s.Derived.Bad == 0)
	return ctx.Err()
}

// firstBad is a tally's first unexpected answer, as a suffix.
func firstBad(t stormTally) string {
	if t.FirstBad == "" {
		return ""
	}
	return " (first: " + tail(t.FirstBad, 120) + ")"
}

func chaosReport(o *Options, d *chaosData) *Report {
	main := Table{Title: "Hostile cases", Text: true, Header: []string{"case", "expectation", "result", "pass"}}
	passed, skipped := 0, 0
	for _, c := range d.Cases {
		mark := yesNo(c.Pass)
		switch {
		case c.Skipped:
			mark = "skipped"
			skipped++
		case c.Pass:
			passed++
		}
		main.Rows = append(main.Rows, []string{c.Case, c.Expectation, c.Result, mark})
	}
	ran := len(d.Cases) - skipped
	r := &Report{Title: "chaos: hostile input against the origin and the edges", Data: d,
		Method: chaosMethod(o),
		Params: []Param{param("servers", d.Servers), param("imaging.timeout (spawned)", chaosImagingTimeout),
			param("uploads", fmt.Sprintf("%d × %d MiB", chaosFloodUploads, chaosFloodMiB)),
			param("storm connections", o.StormConns), param("storm seconds", o.StormTime.Seconds())},
		Tables: []Table{main},
		Checks: []Check{check("cases passed", fmt.Sprintf("%d of %d", passed, ran), fmt.Sprintf("%d of %d", ran, ran),
			ran > 0 && passed == ran)},
	}
	r.Tables = append(r.Tables, chaosDetailTables(d)...)
	if skipped > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d case(s) skipped: they kill or freeze server processes, which the bench does "+
			"only to servers it started", skipped))
	}
	for _, name := range slices.Sorted(maps.Keys(d.Errors)) {
		r.Notes = append(r.Notes, name+": "+d.Errors[name])
	}
	return r
}

// chaosDetailTables are each case's figures.
func chaosDetailTables(d *chaosData) []Table {
	var out []Table
	if b := d.Blur; b != nil {
		out = append(out, blurTable(b))
	}
	if f := d.Flood; f != nil {
		out = append(out, floodTable(f))
	}
	if len(d.Freezes) > 0 {
		out = append(out, freezeTable(d.Freezes))
	}
	return out
}

func chaosMethod(o *Options) string {
	parts := []string{
		"Issue 15's hostile cases, one after the other, each on servers of its own (an origin, and an edge where the " +
			"case needs one, as child processes with the settings the case names) or on the running servers given " +
			"with -origin/-edge. RSS is the origin's VmRSS from /proc, sampled every 20 ms, and its VmHWM, reset " +
			"(clear_refs) before each measurement.",
		fmt.Sprintf("Blur chain: the origin runs with imaging.timeout %v and the default cost budget; the issue's ten "+
			"e_blur:1998 on a 2560×1600 JPEG must be accepted; after an upscale to 8000 px (w_8000) they must be "+
			"refused with 400 before any pixel; as many concurrent copies as the origin has workers of an upscale "+
			"followed by eight e_blur:1998 (within the budget, about 8 s of work on this machine) must answer 504 at "+
			"the deadline, the transform slots (mediacdn_origin_transforms_busy) must be free within %v after it, "+
			"new transforms sent then must answer 200, and the RSS must be back under its value before plus %d MiB "+
			"within %v (imaging.release_interval, 10 s, returns freed memory to the OS).",
			chaosImagingTimeout, chaosSlotBound, chaosRSSBudgetMiB, chaosRSSReturn),
		fmt.Sprintf("Upload flood: %d concurrent %d MiB multipart uploads, their bodies generated as they are sent, "+
			"first without credentials, then signed as the SDKs sign them (raw files; the origin runs with "+
			"uploads.per_client %d so that all are allowed); the peak RSS may grow by at most %d MiB each time.",
			chaosFloodUploads, chaosFloodMiB, chaosFloodUploads, chaosFloodGrowthMiB),
		fmt.Sprintf("Transform storm: the storm scenario (%d connections over %d distinct new transformations for %v "+
			"through an edge with its default configuration, originals and a stored derived image asked for meanwhile).",
			o.StormConns, o.StormTransforms, o.StormTime),
		fmt.Sprintf("SIGKILL during uploads: %d clients upload small images without pause (one public ID in five is "+
			"the same one, overwritten); after %d acknowledgements the origin gets SIGKILL, is started again on the "+
			"same data directory, and every acknowledged upload must be there, its bytes matching its etag (MD5), "+
			"as must every asset the Admin API lists.", crashClients, crashAcks),
		fmt.Sprintf("Frozen edge: an edge holding %d assets (original and a derived image each) is stopped with "+
			"SIGSTOP, every asset is overwritten with invalidate=true (no wait) meanwhile, and the edge resumed "+
			"with SIGCONT after %s; from the resume on, every URL must answer what the origin now serves within "+
			"caught_up_bound (%v, the default), and nothing stale after it. Requests sent during the stop may get "+
			"the old copy (architecture.md, How stale an answer can be): counted, not judged.",
			freezeAssets, freezeDurationsText(), freezeBound),
	}
	return strings.Join(parts, "\n\n")
}
