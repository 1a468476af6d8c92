package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// scenario is one measurement the bench can run.
type scenario struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env) (*Report, error)
	// processes: it kills, freezes and measures its servers' processes,
	// so it cannot run on servers inside the bench (-servers inproc);
	// `all` leaves it out there.
	processes bool
	// strict: a check that fails fails the run (once the report is
	// written), so that the command exits non-zero.
	strict bool
	// alone: it runs only when named, as it does not fit the time `all`
	// is given (make bench's budget).
	alone bool
}

// scenarios lists every scenario in the order `all` runs them.
func scenarios() []scenario {
	return []scenario{
		{name: "hit", summary: "an edge under a Zipf mix of many URLs", run: runHit},
		{name: "compare", summary: "the edge beside nginx proxy_cache and Varnish, interleaved wrk rounds", run: runCompare},
		{name: "transform", summary: "origin transforms over HTTP beside a plain bimg loop", run: runTransform},
		{name: "purge", summary: "time from an overwrite's API answer until every edge serves the new bytes", run: runPurge},
		{name: "coalesce", summary: "a storm of requests for cold URLs: origin requests per URL", run: runCoalesce},
		{name: "storm", summary: "1,000 connections over 1,000 new transformations: only 200 or 503, originals unaffected", run: runStorm},
		{name: "soak", summary: "many distinct objects through one edge: memory over time", run: runSoak},
		{name: "chaos", summary: "issue 15's hostile cases: blur chains, upload floods, the storm, SIGKILL, a frozen edge",
			run: runChaos, processes: true, strict: true},
		{name: "scale", summary: "issue 17: purges to 1-32 edge processes, uploads and misses on one origin and two, an origin SIGKILLed",
			run: runScale, processes: true, strict: true, alone: true},
	}
}

// scenarioNames lists every scenario's name.
func scenarioNames() []string {
	var out []string
	for _, s := range scenarios() {
		out = append(out, s.name)
	}
	return out
}

// allNames lists the scenarios `all` runs: every one, but those that run
// only when named and those that need their servers as processes when
// inproc says they are not.
func allNames(inproc bool) []string {
	var out []string
	for _, s := range scenarios() {
		if !s.alone && (!s.processes || !inproc) {
			out = append(out, s.name)
		}
	}
	return out
}

// env is what a scenario runs with.
type env struct {
	o      *Options
	deps   Deps
	p      *progress
	dir    string // the scenario's scratch directory, removed afterwards
	photos []photo
}

// Run runs the scenarios o names and writes their reports.
func Run(ctx context.Context, o Options, deps Deps, stdout, stderr io.Writer) error {
	o.applyDefaults()
	if err := o.validate(); err != nil {
		return err
	}
	if o.Child != "" {
		return runChild(ctx, &o, stdout)
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	p := newProgress(stderr)
	photos, err := loadCorpus(o.Corpus)
	if err != nil {
		return err
	}
	scratch, err := os.MkdirTemp("", "mediacdn-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	// nginx and Varnish workers run as other users and must reach their
	// files under the scratch directory.
	os.Chmod(scratch, 0o755)
	started := time.Now()
	m := readMachine(ctx)
	p.logf("mediacdn bench: %s, %d cores; scenarios %s; reports in %s", m.CPU, m.Cores, strings.Join(o.Scenarios, " "), o.OutDir)
	stamp := runStamp(started)
	var reports []*Report
	var files, failed []string
	for _, name := range o.Scenarios {
		r, path, err := runOne(ctx, &o, deps, p, scratch, photos, m, stamp, name)
		if r != nil {
			reports, files = append(reports, r), append(files, path)
			fmt.Fprintf(stdout, "\n%s", r.headline())
			p.logf("%s: report %s", name, path)
		}
		if err != nil {
			p.logf("%s failed: %v", name, err)
			failed = append(failed, name+": "+err.Error())
			if ctx.Err() != nil {
				break
			}
		}
	}
	if len(o.Scenarios) > 1 && len(reports) > 0 {
		sum := filepath.Join(o.OutDir, stem(stamp, "summary")+".md")
		md := summaryMarkdown(m, started, time.Since(started).Seconds(), o.Command, reports, files, failed)
		if err := os.WriteFile(sum, []byte(md), 0o644); err != nil {
			return err
		}
		p.logf("summary: %s (%.0f s in all)", sum, time.Since(started).Seconds())
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d scenarios failed: %s", len(failed), len(o.Scenarios), strings.Join(failed, "; "))
	}
	return nil
}

// runOne runs one scenario in its own scratch directory and writes its
// report; a strict scenario whose checks fail returns the report and an
// error.
func runOne(ctx context.Context, o *Options, deps Deps, p *progress, scratch string, photos []photo, m Machine, stamp, name string) (*Report, string, error) {
	var sc scenario
	for _, s := range scenarios() {
		if s.name == name {
			sc = s
		}
	}
	dir, err := os.MkdirTemp(scratch, name+"-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	p.logf("== %s: %s", name, sc.summary)
	start := time.Now()
	r, err := sc.run(ctx, &env{o: o, deps: deps, p: p, dir: dir, photos: photos})
	if err != nil {
		return nil, "", err
	}
	r.Scenario, r.Started, r.Seconds, r.Machine = name, start, time.Since(start).Seconds(), m
	r.Command = scenarioCommand(o.Command, name)
	path, err := r.write(o.OutDir, stamp)
	if err != nil {
		return nil, "", err
	}
	if missed := r.missed(); sc.strict && len(missed) > 0 {
		return r, path, errors.New(strings.Join(missed, "; "))
	}
	return r, path, nil
}

// scenarioCommand turns the run's command into one that runs only this
// scenario with the same flags.
func scenarioCommand(command, name string) string {
	if command == "" {
		return "mediacdn bench " + name
	}
	names := append(scenarioNames(), "all")
	f := strings.Fields(command)
	for len(f) > 0 && slices.Contains(names, f[len(f)-1]) {
		f = f[:len(f)-1]
	}
	return strings.Join(append(f, name), " ")
}

// headline is a plain-text digest of the report for the terminal.
func (r *Report) headline() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%.0f s)\n\n%s", r.Title, r.Seconds, r.digest())
	return b.String()
}

// executable is this program's path, for spawning servers.
func executable() string {
	p, err := os.Executable()
	if err != nil {
		return ""
	}
	return p
}
