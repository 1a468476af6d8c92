package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// scaleData is the scale scenario's JSON: each part's figures, and the
// parts that could not run.
type scaleData struct {
	Purge        []scalePurgeRow      `json:"purge,omitempty"`
	PurgePoll    string               `json:"purge_poll,omitempty"`
	PurgeMeasure string               `json:"purge_measure,omitempty"`
	PurgeProcs   string               `json:"purge_edge_procs,omitempty"`
	Throughput   []scaleThroughputRow `json:"throughput,omitempty"`
	Failover     *scaleFailoverData   `json:"failover,omitempty"`
	Errors       map[string]string    `json:"errors,omitempty"`
}

// scalePart is one part of the scale scenario: it adds its figures to d
// and its tables, charts and checks to r.
type scalePart struct {
	name  string
	title string // its section in the report
	run   func(ctx context.Context, e *env, d *scaleData) error
	// report adds the part's tables and charts (under section) and
	// checks.
	report func(o *Options, d *scaleData, r *Report, section string)
}

func scalePartList() []scalePart {
	return []scalePart{
		{name: "purge", title: "1. Purge propagation against the number of edge processes", run: runScalePurge, report: scalePurgeReport},
		{name: "throughput", title: "2. Uploads and misses per second, one origin and two", run: runScaleThroughput, report: scaleThroughputReport},
		{name: "failover", title: "3. Failover: an origin SIGKILLed under a miss-heavy load", run: runScaleFailover, report: scaleFailoverReport},
	}
}

// scaleParts names the parts in the order they run.
func scaleParts() []string {
	var out []string
	for _, p := range scalePartList() {
		out = append(out, p.name)
	}
	return out
}

// runScale measures how an installation grows (issue 17): the parts
// -scale-parts names, one after the other, each on servers of its own. A
// part that fails is a failed check, not the end of the run; Run fails
// when any check failed (scenario.strict).
func runScale(ctx context.Context, e *env) (*Report, error) {
	if e.o.Servers != ServersSpawn || e.o.OriginURL != "" {
		return nil, errors.New("bench: scale needs its servers as processes it starts (-servers spawn, no -origin)")
	}
	d := &scaleData{Errors: map[string]string{}}
	r := &Report{Title: "scale: purges to many edges, one origin and two, an origin killed", Data: d,
		Method: "Three parts, each on servers the bench starts as processes of the mediacdn binary: " +
			"(1) purge propagation to 1 to 32 edge processes sharing one origin's embedded NATS server; " +
			"(2) uploads and distinct cache misses per second with one origin on SQLite and files, one origin on " +
			"PostgreSQL and S3, and two origins on the same PostgreSQL and S3; (3) two origins on PostgreSQL and S3 " +
			"under a miss-heavy load through the edges, one of them SIGKILLed in the middle. Each section says how it measures.",
		Params: []Param{param("parts", strings.Join(e.o.ScaleParts, ",")), param("edge counts", joinInts(e.o.ScaleEdges)),
			param("purges per count", e.o.ScalePurges), param("measurement time", e.o.ScaleTime)}}
	for _, p := range scalePartList() {
		if !slices.Contains(e.o.ScaleParts, p.name) {
			continue
		}
		e.p.logf("-- scale %s: %s", p.name, p.title)
		if err := p.run(ctx, e, d); err != nil {
			d.Errors[p.name] = err.Error()
			e.p.logf("scale %s failed: %v", p.name, err)
			r.Checks = append(r.Checks, check(p.name+" ran", tail(err.Error(), 300), "no error", false))
			if ctx.Err() != nil {
				break
			}
		}
		p.report(e.o, d, r, p.title)
	}
	return r, nil
}

// parseCounts parses a comma-separated list of ascending positive counts,
// none above limit.
func parseCounts(s string, limit int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		switch {
		case err != nil:
			return nil, fmt.Errorf("%q is not a count", strings.TrimSpace(f))
		case n < 1 || n > limit:
			return nil, fmt.Errorf("%d is not between 1 and %d", n, limit)
		case len(out) > 0 && n <= out[len(out)-1]:
			return nil, fmt.Errorf("counts must ascend (%d after %d)", n, out[len(out)-1])
		}
		out = append(out, n)
	}
	return out, nil
}

// joinInts is "1,4,16".
func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}
